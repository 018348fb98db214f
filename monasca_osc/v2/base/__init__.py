"""What every ``openstack monitoring`` command module builds on.

- ``cells``: cell formatters (native types for json/yaml, readable text
  for tables and csv) and ``get_fields``, which turns an API item into a row.
- ``commands``: the base command classes (``Lister``, ``ShowOne``,
  ``Command``) and ``delete_each``.
- ``output``: the output fast paths the base ``Lister`` takes for long
  listings (streamed ``-f json`` and ``-f yaml``, a series' points from a
  row template, fewer garbage collections).
- ``options``: parser builders for the options many commands share.
- ``arguments``: parsed options -> manager arguments (sort keys, dimension
  filters, time ranges, paging).

Imported by every command module at start-up: standard library, cliff,
osc_lib and ``monasca_osc.common`` only (all cheap; see
tests/functional/test_import_cost.py). The legacy ``monasca`` commands build on
these too.
"""

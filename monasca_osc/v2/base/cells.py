"""Cell formatters and row building.

A formatter column keeps the API's native value for json/yaml output
(``machine_readable``), a readable form for tables (``human_readable``) and
a one-line form for csv/value/shell (``text_readable``; cliff itself would
print a Python repr there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import json
from typing import Any

from cliff import columns as cliff_columns

from monasca_osc.common import dimensions as dims

# Cells of these exact types print as they are (the common case: names,
# timestamps, values), without the isinstance chain of as_text.
_PLAIN_CELLS = frozenset({str, int, float})


class Column(cliff_columns.FormattableColumn):
    """A column that keeps native types for json/yaml and has a text form.

    ``text_readable`` is what csv and value output print (cliff would print
    a Python repr there).
    """

    def text_readable(self) -> str:
        return self.human_readable()


class DimensionsColumn(Column):
    """``{"hostname": "web1"}`` -> ``hostname=web1, service=api``."""

    separator = ', '

    def human_readable(self) -> str:
        return dims.format_dimensions(self._value or {}, self.separator)

    def machine_readable(self) -> Any:
        return dict(self._value or {})

    def text_readable(self) -> str:
        # One instance is shared by every point of a series: format once.
        text = self.__dict__.get('_text')
        if text is None:
            text = self._text = dims.format_dimensions(self._value or {},
                                                       ',')
        return text


class JSONColumn(Column):
    """Nested data shown as compact JSON in tables and csv."""

    def human_readable(self) -> str:
        if self._value in (None, {}, []):
            return ''
        return json.dumps(self._value, sort_keys=True, ensure_ascii=False)

    def machine_readable(self) -> Any:
        return self._value


class ValueMetaColumn(JSONColumn):
    def machine_readable(self) -> Any:
        return dict(self._value or {})


class ListColumn(Column):
    """``["a", "b"]`` -> ``a, b`` in tables, ``a,b`` in csv/value; json
    keeps the list. Subclasses change the separators and ``label``."""

    table_separator = ', '
    text_separator = ','

    def label(self, item: Any) -> str:
        return str(item)

    def human_readable(self) -> str:
        return self.table_separator.join(
            self.label(v) for v in self._value or ())

    def machine_readable(self) -> Any:
        return list(self._value or ())

    def text_readable(self) -> str:
        return self.text_separator.join(
            self.label(v) for v in self._value or ())


class MetricsColumn(ListColumn):
    """An alarm's metrics: ``name{k=v,...}`` entries, one per line in
    tables."""

    table_separator = '\n'
    text_separator = ' '

    def label(self, item: Any) -> str:
        return _metric_label(item)


def _metric_label(metric: Mapping[str, Any]) -> str:
    dimensions = dims.format_dimensions(metric.get('dimensions') or {}, ',')
    return f'{metric.get("name")}{{{dimensions}}}' if dimensions \
        else str(metric.get('name'))


def as_text(value: Any) -> Any:
    """A cell as csv/value/shell output prints it."""
    if type(value) in _PLAIN_CELLS:
        return value
    if isinstance(value, Column):
        return value.text_readable()
    if isinstance(value, cliff_columns.FormattableColumn):
        return value.human_readable()
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if value is None:
        return ''
    return value


def get_fields(item: Mapping[str, Any], fields: Sequence[str],
               formatters: Mapping[str, type] | None = None) -> tuple:
    """Pick fields out of a dict, wrapping those with a formatter."""
    formatters = formatters or {}
    row = []
    for field in fields:
        value = item.get(field)
        cls = formatters.get(field)
        row.append(cls(value) if cls is not None else value)
    return tuple(row)

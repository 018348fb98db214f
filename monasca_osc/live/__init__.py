"""Live operations in the terminal: follow, wait, plot, check.

``follow``  the polling loop behind ``--follow`` (overlap + de-duplication),
``stream``  row writers that print as rows come (JSON Lines, csv, value,
            table),
``plot``    a braille/marker line-chart and sparkline renderer,
``series``  API rows -> plot series (gaps, thresholds from a definition),
``alarms``  the state logic of ``alarm wait`` and ``alarm check``.

Standard library only; the command modules import these lazily, only when
the option that needs them is given.
"""

"""Print rows as they come, one flushed line each (``--follow`` output).

cliff's formatters need the whole list before they print (table widths,
the closing ``]`` of ``-f json``); a followed listing never ends. Here:

``json``   JSON Lines: one object per row, keys the column names, native
           types (as ``-f json`` has them), so ``| jq`` works live;
``csv``    the header, then rows, quoted as ``--quote`` says;
``value``  space-separated cells, as cliff's value formatter;
``table``  with the first row, a header and a rule as wide as it; then
           one aligned row per line; column widths grow when a wider cell
           comes (never shrink).

Each row is flushed at once. Standard library only (cells are cliff
``FormattableColumn`` objects or plain values).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
import csv
import json
import os
from typing import Any, TextIO

FORMATS = ('table', 'json', 'csv', 'value')


def write_rows(stdout: TextIO, formatter: str, columns: Sequence[str],
               rows: Iterable[Sequence[Any]], *,
               text: Callable[[Any], Any], machine: Callable[[Any], Any],
               quoting: int = csv.QUOTE_NONNUMERIC) -> int:
    """Write each row as it comes; returns 0 (the command's exit code).

    ``text(cell)`` is a cell as csv/value/table print it, ``machine(cell)``
    as JSON has it.
    """
    if formatter == 'json':
        for row in rows:
            stdout.write(json.dumps(
                {name: machine(cell) for name, cell in
                 zip(columns, row, strict=False)}) + '\n')
            stdout.flush()
    elif formatter == 'csv':
        writer = csv.writer(stdout, quoting=quoting,
                            lineterminator=os.linesep, escapechar='\\')
        writer.writerow(columns)
        stdout.flush()
        for row in rows:
            writer.writerow([text(cell) for cell in row])
            stdout.flush()
    elif formatter == 'value':
        for row in rows:
            stdout.write(' '.join(str(text(cell)) for cell in row) + '\n')
            stdout.flush()
    else:
        _write_table(stdout, columns, rows, text)
    return 0


def _write_table(stdout: TextIO, columns: Sequence[str],
                 rows: Iterable[Sequence[Any]],
                 text: Callable[[Any], Any]) -> None:
    widths: list[int] = []

    def line(cells: Sequence[str]) -> str:
        return '  '.join(cell.ljust(width) for cell, width in
                         zip(cells, widths, strict=False)).rstrip()

    for row in rows:
        cells = [' '.join(str(text(cell)).split('\n')) for cell in row]
        if not widths:
            # The header waits for the first row, to be as wide as it.
            widths = [max(len(n), len(c)) for n, c in
                      zip(columns, cells, strict=False)]
            stdout.write(line(columns) + '\n')
            stdout.write(line(['-' * w for w in widths]) + '\n')
        widths = [max(w, len(c)) for w, c in zip(widths, cells, strict=False)]
        stdout.write(line(cells) + '\n')
        stdout.flush()

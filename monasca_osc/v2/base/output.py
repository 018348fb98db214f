"""Output fast paths for long listings.

cliff formats a listing cell by cell and builds the whole ``-f json`` list
in memory; for a million measurements that is most of the client's time
and hundreds of MiB. These write the same text, byte for byte, streamed.
``commands.Lister.produce_output`` decides when each applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
import gc
from typing import Any

from cliff import columns as cliff_columns

# csv/value/shell print text cells; table/json/yaml keep formatter columns.
TEXT_FORMATS = ('csv', 'value', 'shell')
# After this many rows, freeze the garbage collector's view of everything
# OSC's start-up created (see freeze_gc_when_long).
FREEZE_GC_AFTER_ROWS = 10_000


def write_csv(stdout: Any, quoting: int, columns: Sequence[str],
              rows: Iterable[Sequence[Any]]) -> None:
    """cliff's csv output for rows that are text already, in one
    ``writerows`` call (cliff converts cell by cell: a third of the
    client's time on a million-row listing)."""
    import csv
    import os

    writer = csv.writer(stdout, quoting=quoting, lineterminator=os.linesep,
                        escapechar='\\')
    writer.writerow(columns)
    writer.writerows(rows)


def write_json_list(stdout: Any, columns: Sequence[str],
                    rows: Iterable[Sequence[Any]], indent: int | None) -> None:
    """cliff's ``-f json`` list output, written row by row.

    cliff builds the whole list first (568 MiB for a million measurements);
    this prints the same text, byte for byte, in constant memory.
    """
    import json

    first = True
    for row in rows:
        item = {name: value.machine_readable()
                if isinstance(value, cliff_columns.FormattableColumn)
                else value
                for name, value in zip(columns, row, strict=False)}
        if indent is None:
            stdout.write(('[' if first else ', ') + json.dumps(item))
        else:
            # json escapes newlines inside strings, so this only indents
            # the structure, as json.dump of the whole list would.
            text = json.dumps(item, indent=indent).replace(
                '\n', '\n' + ' ' * indent)
            stdout.write(('[\n' if first else ',\n') + ' ' * indent + text)
        first = False
    if first:
        stdout.write('[]')
    else:
        stdout.write(']' if indent is None else '\n]')
    stdout.write('\n')


def freeze_gc_when_long(rows: Iterable[Any]) -> Iterator[Any]:
    """Yield ``rows``; once the output is long, call ``gc.freeze()``.

    Paging creates millions of short-lived objects, and every full garbage
    collection would also walk the million-odd objects that OSC's start-up
    left (1,400+ modules): about a third of the client's CPU time on a
    1,000,000-row listing. Freezing moves those to a permanent generation
    that collections skip. Only in the command layer (a short-lived CLI
    process; the Python API never does this) and only for long outputs.
    """
    for count, row in enumerate(rows, 1):
        if count == FREEZE_GC_AFTER_ROWS:
            gc.freeze()
        yield row

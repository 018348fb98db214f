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

    cliff builds the whole list first and hands it to ``json.dump``: 568
    MiB for a million rows and, with ``indent``, the pure-Python encoder
    (most of such a listing's CPU time). This prints the same text, byte
    for byte, in constant memory: each row through ``JsonRowEncoder``,
    written in chunks.
    """
    encode = JsonRowEncoder(columns, indent)
    if indent is None:
        opening, between, closing = '[', ', ', ']\n'
    else:
        pad = ' ' * indent
        opening, between, closing = '[\n' + pad, ',\n' + pad, '\n]\n'
    chunk: list[str] = []
    for row in rows:
        chunk.append(encode(row))
        if len(chunk) == WRITE_CHUNK_ROWS:
            stdout.write((between if opening is None else opening) +
                         between.join(chunk))
            opening = None
            chunk = []
    if chunk:
        stdout.write((between if opening is None else opening) +
                     between.join(chunk))
        opening = None
    stdout.write('[]\n' if opening is not None else closing)


# Rows per write(): big enough that writes cost nothing, small enough that
# a slow listing still shows its first rows early.
WRITE_CHUNK_ROWS = 500


class JsonRowEncoder:
    """One row as ``json.dumps({column: cell, ...}, indent=indent)`` would
    print it inside cliff's list, without building the dict or running the
    encoder over the whole structure.

    Scalars are encoded directly (strings by the C string encoder, numbers
    by ``repr`` as ``json`` does); nested values go through ``json.dumps``,
    and a value that is the very object of the previous row's cell (a
    series' dimensions, shared by all its points) reuses that text.
    """

    def __init__(self, columns: Sequence[str], indent: int | None) -> None:
        import json
        from json import encoder

        self._dumps = json.dumps
        self._string = encoder.encode_basestring_ascii
        self._indent = indent
        keys = [self._string(str(name)) + ': ' for name in columns]
        if indent is None:
            self._open, self._close = '{', '}'
            self._keys = [keys[0]] + [', ' + key for key in keys[1:]]
            self._nested_pad = None
        else:
            # Inside the list: the item at one indent, its keys at two.
            inner = '\n' + ' ' * (2 * indent)
            self._open, self._close = '{', '\n' + ' ' * indent + '}'
            self._keys = [inner + keys[0]] + [',' + inner + key
                                              for key in keys[1:]]
            self._nested_pad = inner
        self._last: list[Any] = [_NOTHING] * len(columns)
        self._last_text: list[str] = [''] * len(columns)

    def __call__(self, row: Sequence[Any]) -> str:
        parts = [self._open]
        keys = self._keys
        for i, value in enumerate(row[:len(keys)]):
            parts.append(keys[i])
            parts.append(self._value(i, value))
        if not keys:
            return '{}'
        parts.append(self._close)
        return ''.join(parts)

    def _value(self, i: int, value: Any) -> str:
        kind = type(value)
        if kind is str:
            return self._string(value)
        if kind is float:
            return _float_text(value)
        if kind is int:
            return int.__repr__(value)
        if value is None:
            return 'null'
        if value is True:
            return 'true'
        if value is False:
            return 'false'
        if value is self._last[i]:
            return self._last_text[i]
        shown = value
        if isinstance(value, cliff_columns.FormattableColumn):
            shown = value.machine_readable()
            if type(shown) in (str, float, int) or shown is None or \
                    isinstance(shown, bool):
                return self._value(i, shown)
        if isinstance(shown, str):
            text = self._string(shown)
        elif not shown and type(shown) is dict:
            text = '{}'
        elif self._indent is None:
            text = self._dumps(shown)
        else:
            text = self._dumps(shown, indent=self._indent).replace(
                '\n', self._nested_pad)
        self._last[i] = value
        self._last_text[i] = text
        return text


_NOTHING = object()


def _float_text(value: float) -> str:
    """A float as ``json.dumps`` writes it (``allow_nan`` as by default)."""
    if value != value:
        return 'NaN'
    if value == float('inf'):
        return 'Infinity'
    if value == -float('inf'):
        return '-Infinity'
    return float.__repr__(value)


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

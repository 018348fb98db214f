"""Output fast paths for long listings.

cliff formats a listing cell by cell and builds the whole ``-f json`` list
in memory; for a million measurements that is most of the client's time
and hundreds of MiB. These write the same text, byte for byte, streamed.
``commands.Lister.produce_output`` decides when each applies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
import gc
from typing import Any

from cliff import columns as cliff_columns

# csv/value/shell print text cells; table/json/yaml keep formatter columns.
TEXT_FORMATS = ('csv', 'value', 'shell')


def write_csv(stdout: Any, quoting: int, columns: Sequence[str],
              rows: Iterable[Sequence[Any]]) -> None:
    """cliff's csv output for rows that are text already (and PointRuns
    of them), in large ``writerows`` calls (cliff converts
    cell by cell: a third of the client's time on a million-row
    listing)."""
    import csv
    import io
    import os

    def writer_to(out: Any) -> Any:
        return csv.writer(out, quoting=quoting, lineterminator=os.linesep,
                          escapechar='\\')

    writer = writer_to(stdout)
    writer.writerow(columns)
    sample = io.StringIO()
    sample_writer = writer_to(sample)
    # Text that csv writes as it is, quoted or not alike.
    special = (',', '"', '\\', '\r', '\n', *os.linesep)

    def render(row: Sequence[Any]) -> str:
        sample.seek(0)
        sample.truncate()
        sample_writer.writerow(row)
        return sample.getvalue()

    def plain(stamps: str) -> bool:
        return not any(c in stamps for c in special)

    for part in _parts(rows):
        if type(part) is not PointRun:
            writer.writerows(part)
            continue
        text = part.text(render, plain, False)
        if text is None:
            writer.writerows(part.rows())
        else:
            stdout.write(text)


def write_value(stdout: Any, rows: Iterable[Sequence[Any]]) -> None:
    """cliff's ``-f value`` output for rows that are text already (cells
    joined by spaces, one line a row), written in chunks: cliff writes
    each row with a generator over its cells."""
    def render(row: Sequence[Any]) -> str:
        return ' '.join(map(str, row)) + '\n'

    for part in _parts(rows):
        if type(part) is PointRun:
            text = part.text(render, _anything, False)
            if text is not None:
                stdout.write(text)
                continue
            part = part.rows()
        stdout.write(''.join([render(row) for row in part]))


def _anything(stamps: str) -> bool:
    return True


def write_json_list(stdout: Any, columns: Sequence[str],
                    rows: Iterable[Sequence[Any]], indent: int | None) -> None:
    """cliff's ``-f json`` list output, written row by row.

    cliff builds the whole list first and hands it to ``json.dump``: 568
    MiB for a million rows and, with ``indent``, the pure-Python encoder
    (most of such a listing's CPU time). This prints the same text, byte
    for byte, in constant memory: each row through ``JsonRowEncoder``,
    written in chunks.
    """
    encode = JsonRowEncoder(columns, indent).encode
    if indent is None:
        opening, between, closing = '[', ', ', ']\n'
    else:
        pad = ' ' * indent
        opening, between, closing = '[\n' + pad, ',\n' + pad, '\n]\n'
    # Every row is written with the separator before it; the first one's
    # is the list's opening instead.
    first = True

    def render(row: Sequence[Any]) -> str:
        return between + encode(row)

    for part in _parts(rows):
        text = None
        if type(part) is PointRun:
            text = part.text(render, _json_plain, True)
            part = part.rows()
        if text is None:
            text = ''.join([render(row) for row in part])
        if text:
            if first:
                text = opening + text[len(between):]
                first = False
            stdout.write(text)
    stdout.write('[]\n' if first else closing)


def _json_plain(stamps: str) -> bool:
    # Text that json.dumps (ensure_ascii) prints between quotes unchanged.
    return stamps.isascii() and stamps.isprintable() and '"' not in stamps \
        and '\\' not in stamps


def _parts(rows: Iterable[Any]) -> Iterator[Any]:
    """Rows in lists of up to WRITE_CHUNK_ROWS, and each PointRun alone."""
    chunk: list[Any] = []
    for row in rows:
        if type(row) is PointRun:
            if chunk:
                yield chunk
                chunk = []
            yield row
            continue
        chunk.append(row)
        if len(chunk) == WRITE_CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Rows per write(): big enough that writes cost nothing, small enough that
# a slow listing still shows its first rows early.
WRITE_CHUNK_ROWS = 500


class PointRun:
    """A series' points, as one item among a listing's rows.

    Every row of a run starts with ``head`` (a series' name and dimensions
    cells) and ends with the cells of one point of ``points``: the API's
    ``[timestamp, value]`` or ``[timestamp, value, value_meta]`` lists. A
    point without value_meta shows ``blank`` there. ``rows()`` gives the
    same rows one by one.

    The csv, value and json writers print a run of plain points (text
    timestamps, numbers, no value_meta) from a row template: the row is
    rendered once by the writer's own row code with a stand-in timestamp
    and value, and each point's row is that text with its timestamp and
    ``repr(value)`` put in their place (what every writer prints for a
    plain text and an int or float). Any other run is printed row by
    row, so the text is the same either way. Commands build runs only
    for those writers (``commands.Lister.rows_as_runs``).
    """

    __slots__ = ('head', 'points', 'blank', 'rows')

    def __init__(self, head: tuple, points: Sequence[Sequence[Any]],
                 blank: Any,
                 rows: Callable[[], Iterable[Sequence[Any]]]) -> None:
        self.head = head
        self.points = points
        self.blank = blank
        self.rows = rows

    def text(self, render: Callable[[Sequence[Any]], str],
             plain: Callable[[str], bool], finite: bool) -> str | None:
        """Every row as ``render`` prints it, or None unless every point
        is plain: ``plain(timestamps joined)`` says whether the writer
        prints timestamps as they are, ``finite`` that nan and infinity
        are printed otherwise."""
        points = self.points
        if not points:
            return ''
        try:
            columns = tuple(zip(*points, strict=True))
        except (ValueError, TypeError):     # points of different lengths
            return None
        if len(columns) == 3:
            stamps, values, metas = columns
            if any(metas):
                return None
        elif len(columns) == 2:
            stamps, values = columns
        else:
            return None
        if set(map(type, stamps)) != {str} or \
                not set(map(type, values)) <= _NUMBER_TYPES or \
                not plain(''.join(stamps)) or \
                (finite and not _all_finite(values)):
            return None
        sample = render((*self.head, _STAMP, _VALUE, self.blank))
        if sample.count(_STAMP) != 1 or sample.count(_VALUE_TEXT) != 1:
            return None         # a head cell contains a stand-in
        before, rest = sample.split(_STAMP)
        if _VALUE_TEXT not in rest:
            return None
        middle, after = rest.split(_VALUE_TEXT)
        # One f-string a row: twice as fast as ``%`` over the page.
        return ''.join([f'{before}{stamp}{middle}{value!r}{after}'
                        for stamp, value in zip(stamps, values, strict=True)])


# Stand-ins for a run's template (a head cell containing one is refused).
_STAMP = 'zQ7stampQz'
_VALUE = 1.0000000000000002
_VALUE_TEXT = repr(_VALUE)
_NUMBER_TYPES = frozenset({int, float})


def _all_finite(values: Sequence[Any]) -> bool:
    try:
        total = sum(values)
    except OverflowError:       # an int too big for a float among floats
        return False
    return total - total == 0   # nan for any nan or infinity


class JsonRowEncoder:
    """One row as ``json.dumps({column: cell, ...}, indent=indent)`` would
    print it inside cliff's list, without building the dict or running the
    encoder over the whole structure.

    A cell that is the very object of the same cell in the previous row (a
    series' name and dimensions, shared by all its points) reuses that
    text; other scalars are encoded directly (strings by the C string
    encoder, numbers by ``repr`` as ``json`` does) and nested values go
    through ``json.dumps``.
    """

    def __init__(self, columns: Sequence[str], indent: int | None) -> None:
        import json
        from json import encoder

        self._dumps = json.dumps
        self._indent = indent
        string = encoder.encode_basestring_ascii
        keys = [string(str(name)) + ': ' for name in columns]
        if indent is None:
            self._nested_pad = ''
            keys = keys[:1] + [', ' + key for key in keys[1:]]
            closing = '}'
        else:
            # Inside the list: the item at one indent, its keys at two.
            self._nested_pad = inner = '\n' + ' ' * (2 * indent)
            keys = [inner + keys[0]] + [',' + inner + key
                                        for key in keys[1:]] if keys else []
            closing = '\n' + ' ' * indent + '}'
        #: ``encode(row) -> str``: the row's JSON text.
        self.encode = self._make_encoder(string, keys, closing)

    def _make_encoder(self, string: Any, keys: list[str], closing: str
                      ) -> Any:
        if not keys:
            return lambda row: '{}'
        other = self._other
        float_repr, int_repr = float.__repr__, int.__repr__
        indices = range(len(keys))
        last: list[Any] = [_NOTHING] * len(keys)
        last_text = [''] * len(keys)

        def encode(row: Sequence[Any]) -> str:
            # One tight loop: it runs once per row of a listing that may
            # have millions of them.
            text = '{'
            for i, key, value in zip(indices, keys, row, strict=False):
                if value is last[i]:
                    text += last_text[i]
                    continue
                kind = type(value)
                if kind is str:
                    piece = key + string(value)
                elif kind is float:
                    shown = float_repr(value)
                    if shown[-1] in 'nf':       # nan, inf, -inf
                        shown = _SPECIAL_FLOATS[shown]
                    piece = key + shown
                elif kind is int:
                    piece = key + int_repr(value)
                else:
                    piece = key + other(value)
                last[i] = value
                last_text[i] = piece
                text += piece
            return text + closing

        return encode

    def _other(self, value: Any) -> str:
        if isinstance(value, cliff_columns.FormattableColumn):
            value = value.machine_readable()
        if not value and type(value) is dict:
            return '{}'
        if self._indent is None or isinstance(value, (str, int, float)) \
                or value is None:
            return self._dumps(value)
        return self._dumps(value, indent=self._indent).replace(
            '\n', self._nested_pad)


_NOTHING = object()
_SPECIAL_FLOATS = {'nan': 'NaN', 'inf': 'Infinity', '-inf': '-Infinity'}


def write_yaml_list(stdout: Any, columns: Sequence[str],
                    rows: Iterable[Sequence[Any]]) -> None:
    """cliff's ``-f yaml`` list output, written row by row.

    cliff collects every row and dumps the list at the end. Dumping each
    row as a one-item list prints the same text, because a block-style
    sequence is just its items one after the other; it differs only where
    one object is shared *between* rows (cliff would print a YAML anchor),
    which no command's rows do (each row's nested values are its own).
    """
    import yaml

    empty = True
    chunk: list[str] = []
    for row in rows:
        item = {name: _yaml_friendly(value)
                for name, value in zip(columns, row, strict=False)}
        chunk.append(yaml.safe_dump([item], default_flow_style=False))
        empty = False
        if len(chunk) == WRITE_CHUNK_ROWS:
            stdout.write(''.join(chunk))
            chunk = []
    stdout.write(''.join(chunk))
    if empty:
        stdout.write(yaml.safe_dump([], default_flow_style=False))


def _yaml_friendly(value: Any) -> Any:
    # What cliff's YAML formatter does to each cell.
    if isinstance(value, cliff_columns.FormattableColumn):
        return value.machine_readable()
    if hasattr(value, 'toDict'):
        return value.toDict()
    if hasattr(value, 'to_dict'):
        return value.to_dict()
    return value


def freeze_startup_objects() -> None:
    """``gc.freeze()`` before a listing is printed, and collections of the
    youngest generation every ``GC_YOUNG_THRESHOLD`` allocations.

    Paging creates millions of short-lived objects, and every full garbage
    collection would also walk the million-odd objects that OSC's start-up
    left (1,400+ modules): about a third of the client's CPU time on a
    1,000,000-row listing. Freezing moves those to a permanent generation
    that collections skip. Decoding a page still makes 20,000 containers
    (a list and a dict a point), which with the default threshold (700)
    meant 4,500 collections and 0.14 s of CPU per million points; the
    page is freed by reference counting long before a collection at the
    higher threshold would look at it. Done once, before the first row
    (wrapping every row to freeze only long listings cost a microsecond a
    row), and only in the command layer: a short-lived CLI process; the
    Python API never does this.
    """
    gc.freeze()
    young, *older = gc.get_threshold()
    if young and young < GC_YOUNG_THRESHOLD:
        gc.set_threshold(GC_YOUNG_THRESHOLD, *older)


# Allocations between collections of the youngest generation in a listing:
# more than a page makes (cyclic garbage waits at most that long).
GC_YOUNG_THRESHOLD = 50_000

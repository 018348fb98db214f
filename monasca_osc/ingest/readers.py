"""Lazy readers of JSON Lines, JSON arrays and CSV.

Every reader yields ``Record`` objects one at a time and never holds more
than one record (plus a read buffer) in memory, so a 10 GB file ingests with
the same memory as a 10 KB one. Records are numbered from 0 in input order
(``index``), including records that fail to parse, so a checkpoint can name
them; ``line`` is the 1-based line where the record starts, for messages.

A structural problem that makes the rest of the input unreadable (a JSON
array that is not one, a missing CSV header) raises ``InputError``.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
import csv
from dataclasses import dataclass
import gzip
import hashlib
import io
import json
import os
import re
import stat
from typing import Any, BinaryIO

from monasca_osc.common.validation import ValidationError
from monasca_osc.ingest import records

CHUNK = 256 * 1024
# A single JSON array element larger than this is refused rather than
# buffered without bound.
MAX_ELEMENT_BYTES = 64 * 1024 * 1024
FINGERPRINT_BYTES = 64 * 1024
EXTENSIONS = {'.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'json',
              '.csv': 'csv'}


class InputError(ValueError):
    """The input cannot be read further; the message is one line."""


@dataclass(slots=True)
class Record:
    """One input record.

    ``value`` is the parsed object (a dict for JSON, the metric built from a
    row for CSV) or None when it could not be parsed, in which case
    ``error`` says why. ``original`` is what the errors file shows: the
    parsed object, the CSV row as an object, or the raw text.
    """

    index: int
    line: int
    value: Any = None
    original: Any = None
    error: str | None = None
    # The record's JSON text as read (JSON Lines only).
    raw: bytes | None = None


SKIPPED = Record(-1, 0)


class _Counter:
    """Numbers the records of one input from 0 and tells, for a resumed
    ingest, which ones an earlier run has done (``is_done``): the reader
    yields SKIPPED for those, without parsing them where it can."""

    def __init__(self, is_done: Callable[[int], bool] | None):
        self.index = -1
        self._is_done = is_done

    def next_is_done(self) -> bool:
        """Count one more record; True when it was done before."""
        self.index += 1
        return self._is_done is not None and self._is_done(self.index)


class Source:
    """An opened input: a binary stream plus what we know about it.

    ``can_block``: reading may wait on a writer (stdin or a path that is a
    pipe, terminal or socket, not a regular file); such input is read in a
    helper thread so that partial batches can be sent on time.
    """

    def __init__(self, path: str, stream: BinaryIO, size: int | None,
                 raw: BinaryIO | None = None, name: str | None = None,
                 can_block: bool = False):
        self.can_block = can_block
        self.path = path
        self.stream = stream
        # The file as stored (compressed, if gzip): progress is measured on
        # it because its size is what is known up front.
        self.raw = raw or stream
        self.size = size
        self.name = name or path

    def position(self) -> int | None:
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return None

    def close(self) -> None:
        for handle in (self.stream, self.raw):
            try:
                if handle is not None and handle is not _stdin():
                    handle.close()
            except OSError:
                pass


def _stdin() -> Any:
    import sys

    return getattr(sys.stdin, 'buffer', sys.stdin)


def open_source(path: str) -> Source:
    """Open ``path`` (``-`` = stdin) for binary reading; gunzip if needed."""
    if path == '-':
        raw = _stdin()
        stream = raw if hasattr(raw, 'peek') else io.BufferedReader(raw)
        size = None
        name = '<stdin>'
        try:
            can_block = not stat.S_ISREG(os.fstat(raw.fileno()).st_mode)
        except (OSError, ValueError, AttributeError):
            can_block = True  # not a real file descriptor: assume a pipe
    else:
        try:
            # A large buffer: each refill releases the GIL, which a sender
            # thread may then hold for a while. Closed by Source.close.
            raw = open(path, 'rb', CHUNK)  # noqa: SIM115
        except OSError as err:
            raise InputError(f'Cannot read {path}: {err.strerror}') from None
        stream = raw
        try:
            size = os.fstat(raw.fileno()).st_size
            if not os.path.isfile(path):
                size = None
        except OSError:
            size = None
        name = path
        can_block = size is None
    head = stream.peek(2)[:2]
    if head == b'\x1f\x8b':
        stream = gzip.GzipFile(fileobj=stream, mode='rb')  # type: ignore
        stream = io.BufferedReader(stream, CHUNK)  # type: ignore
    return Source(path, stream, size, raw=raw, name=name,
                  can_block=can_block)


def detect_format(source: Source, requested: str = 'auto') -> str:
    """The format from ``requested``, the extension, or the first byte."""
    if requested != 'auto':
        return requested
    base = source.path.lower()
    if base.endswith('.gz'):
        base = base[:-3]
    ext = os.path.splitext(base)[1]
    fmt = EXTENSIONS.get(ext)
    if fmt in ('jsonl', 'csv'):
        return fmt
    first = _first_byte(source.stream)
    if first == b'[':
        return 'json'
    if first == b'{' or fmt == 'json':
        return 'jsonl'
    return 'csv'


def _first_byte(stream: BinaryIO) -> bytes:
    head = stream.peek(4096)  # type: ignore[attr-defined]
    head = head.lstrip(b'\xef\xbb\xbf \t\r\n')
    return head[:1]


def fingerprint(path: str) -> dict[str, Any]:
    """Size and a hash of the first and last 64 KiB: "is it the same file"."""
    with open(path, 'rb') as handle:
        size = os.fstat(handle.fileno()).st_size
        digest = hashlib.sha256()
        digest.update(handle.read(FINGERPRINT_BYTES))
        if size > FINGERPRINT_BYTES:
            handle.seek(max(FINGERPRINT_BYTES, size - FINGERPRINT_BYTES))
            digest.update(handle.read(FINGERPRINT_BYTES))
    return {'size': size, 'sha256': digest.hexdigest()}


# -- JSON Lines ---------------------------------------------------------------

_DECODE = json.JSONDecoder().decode
# The decoder's scanner: what decode() calls after two regex matches for
# the whitespace that a stripped line has none of. A value that does not
# fill the line, or any failure, goes through decode() for its message.
_SCAN = json.scanner.make_scanner(json.JSONDecoder())


def read_jsonl(stream: BinaryIO,
               is_done: Callable[[int], bool] | None = None
               ) -> Iterator[Record]:
    """One JSON value per non-blank line."""
    # The hot loop of a bulk ingest: _Counter's numbering, inlined.
    index = -1
    scan = _SCAN
    for line_no, raw in enumerate(stream, 1):
        if line_no == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        text = raw.strip()
        if not text:
            continue
        index += 1
        if is_done is not None and is_done(index):
            yield SKIPPED
            continue
        try:
            # str, not bytes: json.loads would sniff the encoding each time.
            chars = text.decode('utf-8')
            try:
                value, end = scan(chars, 0)
            except (StopIteration, ValueError, RecursionError):
                end = -1
            if end != len(chars):
                value = _DECODE(chars)
        except ValueError as err:
            shown = text.decode('utf-8', 'replace')
            yield Record(index, line_no, None, shown,
                         f'Not valid JSON: {_json_reason(err)}')
            continue
        yield Record(index, line_no, value, value, None, text)


def _json_reason(err: ValueError) -> str:
    if isinstance(err, json.JSONDecodeError):
        return f'{err.msg} at column {err.colno}'
    return str(err).split('\n')[0]


# -- JSON array ---------------------------------------------------------------

_WS = re.compile(r'[ \t\n\r]*')
# Strings (with escapes) and the structural characters that matter for
# finding where an element ends; a lone quote is an unterminated string.
_DELIMITER = re.compile(r'[,\]]')
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|"|[\[\]{},]', re.DOTALL)


class _Buffer:
    """Decoded text read in chunks, with the line number of ``pos``."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        # read1: what has arrived (one raw read), so elements from a slow
        # pipe are parsed as they come instead of after 256 KiB.
        self._read = getattr(stream, 'read1', stream.read)
        self.decoder = codecs.getincrementaldecoder('utf-8-sig')('strict')
        self.text = ''
        self.pos = 0
        self.eof = False
        self.line = 1
        self._line_pos = 0

    def fill(self) -> bool:
        """Read one more chunk; False at end of input."""
        if self.eof:
            return False
        data = self._read(CHUNK)
        try:
            if data:
                chunk = self.decoder.decode(data)
            else:
                chunk = self.decoder.decode(b'', final=True)
                self.eof = True
        except UnicodeDecodeError as err:
            raise InputError(f'Input is not UTF-8 near line {self.line}: '
                             f'{err.reason}') from None
        # Drop what was consumed so the buffer stays one chunk or so.
        self._sync_line()
        self.text = self.text[self.pos:] + chunk
        self._line_pos -= self.pos
        self.pos = 0
        return bool(chunk) or not self.eof

    def _sync_line(self) -> None:
        if self.pos > self._line_pos:
            self.line += self.text.count('\n', self._line_pos, self.pos)
            self._line_pos = self.pos

    def line_at(self, pos: int) -> int:
        self._sync_line()
        return self.line + self.text.count('\n', self._line_pos, pos)

    def skip_ws(self) -> str:
        """Advance over whitespace; the next character or '' at the end."""
        while True:
            self.pos = _WS.match(self.text, self.pos).end()
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.fill():
                return ''


def _element_end(text: str, start: int) -> int | None:
    """End of the element at ``start`` (a top-level ``,`` or ``]``).

    None when the buffer ends first (read more and ask again).
    """
    depth = 0
    for match in _TOKEN.finditer(text, start):
        token = match.group()
        if token in '[{':
            depth += 1
        elif token in ']}':
            if depth == 0:
                return match.start()
            depth -= 1
        elif token == ',':
            if depth == 0:
                return match.start()
        elif token == '"':
            return None
    return None


def read_json_array(stream: BinaryIO,
                    is_done: Callable[[int], bool] | None = None
                    ) -> Iterator[Record]:
    """Elements of one top-level JSON array, parsed one at a time."""
    decoder = json.JSONDecoder()
    buf = _Buffer(stream)
    first = buf.skip_ws()
    if first == '':
        return
    if first != '[':
        raise InputError(f'Input is not a JSON array: line '
                         f'{buf.line_at(buf.pos)} starts with {first!r}, '
                         f'expected "["')
    buf.pos += 1
    counter = _Counter(is_done)
    if buf.skip_ws() == ']':
        buf.pos += 1
        _expect_end(buf)
        return
    while True:
        char = buf.skip_ws()
        if char == '':
            raise InputError('Input ends inside the JSON array (no "]")')
        start = buf.pos
        line = buf.line_at(start)
        value: Any = None
        error: str | None = None
        while True:
            try:
                value, end = decoder.raw_decode(buf.text, buf.pos)
            except json.JSONDecodeError as err:
                end = _element_end(buf.text, buf.pos)
                if end is None and not buf.eof:
                    _grow(buf, line)
                    continue
                if end is None:
                    end = len(buf.text)
                error = f'Not valid JSON: {err.msg} at line ' \
                        f'{buf.line_at(err.pos)}'
                break
            if not buf.eof and (end == len(buf.text) or (
                    isinstance(value, (int, float)) and
                    not _DELIMITER.search(buf.text, end))):
                # A number may go on in the next chunk ("1." + "5e3").
                _grow(buf, line)
                continue
            break
        # Parsed even when done before: parsing finds where it ends.
        if counter.next_is_done():
            yield SKIPPED
        elif error is not None:
            text = buf.text[buf.pos:end].strip()
            yield Record(counter.index, line, None, text, error)
        else:
            yield Record(counter.index, line, value, value)
        buf.pos = end
        char = buf.skip_ws()
        if char == ',':
            buf.pos += 1
            continue
        if char == ']':
            buf.pos += 1
            _expect_end(buf)
            return
        if char == '':
            raise InputError('Input ends inside the JSON array (no "]")')
        raise InputError(
            f'Malformed JSON array at line {buf.line_at(buf.pos)}: expected '
            f'"," or "]" after an element, found {char!r}')


def _grow(buf: _Buffer, line: int) -> None:
    if len(buf.text) - buf.pos > MAX_ELEMENT_BYTES:
        raise InputError(f'The array element starting at line {line} is '
                         f'larger than {MAX_ELEMENT_BYTES} bytes')
    buf.fill()


def _expect_end(buf: _Buffer) -> None:
    char = buf.skip_ws()
    if char != '':
        raise InputError(f'Unexpected data after the JSON array at line '
                         f'{buf.line_at(buf.pos)}')


# -- CSV ----------------------------------------------------------------------

NAME, VALUE, TIMESTAMP = 'name', 'value', 'timestamp'
DIM_PREFIX, META_PREFIX = 'dim.', 'meta.'


class CsvLayout:
    """What each column of a CSV header means.

    * ``name``, ``value``, ``timestamp`` (any case): the metric fields;
    * ``dim.<key>`` and columns given with ``dimension_columns``: dimensions;
    * ``meta.<key>`` and columns given with ``meta_columns``: value_meta;
    * columns in ``ignore_columns``: ignored;
    * any other column: a dimension named like the column.

    Empty cells are left out (the API refuses empty dimension values).
    """

    def __init__(self, header: list[str], *,
                 dimension_columns: dict[str, str] | None = None,
                 meta_columns: dict[str, str] | None = None,
                 ignore_columns: list[str] | None = None,
                 name_required: bool = True):
        self.header = [h.strip() for h in header]
        seen = set()
        for column in self.header:
            if column in seen:
                raise InputError(f'CSV header repeats the column {column!r}')
            seen.add(column)
        dimension_columns = dict(dimension_columns or {})
        meta_columns = dict(meta_columns or {})
        ignore = set(ignore_columns or ())
        for option, columns in (('--dimension-column', dimension_columns),
                                ('--meta-column', meta_columns),
                                ('--ignore-column', ignore)):
            for column in columns:
                if column not in seen:
                    raise InputError(
                        f'The CSV header has no column {column!r} (given '
                        f'with {option}); columns: {", ".join(self.header)}')
        self.name = self.value = self.timestamp = None
        self.dimensions: list[tuple[int, str]] = []
        self.meta: list[tuple[int, str]] = []
        for i, column in enumerate(self.header):
            lowered = column.lower()
            if column in ignore:
                continue
            if column in dimension_columns:
                self.dimensions.append((i, dimension_columns[column]))
            elif column in meta_columns:
                self.meta.append((i, meta_columns[column]))
            elif lowered == NAME and self.name is None:
                self.name = i
            elif lowered == VALUE and self.value is None:
                self.value = i
            elif lowered == TIMESTAMP and self.timestamp is None:
                self.timestamp = i
            elif lowered.startswith(DIM_PREFIX):
                self.dimensions.append((i, column[len(DIM_PREFIX):]))
            elif lowered.startswith(META_PREFIX):
                self.meta.append((i, column[len(META_PREFIX):]))
            else:
                self.dimensions.append((i, column))
        if self.value is None:
            raise InputError(f'The CSV header has no "value" column; '
                             f'columns: {", ".join(self.header)}')
        if self.name is None and name_required:
            raise InputError(
                'The CSV header has no "name" column; add one or give the '
                'metric name as the command argument')

    def metric(self, row: list[str]) -> dict[str, Any]:
        if len(row) != len(self.header):
            raise ValidationError(
                f'The row has {len(row)} fields; the header has '
                f'{len(self.header)}')
        metric: dict[str, Any] = {}
        if self.name is not None and row[self.name] != '':
            metric['name'] = row[self.name]
        cell = row[self.value].strip()
        if not cell:
            raise ValidationError('The value is empty')
        metric['value'] = records.parse_number(cell)
        if self.timestamp is not None and row[self.timestamp].strip():
            metric['timestamp'] = row[self.timestamp].strip()
        dimensions = {key: row[i] for i, key in self.dimensions if row[i]}
        if dimensions:
            metric['dimensions'] = dimensions
        meta = {key: row[i] for i, key in self.meta if row[i]}
        if meta:
            metric['value_meta'] = meta
        return metric

    def original(self, row: list[str]) -> Any:
        if len(row) == len(self.header):
            return dict(zip(self.header, row, strict=True))
        return row


def read_csv(stream: BinaryIO, layout_factory: Callable[[list[str]],
             CsvLayout], is_done: Callable[[int], bool] | None = None
             ) -> Iterator[Record]:
    """Rows after the header, each turned into a metric by the layout."""
    text = io.TextIOWrapper(stream, encoding='utf-8-sig', newline='')
    reader = csv.reader(text)
    try:
        header = next(reader, None)
        while header is not None and not any(c.strip() for c in header):
            header = next(reader, None)
        if header is None:
            return
        layout = layout_factory(header)
        counter = _Counter(is_done)
        last_line = reader.line_num
        for row in reader:
            line = last_line + 1
            last_line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if counter.next_is_done():
                yield SKIPPED
                continue
            try:
                value = layout.metric(row)
            except ValidationError as err:
                yield Record(counter.index, line, None, layout.original(row),
                             str(err))
                continue
            yield Record(counter.index, line, value, layout.original(row))
    except csv.Error as err:
        raise InputError(f'Malformed CSV at line {reader.line_num}: {err}') \
            from None
    except UnicodeDecodeError as err:
        raise InputError(f'Input is not UTF-8 near line '
                         f'{reader.line_num + 1}: {err.reason}') from None
    finally:
        text.detach()

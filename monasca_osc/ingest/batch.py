"""A batch: the serialised metrics of a contiguous range of records.

Each valid record is serialised once (or sent as read, when unchanged) and
appended to the batch body; ``offsets`` remember where each metric starts,
so a sub-range (when a rejected batch is split) or one metric (for the
errors file) is a slice of the body, never a second serialisation.

Invariants: a batch covers the record numbers ``start .. end - 1`` with no
gap (a skipped, already-done record closes the batch before it); every
record of that range is either one of the metrics or one of ``errors``
(refused before sending); ``body`` is set by ``finish()`` and is valid JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import accumulate
import json
from typing import Any

from monasca_osc.common.validation import ValidationError


class Batch:
    """Serialised metrics of a contiguous range of record numbers."""

    __slots__ = ('seq', 'start', 'end', 'parts', 'offsets', 'lines',
                 'errors', 'size', 'body')

    def __init__(self, seq: int, start: int):
        self.seq = seq
        self.start = start
        self.end = start
        # The metrics' JSON texts until finish() joins them.
        self.parts: list[bytes] | None = []
        # Set by finish(): where metric i starts in ``body``, plus one
        # entry past the end (``len(body)``), so metric i ends at
        # ``offsets[i + 1] - 1`` (before its comma or the ']').
        self.offsets: list[int] = []
        self.lines: list[int] = []
        # (line, reason, original) of records refused before sending.
        self.errors: list[tuple[int, str, Any]] = []
        # Bytes of the body so far: '[' plus each metric with its ',' (or,
        # for the last one, the ']').
        self.size = 1
        self.body = b''

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def entries(self) -> int:
        return len(self.lines) + len(self.errors)

    def add(self, piece: bytes, line: int, index: int) -> None:
        self.parts.append(piece)  # type: ignore[union-attr]
        self.size += len(piece) + 1
        self.lines.append(line)
        self.end = index + 1

    def add_error(self, line: int, reason: str, original: Any,
                  index: int) -> None:
        self.errors.append((line, reason, original))
        self.end = index + 1

    def finish(self) -> None:
        parts = self.parts
        assert parts is not None
        self.body = b'[' + b','.join(parts) + b']'
        # One pass in C: offset i + 1 = offset i + len(piece i) + 1.
        self.offsets = list(accumulate(map(_PLUS_ONE, map(len, parts)),
                                       initial=1))
        self.parts = None

    def piece(self, i: int) -> bytes:
        return self.body[self.offsets[i]:self.offsets[i + 1] - 1]

    def body_of(self, lo: int, hi: int) -> bytes:
        """Request body of records ``lo`` to ``hi - 1`` (one slice)."""
        if lo == 0 and hi == len(self.lines):
            return self.body
        return b'[' + self.body[self.offsets[lo]:self.offsets[hi] - 1] \
            + b']'


_PLUS_ONE = (1).__add__


# One encoder for all records: json.dumps builds a new one per call when
# given options.
_ENCODE = json.JSONEncoder(separators=(',', ':'), allow_nan=False,
                           ensure_ascii=False).encode


def serialise(metric: Mapping[str, Any]) -> bytes:
    try:
        return _ENCODE(metric).encode('utf-8')
    except UnicodeEncodeError:
        raise ValidationError(
            'The metric contains a lone surrogate (an invalid \\u escape), '
            'which UTF-8 cannot carry') from None
    except ValueError:
        raise ValidationError(
            'The metric contains NaN or Infinity (value_meta?), which JSON '
            'cannot carry') from None
    except TypeError as err:
        raise ValidationError(f'The metric cannot be sent as JSON: {err}') \
            from None


def load_piece(piece: bytes) -> Any:
    """One metric of a body, as the errors file shows it."""
    try:
        return json.loads(piece)
    except ValueError:
        return piece.decode('utf-8', 'replace')

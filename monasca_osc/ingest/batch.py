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
        self.parts: list[bytes] | None = [b'[']
        self.offsets: list[int] = []
        self.lines: list[int] = []
        # (line, reason, original) of records refused before sending.
        self.errors: list[tuple[int, str, Any]] = []
        self.size = 2  # the brackets
        self.body = b''

    @property
    def count(self) -> int:
        return len(self.offsets)

    @property
    def entries(self) -> int:
        return len(self.offsets) + len(self.errors)

    def add(self, piece: bytes, line: int, index: int) -> None:
        parts = self.parts
        assert parts is not None
        if self.offsets:
            parts.append(b',')
            self.size += 1
        self.offsets.append(self.size - 1)  # after the '['
        parts.append(piece)
        self.size += len(piece)
        self.lines.append(line)
        self.end = index + 1

    def add_error(self, line: int, reason: str, original: Any,
                  index: int) -> None:
        self.errors.append((line, reason, original))
        self.end = index + 1

    def finish(self) -> None:
        assert self.parts is not None
        self.parts.append(b']')
        self.body = b''.join(self.parts)
        self.parts = None

    def _piece_end(self, i: int) -> int:
        return (self.offsets[i + 1] - 1 if i + 1 < len(self.offsets)
                else len(self.body) - 1)

    def piece(self, i: int) -> bytes:
        return self.body[self.offsets[i]:self._piece_end(i)]

    def body_of(self, lo: int, hi: int) -> bytes:
        """Request body of records ``lo`` to ``hi - 1`` (one slice)."""
        if lo == 0 and hi == len(self.offsets):
            return self.body
        return b'[' + self.body[self.offsets[lo]:self._piece_end(hi - 1)] \
            + b']'


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

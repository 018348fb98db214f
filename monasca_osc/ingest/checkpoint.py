"""Resumable progress: which input records are finished, saved atomically.

Records are numbered from 0 in input order. A batch covers a contiguous
range of record numbers; when its request finished (sent, rejected or given
up on, and its errors written), the range is *done*. With several requests
in flight ranges finish out of order, so the state is a sorted list of
disjoint half-open ranges ``[start, end)``: in practice the contiguous done
prefix ``[0, n)`` plus a few ranges beyond it.

The file also holds the counters of the done ranges (so a resumed run
reports totals for the whole input, each record counted once), the input's
fingerprint (a resume against a different file is refused), the size of the
errors file when the state was saved (a resumed run truncates entries
written after it, which belong to ranges it will process again) and the
instant used for records without a timestamp (so a re-sent record is the
identical point).

Saving writes ``FILE.tmp``, fsyncs it, renames it over ``FILE`` and fsyncs
the directory: after a crash or ``kill -9`` the file is either the old or
the new state, never a torn one.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
import json
import os
from typing import Any

VERSION = 1
COUNTERS = ('read', 'sent', 'invalid', 'rejected', 'failed')


class CheckpointError(ValueError):
    """The checkpoint cannot be used; the message is one line."""


class DoneRanges:
    """Sorted, merged, half-open ranges of finished record numbers."""

    def __init__(self, ranges: list[list[int]] | None = None):
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in sorted(ranges or ()):
            self.add(start, end)

    def add(self, start: int, end: int) -> None:
        if end <= start:
            return
        # Find ranges that overlap or touch [start, end) and merge them.
        lo = bisect.bisect_left(self.ends, start)
        hi = bisect.bisect_right(self.starts, end)
        if lo < hi:
            start = min(start, self.starts[lo])
            end = max(end, self.ends[hi - 1])
        self.starts[lo:hi] = [start]
        self.ends[lo:hi] = [end]

    def __contains__(self, index: int) -> bool:
        i = bisect.bisect_right(self.starts, index) - 1
        return i >= 0 and index < self.ends[i]

    def prefix(self) -> int:
        """Length of the contiguous done prefix ``[0, n)``."""
        return self.ends[0] if self.starts and self.starts[0] == 0 else 0

    def count(self) -> int:
        return sum(e - s for s, e in zip(self.starts, self.ends, strict=True))

    def as_list(self) -> list[list[int]]:
        return [[s, e] for s, e in zip(self.starts, self.ends, strict=True)]

    def cursor(self) -> _Cursor:
        return _Cursor(self.as_list())


class _Cursor:
    """``is_done(i)`` for increasing ``i`` in O(1) amortised."""

    def __init__(self, ranges: list[list[int]]):
        self.ranges = ranges
        self.i = 0

    def __call__(self, index: int) -> bool:
        ranges = self.ranges
        while self.i < len(ranges) and ranges[self.i][1] <= index:
            self.i += 1
        return self.i < len(ranges) and ranges[self.i][0] <= index


class Checkpoint:
    """The state of one resumable ingest, bound to a file path."""

    def __init__(self, path: str):
        self.path = path
        self.done = DoneRanges()
        self.totals = dict.fromkeys(COUNTERS, 0)
        self.input: dict[str, Any] = {}
        self.errors_file: str | None = None
        self.errors_size = 0
        self.default_timestamp: int | None = None
        self.complete = False
        self.runs = 0
        self.resumed = False

    # -- loading ---------------------------------------------------------
    @classmethod
    def open(cls, path: str, input_info: Mapping[str, Any]) -> Checkpoint:
        """Load ``path`` if it exists (checking it is for this input)."""
        point = cls(path)
        try:
            with open(path, encoding='utf-8') as handle:
                state = json.load(handle)
        except FileNotFoundError:
            point.input = dict(input_info)
            return point
        except (OSError, ValueError) as err:
            raise CheckpointError(
                f'Cannot read the checkpoint {path}: {err}; delete it to '
                f'start over') from None
        point._load(state, input_info)
        return point

    def _load(self, state: Any, input_info: Mapping[str, Any]) -> None:
        if not isinstance(state, dict) or state.get('version') != VERSION:
            raise CheckpointError(
                f'{self.path} is not a checkpoint of this version of bulk '
                f'ingest; delete it to start over')
        saved = state.get('input') or {}
        for key in ('size', 'sha256', 'format'):
            if saved.get(key) != input_info.get(key):
                raise CheckpointError(
                    f'The checkpoint {self.path} was written for another '
                    f'input ({_describe(saved)}), not {_describe(input_info)}'
                    f'; use another --checkpoint file or delete it to start '
                    f'over')
        try:
            self.done = DoneRanges([[int(s), int(e)]
                                    for s, e in state.get('done', [])])
            self.totals.update({k: int(v) for k, v in
                                (state.get('totals') or {}).items()
                                if k in COUNTERS})
            self.errors_size = int(state.get('errors_size') or 0)
        except (TypeError, ValueError):
            raise CheckpointError(f'The checkpoint {self.path} is damaged; '
                                  f'delete it to start over') from None
        saved_options = saved.get('options') or {}
        options = input_info.get('options') or {}
        changed = sorted(key for key in set(saved_options) | set(options)
                         if saved_options.get(key) != options.get(key))
        if changed:
            raise CheckpointError(
                f'The checkpoint {self.path} was written with other options '
                f'that change the metrics sent ({", ".join(changed)}); run '
                f'with the same options, or delete it to start over')
        self.input = dict(input_info)
        self.errors_file = state.get('errors_file')
        self.default_timestamp = state.get('default_timestamp')
        self.complete = bool(state.get('complete'))
        self.runs = int(state.get('runs') or 0)
        self.resumed = True

    # -- progress -----------------------------------------------------------
    def mark_done(self, start: int, end: int,
                  counts: Mapping[str, int]) -> None:
        self.done.add(start, end)
        for key, value in counts.items():
            if key in self.totals:
                self.totals[key] += value

    # -- saving -------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {'version': VERSION, 'input': self.input,
                'done': self.done.as_list(), 'totals': self.totals,
                'errors_file': self.errors_file,
                'errors_size': self.errors_size,
                'default_timestamp': self.default_timestamp,
                'complete': self.complete, 'runs': self.runs}

    def save(self) -> None:
        data = json.dumps(self.state(), separators=(',', ':')).encode()
        tmp = f'{self.path}.tmp'
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        _fsync_dir(os.path.dirname(os.path.abspath(self.path)))


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _describe(info: Mapping[str, Any]) -> str:
    parts = []
    if info.get('path'):
        parts.append(str(info['path']))
    if info.get('format'):
        parts.append(str(info['format']))
    if info.get('size') is not None:
        parts.append(f'{info["size"]} bytes')
    if info.get('sha256'):
        parts.append(f'sha256 of head and tail {str(info["sha256"])[:12]}')
    return ', '.join(parts) or 'unknown input'

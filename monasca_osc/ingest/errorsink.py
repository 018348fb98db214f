"""The errors file: every refused or unsent record, one JSON object a line.

``{"line": N, "reason": "...", "status": S, "record": ...}``, in the order
batches complete. Without a file, the first ``STDERR_ERRORS`` go to the
stream (stderr) and a last line counts the rest. ``first`` keeps the first
few entries for the report either way.

Invariant (with a checkpoint): only the run's loop writes here, and
``sync()`` returns the size the checkpoint records, so on resume ``open()``
cuts off the entries of ranges that were not recorded as done: those
records are processed and written again, never twice.
"""

from __future__ import annotations

import json
import os
from typing import Any, TextIO

STDERR_ERRORS = 10


class ErrorSink:
    """The errors file (JSON lines), or the first few on a stream."""

    def __init__(self, path: str | None = None, stream: TextIO | None = None,
                 limit: int = STDERR_ERRORS, keep: int = STDERR_ERRORS):
        self.path = path
        self.stream = stream
        self.limit = limit
        self.keep = keep
        self.count = 0
        self.first: list[dict] = []
        self.handle: Any = None

    def open(self, resume_size: int | None = None) -> None:
        """Create the file, or keep its first ``resume_size`` bytes."""
        if not self.path:
            return
        if resume_size is not None and os.path.exists(self.path):
            self.handle = open(self.path, 'r+b')  # noqa: SIM115
            self.handle.seek(0, os.SEEK_END)
            if self.handle.tell() > resume_size:
                # Entries of ranges that were not recorded as done; the
                # records are processed again and written again.
                self.handle.truncate(resume_size)
            self.handle.seek(0, os.SEEK_END)
        else:
            self.handle = open(self.path, 'wb')  # noqa: SIM115

    def write(self, line: int, reason: str, record: Any,
              status: int | None = None) -> None:
        entry: dict[str, Any] = {'line': line, 'reason': reason}
        if status is not None:
            entry['status'] = status
        entry['record'] = record
        self.count += 1
        if len(self.first) < self.keep:
            self.first.append(entry)
        if self.handle is not None:
            self.handle.write(json.dumps(entry, ensure_ascii=False,
                                         default=str).encode('utf-8') + b'\n')
        elif self.stream is not None and self.count <= self.limit:
            self.stream.write(f'line {line}: {reason}\n')

    def sync(self) -> int:
        """Flush to disk; the file size (for the checkpoint)."""
        if self.handle is None:
            return 0
        self.handle.flush()
        os.fsync(self.handle.fileno())
        return self.handle.tell()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.flush()
            self.handle.close()
            self.handle = None
        if self.stream is not None and self.count > self.limit:
            self.stream.write(f'... and {self.count - self.limit} more '
                              f'(give --errors-file to keep them all)\n')

"""A one-line progress bar on stderr (only when it is a terminal)."""

from __future__ import annotations

import time
from typing import Any, TextIO

WIDTH = 24
INTERVAL = 0.2


def format_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f'{hours}h{minutes:02d}m{secs:02d}s'
    if minutes:
        return f'{minutes}m{secs:02d}s'
    return f'{secs}s'


class ProgressBar:
    """Records read, sent, rate and (with a known size) percent and ETA."""

    def __init__(self, stream: TextIO, total_bytes: int | None,
                 enabled: bool = True, clock: Any = time.monotonic):
        self.stream = stream
        self.total = total_bytes if total_bytes else None
        self.enabled = enabled
        self.clock = clock
        self.start = clock()
        self._last = 0.0
        self._shown = False

    def update(self, read: int, sent: int, position: int | None,
               force: bool = False) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if not force and now - self._last < INTERVAL:
            return
        self._last = now
        self.stream.write('\r' + self.render(read, sent, position, now)
                          + '\x1b[K')
        self.stream.flush()
        self._shown = True

    def render(self, read: int, sent: int, position: int | None,
               now: float | None = None) -> str:
        elapsed = (now if now is not None else self.clock()) - self.start
        rate = sent / elapsed if elapsed > 0 else 0.0
        text = f'{read:,} read  {sent:,} sent  {rate:,.0f}/s'
        if self.total and position is not None:
            fraction = min(1.0, position / self.total)
            filled = int(fraction * WIDTH)
            bar = '#' * filled + '.' * (WIDTH - filled)
            eta = ''
            if 0 < fraction < 1 and elapsed > 1:
                eta = '  ETA ' + format_duration(
                    elapsed * (1 - fraction) / fraction)
            text = f'{fraction * 100:3.0f}% [{bar}] {text}{eta}'
        return text

    def finish(self) -> None:
        if self.enabled and self._shown:
            self.stream.write('\r\x1b[K')
            self.stream.flush()
            self._shown = False

"""Partial batches for input that arrives slowly (``--flush-interval``).

``tail -f app.log | ... | metric create --file -`` must not hold records
until a batch is full. Two pieces make that work:

* ``Pump``: a daemon thread pulls records from the reader (which may block
  on a pipe for as long as the writer is silent) and hands them over in
  chunks, so the run's loop never blocks on the input for longer than it
  chooses to wait;
* ``FlushTimer``: pure bookkeeping (the clock is injected) of when the open
  batch is due. A partial batch is sent when no new record has arrived for
  ``interval`` seconds or when its oldest record is ``interval`` old; the
  oldest record is never younger than the newest, so the second rule
  always fires first and is the only one to compute.

Flow (``Run._read_all`` with a pump)::

    reader --(pump thread)--> chunk --> records..., TICK --> batch
                                              TICK: timer.due()? submit

Invariants: records come out in input order, each once; an exception the
reader raises comes out after the records read before it; the pump holds
at most ``max_pending`` records (it stops reading while the loop is busy),
so memory stays bounded; a flushed batch is an ordinary batch (contiguous
range, counted once), so the summary and ``--checkpoint`` stay exact.

Only input that can block uses a pump: stdin or a path that is a pipe,
terminal or socket, and iterables that are not in-memory collections.
A regular file never waits on a writer, so it is read in the loop's thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import threading
import time
from typing import Any

# Yielded after each chunk: "look at the clock" (also when nothing came).
TICK = object()
# The loop wakes at least this often while waiting for input (progress bar,
# completed batches, checkpoint saves).
POLL = 0.2
MAX_PENDING = 256


class FlushTimer:
    """When the open (partial) batch must be sent."""

    def __init__(self, interval: float,
                 clock: Callable[[], float] = time.monotonic):
        if not interval >= 0:
            raise ValueError('flush interval must be >= 0 seconds')
        self.interval = interval
        self.clock = clock
        self.oldest: float | None = None

    def opened(self) -> None:
        """A batch got its first record (now)."""
        self.oldest = self.clock()

    def closed(self) -> None:
        """The batch was submitted (full, flushed, or at the end)."""
        self.oldest = None

    def due(self) -> bool:
        return self.oldest is not None and \
            self.clock() - self.oldest >= self.interval

    def wait(self, cap: float = POLL) -> float:
        """How long to wait for input before looking at the clock again."""
        if self.oldest is None:
            return cap
        left = self.oldest + self.interval - self.clock()
        return max(0.0, min(cap, left))


class Pump:
    """Read an iterator in a daemon thread; ``take`` what has arrived.

    ``close()`` stops the thread at the reader's next record; a reader
    blocked on silent input stays blocked until it gets one (or the input
    ends), which never keeps the process alive: the thread is a daemon.
    """

    def __init__(self, records: Iterator[Any],
                 max_pending: int = MAX_PENDING):
        self._records = records
        self._max = max(1, max_pending)
        self._cond = threading.Condition(threading.Lock())
        self._pending: list[Any] = []
        self._done = False
        self._closed = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._fill, daemon=True,
                                        name='ingest-reader')
        self._thread.start()

    def _fill(self) -> None:
        cond = self._cond
        try:
            for record in self._records:
                with cond:
                    while len(self._pending) >= self._max and \
                            not self._closed:
                        cond.wait()
                    if self._closed:
                        return
                    self._pending.append(record)
                    if len(self._pending) == 1:
                        cond.notify_all()
        except BaseException as err:  # noqa: BLE001 - re-raised by take()
            self._error = err
        finally:
            with cond:
                self._done = True
                cond.notify_all()

    def take(self, timeout: float | None) -> list[Any] | None:
        """The records that have arrived, waiting up to ``timeout`` seconds
        for the first one: a list (empty if none came), or None at the end
        of the input. Raises what the reader raised, after its records."""
        with self._cond:
            if not self._pending and not self._done:
                self._cond.wait(timeout)
            chunk, self._pending = self._pending, []
            if chunk:
                self._cond.notify_all()  # room again for a waiting reader
                return chunk
            if self._done:
                if self._error is not None:
                    error, self._error = self._error, None
                    raise error
                return None
            return chunk

    def close(self) -> None:
        """Stop reading as soon as the reader yields again."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def reading(self) -> bool:
        """The thread is still inside the reader (maybe blocked on input)."""
        return self._thread.is_alive()


def timed(pump: Pump, timer: FlushTimer) -> Iterator[Any]:
    """Records from the pump, with a ``TICK`` after each chunk and whenever
    the timer's wait ends without input."""
    while True:
        chunk = pump.take(timer.wait())
        if chunk is None:
            return
        yield from chunk
        yield TICK

"""Sending batches: the sender threads and the split-on-rejection rule.

Flow: the run's loop puts finished batches in ``Workers.inbox``; each
sender thread takes one, calls ``deliver`` (which posts it through the
``Sender``, splitting it while the server refuses part of it) and puts
``(batch, Outcome)`` in ``outbox``; only the run's loop reads the outbox.

Rules of ``deliver``:

* 400, 413 or 422 for a batch of several records: split it in halves and
  send each (first half first) until the refused records are alone; each
  then gets the server's reason (``Outcome.rejected``);
* 401, 403, 404, 405: fatal (``Outcome.fatal``): every later batch would
  fail the same way, so the run stops;
* anything else after the sender's own retries: the range is not sent
  (``Outcome.failed``) and goes to the errors file;
* a stop request between requests cancels the rest of the batch
  (``Outcome.cancelled``): the range is not done and a resumed run sends it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import queue
import threading
from typing import Protocol

from monasca_osc import exceptions as exc
from monasca_osc.ingest.batch import Batch

SPLIT_STATUSES = frozenset({400, 413, 422})
FATAL_STATUSES = frozenset({401, 403, 404, 405})


class Sender(Protocol):
    """What the engine needs to deliver one request body.

    ``post`` raises a ``MonascaError`` (with ``http_status`` for HTTP
    failures) when the body was not accepted after its retries;
    ``retry_count`` is the number of retries made so far. It is called from
    several threads at once.
    """

    def post(self, data: bytes) -> None: ...

    @property
    def retry_count(self) -> int: ...


@dataclass
class Outcome:
    """What happened to one batch's requests (filled by a sender thread)."""

    sent: int = 0
    requests: int = 0
    # (record position in the batch, HTTP status, server's reason)
    rejected: list[tuple[int, int | None, str]] = field(default_factory=list)
    # (lo, hi, reason): records lo..hi-1 were not sent
    failed: list[tuple[int, int, str]] = field(default_factory=list)
    fatal: exc.MonascaError | None = None
    cancelled: bool = False


def _reason(err: exc.MonascaError) -> str:
    return err.description or err.title or str(err)


def deliver(sender: Sender, batch: Batch,
            should_stop: Callable[[], bool] = lambda: False) -> Outcome:
    """Send a batch, splitting it to isolate records the server refuses."""
    outcome = Outcome()
    if not batch.count:
        return outcome
    pending = [(0, batch.count)]
    while pending:
        lo, hi = pending.pop()
        if should_stop():
            outcome.cancelled = True
            return outcome
        outcome.requests += 1
        try:
            sender.post(batch.body_of(lo, hi))
        except exc.MonascaError as err:
            status = err.http_status
            if status in SPLIT_STATUSES and hi - lo > 1:
                mid = (lo + hi) // 2
                # Stack: push the second half first so the first goes first.
                pending.append((mid, hi))
                pending.append((lo, mid))
            elif status in SPLIT_STATUSES:
                outcome.rejected.append((lo, status, _reason(err)))
            elif status in FATAL_STATUSES:
                outcome.fatal = err
                return outcome
            else:
                outcome.failed.append((lo, hi, str(err)))
        else:
            outcome.sent += hi - lo
    return outcome


class Workers:
    """Daemon sender threads: a stuck request never blocks exit."""

    def __init__(self, count: int, work: Callable[[Batch], Outcome]):
        self.inbox: queue.Queue = queue.Queue()
        self.outbox: queue.Queue = queue.Queue()
        self.work = work
        self.threads = [threading.Thread(target=self._loop, daemon=True,
                                         name=f'ingest-sender-{i}')
                        for i in range(count)]
        for thread in self.threads:
            thread.start()

    def _loop(self) -> None:
        while True:
            batch = self.inbox.get()
            if batch is None:
                return
            try:
                outcome = self.work(batch)
            except BaseException as err:  # noqa: BLE001 - report, not die
                outcome = Outcome(fatal=err if isinstance(
                    err, exc.MonascaError) else exc.MonascaError(
                    f'Sender failed: {type(err).__name__}: {err}'))
            self.outbox.put((batch, outcome))

    def close(self) -> None:
        for _ in self.threads:
            self.inbox.put(None)

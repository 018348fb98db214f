"""One ingest run: read, validate, batch, hand to senders, account.

Flow (the run's loop in the calling thread, ``concurrency`` sender
threads, and for input that can block a reader thread, see ``flush``)::

    records -> Normalizer -> serialise once -> Batch (count/bytes limits,
            or the flush interval for slow input)
            -> Workers.inbox (at most 2 x concurrency batches in flight)
            -> sender threads: delivery.deliver -> Workers.outbox
            -> the loop: counters, errors file, checkpoint

Invariants:

* only the loop touches the errors file, the counters and the checkpoint,
  so they always agree: the errors file holds exactly the entries of the
  ranges the checkpoint calls done (up to the size it records);
* memory is bounded by about (2 x concurrency + 1) batches, plus the
  pump's pending records for input that can block;
* a range is "done" only when its batch completed (sent, rejected or
  failed); a cancelled or fatal batch is counted ``unsent`` and a resumed
  run sends it again;
* 401/403/404/405 stop the run (``IngestStopped``); so do ``max_failures``
  batches in a row that could not be sent at all, and ``--strict`` at the
  first invalid or rejected record; Ctrl-C saves the checkpoint and raises
  ``IngestInterrupted``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import os
import queue
import sys
import threading
import time
from typing import Any, Protocol, TextIO

from monasca_osc import exceptions as exc
from monasca_osc.common.validation import ValidationError
from monasca_osc.ingest import checkpoint as ckpt
from monasca_osc.ingest import flush, readers
from monasca_osc.ingest import progress as prog
from monasca_osc.ingest import records as recs
from monasca_osc.ingest.batch import Batch, load_piece, serialise
from monasca_osc.ingest.delivery import Outcome, Sender, Workers, deliver
from monasca_osc.ingest.errorsink import ErrorSink
from monasca_osc.ingest.report import (
    IngestInterrupted,
    IngestReport,
    IngestStopped,
)

CHECKPOINT_INTERVAL = 1.0


class RunOptions(Protocol):
    """The settings a run reads (an ``Ingester`` provides them)."""

    batch_size: int
    batch_bytes: int
    concurrency: int
    strict: bool
    dry_run: bool
    dry_run_output: TextIO | None
    errors_file: str | None
    error_stream: TextIO | None
    checkpoint_path: str | None


class Run:
    """State of one ingest run (the loop's view); ``run()`` once."""

    def __init__(self, options: RunOptions, records: Iterator[Any], *,
                 source: str, fmt: str, point: ckpt.Checkpoint | None,
                 normalizer: Callable[[ckpt.Checkpoint | None],
                                      recs.Normalizer],
                 make_sender: Callable[[], Sender],
                 stop_flag: threading.Event,
                 bar: prog.ProgressBar,
                 position: Callable[[], int | None] = lambda: None,
                 flush_interval: float | None = None):
        """``flush_interval`` not None: the input can block, so it is read
        by a ``flush.Pump`` and partial batches are sent on time."""
        self.o = options
        self.records = records
        self.point = point
        self.position = position
        self.normalizer = normalizer
        self.make_sender = make_sender
        self.stop_flag = stop_flag
        self.flush_interval = flush_interval
        self.pump: flush.Pump | None = None
        self.timer: flush.FlushTimer | None = None
        self.report = IngestReport(
            source=source, format=fmt, dry_run=options.dry_run,
            errors_file=options.errors_file,
            checkpoint=options.checkpoint_path)
        self.sink = ErrorSink(options.errors_file, options.error_stream)
        self.bar = bar
        self.in_flight = 0
        self.seq = 0
        self.stop_reason: str | None = None
        self.fatal: exc.MonascaError | None = None
        self.consecutive_failures = 0
        self.max_failures = max(3, options.concurrency + 1)
        self.last_save = 0.0
        self.strict_error: tuple[int, str, Any] | None = None
        self.sender: Sender | None = None
        self.workers: Workers | None = None

    # -- lifecycle ----------------------------------------------------------
    def run(self) -> IngestReport:
        o, report, point = self.o, self.report, self.point
        started = time.monotonic()
        interrupted = False
        self.stop_flag.clear()  # an Ingester may run several times
        if point is not None:
            report.resumed = point.done.count()
            for key in ckpt.COUNTERS:
                setattr(report, key, point.totals[key])
            if point.complete:
                report.stopped = None
                report.elapsed = time.monotonic() - started
                return report
        resume_size = None
        if point is not None and point.resumed and o.errors_file and \
                point.errors_file == os.path.abspath(o.errors_file):
            resume_size = point.errors_size
        normalize = self.normalizer(point)
        if point is not None:
            point.runs += 1
            point.errors_file = os.path.abspath(o.errors_file) \
                if o.errors_file else None
        self.sink.open(resume_size)
        try:
            if point is not None:
                self._save()
            if not o.dry_run:
                self.sender = self.make_sender()
                self.workers = Workers(o.concurrency, self._deliver)
            if self.flush_interval is not None:
                self.timer = flush.FlushTimer(self.flush_interval)
                self.pump = flush.Pump(self.records)
                self.records = flush.timed(self.pump, self.timer)
            try:
                self._read_all(normalize)
                self._drain()
            except KeyboardInterrupt:
                report.interrupted = True
                self.stop_reason = 'interrupted'
                self._stop()
                if point is not None:
                    self._save()
                self._drain(cancel=True)
                if point is not None:
                    self._save()
                interrupted = True
            finally:
                if self.pump is not None:
                    self.pump.close()
                if self.workers is not None:
                    self.workers.close()
            if point is not None and not interrupted:
                point.complete = self.stop_reason is None and \
                    self.fatal is None
                self._save()
            if self.strict_error is not None:
                # After the last save: a rerun truncates and rewrites it.
                line, reason, original = self.strict_error
                self.sink.write(line, reason, original)
        finally:
            self.bar.finish()
            self.sink.close()
            if self.sender is not None:
                report.retried = self.sender.retry_count
            report.elapsed = time.monotonic() - started
            report.stopped = self.stop_reason
            report.first_errors = self.sink.first
        if interrupted:
            raise IngestInterrupted(report)
        if self.fatal is not None:
            err = IngestStopped(str(self.fatal), http_status=getattr(
                self.fatal, 'http_status', None))
            err.report = report
            raise err from None
        return report

    def _stop(self) -> None:
        self.stop_flag.set()

    def _stopping(self) -> bool:
        return self.stop_flag.is_set()

    # -- reading -------------------------------------------------------------
    def _read_all(self, normalize: recs.Normalizer) -> None:
        o, report = self.o, self.report
        # The per-record loop of a bulk ingest: what it reads often is
        # bound to locals.
        batch_size, batch_bytes, strict = o.batch_size, o.batch_bytes, \
            o.strict
        stopping = self.stop_flag.is_set
        tick, skipped = flush.TICK, readers.SKIPPED
        batch: Batch | None = None
        entries = 0  # in ``batch``
        count = 0
        try:
            for record in self.records:
                if record is tick:
                    # Slow input (see flush): the only place a silent pipe
                    # lets the loop notice a stop or a due partial batch.
                    if stopping() or self.stop_reason:
                        break
                    if batch is not None and self.timer is not None and \
                            self.timer.due():
                        self._submit(batch)
                        batch = None
                    self._poll()
                    continue
                if record is skipped:
                    # Keep ranges contiguous: a batch never spans a gap.
                    if batch is not None:
                        self._submit(batch)
                        batch = None
                    continue
                if stopping() or self.stop_reason:
                    break
                report.read += 1
                count += 1
                error = record.error
                piece = b''
                if error is None:
                    try:
                        metric = normalize(record.value)
                        raw = record.raw
                        # (A one-byte search first: each is a memchr.)
                        if raw is not None and normalize.unchanged and (
                                b'N' not in raw or b'NaN' not in raw) and (
                                b'I' not in raw or
                                b'Infinity' not in raw) and (
                                b'\\' not in raw or b'\\u' not in raw):
                            # Valid and not changed: send the line as read
                            # (the same JSON, no second serialisation); a
                            # NaN, an Infinity or a \\u escape (a lone
                            # surrogate?) goes through serialise() instead.
                            piece = raw
                        else:
                            piece = serialise(metric)
                    except ValidationError as err:
                        error = str(err)
                if error is not None and strict:
                    self.stop_reason = (f'invalid record at line '
                                        f'{record.line} (--strict)')
                    self.strict_error = (record.line, error, record.original)
                    report.invalid += 1
                    break
                if batch is not None and (
                        entries >= batch_size or (
                            error is None and batch.lines and
                            batch.size + len(piece) + 1 > batch_bytes)):
                    self._submit(batch)
                    batch = None
                if batch is None:
                    batch = Batch(self.seq, record.index)
                    entries = 0
                    self.seq += 1
                    if self.timer is not None:
                        self.timer.opened()
                entries += 1
                if error is not None:
                    batch.add_error(record.line, error, record.original,
                                    record.index)
                else:
                    batch.add(piece, record.line, record.index)
                if count % 256 == 0:
                    self._poll()
        except readers.InputError as err:
            self.fatal = IngestStopped(str(err))
            self.stop_reason = str(err)
        except (OSError, EOFError) as err:
            # A read error, or a damaged or truncated gzip file.
            message = f'Cannot read {report.source}: {err}'
            self.fatal = IngestStopped(message)
            self.stop_reason = message
        if batch is not None and batch.entries:
            if self._stopping():
                # Stopped by a failure: leave it for a resumed run.
                report.unsent += batch.entries
            else:
                self._submit(batch)

    def _submit(self, batch: Batch) -> None:
        if self.timer is not None:
            self.timer.closed()
        batch.finish()
        o = self.o
        if o.dry_run or not batch.count:
            if o.dry_run and batch.count:
                out = o.dry_run_output or sys.stdout
                for i in range(batch.count):
                    out.write(batch.piece(i).decode('utf-8') + '\n')
            self._complete(batch, Outcome())
            return
        assert self.workers is not None
        # Bounded: at most `concurrency` batches wait in the queue besides
        # those being sent.
        while self.in_flight >= 2 * o.concurrency:
            self._wait_one()
        self.in_flight += 1
        self.workers.inbox.put(batch)
        self._poll()

    def _deliver(self, batch: Batch) -> Outcome:
        assert self.sender is not None
        return deliver(self.sender, batch, self._stopping)

    def _wait_one(self, timeout: float = 0.2) -> bool:
        assert self.workers is not None
        try:
            batch, outcome = self.workers.outbox.get(timeout=timeout)
        except queue.Empty:
            self._show()
            return False
        self.in_flight -= 1
        self._complete(batch, outcome)
        return True

    def _poll(self) -> None:
        if self.workers is not None:
            while True:
                try:
                    batch, outcome = self.workers.outbox.get_nowait()
                except queue.Empty:
                    break
                self.in_flight -= 1
                self._complete(batch, outcome)
        self._show()
        if self.point is not None and \
                time.monotonic() - self.last_save >= CHECKPOINT_INTERVAL:
            self._save()

    def _drain(self, cancel: bool = False) -> None:
        if cancel and self.workers is not None:
            # Batches not yet picked up by a sender are dropped (not done).
            while True:
                try:
                    batch = self.workers.inbox.get_nowait()
                except queue.Empty:
                    break
                if batch is None:
                    continue
                self.in_flight -= 1
                self.report.unsent += batch.count + len(batch.errors)
        while self.in_flight > 0:
            self._wait_one()

    def _show(self) -> None:
        if self.bar.enabled:  # position() is a tell(): not for nothing
            self.bar.update(self.report.read, self.report.sent,
                            self.position())

    # -- results --------------------------------------------------------------
    def _complete(self, batch: Batch, outcome: Outcome) -> None:
        report, sink = self.report, self.sink
        report.requests += outcome.requests
        report.sent_this_run += outcome.sent
        if outcome.fatal is not None or outcome.cancelled:
            # Not done: a resumed run sends this range again.
            if outcome.fatal is not None and self.fatal is None:
                self.fatal = outcome.fatal
                self.stop_reason = str(outcome.fatal)
                self._stop()
            report.sent += outcome.sent
            report.unsent += batch.count - outcome.sent + len(batch.errors)
            return
        report.batches += 1
        for line, reason, original in batch.errors:
            sink.write(line, reason, original)
        for i, status, reason in outcome.rejected:
            sink.write(batch.lines[i], reason, load_piece(batch.piece(i)),
                       status)
        failed = 0
        for lo, hi, reason in outcome.failed:
            failed += hi - lo
            for i in range(lo, hi):
                sink.write(batch.lines[i], f'Not sent: {reason}',
                           load_piece(batch.piece(i)))
        counts = {'read': batch.end - batch.start, 'sent': outcome.sent,
                  'invalid': len(batch.errors),
                  'rejected': len(outcome.rejected), 'failed': failed}
        report.sent += outcome.sent
        report.invalid += counts['invalid']
        report.rejected += counts['rejected']
        report.failed += failed
        if self.point is not None:
            self.point.mark_done(batch.start, batch.end, counts)
        if outcome.failed and not outcome.sent:
            self.consecutive_failures += 1
            if self.consecutive_failures >= self.max_failures and \
                    not self.stop_reason:
                self.stop_reason = (
                    f'{self.consecutive_failures} batches in a row were not '
                    f'sent; last error: {outcome.failed[-1][2]}')
                self._stop()
        elif outcome.sent:
            self.consecutive_failures = 0
        if outcome.rejected and self.o.strict and not self.stop_reason:
            i = outcome.rejected[0][0]
            self.stop_reason = (f'record at line {batch.lines[i]} rejected '
                                f'by the server (--strict)')
            self._stop()

    def _save(self) -> None:
        point = self.point
        assert point is not None
        point.errors_size = self.sink.sync()
        point.save()
        self.last_save = time.monotonic()

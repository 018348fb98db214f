"""The bulk ingest engine: read, validate, batch, send, account.

Flow (one reader thread, ``concurrency`` sender threads)::

    reader -> Normalizer -> serialise once -> Batch (count/bytes limits)
           -> queue (at most `concurrency` batches waiting) -> sender threads
           -> results back to the reader thread, which alone writes the
              errors file, updates counters and saves the checkpoint

Only the reader thread touches the errors file, the counters and the
checkpoint, so they are always consistent with each other: the errors file
holds exactly the entries of the ranges the checkpoint calls done (up to the
size it records). Memory is bounded by about (2 x concurrency + 1) batches.

A batch the server rejects with 400 or 422 is split in halves until the
records it refuses are alone (each then gets the server's reason); 413
splits the same way. Transient failures are retried by the adapter
(``MonascaAdapter``: backoff, jitter, Retry-After); a batch that still fails
is written to the errors file and counted as failed. 401, 403 and 404 stop
the run: every later batch would fail the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
import copy
from dataclasses import dataclass, field
import json
import os
import queue
import sys
import threading
import time
from typing import Any, Protocol, TextIO

from monasca_osc import exceptions as exc
from monasca_osc.common.validation import ValidationError
from monasca_osc.ingest import checkpoint as ckpt
from monasca_osc.ingest import options as opts
from monasca_osc.ingest import progress as prog
from monasca_osc.ingest import readers
from monasca_osc.ingest import records as recs

SPLIT_STATUSES = frozenset({400, 413, 422})
FATAL_STATUSES = frozenset({401, 403, 404, 405})
CHECKPOINT_INTERVAL = 1.0
STDERR_ERRORS = 10


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


class AdapterSender:
    """POST /v2.0/metrics through a MonascaAdapter, one copy per thread.

    The copies share the keystoneauth session (its connection pool and auth
    plugin are thread-safe; the plugin locks around token fetches) but have
    their own retry settings and retry counters.
    """

    def __init__(self, adapter: Any, *, tenant_id: str | None = None,
                 retries: int | None = None, backoff: float | None = None):
        from monasca_osc.api.metrics import MetricsManager

        self._manager_cls = MetricsManager
        self.base = adapter
        self.tenant_id = tenant_id
        self.retries = retries
        self.backoff = backoff
        self._local = threading.local()
        self._copies: list[Any] = []
        self._lock = threading.Lock()
        # Resolve the endpoint (maybe a catalog lookup) once, up front.
        _ = adapter.root

    def _manager(self) -> Any:
        manager = getattr(self._local, 'manager', None)
        if manager is None:
            adapter = copy.copy(self.base)
            adapter.retry_count = 0
            if self.retries is not None:
                adapter.retries = self.retries
            if self.backoff is not None:
                adapter.backoff = self.backoff
            with self._lock:
                self._copies.append(adapter)
            manager = self._local.manager = self._manager_cls(adapter)
        return manager

    def post(self, data: bytes) -> None:
        self._manager().create_many((), tenant_id=self.tenant_id, data=data)

    @property
    def retry_count(self) -> int:
        with self._lock:
            return sum(a.retry_count for a in self._copies)


@dataclass
class IngestReport:
    """Counts of one ingest, including earlier runs of a resumed one.

    ``read`` = ``sent + invalid + rejected + failed`` for a run that went
    to the end; ``unsent`` counts records read but left unprocessed by a
    run that stopped early (they are sent by a resumed run).
    """

    source: str = ''
    format: str = ''
    read: int = 0
    sent: int = 0
    invalid: int = 0
    rejected: int = 0
    failed: int = 0
    unsent: int = 0
    retried: int = 0
    requests: int = 0
    batches: int = 0
    resumed: int = 0
    sent_this_run: int = 0
    elapsed: float = 0.0
    dry_run: bool = False
    stopped: str | None = None
    interrupted: bool = False
    errors_file: str | None = None
    checkpoint: str | None = None
    first_errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.invalid or self.rejected or self.failed
                    or self.unsent or self.stopped or self.interrupted)

    @property
    def rate(self) -> float:
        count = self.read - self.resumed if self.dry_run \
            else self.sent_this_run
        return count / self.elapsed if self.elapsed > 0 else 0.0

    def summary(self) -> str:
        verb = 'Checked' if self.dry_run else 'Ingested'
        parts = [f'read {self.read}']
        if self.dry_run:
            parts.append(f'valid {self.read - self.invalid - self.unsent}')
            parts.append(f'invalid {self.invalid}')
        else:
            parts += [f'sent {self.sent}', f'invalid {self.invalid}',
                      f'rejected {self.rejected}', f'failed {self.failed}']
            if self.unsent:
                parts.append(f'unsent {self.unsent}')
            parts.append(f'retried {self.retried}')
        parts.append(f'{self.elapsed:.1f}s')
        unit = 'checked' if self.dry_run else 'sent'
        parts.append(f'{self.rate:,.0f} metrics/s {unit}')
        line = f'{verb} {self.source}: ' + ', '.join(parts)
        if self.resumed:
            line += f' (resumed: {self.resumed} done by earlier runs)'
        if self.errors_file and (self.invalid or self.rejected
                                 or self.failed):
            line += f'; errors in {self.errors_file}'
        if self.stopped:
            line += f'; stopped: {self.stopped}'
        return line

    def as_dict(self) -> dict[str, Any]:
        return {'source': self.source, 'format': self.format,
                'read': self.read, 'sent': self.sent,
                'invalid': self.invalid, 'rejected': self.rejected,
                'failed': self.failed, 'unsent': self.unsent,
                'retried': self.retried, 'requests': self.requests,
                'batches': self.batches, 'resumed': self.resumed,
                'elapsed': round(self.elapsed, 3),
                'rate': round(self.rate, 1), 'dry_run': self.dry_run,
                'stopped': self.stopped, 'errors_file': self.errors_file,
                'checkpoint': self.checkpoint}


class IngestStopped(exc.MonascaError):
    """The run could not go on (bad input structure, auth, endpoint).

    ``report`` holds the counts up to that point (None if nothing ran).
    """

    report: IngestReport | None = None


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C: progress was saved; ``report`` holds the counts."""

    def __init__(self, report: IngestReport):
        super().__init__()
        self.report = report


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

    def fits(self, piece: bytes, max_bytes: int) -> bool:
        return not self.offsets or self.size + len(piece) + 1 <= max_bytes

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


class _Workers:
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


# One encoder for all records: json.dumps builds a new one per call when
# given options.
_ENCODE = json.JSONEncoder(separators=(',', ':'), allow_nan=False,
                           ensure_ascii=False).encode


def _serialise(metric: Mapping[str, Any]) -> bytes:
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


class Ingester:
    """Bulk ingest with batching, concurrency, retries and resume.

    ``target`` is a ``MonitoringClient`` (``client.Client(...)`` or
    ``client_manager.monitoring``), a ``MonascaAdapter``, or any ``Sender``
    (an object with ``post(data: bytes)`` and ``retry_count``).
    """

    def __init__(self, target: Any, *,
                 batch_size: int = opts.DEFAULT_BATCH_SIZE,
                 batch_bytes: int = opts.DEFAULT_BATCH_BYTES,
                 concurrency: int = opts.DEFAULT_CONCURRENCY,
                 retries: int | None = opts.DEFAULT_RETRIES,
                 backoff: float | None = opts.DEFAULT_BACKOFF,
                 tenant_id: str | None = None,
                 errors_file: str | None = None,
                 error_stream: TextIO | None = None,
                 checkpoint: str | None = None,
                 strict: bool = False, dry_run: bool = False,
                 dry_run_output: TextIO | None = None,
                 allow_any_time: bool = False,
                 timestamp_unit: str = 'auto',
                 name: str | None = None,
                 dimensions: Mapping[str, str] | None = None,
                 value_meta: Mapping[str, str] | None = None,
                 default_timestamp: int | None = None,
                 dimension_columns: Mapping[str, str] | None = None,
                 meta_columns: Mapping[str, str] | None = None,
                 ignore_columns: Iterable[str] | None = None,
                 progress: TextIO | bool | None = None):
        if not 1 <= batch_size <= opts.MAX_BATCH_SIZE:
            raise ValueError(f'batch_size must be 1..{opts.MAX_BATCH_SIZE}')
        if batch_bytes < opts.MIN_BATCH_BYTES:
            raise ValueError(
                f'batch_bytes must be at least {opts.MIN_BATCH_BYTES}')
        if not 1 <= concurrency <= opts.MAX_CONCURRENCY:
            raise ValueError(
                f'concurrency must be 1..{opts.MAX_CONCURRENCY}')
        self.target = target
        self.batch_size = batch_size
        self.batch_bytes = batch_bytes
        self.concurrency = concurrency
        self.retries = retries
        self.backoff = backoff
        self.tenant_id = tenant_id
        self.errors_file = errors_file
        self.error_stream = error_stream
        self.checkpoint_path = checkpoint
        self.strict = strict
        self.dry_run = dry_run
        self.dry_run_output = dry_run_output
        self.allow_any_time = allow_any_time
        self.timestamp_unit = timestamp_unit
        self.name = name
        self.dimensions = dict(dimensions or {})
        self.value_meta = dict(value_meta or {})
        self.default_timestamp = default_timestamp
        self.dimension_columns = dict(dimension_columns or {})
        self.meta_columns = dict(meta_columns or {})
        self.ignore_columns = list(ignore_columns or ())
        self.progress = progress
        self._stop_flag = threading.Event()

    # -- public entry points -----------------------------------------------
    def ingest_file(self, path: str, format: str = 'auto') -> IngestReport:
        """Ingest a file (``-`` = stdin) of JSON Lines, a JSON array or CSV.
        """
        if format not in opts.FORMATS:
            raise ValueError(f'format must be one of {opts.FORMATS}')
        if self.checkpoint_path and path == '-':
            raise ValidationError(
                '--checkpoint needs a file to resume; it cannot be used '
                'with stdin')
        if self.checkpoint_path and self.dry_run:
            raise ValidationError('--checkpoint cannot be used with '
                                  '--dry-run')
        try:
            source = readers.open_source(path)
        except readers.InputError as err:
            raise IngestStopped(str(err)) from None
        try:
            try:
                fmt = readers.detect_format(source, format)
            except (OSError, EOFError) as err:
                raise IngestStopped(f'Cannot read {source.name}: {err}') \
                    from None
            point = None
            if self.checkpoint_path:
                info = {'path': os.path.abspath(path), 'format': fmt,
                        **readers.fingerprint(path),
                        'options': self._options()}
                try:
                    point = ckpt.Checkpoint.open(self.checkpoint_path, info)
                except ckpt.CheckpointError as err:
                    raise IngestStopped(str(err)) from None
            is_done = point.done.cursor() if point is not None and \
                point.done.starts else None
            if fmt == 'jsonl':
                records = readers.read_jsonl(source.stream, is_done)
            elif fmt == 'json':
                records = readers.read_json_array(source.stream, is_done)
            else:
                records = readers.read_csv(source.stream, self._csv_layout,
                                           is_done)
            return self._run(records, source.name, fmt, point,
                             position=source.position, size=source.size)
        finally:
            source.close()

    def ingest_records(self, metrics: Iterable[Any],
                       source: str = '<records>') -> IngestReport:
        """Ingest metric dicts from any iterable (no checkpoint)."""
        if self.checkpoint_path:
            raise ValueError('a checkpoint needs ingest_file()')

        def numbered() -> Iterator[readers.Record]:
            for i, metric in enumerate(metrics):
                value = dict(metric) if isinstance(metric, Mapping) \
                    else metric
                yield readers.Record(i, i + 1, value, metric)
        return self._run(numbered(), source, 'records', None)

    def stop(self) -> None:
        """Ask a running ingest (in another thread) to stop soon."""
        self._stop_flag.set()

    # -- internals ----------------------------------------------------------
    def _options(self) -> dict[str, Any]:
        """Options that change what a record becomes (for the checkpoint:
        a resumed run must treat records as the first run did)."""
        # Keyed by the command's option names: they appear in messages.
        return {'<name>': self.name, '--dimension': self.dimensions,
                '--value-meta': self.value_meta,
                '--time': self.default_timestamp,
                '--timestamp-unit': self.timestamp_unit,
                '--allow-any-time': self.allow_any_time,
                '--dimension-column': self.dimension_columns,
                '--meta-column': self.meta_columns,
                '--ignore-column': sorted(self.ignore_columns),
                '--project': self.tenant_id}

    def _csv_layout(self, header: list[str]) -> readers.CsvLayout:
        return readers.CsvLayout(
            header, dimension_columns=self.dimension_columns,
            meta_columns=self.meta_columns,
            ignore_columns=self.ignore_columns,
            name_required=self.name is None)

    def _sender(self) -> Sender:
        target = self.target
        if hasattr(target, 'adapter'):  # MonitoringClient
            adapter = target.adapter
        elif hasattr(target, 'call') and hasattr(target, 'url_for'):
            adapter = target  # MonascaAdapter
        else:
            return target  # a Sender
        return AdapterSender(adapter, tenant_id=self.tenant_id,
                             retries=self.retries, backoff=self.backoff)

    def _normalizer(self, point: ckpt.Checkpoint | None) -> recs.Normalizer:
        default = self.default_timestamp
        if default is None and point is not None:
            # One instant for the whole (resumable) run, kept in the
            # checkpoint: a record re-sent after a crash is the same point.
            if point.default_timestamp is None:
                point.default_timestamp = recs._now_ms()
            default = point.default_timestamp
        return recs.Normalizer(
            name=self.name, dimensions=self.dimensions,
            value_meta=self.value_meta,
            default_timestamp=(lambda: default) if default is not None
            else None,
            timestamp_unit=self.timestamp_unit,
            allow_any_time=self.allow_any_time)

    def _progress_bar(self, size: int | None) -> prog.ProgressBar:
        stream = self.progress
        if stream is True:
            stream = sys.stderr
        enabled = bool(stream) and stream is not None
        return prog.ProgressBar(stream if enabled else sys.stderr,
                                size, enabled=enabled)

    def _run(self, records: Iterator[readers.Record], source: str, fmt: str,
             point: ckpt.Checkpoint | None,
             position: Callable[[], int | None] = lambda: None,
             size: int | None = None) -> IngestReport:
        return _Run(self, records, source, fmt, point, position, size).run()


class _Run:
    """State of one ingest run (the reader thread's view)."""

    def __init__(self, owner: Ingester, records: Iterator[readers.Record],
                 source: str, fmt: str, point: ckpt.Checkpoint | None,
                 position: Callable[[], int | None], size: int | None):
        self.o = owner
        self.records = records
        self.point = point
        self.position = position
        self.report = IngestReport(
            source=source, format=fmt, dry_run=owner.dry_run,
            errors_file=owner.errors_file,
            checkpoint=owner.checkpoint_path)
        self.sink = ErrorSink(owner.errors_file, owner.error_stream)
        self.bar = owner._progress_bar(size)
        self.in_flight = 0
        self.seq = 0
        self.stop_reason: str | None = None
        self.fatal: exc.MonascaError | None = None
        self.consecutive_failures = 0
        self.max_failures = max(3, owner.concurrency + 1)
        self.last_save = 0.0
        self.strict_error: tuple[int, str, Any] | None = None
        self.sender: Sender | None = None
        self.workers: _Workers | None = None

    # -- lifecycle ----------------------------------------------------------
    def run(self) -> IngestReport:
        o, report, point = self.o, self.report, self.point
        started = time.monotonic()
        interrupted = False
        o._stop_flag.clear()  # an Ingester may run several times
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
        normalize = self.o._normalizer(point)
        if point is not None:
            point.runs += 1
            point.errors_file = os.path.abspath(o.errors_file) \
                if o.errors_file else None
        self.sink.open(resume_size)
        try:
            if point is not None:
                self._save()
            if not o.dry_run:
                self.sender = o._sender()
                self.workers = _Workers(o.concurrency, self._deliver)
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
        self.o._stop_flag.set()

    def _stopping(self) -> bool:
        return self.o._stop_flag.is_set()

    # -- reading -------------------------------------------------------------
    def _read_all(self, normalize: recs.Normalizer) -> None:
        o, report = self.o, self.report
        batch: Batch | None = None
        count = 0
        try:
            for record in self.records:
                if record is readers.SKIPPED:
                    # Keep ranges contiguous: a batch never spans a gap.
                    if batch is not None:
                        self._submit(batch)
                        batch = None
                    continue
                if self._stopping() or self.stop_reason:
                    break
                report.read += 1
                count += 1
                error = record.error
                piece = b''
                if error is None:
                    try:
                        metric = normalize(record.value)
                        raw = record.raw
                        if raw is not None and normalize.unchanged and \
                                b'NaN' not in raw and \
                                b'Infinity' not in raw and b'\\u' not in raw:
                            # Valid and not changed: send the line as read
                            # (the same JSON, no second serialisation).
                            piece = raw
                        else:
                            piece = _serialise(metric)
                    except ValidationError as err:
                        error = str(err)
                if error is not None and o.strict:
                    self.stop_reason = (f'invalid record at line '
                                        f'{record.line} (--strict)')
                    self.strict_error = (record.line, error, record.original)
                    report.invalid += 1
                    break
                if batch is not None and (
                        len(batch.offsets) + len(batch.errors) >=
                        o.batch_size or (error is None and batch.offsets and
                                         batch.size + len(piece) + 1 >
                                         o.batch_bytes)):
                    self._submit(batch)
                    batch = None
                if batch is None:
                    batch = Batch(self.seq, record.index)
                    self.seq += 1
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
        self.bar.update(self.report.read, self.report.sent, self.position())

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
            sink.write(batch.lines[i], reason, _loads(batch.piece(i)), status)
        failed = 0
        for lo, hi, reason in outcome.failed:
            failed += hi - lo
            for i in range(lo, hi):
                sink.write(batch.lines[i], f'Not sent: {reason}',
                           _loads(batch.piece(i)))
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


def _loads(piece: bytes) -> Any:
    try:
        return json.loads(piece)
    except ValueError:
        return piece.decode('utf-8', 'replace')


def create_from_file(client: Any, path: str, format: str = 'auto',
                     **options: Any) -> IngestReport:
    """``Ingester(client, **options).ingest_file(path, format)``."""
    return Ingester(client, **options).ingest_file(path, format)

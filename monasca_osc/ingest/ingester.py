"""``Ingester``: the one public entry point of bulk ingest.

``Ingester(client, **options)`` is configured once (the options mirror
``metric create --file``), then runs any number of times:

* ``ingest_file(path, format)``: JSON Lines, a JSON array or CSV, ``-`` for
  stdin, gzip or not, resumable with ``checkpoint=``;
* ``ingest_records(iterable)``: metric dicts already in memory or produced
  by a generator.

Both return an ``IngestReport``, raise ``IngestStopped`` (with ``.report``)
when the run cannot go on and ``IngestInterrupted`` on Ctrl-C.

What is sent where is explicit: ``client`` is a ``MonitoringClient``
(``monasca_osc.client.Client(...)`` or OSC's
``client_manager.monitoring``), whose adapter the batches go through
(``rest.AdapterSender``); or ``sender=`` any ``delivery.Sender`` (tests,
other transports). A dry run needs neither.

This module wires the pieces together: ``readers`` (input), ``records``
(normalising), ``run`` (the loop), ``flush`` (slow input), ``checkpoint``;
it holds no per-run state itself (``Run`` does).
"""

from __future__ import annotations

from collections.abc import (
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
    Set,
    ValuesView,
)
import math
import os
import sys
import threading
from typing import TYPE_CHECKING, Any, TextIO

from monasca_osc.common.validation import ValidationError
from monasca_osc.ingest import checkpoint as ckpt
from monasca_osc.ingest import options as opts
from monasca_osc.ingest import progress as prog
from monasca_osc.ingest import readers
from monasca_osc.ingest import records as recs
from monasca_osc.ingest.delivery import Sender
from monasca_osc.ingest.report import IngestReport, IngestStopped
from monasca_osc.ingest.run import Run

if TYPE_CHECKING:
    from monasca_osc.api.monitoring_client import MonitoringClient


class Ingester:
    """Bulk ingest with batching, concurrency, retries and resume.

    Give ``client`` (a ``MonitoringClient``) or ``sender`` (any
    ``delivery.Sender``: ``post(data: bytes)`` and ``retry_count``), not
    both; a dry run needs neither. ``flush_interval`` (seconds, default 1;
    None: never) sends a partial batch once its oldest record is that old
    when the input can block (stdin, a pipe, a generator; see ``flush``).
    """

    def __init__(self, client: MonitoringClient | None = None, *,
                 sender: Sender | None = None,
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
                 progress: TextIO | bool | None = None,
                 flush_interval: float | None =
                 opts.DEFAULT_FLUSH_INTERVAL):
        if not 1 <= batch_size <= opts.MAX_BATCH_SIZE:
            raise ValueError(f'batch_size must be 1..{opts.MAX_BATCH_SIZE}')
        if batch_bytes < opts.MIN_BATCH_BYTES:
            raise ValueError(
                f'batch_bytes must be at least {opts.MIN_BATCH_BYTES}')
        if not 1 <= concurrency <= opts.MAX_CONCURRENCY:
            raise ValueError(
                f'concurrency must be 1..{opts.MAX_CONCURRENCY}')
        if flush_interval is not None and not (
                0 <= flush_interval < math.inf):
            raise ValueError('flush_interval must be a finite number of '
                             'seconds >= 0, or None')
        if client is not None and sender is not None:
            raise ValueError('give a client or a sender, not both')
        if client is None and sender is None and not dry_run:
            raise ValueError('a client (or a sender) is needed unless '
                             'dry_run=True')
        if client is not None:
            from monasca_osc.api.monitoring_client import MonitoringClient

            if not isinstance(client, MonitoringClient):
                raise TypeError(
                    f'client must be a MonitoringClient (monasca_osc.client.'
                    f'Client(...) or client_manager.monitoring), not '
                    f'{type(client).__name__}; give sender= for anything '
                    f'else')
        self.client = client
        self.sender = sender
        self.flush_interval = flush_interval
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
        run: Run | None = None
        try:
            if self.checkpoint_path and source.can_block:
                raise ValidationError(
                    f'--checkpoint needs a regular file to resume; {path} '
                    f'is a pipe or a device')
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
            run = self._new_run(records, source.name, fmt, point,
                                position=source.position, size=source.size,
                                can_block=source.can_block)
            return run.run()
        finally:
            # A reader thread still blocked on a pipe holds the stream's
            # lock: closing would wait for the writer. The daemon thread and
            # the stream end with the process.
            if run is None or run.pump is None or not run.pump.reading:
                source.close()

    def ingest_records(self, metrics: Iterable[Any],
                       source: str = '<records>') -> IngestReport:
        """Ingest metric dicts from any iterable (no checkpoint).

        A list, tuple, set or dict view is read in the calling thread; any
        other iterable (a generator that may wait for its data) is read in
        a helper thread so that ``flush_interval`` can send partial
        batches on time; give ``flush_interval=None`` to keep it in the
        calling thread (e.g. for an iterator bound to its thread).
        """
        if self.checkpoint_path:
            raise ValueError('a checkpoint needs ingest_file()')
        in_memory = isinstance(metrics, (Sequence, Set, Mapping,
                                         ValuesView))

        def numbered() -> Iterator[readers.Record]:
            for i, metric in enumerate(metrics):
                value = dict(metric) if isinstance(metric, Mapping) \
                    else metric
                yield readers.Record(i, i + 1, value, metric)
        return self._new_run(numbered(), source, 'records', None,
                             can_block=not in_memory).run()

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
        """The given sender, or one posting through the client's adapter
        (called once per run, and not for a dry run)."""
        if self.sender is not None:
            return self.sender
        from monasca_osc.ingest.rest import AdapterSender

        return AdapterSender(self.client.adapter, tenant_id=self.tenant_id,
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

    def _new_run(self, records: Iterator[readers.Record], source: str,
                 fmt: str, point: ckpt.Checkpoint | None, *,
                 position: Callable[[], int | None] = lambda: None,
                 size: int | None = None, can_block: bool = False) -> Run:
        return Run(self, records, source=source, fmt=fmt, point=point,
                   normalizer=self._normalizer, make_sender=self._sender,
                   stop_flag=self._stop_flag, bar=self._progress_bar(size),
                   position=position,
                   flush_interval=self.flush_interval if can_block else None)

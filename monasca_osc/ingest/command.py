"""``metric create --file``: the CLI side of bulk ingest.

Flow: ``CreateMetric.take_action`` calls ``run(parsed_args, ...)`` when
``--file`` is given; ``run`` checks the output paths, builds an
``Ingester`` from the options, runs it, prints the one summary line on
stderr and returns a ``BulkResult``. The command decides what to print from
it: the counts as a ShowOne (``-f json`` gives them to scripts), nothing
for a dry run (its payload on stdout is the output), and then exit 1
(``BatchFailed``) when ``result.failure`` says some record was refused or
not sent. ``run`` itself raises ``BatchFailed`` when the run could not go
on, and ``KeyboardInterrupt`` after Ctrl-C or SIGTERM (progress saved).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
import contextlib
from dataclasses import dataclass
import os
import signal
from typing import Any

from monasca_osc import exceptions as exc
from monasca_osc.common import dimensions as dims
from monasca_osc.common import timeutil
from monasca_osc.common.validation import ValidationError
from monasca_osc.ingest import options as opts
from monasca_osc.ingest.ingester import Ingester
from monasca_osc.ingest.report import (
    IngestInterrupted,
    IngestReport,
    IngestStopped,
)

FIELDS = ('source', 'format', 'read', 'sent', 'invalid', 'rejected',
          'failed', 'unsent', 'retried', 'requests', 'batches', 'resumed',
          'elapsed', 'rate', 'errors_file', 'checkpoint')


@dataclass
class BulkResult:
    """What ``metric create --file`` did, for the command to show."""

    report: IngestReport
    columns: tuple[str, ...] = FIELDS

    @property
    def values(self) -> tuple[Any, ...]:
        data = self.report.as_dict()
        return tuple(data[f] for f in self.columns)

    @property
    def failure(self) -> str | None:
        """The one-line error when some record was not ingested."""
        return None if self.report.ok else _failure(self.report)


def build_ingester(parsed_args: argparse.Namespace, client: Any,
                   stderr: Any, stdout: Any) -> Ingester:
    """An Ingester configured from the command line."""
    if getattr(parsed_args, 'value', None) is not None:
        raise ValidationError(
            '--value cannot be used with --file: values come from the file')
    default_ts = None
    if getattr(parsed_args, 'time', None):
        default_ts = timeutil.to_epoch_ms(
            timeutil.parse_time(parsed_args.time, what='--time'))
    try:
        dimension_columns = opts.parse_column_map(
            parsed_args.dimension_columns, '--dimension-column')
        meta_columns = opts.parse_column_map(parsed_args.meta_columns,
                                             '--meta-column')
    except ValueError as err:
        raise ValidationError(str(err)) from None
    name = getattr(parsed_args, 'name', None)
    if name is not None:
        from monasca_osc.common import validation

        validation.validate_metric_name(name)
    show_progress = not parsed_args.no_progress and _isatty(stderr)
    return Ingester(
        client,
        batch_size=parsed_args.batch_size,
        batch_bytes=parsed_args.batch_bytes,
        concurrency=parsed_args.concurrency,
        retries=parsed_args.retries,
        backoff=parsed_args.retry_backoff,
        tenant_id=getattr(parsed_args, 'tenant_id', None),
        errors_file=parsed_args.errors_file,
        error_stream=None if parsed_args.errors_file else stderr,
        checkpoint=parsed_args.checkpoint,
        strict=parsed_args.strict,
        dry_run=parsed_args.dry_run,
        dry_run_output=stdout,
        allow_any_time=parsed_args.allow_any_time,
        timestamp_unit=parsed_args.timestamp_unit,
        name=name,
        dimensions=dims.parse_dimensions(
            getattr(parsed_args, 'dimensions', None)),
        value_meta=dims.parse_key_values(
            getattr(parsed_args, 'value_meta', None), 'value_meta entry'),
        default_timestamp=default_ts,
        dimension_columns=dimension_columns,
        meta_columns=meta_columns,
        ignore_columns=parsed_args.ignore_columns,
        flush_interval=parsed_args.flush_interval,
        progress=stderr if show_progress else None)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM saves the checkpoint like Ctrl-C does, then exits."""
    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt
    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(parsed_args: argparse.Namespace, client: Callable[[], Any],
        stdout: Any, stderr: Any) -> BulkResult:
    """Run ``metric create --file``; ``client()`` is called unless it is a
    dry run (which needs no credentials or endpoint)."""
    for option, path in (('--errors-file', parsed_args.errors_file),
                         ('--checkpoint', parsed_args.checkpoint)):
        _check_writable(option, path)
    ingester = build_ingester(
        parsed_args, None if parsed_args.dry_run else client(), stderr,
        stdout)
    try:
        with _sigterm_as_interrupt():
            report = ingester.ingest_file(parsed_args.file,
                                          parsed_args.input_format)
    except IngestInterrupted as err:
        stderr.write(err.report.summary() + '\n')
        if parsed_args.checkpoint:
            stderr.write(f'Progress saved in {parsed_args.checkpoint}; run '
                         f'the same command to continue\n')
        stderr.flush()
        raise KeyboardInterrupt from None
    except IngestStopped as err:
        if err.report is not None:
            stderr.write(err.report.summary() + '\n')
            stderr.flush()
        raise exc.BatchFailed(str(err)) from None
    stderr.write(report.summary() + '\n')
    stderr.flush()
    return BulkResult(report)


def _check_writable(option: str, path: str | None) -> None:
    """Refuse an unwritable output file before anything is sent."""
    if not path:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise exc.ValidationError(
            f'{option} {path}: the directory {folder} does not exist')
    if not os.access(folder, os.W_OK) or (
            os.path.exists(path) and not os.access(path, os.W_OK)):
        raise exc.ValidationError(f'{option} {path}: not writable')


def _failure(report: IngestReport) -> str:
    if report.stopped and not (report.invalid or report.rejected
                               or report.failed):
        return f'Bulk ingest stopped: {report.stopped}'
    parts = []
    for what in ('invalid', 'rejected', 'failed', 'unsent'):
        count = getattr(report, what)
        if count:
            parts.append(f'{count} {what}')
    where = f'; see {report.errors_file}' if report.errors_file else ''
    if report.dry_run:
        return (f'{report.invalid} of {report.read} records are invalid'
                f'{where}')
    total = report.invalid + report.rejected + report.failed + report.unsent
    return (f'{total} of {report.read} records were not ingested '
            f'({", ".join(parts)}){where}')

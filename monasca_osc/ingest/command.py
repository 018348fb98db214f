"""``metric create --file``: the CLI side of bulk ingest.

``CreateMetric.take_action`` calls ``run(self, parsed_args)`` when
``--file`` is given. It returns ShowOne columns (the counts, so ``-f json``
gives them to scripts), prints one summary line on stderr, and raises
``BatchFailed`` (exit 1) when any record was refused or not sent.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
import contextlib
import os
import signal
import sys
from typing import Any

from monasca_osc import exceptions as exc
from monasca_osc.common import dimensions as dims
from monasca_osc.common import timeutil
from monasca_osc.common.validation import ValidationError
from monasca_osc.ingest import engine
from monasca_osc.ingest import options as opts

FIELDS = ('source', 'format', 'read', 'sent', 'invalid', 'rejected',
          'failed', 'unsent', 'retried', 'requests', 'batches', 'resumed',
          'elapsed', 'rate', 'errors_file', 'checkpoint')


def build_ingester(parsed_args: argparse.Namespace, target: Any,
                   stderr: Any, stdout: Any) -> engine.Ingester:
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
    return engine.Ingester(
        target,
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


def run(cmd: Any, parsed_args: argparse.Namespace) -> Any:
    """Run ``metric create --file`` for the command object ``cmd``."""
    app = getattr(cmd, 'app', None)
    stderr = getattr(app, 'stderr', None) or sys.stderr
    stdout = getattr(app, 'stdout', None) or sys.stdout
    for option, path in (('--errors-file', parsed_args.errors_file),
                         ('--checkpoint', parsed_args.checkpoint)):
        _check_writable(option, path)
    # A dry run needs no credentials or endpoint.
    target = None if parsed_args.dry_run else cmd.client
    ingester = build_ingester(parsed_args, target, stderr, stdout)
    try:
        with _sigterm_as_interrupt():
            report = ingester.ingest_file(parsed_args.file,
                                          parsed_args.input_format)
    except engine.IngestInterrupted as err:
        stderr.write(err.report.summary() + '\n')
        if parsed_args.checkpoint:
            stderr.write(f'Progress saved in {parsed_args.checkpoint}; run '
                         f'the same command to continue\n')
        stderr.flush()
        raise KeyboardInterrupt from None
    except engine.IngestStopped as err:
        if err.report is not None:
            stderr.write(err.report.summary() + '\n')
            stderr.flush()
        raise exc.BatchFailed(str(err)) from None
    stderr.write(report.summary() + '\n')
    stderr.flush()
    if report.dry_run:
        # The payload is the output: no table after it.
        cmd.produce_output = lambda *args, **kwargs: 0
    data = report.as_dict()
    columns = FIELDS
    values = tuple(data[f] for f in columns)
    if not report.ok:
        if not report.dry_run:
            cmd.produce_output(parsed_args, columns, values)
        raise exc.BatchFailed(_failure(report))
    return columns, values


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


def _failure(report: engine.IngestReport) -> str:
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

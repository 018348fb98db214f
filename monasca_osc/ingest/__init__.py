"""Bulk metric ingest: ``openstack monitoring metric create --file``.

Reads JSON Lines (one metric object per line, as ``POST /v2.0/metrics``
takes it), a JSON array (streamed element by element, never loaded whole)
or CSV with a header, validates every record on the client, sends batches
(by count and by bytes) with bounded concurrency over one keystoneauth
session, retries transient failures, isolates records the server refuses by
splitting their batch, and can resume after a crash from a checkpoint file.

Python API::

    from monasca_osc import client
    from monasca_osc.ingest import Ingester

    c = client.Client(...)                      # or client_manager.monitoring
    ingester = Ingester(c, batch_size=1000, concurrency=3,
                        errors_file='rejected.jsonl',
                        checkpoint='load.ckpt')     # optional
    report = ingester.ingest_file('metrics.jsonl')  # .json, .csv, '-' too
    print(report.summary())                      # one line
    report.sent, report.invalid, report.rejected, report.failed, report.ok

    # Metrics already in memory (any iterable of dicts, read lazily):
    Ingester(c).ingest_records(metric_dicts)

    # One call:
    from monasca_osc.ingest import create_from_file
    create_from_file(c, 'metrics.csv', errors_file='bad.jsonl')

``Ingester(target, ...)`` takes a ``MonitoringClient``, a
``MonascaAdapter``, or any object with ``post(data: bytes)`` and
``retry_count`` (see ``engine.Sender``). Keyword options mirror the CLI:
``batch_size``, ``batch_bytes``, ``concurrency``, ``retries``, ``backoff``,
``tenant_id``, ``errors_file``, ``checkpoint``, ``strict``, ``dry_run``,
``allow_any_time``, ``timestamp_unit`` (``auto``/``s``/``ms``/``us``/``ns``),
defaults for records without them (``name``, ``dimensions``, ``value_meta``,
``default_timestamp`` in ms) and CSV column mapping (``dimension_columns``
and ``meta_columns`` as ``{column: key}``, ``ignore_columns``).
``ingest_file`` returns an ``IngestReport``; it raises ``IngestStopped``
(with ``.report``) when the run could not go on (unreadable input
structure, 401/403/404 from the API, a checkpoint for another file) and
``IngestInterrupted`` (a ``KeyboardInterrupt`` with ``.report``) on Ctrl-C,
after saving the checkpoint.

Modules: ``options`` (CLI options, stdlib only: imported at parse time),
``readers`` (lazy JSONL / JSON array / CSV readers), ``records``
(timestamps, defaults, validation), ``engine`` (batching, sending,
accounting), ``checkpoint`` (resume state), ``progress`` (the progress bar)
and ``command`` (the CLI glue).
"""

from __future__ import annotations

from typing import Any

__all__ = ['Ingester', 'IngestReport', 'IngestStopped', 'IngestInterrupted',
           'create_from_file']


def __getattr__(name: str) -> Any:
    # Lazy: `from monasca_osc.ingest import options` runs at parse time and
    # must not import the engine (and the REST layer behind it).
    if name in __all__:
        from monasca_osc.ingest import engine

        return getattr(engine, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')

"""Bulk metric ingest: ``openstack monitoring metric create --file``.

Reads JSON Lines (one metric object per line, as ``POST /v2.0/metrics``
takes it), a JSON array (streamed element by element, never loaded whole)
or CSV with a header, validates every record on the client, sends batches
(by count and by bytes) with bounded concurrency over one keystoneauth
session, retries transient failures, isolates records the server refuses by
splitting their batch, sends partial batches of slow input (a pipe) on
time, and can resume after a crash from a checkpoint file.

Python API (one entry point, ``Ingester``)::

    from monasca_osc import client
    from monasca_osc.ingest import Ingester

    c = client.Client(...)                      # or client_manager.monitoring
    ingester = Ingester(c, batch_size=1000, concurrency=3,
                        errors_file='rejected.jsonl',
                        checkpoint='load.ckpt')     # optional
    report = ingester.ingest_file('metrics.jsonl')  # .json, .csv, '-' too
    print(report.summary())                      # one line
    report.sent, report.invalid, report.rejected, report.failed, report.ok

    # Metrics already in memory, or from a generator (read lazily):
    Ingester(c).ingest_records(metric_dicts)

``Ingester(client, ...)`` takes a ``MonitoringClient``; ``Ingester(
sender=...)`` takes any object with ``post(data: bytes)`` and
``retry_count`` instead (see ``delivery.Sender``). Keyword options mirror
the CLI: ``batch_size``, ``batch_bytes``, ``concurrency``, ``retries``,
``backoff``, ``tenant_id``, ``errors_file``, ``checkpoint``, ``strict``,
``dry_run``, ``flush_interval`` (seconds, default 1, None: never),
``allow_any_time``, ``timestamp_unit`` (``auto``/``s``/``ms``/``us``/
``ns``), defaults for records without them (``name``, ``dimensions``,
``value_meta``, ``default_timestamp`` in ms) and CSV column mapping
(``dimension_columns`` and ``meta_columns`` as ``{column: key}``,
``ignore_columns``). ``ingest_file`` returns an ``IngestReport``; it raises
``IngestStopped`` (with ``.report``) when the run could not go on
(unreadable input structure, 401/403/404 from the API, a checkpoint for
another file) and ``IngestInterrupted`` (a ``KeyboardInterrupt`` with
``.report``) on Ctrl-C, after saving the checkpoint.

Modules, by concept (each one's docstring states its flow and invariants):

``options``     CLI options and defaults (stdlib only: imported at parse time)
``readers``     lazy JSON Lines / JSON array / CSV readers, input sources
``records``     timestamps, defaults, validation of one record
``batch``       a batch body, serialised once, sliceable
``delivery``    sender threads and the split-on-rejection rule
``rest``        the REST sender (the one module that imports ``api``)
``errorsink``   the errors file
``checkpoint``  resume state
``flush``       slow input: the reader thread and the flush timer
``progress``    the progress bar
``report``      ``IngestReport`` and the two early-end exceptions
``run``         one run's loop and accounting
``ingester``    ``Ingester``, the entry point
``command``     the CLI glue for ``metric create --file``

Layering: ``monasca_osc.api`` knows nothing of ingest; ingest uses the
REST layer only through ``rest.AdapterSender``.
"""

from __future__ import annotations

from typing import Any

__all__ = ['Ingester', 'IngestReport', 'IngestStopped', 'IngestInterrupted']

_HOMES = {'Ingester': 'ingester', 'IngestReport': 'report',
          'IngestStopped': 'report', 'IngestInterrupted': 'report'}


def __getattr__(name: str) -> Any:
    # Lazy: `from monasca_osc.ingest import options` runs at parse time and
    # must not import the engine (and the REST layer behind it).
    if name in _HOMES:
        import importlib

        module = importlib.import_module(f'{__name__}.{_HOMES[name]}')
        return getattr(module, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')

"""The REST side of bulk ingest: how a batch body reaches the API.

The engine needs only a ``delivery.Sender`` (``post(data)`` plus
``retry_count``).
``AdapterSender`` is the one that talks to Monasca: it posts through the
client's ``MonascaAdapter`` (so retries, backoff, ``Retry-After`` and error
mapping are the REST layer's, written once there). This is the only ingest
module that imports ``monasca_osc.api``: ingest sits on top of the REST
layer, and the REST layer knows nothing of ingest.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from monasca_osc.api.metrics import MetricsManager


class AdapterSender:
    """POST /v2.0/metrics through a MonascaAdapter, one copy per thread.

    The copies share the keystoneauth session (its connection pool and auth
    plugin are thread-safe; the plugin locks around token fetches) but have
    their own retry settings and retry counters.
    """

    def __init__(self, adapter: Any, *, tenant_id: str | None = None,
                 retries: int | None = None, backoff: float | None = None):
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
            manager = self._local.manager = MetricsManager(adapter)
        return manager

    def post(self, data: bytes) -> None:
        self._manager().create_many((), tenant_id=self.tenant_id, data=data)

    @property
    def retry_count(self) -> int:
        with self._lock:
            return sum(a.retry_count for a in self._copies)

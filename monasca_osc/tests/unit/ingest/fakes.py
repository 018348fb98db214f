"""A fake Sender for engine tests: an in-memory Monasca."""

from __future__ import annotations

from collections.abc import Callable
import json
import threading
import time
from typing import Any

from monasca_osc import exceptions as exc


class FakeSender:
    """Accepts POST bodies like the API; failures are scripted.

    * ``reject(metric)`` -> a reason: the whole request gets 422 with it
      (like the API, which validates the batch before storing anything);
    * ``fail(n, metrics)`` -> an exception to raise for request number
      ``n`` (1-based), or None;
    * ``on_post(n)`` runs before each request (snapshots, delays).
    """

    def __init__(self, reject: Callable[[dict], str | None] | None = None,
                 fail: Callable[[int, list], Exception | None] | None = None,
                 delay: float = 0.0,
                 on_post: Callable[[int], None] | None = None,
                 keep: bool = True):
        self.keep = keep
        self.reject = reject
        self.fail = fail
        self.delay = delay
        self.on_post = on_post
        self.lock = threading.Lock()
        self.requests = 0
        self.bodies: list[bytes] = []
        self.received: list[dict] = []
        self.accepted = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.retry_count = 0
        self.threads: set[str] = set()

    def post(self, data: bytes) -> None:
        assert isinstance(data, bytes)
        metrics = json.loads(data)
        assert isinstance(metrics, list)
        with self.lock:
            self.requests += 1
            n = self.requests
            if self.keep:
                self.bodies.append(data)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.threads.add(threading.current_thread().name)
        try:
            if self.on_post is not None:
                self.on_post(n)
            if self.delay:
                time.sleep(self.delay)
            if self.fail is not None:
                error = self.fail(n, metrics)
                if error is not None:
                    raise error
            if self.reject is not None:
                for metric in metrics:
                    reason = self.reject(metric)
                    if reason:
                        raise exc.UnprocessableEntity(
                            http_status=422, title='Unprocessable Entity',
                            description=f'{reason}: for metric '
                                        f'{metric["name"]}')
            with self.lock:
                if self.keep:
                    self.received.extend(metrics)
                self.accepted += len(metrics)
        finally:
            with self.lock:
                self.in_flight -= 1


def metric(i: int, **extra: Any) -> dict:
    """A distinct valid metric (its value and timestamp identify it)."""
    m = {'name': 'ingest.test', 'dimensions': {'host': f'h{i % 5}'},
         'timestamp': 1714557600000 + i, 'value': i}
    m.update(extra)
    return m

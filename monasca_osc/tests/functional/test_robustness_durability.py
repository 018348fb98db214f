"""kill -9 of the sandbox during writes loses no acknowledged metric.

Writers post numbered batches through the Python API (no retries) and
record every batch the server answered 204 for. The sandbox is killed with
SIGKILL while batches are in flight, restarted on the same ``--db``, and
every acknowledged batch must be there in full.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from monasca_osc.testing import Sandbox
from monasca_osc.tests.functional import base

TENANT = 'durability'
BATCH = 50            # metrics per POST
WRITERS = 4
KILL_AFTER = 150      # acknowledged batches before the kill
START_MS = 1700000000000


def batch_body(number: int) -> list[dict[str, Any]]:
    return [{'name': 'durable.metric',
             'dimensions': {'batch': str(number)},
             'timestamp': START_MS + number * 1000 + i,
             'value': float(i),
             'value_meta': {'batch': str(number), 'seq': str(i)}}
            for i in range(BATCH)]


def client(endpoint: str) -> Any:
    from monasca_osc.client import Client

    return Client(endpoint=endpoint, token=TENANT, retries=0, timeout=10)


def test_kill_9_loses_no_acknowledged_metric(tmp_path: Any) -> None:
    from monasca_osc import exceptions

    db = tmp_path / 'sandbox.db'
    server = Sandbox(db=db, eval_interval=0).start()
    acknowledged: set[int] = set()
    failed: list[str] = []
    lock = threading.Lock()
    numbers = iter(range(1_000_000))
    stop = threading.Event()

    def writer() -> None:
        monitoring = client(server.endpoint)
        while not stop.is_set():
            with lock:
                number = next(numbers)
            try:
                monitoring.metrics.create(jsonbody=batch_body(number))
            except exceptions.MonascaError as err:
                # Refused or cut off by the kill: not acknowledged.
                with lock:
                    failed.append(f'{number}: {err}')
                return
            with lock:
                acknowledged.add(number)

    threads = [threading.Thread(target=writer, daemon=True)
               for _ in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120
        while len(acknowledged) < KILL_AFTER:
            assert time.monotonic() < deadline, 'writers too slow'
            assert all(t.is_alive() for t in threads), failed
            time.sleep(0.01)
        server.kill()  # SIGKILL with batches in flight
        stop.set()
        for thread in threads:
            thread.join(30)
            assert not thread.is_alive()
        with lock:
            acked = set(acknowledged)
        # Writers stopped because the server died, never by a refusal.
        assert failed, 'no write was in flight at the kill'
        assert all('HTTP' not in reason for reason in failed), failed

        server.start()  # same --db
        monitoring = client(server.endpoint)
        series = monitoring.metrics.list_measurements(
            name='durable.metric', start_time=START_MS - 1000,
            group_by='batch')
        stored = {int(s['dimensions']['batch']): s for s in series}
        missing = sorted(acked - set(stored))
        assert not missing, f'acknowledged batches lost: {missing}'
        for number in acked:
            points = stored[number]['measurements']
            assert len(points) == BATCH, (number, len(points))
            columns = stored[number]['columns']
            seqs = sorted(int(p[columns.index('value_meta')]['seq'])
                          for p in points)
            assert seqs == list(range(BATCH))
        # Batches that were never acknowledged are either complete or
        # absent: a batch is one transaction.
        for number, element in stored.items():
            assert len(element['measurements']) == BATCH, number
        assert len(acked) >= KILL_AFTER
        # And the restarted server takes writes again.
        monitoring.metrics.create(jsonbody=batch_body(999_999))
    finally:
        stop.set()
        server.stop()


def test_restart_keeps_definitions_and_notification_methods(
        tmp_path: Any) -> None:
    db = tmp_path / 'sandbox.db'
    server = Sandbox(db=db, eval_interval=0).start()
    try:
        monitoring = client(server.endpoint)
        method = monitoring.notifications.create(
            name=base.unique_name('nm'), type='EMAIL',
            address='ops@example.com')
        definition = monitoring.alarm_definitions.create(
            name=base.unique_name('def'), expression='avg(cpu) > 1',
            alarm_actions=[method['id']])
        server.kill()
        server.start()
        monitoring = client(server.endpoint)
        assert monitoring.alarm_definitions.get(definition['id'])[
            'alarm_actions'] == [method['id']]
        assert monitoring.notifications.get(method['id'])['name'] == \
            method['name']
    finally:
        server.stop()

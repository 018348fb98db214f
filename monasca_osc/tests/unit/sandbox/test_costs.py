"""The sandbox's costs that grow with the data: counted, not timed.

SQLite's virtual-machine steps (``set_progress_handler``) measure how many
rows a request visits, independent of the machine's speed or load.
"""

from __future__ import annotations

from monasca_osc.sandbox.server import SandboxApp
from monasca_osc.tests.unit.sandbox.conftest import Client, metric
from monasca_osc.tests.unit.sandbox.test_metrics_api import (
    START,
    T0,
    next_offset,
    post,
)


def _vm_steps(app: SandboxApp, call) -> tuple[int, object]:
    """SQLite VM steps (in units of 100) spent by ``call()``."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    conn = app.store._writer      # ':memory:': the only connection
    conn.set_progress_handler(count, 100)
    try:
        result = call()
    finally:
        conn.set_progress_handler(None, 100)
    return steps[0], result


def test_a_deep_page_costs_what_the_first_page_costs(app: SandboxApp,
                                                     client: Client) -> None:
    # 20,000 points of one series; pages of 100 from the start and from
    # near the end must visit about the same number of rows (the offset is
    # where the range scan starts, not a filter over every earlier row).
    for part in range(2):
        post(client, *[metric('deep', T0 + part * 10_000 + i, i)
                       for i in range(10_000)])
    params = {'name': 'deep', 'start_time': START, 'limit': '100'}
    first, doc = _vm_steps(app, lambda: client.get(
        '/v2.0/metrics/measurements', params).json)
    assert next_offset(doc) == '0_2015-01-01T00:00:00.099Z'
    deep_offset = '0_2015-01-01T00:00:19.800Z'    # T0 + 19,800 ms
    deep, doc = _vm_steps(app, lambda: client.get(
        '/v2.0/metrics/measurements',
        dict(params, offset=deep_offset)).json)
    values = [m[1] for m in doc['elements'][0]['measurements']]
    assert values == [float(i) for i in range(9_801, 9_901)]
    assert deep <= 2 * first + 10, (first, deep)


def _wal_frames(path: str) -> int:
    import os
    size = os.path.getsize(path + '-wal')
    return max(0, (size - 32) // (4096 + 24))   # WAL header, frame headers


def test_a_bulk_post_writes_a_few_pages_not_one_per_series(tmp_path
                                                           ) -> None:
    # 100 series with 100 points each: every series fills leaf pages of
    # its own in the table clustered on (series_id, ts). A post of one
    # point per series (what interleaving agents send) must append a few
    # pages, not rewrite one leaf page per series in every commit.
    from monasca_osc.sandbox.server import make_app

    path = str(tmp_path / 'bulk.db')
    app = make_app(path)
    client = Client(app)
    try:
        app.store._writer.execute('PRAGMA wal_autocheckpoint=0')

        def batch(ts: int) -> list[dict]:
            return [metric('bulk', ts, s, {'s': str(s)}) for s in range(100)]

        for ts in range(100):
            post(client, *batch(T0 + ts))
        assert client.get('/v2.0/metrics', {'name': 'bulk'}).status == 200
        before = _wal_frames(path)
        for ts in range(100, 110):
            post(client, *batch(T0 + ts))
        per_post = (_wal_frames(path) - before) / 10
        assert per_post < 20, per_post
        # And every point is there once the reads merge them.
        doc = client.get('/v2.0/metrics/measurements', {
            'name': 'bulk', 'dimensions': 's:7', 'start_time': START}).json
        assert len(doc['elements'][0]['measurements']) == 110
    finally:
        app.close()


def test_the_last_write_of_a_timestamp_wins(app: SandboxApp,
                                             client: Client) -> None:
    # Staged and merged rows alike: a repeated (series, timestamp)
    # overwrites, in the order the posts were acknowledged.
    def values() -> list[float]:
        doc = client.get('/v2.0/metrics/measurements', {
            'name': 'lw', 'start_time': START}).json
        return [m[1] for m in doc['elements'][0]['measurements']]

    post(client, metric('lw', T0, 1), metric('lw', T0 + 1, 1))
    assert values() == [1.0, 1.0]
    post(client, metric('lw', T0, 2))
    post(client, metric('lw', T0, 3), metric('lw', T0 + 2, 3))
    post(client, metric('lw', T0 + 2, 4))
    assert values() == [3.0, 1.0, 4.0]


def test_stored_value_meta_text_is_json_dumps() -> None:
    # The sandbox joins strings-to-strings value_meta itself: the stored
    # (and served) text must stay exactly json.dumps(..., ensure_ascii=False).
    import json

    from monasca_osc.sandbox.store import _meta_text
    from monasca_osc.tests.unit.common.test_validation import (
        _random_value_metas,
    )
    for meta in _random_value_metas(3000):
        assert _meta_text(meta) == json.dumps(meta, ensure_ascii=False), meta


def test_a_later_statistics_page_skips_the_earlier_buckets(
        app: SandboxApp, client: Client) -> None:
    # 20 one-second buckets of 1,000 points: a page after the 18th bucket
    # groups only the rows after it, not all 20,000 again.
    for part in range(2):
        post(client, *[metric('st', T0 + part * 10_000 + i, i)
                       for i in range(10_000)])
    params = {'name': 'st', 'start_time': START, 'statistics': 'count',
              'period': '1', 'limit': '2'}
    first, doc = _vm_steps(app, lambda: client.get(
        '/v2.0/metrics/statistics', params).json)
    assert next_offset(doc) == '2015-01-01T00:00:01Z'
    late, doc = _vm_steps(app, lambda: client.get(
        '/v2.0/metrics/statistics',
        dict(params, offset='2015-01-01T00:00:17Z')).json)
    assert doc['elements'][0]['statistics'] == [
        ['2015-01-01T00:00:18Z', 1000], ['2015-01-01T00:00:19Z', 1000]]
    assert late * 4 < first, (first, late)

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

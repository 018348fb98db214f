"""The sandbox, stepped through time, agrees with an in-memory replay.

Same definitions, same random series (gaps included): posted to the
sandbox without evaluation on POST and stepped with POST /sandbox/evaluate
each minute, versus ``Engine.run`` over a ``MemorySource``. This checks the
sandbox's side (store source, births, state kept in SQLite between steps),
the engine itself being tested in tests/unit/alarming.
"""

from __future__ import annotations

import random

import pytest

from monasca_osc import alarming as al
from monasca_osc.sandbox.server import make_app
from monasca_osc.tests.unit.sandbox.conftest import Client, metric

T0 = 1_700_000_040_000
MIN = 60_000
EXPRESSIONS = [
    'avg(cpu) > 50 times 2',
    'max(cpu) > 80 or min(mem) < 10',
    'sum(cpu, deterministic) > 100 and count(mem) >= 2',
    'last(cpu) > 50',
    'min(cpu, 120) < 20 times 2',
    'max(cpu) < 30 and avg(mem) > 40',
]


def _series(rng: random.Random) -> list[tuple[int, float]]:
    points = []
    for minute in range(25):
        if rng.random() < 0.25:
            continue                      # a gap
        for _ in range(rng.randint(1, 2)):
            points.append((T0 + minute * MIN + rng.randint(0, 59_999),
                           float(rng.randint(0, 100))))
    return points


@pytest.mark.parametrize('seed', range(12))
def test_sandbox_steps_like_the_replay(seed: int) -> None:
    rng = random.Random(seed)
    expression = EXPRESSIONS[seed % len(EXPRESSIONS)]
    hosts = ['h1', 'h2']
    data = {al.Metric.of(name, {'host': h}): _series(rng)
            for name in ('cpu', 'mem') for h in hosts}
    data = {m: p for m, p in data.items() if p}
    source = al.MemorySource(data)
    engine = al.Engine([al.Definition.from_dict({
        'id': 'd', 'name': 'd', 'expression': expression,
        'match_by': ['host']})])
    first = {m: source.first_timestamp(m) for m in source.metrics}
    expected = sorted(
        (t.timestamp_ms, t.match['host'], t.old_state, t.new_state, t.reason)
        for t in engine.run(source, first, T0, T0 + 30 * MIN))

    client = Client(make_app(':memory:', enable_test_api=True,
                             evaluate_on_post=False))
    client.post('/v2.0/alarm-definitions', {
        'name': 'd', 'expression': expression, 'match_by': ['host']})
    # One POST per metric, in the replay's order of first appearance.
    for m in source.metrics:
        assert client.post('/v2.0/metrics', [
            metric(m.name, ts, v, m.dimensions)
            for ts, v in data[m]]).status == 204
    for at in al.cadence(T0, T0 + 30 * MIN):
        client.post('/sandbox/evaluate', {'at': at})
    alarms = {a['id']: a['metrics'][0]['dimensions']['host']
              for a in client.get('/v2.0/alarms').json['elements']}
    history = client.get('/v2.0/alarms/state-history').json['elements']
    # History ids are made unique (+1 ms) when two alarms change at once;
    # the steps are on whole minutes.
    got = sorted((int(e['id']) // MIN * MIN, alarms[e['alarm_id']],
                  e['old_state'], e['new_state'], e['reason'])
                 for e in history)
    assert got == expected
    assert expected, 'a scenario without any transition proves little'

"""Property: a backtest streamed from the API gives exactly the transitions
of the in-memory replay ``alarm definition test`` runs, for random series
(every function, and/or, times, deterministic, gaps, match_by or not).

Both go through the engine; this proves the streaming (one paged query per
sub-expression, groups walked in lockstep, windows pulled forward and
trimmed) loses and duplicates nothing.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monasca_osc.alarmtools import backtest, replay, streams
from monasca_osc.tests.unit.alarmtools.fakeapi import FakeClient
from monasca_osc.tests.unit.alarmtools.pool import EXPRESSIONS

T0 = 1_714_557_600_000          # 2024-05-01T10:00:00Z, on the minute


class _Series:
    def __init__(self, name: str, dimensions: dict, points: list) -> None:
        self.name, self.dimensions, self.points = name, dimensions, points


def _points(values: list[int | None], offset_s: int) -> list:
    return [(T0 + i * 60_000 + offset_s * 1000, float(v))
            for i, v in enumerate(values) if v is not None]


values = st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=0,
                  max_size=30)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple:
    expression = draw(st.sampled_from(EXPRESSIONS))
    match_by = draw(st.sampled_from([[], ['hostname']]))
    series = []
    offset = 1
    for host in ('h1', 'h2'):
        for name, dims in (('cpu', {'service': 'web'}), ('mem', {}),
                           ('cpu', {'service': 'db'})):
            points = _points(draw(values), offset)
            offset += 3
            if points:
                series.append(_Series(name, {**dims, 'hostname': host},
                                      points))
    page = draw(st.integers(1, 9))
    return expression, match_by, series, page


def _key(match: dict) -> tuple:
    return tuple(sorted(match.items()))


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_streamed_backtest_equals_in_memory_replay(scenario: tuple) -> None:
    expression, match_by, series, page = scenario
    definition = {'id': 'd', 'name': 'd', 'expression': expression,
                  'match_by': match_by}
    end = T0 + 35 * 60_000
    expected = sorted(
        (t.timestamp_ms, _key(r.key), t.old_state, t.new_state)
        for r in replay.replay_series(definition, series, T0, end)
        for t in r.transitions)
    client = FakeClient([(s.name, s.dimensions, s.points) for s in series],
                        page)
    job = backtest.Backtest(
        client, definition, dt.datetime.fromtimestamp(T0 / 1000, dt.UTC),
        dt.datetime.fromtimestamp(end / 1000, dt.UTC))
    got = sorted((stats.since_ms, _key(stats.match), transition.old_state,
                  transition.new_state)
                 for stats, transition in job.events()
                 if transition is not None)
    assert got == expected
    # One paged query per distinct sub-expression metric, no more.
    assert len(client.metrics.calls) == len(streams.queries_for(
        backtest.al.Definition.from_dict(definition).expression))

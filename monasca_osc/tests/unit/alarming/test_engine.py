"""The alarm engine on in-memory series (monasca-thresh's rules)."""

from __future__ import annotations

import pytest

from monasca_osc import alarming as al
from monasca_osc.common import expression as expr_mod

T0 = 1_700_000_000_000 - 1_700_000_000_000 % 60_000   # on a minute
MIN = 60_000


def definition(expression: str, match_by: tuple[str, ...] = (),
               **extra) -> al.Definition:
    return al.Definition.from_dict(dict(
        id='d', name='d', expression=expression, match_by=list(match_by),
        **extra))


def series(*values: float | None, offset_ms: int = 1_000,
           step_ms: int = MIN) -> list[tuple[int, float]]:
    """One value per minute from T0 (+1 s); None leaves a gap."""
    return [(T0 + i * step_ms + offset_ms, v) for i, v in enumerate(values)
            if v is not None]


def replay(defn: al.Definition, data: dict[al.Metric, list],
           minutes: int = 30) -> tuple[al.Engine, list[al.Transition]]:
    source = al.MemorySource(data)
    engine = al.Engine([defn], new_id=iter(f'a{i}' for i in
                                           range(100)).__next__)
    first = {m: source.first_timestamp(m) for m in source.metrics}
    return engine, list(engine.run(source, first, T0, T0 + minutes * MIN))


def states(transitions: list[al.Transition]) -> list[tuple[float, str]]:
    return [((t.timestamp_ms - T0) / MIN, t.new_state) for t in transitions]


CPU = al.Metric.of('cpu', {'hostname': 'web1', 'service': 'web'})


def test_new_alarm_stays_undetermined_until_a_period_closed() -> None:
    # The first value breaches, but avg() decides only when its period
    # has closed (plus the 30 s alarm delay): the tick at +2 min.
    engine, out = replay(definition('avg(cpu) > 10'), {CPU: series(50)},
                         minutes=5)
    # ... and gives up two empty periods later (UNDETERMINED_COEFFICIENT).
    assert states(out) == [(2.0, 'ALARM'), (4.0, 'UNDETERMINED')]
    assert out[0].old_state == 'UNDETERMINED'
    source = al.MemorySource({CPU: series(50)})
    alarm = al.Engine([definition('avg(cpu) > 10')])
    alarm.observe(CPU, T0 + 1_000)
    assert alarm.step(T0 + 60_000, source) == []
    assert alarm.step(T0 + 90_000, source) == []        # delay not over
    (t,) = alarm.step(T0 + 90_001, source)
    assert t.new_state == 'ALARM'


def test_last_and_max_decide_on_arrival() -> None:
    for expression in ('last(cpu) > 10', 'max(cpu) > 10'):
        source = al.MemorySource({CPU: series(50)})
        engine = al.Engine([definition(expression)])
        engine.observe(CPU, T0 + 1_000)
        (t,) = engine.step(T0 + 2_000, source)
        assert t.new_state == 'ALARM', expression
    # max() > t cannot go OK early: a low value may still be followed by
    # a high one in the same period.
    source = al.MemorySource({CPU: series(1)})
    engine = al.Engine([definition('max(cpu) > 10')])
    engine.observe(CPU, T0 + 1_000)
    assert engine.step(T0 + 2_000, source) == []
    (t,) = engine.step(T0 + 2 * MIN, source)
    assert t.new_state == 'OK'


def test_times_and_gaps_follow_the_empty_window_patience() -> None:
    engine, out = replay(
        definition('avg(cpu{service=web}) < 10 times 3', ('hostname',),
                   alarm_actions=['pager']),
        {CPU: series(50, 50, 5, 5, 5, 5, 5, None, None, None, 80)})
    assert states(out) == [(2.0, 'OK'), (6.0, 'ALARM'), (12.0, 'OK'),
                           (20.0, 'UNDETERMINED')]
    fired = out[1]
    assert fired.actions == ('pager',)
    assert fired.match == {'hostname': 'web1'}
    assert fired.reason == (
        'Thresholds were exceeded for the sub-alarms: '
        'avg(cpu{service=web}) < 10.0 times 3 with the values: '
        '[5.0, 5.0, 5.0]')
    (sub,) = fired.sub_alarms
    assert [w.value for w in sub.windows] == [5.0, 5.0, 5.0]
    assert [(w.start_ms - T0) // MIN for w in sub.windows] == [2, 3, 4]
    assert out[3].reason == ('No data was present for the sub-alarms: '
                             'avg(cpu{service=web}) < 10.0 times 3')
    history = out[1].to_history()
    assert history['sub_alarms'][0]['current_values'] == [5.0, 5.0, 5.0]
    assert history['metrics'] == [{'name': 'cpu', 'id': None, 'dimensions':
                                   {'hostname': 'web1', 'service': 'web'}}]


def test_deterministic_starts_ok_and_goes_back_to_ok_without_data() -> None:
    engine, out = replay(definition('count(err, deterministic) > 2'),
                         {al.Metric.of('err'): series(
                             1, 1, 1, step_ms=10_000)})
    assert engine.alarms[0].state == 'OK'
    # count() > 2 alarms as soon as the third value is in (the first tick),
    # and the empty period after it is OK for a deterministic sub-alarm.
    assert states(out) == [(1.0, 'ALARM'), (3.0, 'OK')]
    assert out[0].old_state == 'OK'


def test_match_by_groups_and_a_missing_key_still_makes_an_alarm() -> None:
    a1 = al.Metric.of('disk', {'host': 'a', 'dev': 'sda'})
    a2 = al.Metric.of('disk', {'host': 'a', 'dev': 'sdb'})
    b = al.Metric.of('disk', {'host': 'b'})
    nohost = al.Metric.of('disk', {'dev': 'x'})
    engine = al.Engine([definition('max(disk) > 80', ('host',))])
    for i, metric in enumerate((a1, a2, b)):
        engine.observe(metric, T0 + i)
    groups = [(a.match, a.metrics) for a in engine.alarms]
    assert groups == [({'host': 'a'}, [a1, a2]), ({'host': 'b'}, [b])]
    (lone,) = engine.observe(nohost, T0 + 10)
    # No host value to compare: upstream's new alarm takes in every known
    # metric that agrees with it (all of them, until one sets the host).
    assert lone.metrics[0] == nohost
    assert lone.match == {'host': 'a'}
    assert engine.observe(nohost, T0 + 11) == []       # seen once


def test_a_missing_key_alone_makes_an_alarm() -> None:
    engine = al.Engine([definition('max(disk) > 80', ('host', 'dev'))])
    (alarm,) = engine.observe(al.Metric.of('disk', {'dev': 'sda'}), T0)
    assert alarm.match == {'dev': 'sda'}
    # Agrees on dev and lacks host: joins the same alarm.
    assert engine.observe(al.Metric.of('disk', {'dev': 'sda',
                                                'host': 'h'}), T0) == []
    assert len(alarm.metrics) == 2


def test_and_waits_for_every_sub_expression() -> None:
    engine = al.Engine([definition('max(a) > 1 and max(b) > 1', ('h',))])
    assert engine.observe(al.Metric.of('a', {'h': '1'}), T0) == []
    assert engine.observe(al.Metric.of('c', {'h': '1'}), T0) == []
    (alarm,) = engine.observe(al.Metric.of('b', {'h': '1'}), T0 + 5 * MIN)
    assert alarm.born_ms == T0 + 5 * MIN
    assert [m.name for m in alarm.metrics] == ['a', 'b']


def test_alarm_waits_for_every_sub_alarm_but_last() -> None:
    a, b = al.Metric.of('a'), al.Metric.of('b')
    source = al.MemorySource({a: series(5), b: series(0)})
    engine = al.Engine([definition('max(a) > 1 and avg(b) > 1')])
    engine.observe(a, T0)
    engine.observe(b, T0)
    # max(a) alarms at once, avg(b) has not reported: no transition yet.
    assert engine.step(T0 + 2_000, source) == []
    (t,) = engine.step(T0 + 2 * MIN, source)
    assert (t.old_state, t.new_state) == ('UNDETERMINED', 'OK')
    assert [s.state for s in t.sub_alarms] == ['ALARM', 'OK']


def test_actions_disabled_fire_nothing() -> None:
    _, out = replay(definition('max(cpu) > 1', actions_enabled=False,
                               alarm_actions=['x']), {CPU: series(5)},
                    minutes=2)
    assert [t.actions for t in out] == [()]


def test_state_survives_a_round_trip() -> None:
    defn = definition('avg(cpu) < 10 times 2')
    data = {CPU: series(5, 5, 50, None, None, None, None, None, 5, 5)}
    _, expected = replay(defn, data)
    source = al.MemorySource(data)
    engine = al.Engine([defn])
    got = []
    for at in al.cadence(T0, T0 + 30 * MIN):
        if at == T0 + 60_000:
            engine.observe(CPU, T0 + 1_000)
        (alarm,) = engine.alarms or (None,)
        if alarm is not None:
            clone = al.Alarm.from_dict(defn, alarm.id, list(alarm.metrics),
                                       alarm.state, alarm.to_dict(), 0)
            engine.alarms = [clone]
        got.extend(engine.step(at, source))
    assert states(got) == states(expected)
    assert len(expected) >= 3


def test_explain_shows_windows_empty_and_breaching() -> None:
    engine, _ = replay(definition('avg(cpu) < 10 times 3'),
                       {CPU: series(5, None, 50)}, minutes=1)
    (alarm,) = engine.alarms
    source = al.MemorySource({CPU: series(5, None, 50)})
    early = alarm.explain(T0 + 30_000, source)
    assert early.closed == (False,)
    late = alarm.explain(T0 + 4 * MIN, source)
    (sub,) = late.sub_alarms
    assert late.closed == (True,)
    assert [(w.value, w.breaching) for w in sub.windows] == [
        (5.0, True), (None, None), (50.0, False)]
    assert late.state == 'OK'
    gap = alarm.explain(T0 + 3 * MIN, source).sub_alarms[0]
    assert [w.value for w in gap.windows] == [None, 5.0, None]
    assert alarm.explain(T0 + 3 * MIN, source).state == 'UNDETERMINED'


def test_cadence_is_on_the_minute() -> None:
    assert list(al.cadence(T0 + 1, T0 + 2 * MIN)) == [T0 + MIN,
                                                       T0 + 2 * MIN]


@pytest.mark.parametrize('old, new, reason', [
    ('max(a) > 1', 'max(b) > 1', 'metrics in subexpression must not change'),
    ('max(a) > 1 and max(b) > 1', 'max(a) > 1 and max(c) > 1',
     'number of subexpressions must not change'),
    ('max(a) > 1', 'max(a) > 1 and max(b) > 1',
     'number of subexpressions must not change'),
    ('max(a{x=1}) > 1', 'max(a{x=2}) > 1',
     'metrics in subexpression must not change'),
])
def test_check_update_refuses_with_upstreams_reason(old: str, new: str,
                                                    reason: str) -> None:
    with pytest.raises(al.UpdateRefused, match=reason):
        al.check_update(expr_mod.parse(old), expr_mod.parse(new))


def test_check_update_accepts_threshold_and_function_changes() -> None:
    al.check_update(expr_mod.parse('max(a{x=1}) > 1 and min(b) < 2'),
                    expr_mod.parse('avg(a{x=1}, 120) > 5 and min(b) < 3'))


def test_redefine_carries_sub_alarms_by_metric_not_position() -> None:
    a, b = al.Metric.of('a'), al.Metric.of('b')
    old = definition('max(a) > 1 or avg(b) > 1')
    source = al.MemorySource({a: series(5, 5, 5), b: series(0, 0, 0)})
    engine = al.Engine([old])
    engine.observe(a, T0)
    engine.observe(b, T0)
    for at in al.cadence(T0, T0 + 2 * MIN):
        engine.step(at, source)
    (alarm,) = engine.alarms
    assert [s.state for s in alarm.subs] == ['ALARM', 'OK']
    # Swapped order, new threshold on b, new period on a.
    new = definition('avg(b) > 10 or max(a, 120) > 1')
    moved = alarm.redefine(new, T0 + 2 * MIN)
    assert [s.state for s in moved.subs] == ['OK', 'ALARM']
    assert all(s.no_state for s in moved.subs)
    assert moved.subs[0].view_end_ms == alarm.subs[1].view_end_ms
    assert moved.subs[1].view_end_ms == T0 + 4 * MIN
    assert moved.state == alarm.state == 'ALARM'

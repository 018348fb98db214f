"""The alarm evaluation engine: monasca-thresh's semantics, stdlib only.

The one place alarms are evaluated: the sandbox, ``alarm definition
test``/``backtest`` and ``alarm explain`` all use it. Import it lazily
(inside the function that needs it) from command modules. The rules, with
the monasca-thresh file each comes from, are in
``doc/source/reference/alarm-evaluation.rst``.

Pipeline: expression -> sub-alarms -> windows -> state.

Building blocks (all times are epoch milliseconds)::

    from monasca_osc import alarming as al

    definition = al.Definition.from_dict({
        'id': 'd1', 'name': 'cpu-high', 'match_by': ['hostname'],
        'expression': 'avg(cpu.idle_perc{service=web}, 60) < 10 times 3',
        'alarm_actions': ['pager']})
    source = al.MemorySource({
        al.Metric.of('cpu.idle_perc', {'hostname': 'web1',
                                       'service': 'web'}):
            [(t0 + i * 60_000, v) for i, v in enumerate(values)]})

Alarms from metrics (``match_by`` grouping, monasca-thresh's
AlarmCreationBolt): ``Engine.observe(metric, first_timestamp)`` hands the
engine each metric once, in the order they appear; it returns the alarms
that metric creates. A metric joins every existing alarm whose ``match_by``
values it agrees with (a key the metric lacks is simply not compared); a
metric that joins none makes a new alarm, which also takes in the known
metrics that agree with it (a metric with none of the keys agrees with
every metric, so its alarm gathers them all, as upstream's does). An
alarm is created ("born") only once each sub-expression has a metric, at
the first timestamp of the metric that completed it; only measurements
from its birth minute on count. ``AlarmMatcher`` does this for one
definition, if you need the grouping without evaluation.

Stepping (monasca-thresh's cadence): ``Engine.step(at, source)`` evaluates
every alarm at instant ``at`` and returns the ``Transition`` objects it
causes. monasca-thresh ticks every minute (``cadence(start, end)`` gives
those instants); a step evaluates a sub-alarm's view only when it closed
at least ``ALARM_DELAY_MS`` (30 s) before ``at``, and only data with a
timestamp at or before ``at`` is seen. ``Engine.run(source, first_seen,
start, end)`` is "evaluate these definitions over these series from T0 to
T1 and give me every transition": it observes each metric at its first
timestamp and steps at the cadence::

    first_seen = {m: source.first_timestamp(m) for m in source.metrics}
    engine = al.Engine([definition])
    for t in engine.run(source, first_seen, t0, t1):
        print(t.timestamp_ms, t.match, t.old_state, '->', t.new_state,
              t.reason, t.actions)

A ``Transition`` holds: ``alarm_id``, ``definition_id``, ``timestamp_ms``
(the step instant), ``old_state``/``new_state``, ``reason`` (monasca-thresh's
wording), ``match`` (the alarm's ``match_by`` values), ``metrics``,
``sub_alarms`` (one ``SubAlarmReport`` per sub-expression: its state, the
``current_values`` monasca-thresh reports, and ``windows``: the view it
looked at in this step, each ``Window(start_ms, end_ms, value, breaching)``
with ``value`` None for an empty window) and ``actions`` (the definition's
notification names or ids for the new state, empty when actions are
disabled). ``to_history()`` gives the state-history element;
``to_dict()`` a JSON-ready form.

Explaining: ``Alarm.explain(at, source)`` returns an ``Explanation``: per
sub-expression the windows a regular cadence evaluates at ``at`` (values,
which are empty, which breach, whether that view has closed) and the state
they decide (an empty window counts as UNDETERMINED for a
non-deterministic sub-expression).

Data sources: subclass ``DataSource`` and implement
``measurements(metrics, start_ms, end_ms)`` (``last`` has a default);
``MemorySource`` holds series in memory. The sandbox has one over its
SQLite store.

Persisting: ``Alarm.to_dict()`` is the engine state of an alarm (birth,
per sub-alarm: state, whether it has reported, pending view end,
empty-window observations, reported values); ``Alarm.from_dict`` rebuilds
it. Definition changes: ``check_update(old, new)`` raises ``UpdateRefused``
with monasca-api's reason.
"""

from __future__ import annotations

from monasca_osc.alarming.alarm import Alarm, AlarmMatcher, Explanation
from monasca_osc.alarming.engine import Engine, cadence
from monasca_osc.alarming.model import (
    ALARM,
    ALARM_DELAY_MS,
    OK,
    TICK_MS,
    UNDETERMINED,
    AlarmGroup,
    Definition,
    Metric,
    SubAlarmReport,
    Transition,
    UpdateRefused,
    Window,
    check_update,
    state_change_reason,
)
from monasca_osc.alarming.sources import DataSource, MemorySource

__all__ = [
    'ALARM', 'ALARM_DELAY_MS', 'OK', 'TICK_MS', 'UNDETERMINED', 'Alarm',
    'AlarmGroup', 'AlarmMatcher', 'DataSource', 'Definition', 'Engine',
    'Explanation', 'MemorySource', 'Metric', 'SubAlarmReport', 'Transition',
    'UpdateRefused', 'Window', 'cadence', 'check_update',
    'state_change_reason',
]

"""The commands' one door into the evaluation engine.

``replay_series`` runs ``monasca_osc.alarming.Engine`` over in-memory
series (a test file), ``replay_group`` over one alarm's streamed
measurements (a backtest); both step at monasca-thresh's cadence and keep
every transition. ``explanation`` turns the engine's ``Explanation`` into
the documented ``-f json`` structure (``doc/source/reference/
alarm-explain.rst``). Nothing here decides a state: the engine does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
import datetime as _dt
import itertools
from typing import Any

from monasca_osc import alarming as al
from monasca_osc.common import expression as expr_mod
from monasca_osc.common import timeutil

__all__ = ['AlarmReplay', 'replay_series', 'replay_group', 'explanation',
           'iso', 'lookback_ms']


def iso(ms: int) -> str:
    moment = _dt.datetime.fromtimestamp(ms / 1000, _dt.UTC)
    return timeutil.format_iso(moment, milliseconds=bool(ms % 1000))


def lookback_ms(expression: expr_mod.Expression) -> int:
    """How far before a replay's start the windows of its first steps
    reach: the longest sub-expression view plus the engine's future
    slots and alarm delay."""
    return max((s.period * (s.periods + al.model.FUTURE_SLOTS) * 1000
                for s in expression.sub_expressions), default=0) \
        + al.ALARM_DELAY_MS + al.TICK_MS


@dataclass
class AlarmReplay:
    """One alarm of a replay: the engine's alarm and its transitions."""

    alarm: al.Alarm
    transitions: list[al.Transition]
    source: al.DataSource

    @property
    def key(self) -> dict[str, str]:
        return self.alarm.match

    @property
    def created_ms(self) -> int:
        return self.alarm.born_ms

    @property
    def initial_state(self) -> str:
        if self.transitions:
            return self.transitions[0].old_state
        return self.alarm.state

    def last_transition(self, at_ms: int) -> al.Transition | None:
        found = None
        for transition in self.transitions:
            if transition.timestamp_ms > at_ms:
                break
            found = transition
        return found

    def state_at(self, at_ms: int) -> str:
        last = self.last_transition(at_ms)
        return last.new_state if last is not None else self.initial_state

    def explain(self, at_ms: int, **extra: Any) -> dict[str, Any]:
        """The documented explanation of this alarm at ``at``."""
        return explanation(self.alarm.definition,
                           self.alarm.explain(at_ms, self.source), self.key,
                           **extra)


def _ids() -> Any:
    counter = itertools.count(1)
    return lambda: f'alarm-{next(counter)}'


def replay_series(definition: Mapping[str, Any], series: Sequence[Any],
                  start_ms: int, end_ms: int) -> list[AlarmReplay]:
    """Every alarm of ``definition`` over test-file series, with its
    transitions from ``start`` to ``end`` (inclusive)."""
    engine_def = al.Definition.from_dict(definition)
    source = al.MemorySource()
    for one in series:
        if one.points:
            source.extend(al.Metric.of(one.name, one.dimensions), one.points)
    first_seen = {m: source.first_timestamp(m) for m in source.metrics}
    engine = al.Engine([engine_def], new_id=_ids())
    transitions = list(engine.run(source, first_seen, start_ms, end_ms))
    return [AlarmReplay(alarm, [t for t in transitions
                                if t.alarm_id == alarm.id], source)
            for alarm in engine.alarms]


def replay_group(definition: al.Definition, source: Any,
                 start_ms: int, end_ms: int
                 ) -> Iterator[tuple[al.Alarm, al.Transition | None]]:
    """One streamed group's replay: (alarm, transition) as they happen.

    ``source`` is a ``streams.CursorSource``; its metrics are observed at
    their first timestamps. A ``None`` transition marks an alarm's birth.
    """
    first_seen = {m: ts for m in source.metrics
                  if (ts := source.first_timestamp(m)) is not None}
    engine = al.Engine([definition], new_id=_ids())
    known: set[str] = set()
    for transition in engine.run(source, first_seen, start_ms, end_ms):
        for alarm in engine.alarms:
            if alarm.id not in known:
                known.add(alarm.id)
                yield alarm, None
        owner = next(a for a in engine.alarms if a.id == transition.alarm_id)
        yield owner, transition
    for alarm in engine.alarms:
        if alarm.id not in known:
            yield alarm, None


# -- the documented explanation structure ------------------------------------
def _sub_node(report: al.SubAlarmReport, closed: bool) -> dict[str, Any]:
    sub = report.sub_expression
    return {
        'sub_expression': sub.expression,
        'function': sub.function, 'metric': sub.metric_name,
        'dimensions': sub.dimensions_dict, 'operator': sub.operator,
        'threshold': sub.threshold, 'period': sub.period,
        'periods': sub.periods, 'deterministic': sub.deterministic,
        'state': report.state, 'view_closed': closed,
        'current_values': list(report.current_values),
        'windows': [{'start': iso(w.start_ms), 'end': iso(w.end_ms),
                     'value': w.value, 'breaches': w.breaching}
                    for w in report.windows],
    }


def _tree(node: expr_mod.Node, subs: Sequence[expr_mod.SubExpression],
          nodes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    if isinstance(node, expr_mod.SubExpression):
        return nodes[next(i for i, s in enumerate(subs) if s is node)]
    return {'op': node.op,
            'operands': [_tree(child, subs, nodes)
                         for child in node.operands]}


def explanation(definition: al.Definition, result: al.Explanation,
                match: Mapping[str, str], *, title: str | None = None,
                stored_state: str | None = None,
                notifications: list[dict[str, Any]] | None = None
                ) -> dict[str, Any]:
    """The ``-f json`` structure of an explanation."""
    subs = definition.expression.sub_expressions
    nodes = [_sub_node(r, c) for r, c in
             zip(result.sub_alarms, result.closed, strict=True)]
    empty = [f"{n['sub_expression']}: {w['start']} .. {w['end']}"
             for n in nodes if n['state'] == al.UNDETERMINED
             for w in n['windows'] if w['value'] is None]
    if not empty:
        empty = [f"{n['sub_expression']}: no measurement yet"
                 for n in nodes if n['state'] == al.UNDETERMINED
                 and not n['windows']]
    data: dict[str, Any] = {
        'title': title,
        'definition': {'id': definition.id, 'name': definition.name,
                       'expression': definition.expression.text,
                       'match_by': list(definition.match_by)},
        'alarm': {'id': result.alarm_id, 'match': dict(match)},
        'at': iso(result.at_ms),
        'state': result.state,
        'stored_state': stored_state,
        'agrees': None if stored_state is None
        else stored_state == result.state,
        'undetermined_by': empty if result.state == al.UNDETERMINED else [],
        'expression': _tree(definition.expression.tree, subs, nodes),
    }
    if notifications is not None:
        data['actions'] = {
            'state': result.state,
            'actions_enabled': definition.actions_enabled,
            'notifications': notifications}
    return data

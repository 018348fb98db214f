"""Alarms: which metrics make one (match_by), and its state machine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from monasca_osc.alarming import model
from monasca_osc.alarming import subalarm as sa
from monasca_osc.alarming.model import (
    AlarmGroup,
    Definition,
    Metric,
    SubAlarmReport,
    Transition,
)
from monasca_osc.alarming.sources import DataSource
from monasca_osc.common.expression import SubExpression


def fits_sub_expression(sub: SubExpression, metric: Metric) -> bool:
    return sub.matches(metric.name, metric.dimensions)


class AlarmMatcher:
    """monasca-thresh's AlarmCreationBolt for one definition.

    ``add(metric, at)`` is called once per metric that feeds the
    definition, in the order the metrics appear. A metric joins every
    existing alarm it fits; otherwise it completes (or starts) a waiting
    alarm, which becomes a real alarm, born at ``at``, once each
    sub-expression has a metric.
    """

    def __init__(self, definition: Definition,
                 existing: Sequence[AlarmGroup] = ()) -> None:
        self.definition = definition
        self.alarms: list[AlarmGroup] = []
        self.waiting: list[AlarmGroup] = []
        # metric -> the alarms (created ones) holding it
        self.placed: dict[Metric, list[AlarmGroup]] = {}
        for group in existing:
            self.alarms.append(group)
            for metric in group.metrics:
                self.placed.setdefault(metric, []).append(group)

    def _join(self, group: AlarmGroup, metric: Metric) -> None:
        group.metrics.append(metric)
        self.placed.setdefault(metric, []).append(group)

    def fits(self, group: AlarmGroup, metric: Metric) -> bool:
        """metricFitsInAlarm."""
        wanted = group.match_values(self.definition.match_by)
        dims = metric.dimensions
        result = False
        for sub in self.definition.expression.sub_expressions:
            if not fits_sub_expression(sub, metric):
                continue
            result = True
            if wanted:
                found = False
                for key, value in wanted.items():
                    if key in dims:
                        if dims[key] != value:
                            return False
                        found = True
                if not found:
                    return False
        return result

    def complete(self, group: AlarmGroup) -> bool:
        return all(any(fits_sub_expression(sub, m) for m in group.metrics)
                   for sub in self.definition.expression.sub_expressions)

    def add(self, metric: Metric, at_ms: int
            ) -> tuple[list[AlarmGroup], list[AlarmGroup]]:
        """Place a metric; returns (alarms it joined, alarms it created)."""
        if not self.definition.feeds(metric):
            return [], []
        if metric in self.placed or any(metric in g.metrics
                                        for g in self.waiting):
            return [], []
        if self.definition.match_by:
            joined = [g for g in self.alarms if self.fits(g, metric)]
        else:
            joined = self.alarms[:1]
        if joined:
            for group in joined:
                self._join(group, metric)
            return joined, []
        created = []
        waiting = [g for g in self.waiting if self.fits(g, metric)]
        if not waiting:
            group = AlarmGroup([metric], at_ms)
            for other in self.alarms:
                for known in other.metrics:
                    if known not in group.metrics and \
                            self.fits(group, known):
                        group.metrics.append(known)
            if self.complete(group):
                created.append(group)
            else:
                self.waiting.append(group)
        else:
            for group in waiting:
                group.metrics.append(metric)
                if self.complete(group):
                    self.waiting = [g for g in self.waiting
                                    if g is not group]
                    group.born_ms = at_ms
                    created.append(group)
        for group in created:
            self.alarms.append(group)
            for known in group.metrics:
                self.placed.setdefault(known, []).append(group)
        return [], created


@dataclass
class Explanation:
    """Why an alarm is (or would be) in a state at an instant."""

    alarm_id: str
    at_ms: int
    state: str                                # what the windows decide
    sub_alarms: tuple[SubAlarmReport, ...]
    closed: tuple[bool, ...]                  # per sub: view already closed

    def to_dict(self) -> dict[str, Any]:
        return {'alarm_id': self.alarm_id, 'at': self.at_ms,
                'state': self.state,
                'sub_alarms': [dict(s.to_dict(), view_closed=c) for s, c in
                               zip(self.sub_alarms, self.closed,
                                   strict=True)]}


class Alarm:
    """One alarm of a definition: metrics, sub-alarm states, state."""

    def __init__(self, definition: Definition, alarm_id: str,
                 group: AlarmGroup, state: str | None = None,
                 subs: Sequence[sa.SubAlarmState] | None = None) -> None:
        self.definition = definition
        self.id = alarm_id
        self.group = group
        subexprs = definition.expression.sub_expressions
        self.state = state or sa.default_state(definition.deterministic)
        self.subs = list(subs) if subs is not None else [
            sa.SubAlarmState.new(s, group.born_ms) for s in subexprs]

    # -- data ---------------------------------------------------------
    @property
    def metrics(self) -> list[Metric]:
        return self.group.metrics

    @property
    def born_ms(self) -> int:
        return self.group.born_ms

    @property
    def match(self) -> dict[str, str]:
        return self.group.match_values(self.definition.match_by)

    def sub_metrics(self, sub: SubExpression) -> list[Metric]:
        return [m for m in self.metrics if fits_sub_expression(sub, m)]

    def to_dict(self) -> dict[str, Any]:
        """The engine state to persist (with the alarm's state)."""
        return {'born': self.born_ms,
                'sub_alarms': [s.to_dict() for s in self.subs]}

    @classmethod
    def from_dict(cls, definition: Definition, alarm_id: str,
                  metrics: list[Metric], state: str, data: Any,
                  born_ms: int) -> Alarm:
        """Rebuild from ``to_dict()`` (older or foreign data: defaults)."""
        if not isinstance(data, dict):
            data = {}
        born = int(data.get('born') or born_ms)
        subexprs = definition.expression.sub_expressions
        stored = data.get('sub_alarms') or []
        if len(stored) != len(subexprs):
            stored = [{} for _ in subexprs]
        subs = [sa.SubAlarmState.from_dict(d, s, born)
                for d, s in zip(stored, subexprs, strict=True)]
        return cls(definition, alarm_id, AlarmGroup(metrics, born), state,
                   subs)

    def redefine(self, definition: Definition, at_ms: int) -> Alarm:
        """This alarm under a changed definition (monasca-api allowed it).

        Each new sub-expression takes over the sub-alarm of the old one it
        replaces (equal, or the same metric and dimensions, as monasca-api
        pairs them) and reports again at its next decision
        (SubAlarmStats.updateSubAlarm); when its function, period or
        periods changed, its window restarts at ``at`` (isCompatible).
        """
        old = list(zip(self.definition.expression.sub_expressions, self.subs,
                       strict=True))
        subs = []
        for sub in definition.expression.sub_expressions:
            match = next((i for i, (o, _) in enumerate(old) if o == sub),
                         None)
            if match is None:
                match = next((i for i, (o, _) in enumerate(old)
                              if o.metric_key == sub.metric_key), None)
            if match is None:
                subs.append(sa.SubAlarmState.new(sub, at_ms))
                continue
            before, st = old.pop(match)
            st.no_state = True
            st.closed = {}
            if (before.function, before.period, before.periods) != \
                    (sub.function, sub.period, sub.periods):
                st.view_end_ms = sa.first_view_end(sub, at_ms)
                st.empty_observations = 0
            subs.append(st)
        return Alarm(definition, self.id, self.group, self.state, subs)

    # -- evaluation ---------------------------------------------------
    def _reports(self, views: Sequence[list]) -> tuple[SubAlarmReport, ...]:
        return tuple(
            SubAlarmReport(sub, st.state, tuple(st.values), tuple(view))
            for sub, st, view in zip(self.definition.expression
                                     .sub_expressions, self.subs, views,
                                     strict=True))

    def step(self, at_ms: int, source: DataSource,
             delay_ms: int = model.ALARM_DELAY_MS) -> Transition | None:
        """Evaluate at ``at``; the transition it causes, if any."""
        if at_ms < self.born_ms:
            return None
        since = model.floor_minute(self.born_ms)
        sent = False
        views = []
        for sub, st in zip(self.definition.expression.sub_expressions,
                           self.subs, strict=True):
            result = sa.step(sub, st, self.sub_metrics(sub), source, at_ms,
                             since, delay_ms)
            sent = sent or result.sent
            views.append(result.view)
        if not sent:
            return None
        # AlarmThresholdingBolt waits for every sub-alarm but last() ones.
        if any(st.no_state and not sa.only_immediate(sub)
               for sub, st in zip(self.definition.expression
                                  .sub_expressions, self.subs, strict=True)):
            return None
        new_state = self.definition.expression.evaluate(
            [st.state for st in self.subs])
        if new_state == self.state:
            return None
        old_state, self.state = self.state, new_state
        reports = self._reports(views)
        return Transition(
            alarm_id=self.id, definition_id=self.definition.id,
            timestamp_ms=at_ms, old_state=old_state, new_state=new_state,
            reason=model.state_change_reason(new_state, reports),
            match=self.match, metrics=tuple(self.metrics),
            sub_alarms=reports,
            actions=self.definition.actions_for(new_state))

    def explain(self, at_ms: int, source: DataSource,
                delay_ms: int = model.ALARM_DELAY_MS) -> Explanation:
        """The windows a regular cadence evaluates at ``at``, their values
        and the state they decide (without the empty-window patience of
        non-deterministic sub-alarms: an empty window means UNDETERMINED).
        """
        since = model.floor_minute(self.born_ms)
        reports, closed, states = [], [], []
        for sub in self.definition.expression.sub_expressions:
            metrics = self.sub_metrics(sub)
            if sa.only_immediate(sub):
                newest = source.last(metrics, since, at_ms + 1) \
                    if metrics else None
                values: tuple[float, ...] = ()
                state = sa.default_state(sub.deterministic)
                if newest is not None:
                    values = (newest[1],)
                    state = model.ALARM if sub.compare(newest[1]) else 'OK'
                reports.append(SubAlarmReport(sub, state, values))
                closed.append(newest is not None)
                states.append(state)
                continue
            end, is_closed = sa.view_end_at(sub, self.born_ms, at_ms,
                                            delay_ms)
            view = sa.window_values(sub, metrics, source, end, sub.periods,
                                    since, at_ms)
            present = [w.value for w in view if w.value is not None]
            if any(w.breaching is False for w in view):
                state = 'OK'
            elif len(present) == len(view):
                state = model.ALARM
            else:
                state = sa.default_state(sub.deterministic)
            reports.append(SubAlarmReport(sub, state, tuple(present),
                                          tuple(view)))
            closed.append(is_closed)
            states.append(state)
        overall = self.definition.expression.evaluate(states)
        return Explanation(self.id, at_ms, overall, tuple(reports),
                           tuple(closed))


__all__ = ['Alarm', 'AlarmMatcher', 'Explanation']

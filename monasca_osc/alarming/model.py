"""Value types of the alarm engine: metrics, definitions, transitions.

Everything here is plain data (no evaluation); times are epoch
milliseconds. ``Transition.to_history()`` gives the element of
``GET /v2.0/alarms/state-history`` a transition is stored as.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from monasca_osc.common import expression as expr_mod
from monasca_osc.common.definition import DefinitionOptions

OK = 'OK'
ALARM = 'ALARM'
UNDETERMINED = 'UNDETERMINED'

#: monasca-thresh's defaults (ThresholdingConfiguration.alarmDelay,
#: MetricAggregationBolt's tick, SubAlarmStats' constants).
ALARM_DELAY_MS = 30_000
TICK_MS = 60_000
FUTURE_SLOTS = 2
UNDETERMINED_COEFFICIENT = 2
MINUTE_MS = 60_000


def floor_minute(ts_ms: int) -> int:
    """monasca-thresh keeps whole seconds rounded down to the minute."""
    return ts_ms - ts_ms % MINUTE_MS


class Metric(NamedTuple):
    """A metric definition: name and (sorted) dimensions; hashable."""

    name: str
    dims: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, name: str, dimensions: Mapping[str, str] | None = None
           ) -> Metric:
        return cls(name, tuple(sorted((dimensions or {}).items())))

    @property
    def dimensions(self) -> dict[str, str]:
        return dict(self.dims)

    def to_dict(self) -> dict[str, Any]:
        return {'name': self.name, 'dimensions': self.dimensions}


@dataclass(frozen=True)
class Definition(DefinitionOptions):
    """What the engine needs from an alarm definition."""

    id: str
    name: str
    expression: expr_mod.Expression

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Definition:
        """From an API object (``expression`` text); raises ExpressionError.
        """
        def names(key: str) -> tuple[str, ...]:
            return tuple(data.get(key) or ())

        return cls(
            id=str(data.get('id') or data.get('name') or ''),
            name=str(data.get('name') or ''),
            expression=expr_mod.parse(data['expression']),
            match_by=tuple(data.get('match_by') or ()),
            severity=str(data.get('severity') or 'LOW').upper(),
            actions_enabled=bool(data.get('actions_enabled', True)),
            alarm_actions=names('alarm_actions'),
            ok_actions=names('ok_actions'),
            undetermined_actions=names('undetermined_actions'))

    @property
    def deterministic(self) -> bool:
        return self.expression.deterministic

    def actions_for(self, state: str) -> tuple[str, ...]:
        """The notifications a transition into ``state`` sends."""
        if not self.actions_enabled:
            return ()
        return {ALARM: self.alarm_actions, OK: self.ok_actions,
                UNDETERMINED: self.undetermined_actions}[state]

    def feeds(self, metric: Metric) -> bool:
        """Does ``metric`` feed some sub-expression (AlarmCreationBolt)?"""
        dims = metric.dimensions
        return any(s.matches(metric.name, dims)
                   for s in self.expression.sub_expressions)


@dataclass(frozen=True)
class Window:
    """One period of a sub-alarm's view: ``start <= ts < end``."""

    start_ms: int
    end_ms: int
    value: float | None              # None: no measurement (empty window)
    breaching: bool | None           # None when empty

    def to_dict(self) -> dict[str, Any]:
        return {'start': self.start_ms, 'end': self.end_ms,
                'value': self.value, 'breaching': self.breaching}


@dataclass(frozen=True)
class SubAlarmReport:
    """A sub-alarm as a transition or an explanation sees it."""

    sub_expression: expr_mod.SubExpression
    state: str
    current_values: tuple[float, ...]
    windows: tuple[Window, ...] = ()

    def to_history(self) -> dict[str, Any]:
        return {'sub_alarm_expression': self.sub_expression.to_dict(),
                'sub_alarm_state': self.state,
                'current_values': list(self.current_values)}

    def to_dict(self) -> dict[str, Any]:
        data = self.to_history()
        data['expression'] = self.sub_expression.expression
        data['windows'] = [w.to_dict() for w in self.windows]
        return data


@dataclass(frozen=True)
class Transition:
    """One alarm state change, as monasca-thresh would publish it."""

    alarm_id: str
    definition_id: str
    timestamp_ms: int
    old_state: str
    new_state: str
    reason: str
    match: dict[str, str]                       # the alarm's match_by values
    metrics: tuple[Metric, ...]
    sub_alarms: tuple[SubAlarmReport, ...]
    actions: tuple[str, ...] = ()               # fired by this transition

    def to_history(self) -> dict[str, Any]:
        """The state-history element (without id and timestamp text)."""
        return {
            'alarm_id': self.alarm_id,
            'old_state': self.old_state, 'new_state': self.new_state,
            'reason': self.reason, 'reason_data': '{}',
            'metrics': [dict(m.to_dict(), id=None) for m in self.metrics],
            'sub_alarms': [s.to_history() for s in self.sub_alarms],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            'alarm_id': self.alarm_id, 'definition_id': self.definition_id,
            'timestamp': self.timestamp_ms, 'old_state': self.old_state,
            'new_state': self.new_state, 'reason': self.reason,
            'match': dict(self.match),
            'metrics': [m.to_dict() for m in self.metrics],
            'sub_alarms': [s.to_dict() for s in self.sub_alarms],
            'actions': list(self.actions),
        }


def state_change_reason(state: str, subs: Iterable[SubAlarmReport]) -> str:
    """Alarm.buildStateChangeReason: the sub-alarms in ``state``."""
    parts = []
    for sub in subs:
        if sub.state != state:
            continue
        text = sub.sub_expression.expression
        if state != UNDETERMINED:
            text += f' with the values: {list(sub.current_values)}'
        parts.append(text)
    joined = ', '.join(parts)
    if state == UNDETERMINED:
        return f'No data was present for the sub-alarms: {joined}'
    if state == ALARM:
        return f'Thresholds were exceeded for the sub-alarms: {joined}'
    return ('The alarm threshold(s) have not been exceeded for the '
            f'sub-alarms: {joined}')


class UpdateRefused(ValueError):
    """A definition change monasca-api refuses (422 InvalidUpdateException).
    """


def _sub_key(sub: expr_mod.SubExpression) -> tuple:
    # SubAlarmDefinition.__eq__: every field but the id; threshold as float.
    return (sub.function, sub.metric_name, frozenset(sub.dimensions),
            sub.operator, float(sub.threshold), sub.period, sub.periods,
            sub.deterministic)


def check_update(old: expr_mod.Expression, new: expr_mod.Expression,
                 old_match_by: Sequence[str] | None = None,
                 new_match_by: Sequence[str] | None = None) -> None:
    """Refuse a definition change as monasca-api's SQL repository does.

    Sub-expressions equal in every field are unchanged; of the rest, an
    old and a new one with the same metric name and dimensions are a
    change. Anything left over (an old one removed or a new one added) is
    refused: ``number of subexpressions must not change`` unless the number
    of new sub-expressions (all of them) equals the number of removed old
    ones, then ``metrics in subexpression must not change``.
    """
    if old_match_by is not None and new_match_by is not None and \
            list(old_match_by) != list(new_match_by):
        raise UpdateRefused('match_by must not change')
    old_set = {_sub_key(s): s for s in old.sub_expressions}
    new_set = {_sub_key(s): s for s in new.sub_expressions}
    old_only = [k for k in old_set if k not in new_set]
    new_only = [k for k in new_set if k not in old_set]
    paired_old: set[tuple] = set()
    paired_new: set[tuple] = set()
    for o in old_only:
        for n in new_only:
            if o[1:3] == n[1:3]:
                paired_old.add(o)
                paired_new.add(n)
    changed = len(paired_old)
    removed = [k for k in old_only if k not in paired_old]
    added = [k for k in new_only if k not in paired_new]
    if not removed and not added:
        return
    unchanged = len(old_set) - len(old_only)
    new_count = len(added) + changed + unchanged
    if new_count != len(removed):
        raise UpdateRefused('number of subexpressions must not change')
    raise UpdateRefused('metrics in subexpression must not change')


@dataclass(eq=False)
class AlarmGroup:
    """An alarm's membership: the metrics that feed it (AlarmCreationBolt).
    """

    metrics: list[Metric] = field(default_factory=list)
    born_ms: int = 0
    id: str = ''                     # the caller's alarm id, if any

    def match_values(self, match_by: Sequence[str]) -> dict[str, str]:
        """getMatchesByValues: match_by keys present in its metrics."""
        values: dict[str, str] = {}
        for metric in self.metrics:
            dims = metric.dimensions
            for key in match_by:
                if key in dims:
                    values[key] = dims[key]
        return values

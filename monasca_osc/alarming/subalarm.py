"""One sub-alarm: its sliding window and the state it reports.

A faithful, stateless-data rendering of monasca-thresh's SubAlarmStats
over monasca-common's SlidingWindowStats (see the package docstring for
the rules). The window is not a buffer of values: at each step the engine
asks the data source for the measurements the window covers, so a
sub-alarm's state is only the handful of fields of ``SubAlarmState``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from monasca_osc.alarming.model import (
    ALARM,
    FUTURE_SLOTS,
    OK,
    UNDETERMINED,
    UNDETERMINED_COEFFICIENT,
    Metric,
    Window,
    floor_minute,
)
from monasca_osc.alarming.sources import DataSource
from monasca_osc.common.expression import SubExpression


def default_state(deterministic: bool) -> str:
    """SubAlarm.getDefaultState: OK when deterministic, else UNDETERMINED."""
    return OK if deterministic else UNDETERMINED


def only_immediate(sub: SubExpression) -> bool:
    """``last()`` is evaluated on arrival only, never on its window."""
    return sub.function == 'LAST'


# Operators a function can only move towards (SubAlarm): min never grows,
# max and count never shrink within a window.
_TOWARDS = {'MIN': ('LT', 'LTE'), 'MAX': ('GT', 'GTE'),
            'COUNT': ('GT', 'GTE')}


def alarms_immediately(sub: SubExpression) -> bool:
    """canEvaluateAlarmImmediately: a breach cannot be undone."""
    return sub.function == 'LAST' or \
        sub.operator in _TOWARDS.get(sub.function, ())


def oks_immediately(sub: SubExpression) -> bool:
    """canEvaluateOkImmediately: a non-breach cannot be undone."""
    return sub.function == 'LAST' or (
        sub.function in _TOWARDS
        and sub.operator not in _TOWARDS[sub.function])


def empty_window_threshold(sub: SubExpression) -> int:
    """Empty evaluations before a non-deterministic sub-alarm gives up."""
    minutes = 1 if sub.period < 60 else sub.period // 60
    return minutes * sub.periods * UNDETERMINED_COEFFICIENT


def first_view_end(sub: SubExpression, born_ms: int) -> int:
    """The view of a new sub-alarm ends one period after its birth."""
    return floor_minute(born_ms + sub.period * 1000)


def aggregate_values(function: str, values: Sequence[float]
                     ) -> float | None:
    """A window's value (every function but ``last``, which has none)."""
    if not values:
        return None
    if function == 'COUNT':
        return float(len(values))
    if function == 'SUM':
        return float(sum(values))
    if function == 'AVG':
        return sum(values) / len(values)
    if function == 'MIN':
        return min(values)
    if function == 'MAX':
        return max(values)
    raise ValueError(f'{function} is not a window function')


@dataclass
class SubAlarmState:
    """What a sub-alarm remembers between steps (JSON-serialisable)."""

    state: str
    no_state: bool = True            # has not reported a state yet
    view_end_ms: int = 0             # end (exclusive) of the pending view
    empty_observations: int = 0
    values: list[float] = field(default_factory=list)  # last reported
    # Values of closed windows (start ms -> value), never persisted: a
    # window whose end is at or before the step sees no more data (data
    # counts from its timestamp), so a replay computes it once.
    closed: dict[int, float | None] = field(
        default_factory=dict, repr=False, compare=False)

    @classmethod
    def new(cls, sub: SubExpression, born_ms: int) -> SubAlarmState:
        return cls(default_state(sub.deterministic),
                   view_end_ms=first_view_end(sub, born_ms))

    def to_dict(self) -> dict[str, Any]:
        return {'state': self.state, 'no_state': self.no_state,
                'view_end': self.view_end_ms,
                'empty_observations': self.empty_observations,
                'current_values': list(self.values)}

    @classmethod
    def from_dict(cls, data: dict[str, Any], sub: SubExpression,
                  born_ms: int) -> SubAlarmState:
        return cls(
            state=data.get('state') or default_state(sub.deterministic),
            no_state=bool(data.get('no_state', False)),
            view_end_ms=int(data.get('view_end')
                            or first_view_end(sub, born_ms)),
            empty_observations=int(data.get('empty_observations', 0)),
            values=[float(v) for v in data.get('current_values') or []])


def window_values(sub: SubExpression, metrics: Sequence[Metric],
                  source: DataSource, view_end_ms: int, slots: int,
                  since_ms: int, at_ms: int,
                  closed: dict[int, float | None] | None = None
                  ) -> list[Window]:
    """``slots`` windows starting ``periods`` periods before the view end.

    Only measurements at or after ``since_ms`` (the alarm's birth minute)
    and at or before ``at_ms`` (not yet arrived otherwise) count. With
    ``closed``, the values of windows ended by ``at`` are kept there and
    not asked of the source again.
    """
    width = sub.period * 1000
    start = view_end_ms - sub.periods * width
    known: list[float | None] = []
    if closed is not None:
        for key in [k for k in closed if k < start]:
            del closed[key]
        while len(known) < slots and start + len(known) * width in closed:
            known.append(closed[start + len(known) * width])
    first = start + len(known) * width
    end = start + slots * width
    low, high = max(first, since_ms), min(end, at_ms + 1)
    buckets: list[list[float]] = [[] for _ in range(slots - len(known))]
    if metrics and low < high:
        buckets = source.bucketed(metrics, first, width, len(buckets), low,
                                  high)
    values = known + [aggregate_values(sub.function, b) for b in buckets]
    windows = []
    for i, value in enumerate(values):
        w_start = start + i * width
        if closed is not None and i >= len(known) and \
                w_start + width <= at_ms + 1:
            closed[w_start] = value
        windows.append(Window(
            w_start, w_start + width, value,
            None if value is None else sub.compare(value)))
    return windows


@dataclass
class StepResult:
    sent: bool                       # the sub-alarm reported a state
    view: list[Window]               # the view it looked at (may be [])


def step(sub: SubExpression, st: SubAlarmState, metrics: Sequence[Metric],
         source: DataSource, at_ms: int, since_ms: int,
         delay_ms: int) -> StepResult:
    """evaluateAndSlideWindow at ``at_ms``; mutates ``st``."""
    due = at_ms > st.view_end_ms + delay_ms
    new_state: str | None = None
    values: list[float] = []
    view: list[Window] = []
    immediate = False
    if only_immediate(sub):
        newest = source.last(metrics, since_ms, at_ms + 1) if metrics \
            else None
        if newest is not None:
            value = newest[1]
            new_state = ALARM if sub.compare(value) else OK
            values, immediate = [value], True
    else:
        every = window_values(sub, metrics, source, st.view_end_ms,
                              sub.periods + FUTURE_SLOTS, since_ms, at_ms,
                              st.closed)
        view = every[:sub.periods]
        if alarms_immediately(sub):
            run = _breaching_run(every, sub.periods)
            if run:
                new_state, values, immediate = ALARM, run, True
        if new_state is None and oks_immediately(sub):
            ok = next((w.value for w in every if w.breaching is False),
                      None)
            if ok is not None:
                new_state, values, immediate = OK, [ok], True
        if new_state is None and due:
            new_state, values = _judge_view(sub, st, view)
    sent = False
    if new_state is not None and (due or immediate) and (
            new_state != st.state or st.no_state):
        st.state = new_state
        st.no_state = False
        st.values = values
        sent = True
    _slide(sub, st, at_ms, delay_ms)
    return StepResult(sent, view)


def _breaching_run(windows: list[Window], periods: int) -> list[float]:
    run: list[float] = []
    for w in windows:
        if w.breaching:
            run.append(w.value)
            if len(run) == periods:
                return run
        else:
            run = []
    return []


def _judge_view(sub: SubExpression, st: SubAlarmState, view: list[Window]
                ) -> tuple[str | None, list[float]]:
    """determineAlarmStateUsingView, empty-window observations included."""
    values: list[float] = []
    exceeded = has_empty = False
    for w in view:
        if w.value is None:
            has_empty = True
            continue
        values.append(w.value)
        st.empty_observations = 0
        if not w.breaching:
            return OK, values
        exceeded = True
    if exceeded and not has_empty:
        return ALARM, values
    st.empty_observations += 1
    if sub.deterministic or \
            st.empty_observations >= empty_window_threshold(sub):
        return default_state(sub.deterministic), values
    return None, values


def _slide(sub: SubExpression, st: SubAlarmState, at_ms: int,
           delay_ms: int) -> None:
    """slideViewTo: the view moves past ``at`` whole periods at a time."""
    if at_ms <= st.view_end_ms + delay_ms:
        return
    width = sub.period * 1000
    diff = at_ms - st.view_end_ms
    advance = diff // width + (1 if diff % width > delay_ms else 0)
    st.view_end_ms += advance * width


def view_end_at(sub: SubExpression, born_ms: int, at_ms: int,
                delay_ms: int) -> tuple[int, bool]:
    """The view a regular cadence evaluates at ``at``; (end, closed)."""
    first = first_view_end(sub, born_ms)
    width = sub.period * 1000
    if at_ms <= first + delay_ms:
        return first, False
    return first + ((at_ms - delay_ms - 1 - first) // width) * width, True

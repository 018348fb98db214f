"""The engine: definitions + metrics -> alarms, stepped through time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
import uuid

from monasca_osc.alarming.alarm import Alarm, AlarmMatcher, Explanation
from monasca_osc.alarming.model import (
    ALARM_DELAY_MS,
    TICK_MS,
    Definition,
    Metric,
    Transition,
)
from monasca_osc.alarming.sources import DataSource


def cadence(start_ms: int, end_ms: int, tick_ms: int = TICK_MS
            ) -> Iterator[int]:
    """monasca-thresh's evaluation instants: every tick (on the minute)
    from the first one at or after ``start`` to ``end`` inclusive."""
    at = -(-start_ms // tick_ms) * tick_ms
    while at <= end_ms:
        yield at
        at += tick_ms


class Engine:
    """Alarms of some definitions over one data source.

    ``observe`` tells the engine a metric exists (from its first
    measurement on); ``step`` evaluates every alarm at an instant and
    returns the transitions; ``run`` does both over a time range at
    monasca-thresh's cadence.
    """

    def __init__(self, definitions: Iterable[Definition],
                 alarm_delay_ms: int = ALARM_DELAY_MS,
                 new_id: Callable[[], str] | None = None) -> None:
        self.definitions = list(definitions)
        self.delay_ms = alarm_delay_ms
        self.matchers = {d.id: AlarmMatcher(d) for d in self.definitions}
        self.alarms: list[Alarm] = []
        self._new_id = new_id or (lambda: str(uuid.uuid4()))
        self._seen: set[Metric] = set()

    def observe(self, metric: Metric, at_ms: int) -> list[Alarm]:
        """A metric's first measurement is at ``at``; new alarms it makes.
        """
        if metric in self._seen:
            return []
        self._seen.add(metric)
        created: list[Alarm] = []
        for definition in self.definitions:
            _, groups = self.matchers[definition.id].add(metric, at_ms)
            for group in groups:
                alarm = Alarm(definition, self._new_id(), group)
                self.alarms.append(alarm)
                created.append(alarm)
        return created

    def step(self, at_ms: int, source: DataSource) -> list[Transition]:
        """Evaluate every alarm at ``at``."""
        out = []
        for alarm in self.alarms:
            transition = alarm.step(at_ms, source, self.delay_ms)
            if transition is not None:
                out.append(transition)
        return out

    def run(self, source: DataSource, first_seen: Mapping[Metric, int],
            start_ms: int, end_ms: int, tick_ms: int = TICK_MS,
            instants: Iterable[int] | None = None) -> Iterator[Transition]:
        """Replay: observe each metric at its first timestamp, step at
        every instant (default: ``cadence(start, end, tick)``)."""
        pending = sorted(first_seen.items(), key=lambda kv: (kv[1], kv[0]))
        index = 0
        for at in instants if instants is not None else \
                cadence(start_ms, end_ms, tick_ms):
            while index < len(pending) and pending[index][1] <= at:
                self.observe(*pending[index])
                index += 1
            yield from self.step(at, source)

    def explain(self, at_ms: int, source: DataSource) -> list[Explanation]:
        return [a.explain(at_ms, source, self.delay_ms) for a in self.alarms]

    def alarms_of(self, definition_id: str) -> list[Alarm]:
        return [a for a in self.alarms if a.definition.id == definition_id]

"""``alarm definition backtest``: replay a definition over real history.

Flow: ``streams.alarms`` pages each sub-expression's measurements once,
grouped by ``match_by``; for each group (one alarm) ``replay.replay_group``
steps the engine at monasca-thresh's cadence from ``start - lookback`` (so
the first windows are full) to ``end``; transitions from ``start`` on are
the output. Rows are produced alarm by alarm as the paging goes, so memory
holds one alarm's open windows and per-alarm counters, whatever the range.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
import datetime as _dt
from typing import Any, TextIO

from monasca_osc import alarming as al
from monasca_osc.alarmtools import replay as replay_mod
from monasca_osc.alarmtools import streams
from monasca_osc.common import timeutil, validation

__all__ = ['Backtest', 'find_definition', 'AlarmStats']

# A stored transition matches a replayed one within this much time.
COMPARE_TOLERANCE_MS = 2 * al.TICK_MS


def find_definition(client: Any, name_or_id: str, path: str | None
                    ) -> dict[str, Any]:
    """The definition as an API object: from a YAML file or the API."""
    if path is None:
        return client.alarm_definitions.find(name_or_id)
    from monasca_osc.alarmtools import testfile

    try:
        definitions = testfile.load_definitions(path)
    except testfile.TestFileError as err:
        raise validation.ValidationError(str(err)) from None
    for definition in definitions:
        if definition.name == name_or_id:
            return definition.as_api()
    raise validation.ValidationError(
        f"{path}: no definition named '{name_or_id}' (defined: "
        f"{', '.join(d.name for d in definitions)})")


@dataclass
class AlarmStats:
    """What ``--summary`` and the gates need of one alarm."""

    match: dict[str, str]
    state: str                       # state at the current point
    since_ms: int                    # when it took that state
    transitions: int = 0
    alarm_ms: int = 0                # time spent in ALARM so far
    first_alarm_ms: int | None = None

    def move(self, at_ms: int, state: str) -> None:
        if self.state == al.ALARM:
            self.alarm_ms += at_ms - self.since_ms
        self.state, self.since_ms = state, at_ms

    def close(self, end_ms: int) -> None:
        self.move(end_ms, self.state)


class _Progress:
    """``backtest: N measurements, M alarms replayed`` on a terminal."""

    def __init__(self, stream: TextIO | None) -> None:
        import time

        self.stream = stream
        self.clock = time.monotonic
        self.last = 0.0
        self.read = 0
        self.alarms = 0
        self.shown = False

    def count(self, points: int) -> None:
        self.read += points
        if self.stream is None:
            return
        now = self.clock()
        if now - self.last >= 0.2:
            self.last = now
            self.stream.write(f'\rbacktest: {self.read:,} measurements, '
                              f'{self.alarms:,} alarms replayed\x1b[K')
            self.stream.flush()
            self.shown = True

    def finish(self) -> None:
        if self.stream is not None and self.shown:
            self.stream.write('\r\x1b[K')
            self.stream.flush()
            self.shown = False


class Backtest:
    def __init__(self, client: Any, definition: dict[str, Any],
                 start: _dt.datetime, end: _dt.datetime, *,
                 tenant_id: str | None = None, page_size: int | None = None,
                 progress: TextIO | None = None) -> None:
        self.client = client
        self.api_definition = definition
        self.definition = al.Definition.from_dict(definition)
        self.start_ms = timeutil.to_epoch_ms(start)
        self.end_ms = timeutil.to_epoch_ms(end)
        self.tenant_id = tenant_id
        self.page_size = page_size
        self.progress = _Progress(progress)
        self.stats: list[AlarmStats] = []
        self.total_transitions = 0
        # One line each for what the replay could not do as upstream would.
        self.warnings: list[str] = []

    # -- the replay ----------------------------------------------------------
    def events(self) -> Iterator[tuple[AlarmStats, al.Transition | None]]:
        """(alarm stats, transition) in replay order; None = alarm ended."""
        expression = self.definition.expression
        queries = streams.queries_for(expression)
        keep = replay_mod.lookback_ms(expression)
        begin = self.start_ms - keep
        groups = streams.alarms(
            self.client, queries, self.definition.match_by,
            replay_mod.iso(begin), replay_mod.iso(self.end_ms + 1),
            self.progress.count, tenant_id=self.tenant_id,
            page_size=self.page_size)
        for group, members in groups:
            missing = [k for k in self.definition.match_by if k not in group]
            if missing:
                self.warnings.append(
                    f"warning: metrics lacking the match_by key"
                    f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
                    ' were replayed as an alarm of their own; '
                    'monasca-thresh would also add them to the alarms they '
                    'agree with')
            source = streams.CursorSource(members, keep)
            current: dict[str, AlarmStats] = {}
            for alarm, transition in replay_mod.replay_group(
                    self.definition, source, begin, self.end_ms):
                stats = current.get(alarm.id)
                if stats is None:
                    stats = current[alarm.id] = AlarmStats(
                        alarm.match, alarm.state
                        if transition is None else transition.old_state,
                        self.start_ms)
                if transition is None:
                    continue
                at = transition.timestamp_ms
                if at < self.start_ms:
                    # Warm-up: the state the replay starts from.
                    stats.state = transition.new_state
                    continue
                stats.move(at, transition.new_state)
                stats.transitions += 1
                self.total_transitions += 1
                if transition.new_state == al.ALARM and \
                        stats.first_alarm_ms is None:
                    stats.first_alarm_ms = at
                yield stats, transition
            source.drain()
            self.progress.alarms += len(current)
            for stats in current.values():
                stats.close(self.end_ms)
                self.stats.append(stats)
                yield stats, None

    def finish_progress(self) -> None:
        self.progress.finish()

    # -- outputs -------------------------------------------------------------
    def transition_rows(self) -> Iterator[tuple]:
        for stats, transition in self.events():
            if transition is not None:
                yield (replay_mod.iso(transition.timestamp_ms), stats.match,
                       transition.old_state, transition.new_state,
                       transition.reason)

    def summary_rows(self) -> Iterator[tuple]:
        span = max(1, self.end_ms - self.start_ms)
        for stats, transition in self.events():
            if transition is None:
                yield (stats.match, stats.transitions,
                       round(100.0 * stats.alarm_ms / span, 2),
                       None if stats.first_alarm_ms is None
                       else replay_mod.iso(stats.first_alarm_ms),
                       stats.state)

    def gate(self, max_transitions: int | None,
             max_fraction: float | None) -> list[str]:
        """One line per exceeded gate (empty: the gates hold)."""
        failures = []
        if max_transitions is not None and \
                self.total_transitions > max_transitions:
            failures.append(
                f'backtest gate: {self.total_transitions} transitions, more '
                f'than --max-transitions {max_transitions}')
        if max_fraction is not None:
            span = max(1, self.end_ms - self.start_ms)
            for stats in self.stats:
                fraction = stats.alarm_ms / span
                if fraction > max_fraction:
                    shown = ','.join(f'{k}={v}' for k, v in
                                     sorted(stats.match.items())) or '*'
                    failures.append(
                        f'backtest gate: alarm {{{shown}}} was in ALARM '
                        f'{fraction:.1%} of the time, more than '
                        f'--max-alarm-fraction {max_fraction:.1%}')
        return failures

    # -- --compare-history ---------------------------------------------------
    def _stored(self) -> dict[tuple, list[dict[str, Any]]]:
        """The deployed definition's alarms' history in range, by match."""
        deployed = self.api_definition
        if not deployed.get('created_at'):
            deployed = self.client.alarm_definitions.find(
                self.definition.name)
        match_by = list(deployed.get('match_by') or ())
        out: dict[tuple, list[dict[str, Any]]] = {}
        for alarm in self.client.alarms.iter_list(
                alarm_definition_id=deployed['id']):
            match: dict[str, str] = {}
            for metric in alarm.get('metrics') or ():
                for key in match_by:
                    value = (metric.get('dimensions') or {}).get(key)
                    if value is not None:
                        match[key] = value
            entries = []
            for entry in self.client.alarms.iter_history(alarm['id']):
                at = timeutil.to_epoch_ms(timeutil.parse_iso(
                    entry['timestamp']))
                if self.start_ms <= at <= self.end_ms:
                    entries.append({'at': at, 'old': entry['old_state'],
                                    'new': entry['new_state']})
            out[tuple(sorted(match.items()))] = sorted(
                entries, key=lambda e: e['at'])
        return out

    def compare_rows(self) -> Iterator[tuple]:
        """Replay and stored transitions side by side, per alarm."""
        stored = self._stored()
        replayed: dict[tuple, list[dict[str, Any]]] = {}
        for stats, transition in self.events():
            key = tuple(sorted(stats.match.items()))
            if transition is not None:
                replayed.setdefault(key, []).append(
                    {'at': transition.timestamp_ms,
                     'old': transition.old_state,
                     'new': transition.new_state})
                continue
            yield from _side_by_side(stats.match, replayed.pop(key, []),
                                     stored.pop(key, []))
        for key, entries in stored.items():
            yield from _side_by_side(dict(key), [], entries)


def _side_by_side(match: dict[str, str], replayed: list[dict[str, Any]],
                  stored: list[dict[str, Any]]) -> Iterator[tuple]:
    """Rows (time, alarm, replay, stored, agrees) pairing each replayed
    transition with a stored one to the same state close in time."""
    unpaired = list(stored)
    rows = []
    for event in replayed:
        twin = next((s for s in unpaired if s['new'] == event['new'] and
                     abs(s['at'] - event['at']) <= COMPARE_TOLERANCE_MS),
                    None)
        if twin is not None:
            unpaired.remove(twin)
        rows.append((event['at'], f"{event['old']} -> {event['new']}",
                     '' if twin is None else
                     f"{twin['old']} -> {twin['new']}", twin is not None))
    rows.extend((s['at'], '', f"{s['old']} -> {s['new']}", False)
                for s in unpaired)
    for at, replay_text, stored_text, agrees in sorted(
            rows, key=lambda r: r[0]):
        yield (replay_mod.iso(at), match, replay_text, stored_text,
               'yes' if agrees else 'NO')

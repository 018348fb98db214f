"""Run a test file's expectations through the evaluation engine.

Flow: for each definition the file tests, the engine replays it once over
the file's series from the first value to the last ``at`` (every
transition of every alarm); each expectation then reads the state in force
at its ``at`` from that replay. For a failure the engine explains the
state at that instant (window values and which breached).

Nothing here computes a state: ``replay.py`` asks ``monasca_osc.alarming``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from monasca_osc.alarmtools import replay as replay_mod
from monasca_osc.alarmtools.testfile import Expectation, TestCase, TestFile

__all__ = ['Result', 'run']


@dataclass
class Result:
    file: str
    test: TestCase
    expectation: Expectation
    alarm: dict[str, str] | None        # match_by values of the alarm seen
    actual: str | None                  # None: no such alarm at that time
    actual_actions: list[str] | None
    passed: bool
    explanation: str = ''
    detail: dict[str, Any] | None = field(default=None)

    @property
    def match_text(self) -> str:
        shown = self.alarm if self.alarm is not None \
            else self.expectation.match
        return ','.join(f'{k}={v}' for k, v in sorted(shown.items())) or '*'

    @property
    def title(self) -> str:
        name = f' {self.test.name}' if self.test.name else ''
        return (f'test {self.test.index}{name} at {self.test.at_text}: '
                f'{self.test.definition} {{{self.match_text}}}')

    @property
    def summary(self) -> str:
        if self.passed:
            return 'passed'
        if self.actual is None:
            return (f'expected {self.expectation.state}, but no alarm '
                    f'matches {{{self.match_text}}}')
        if self.actual != self.expectation.state:
            return f'expected {self.expectation.state}, got {self.actual}'
        return (f'expected actions {self.expectation.actions}, got '
                f'{self.actual_actions}')

    def as_dict(self) -> dict[str, Any]:
        return {'file': self.file, 'line': self.expectation.line,
                'test': self.test.index, 'name': self.test.name,
                'at': self.test.at_text, 'at_ms': self.test.at_ms,
                'definition': self.test.definition,
                'match': self.expectation.match, 'alarm': self.alarm,
                'expected': self.expectation.state, 'actual': self.actual,
                'expected_actions': self.expectation.actions,
                'actual_actions': self.actual_actions,
                'passed': self.passed, 'explanation': self.detail}


def _selected(alarms: Iterable[replay_mod.AlarmReplay],
              match: dict[str, str], at_ms: int
              ) -> list[replay_mod.AlarmReplay]:
    return [a for a in alarms if a.created_ms <= at_ms
            and all(a.key.get(k) == v for k, v in match.items())]


def run(loaded: TestFile, explain_failures: bool = True) -> list[Result]:
    results: list[Result] = []
    horizon: dict[str, int] = {}
    for test in loaded.tests:
        horizon[test.definition] = max(horizon.get(test.definition, 0),
                                       test.at_ms)
    replays = {}
    for name, end_ms in horizon.items():
        definition = loaded.definition(name)
        replays[name] = replay_mod.replay_series(
            definition.as_api(), loaded.feeding(definition),
            loaded.start_ms, end_ms)
    for test in loaded.tests:
        definition = loaded.definition(test.definition)
        alarms = replays[test.definition]
        for expectation in test.alarms:
            chosen = _selected(alarms, expectation.match, test.at_ms)
            if not chosen:
                results.append(_result(loaded, test, expectation, None,
                                       definition, explain_failures))
            for alarm in chosen:
                results.append(_result(loaded, test, expectation, alarm,
                                       definition, explain_failures))
    return results


def _result(loaded: TestFile, test: TestCase, expectation: Expectation,
            alarm: replay_mod.AlarmReplay | None, definition: Any,
            explain_failures: bool) -> Result:
    if alarm is None:
        return Result(loaded.path, test, expectation, None, None, None,
                      False, 'no alarm of this definition matches at that '
                      'time (no series with these match_by values has a '
                      'sample yet)')
    state = alarm.state_at(test.at_ms)
    into = alarm.last_transition(test.at_ms)
    actions = list(into.actions) if into is not None else []
    passed = state == expectation.state and (
        expectation.actions is None
        or sorted(actions) == sorted(expectation.actions))
    result = Result(loaded.path, test, expectation, dict(alarm.key), state,
                    actions, passed)
    if not passed and explain_failures:
        detail = alarm.explain(test.at_ms)
        result.detail = detail
        result.explanation = failure_text(result, detail)
    return result


def failure_text(result: Result, detail: dict[str, Any]) -> str:
    """Expected vs actual, then each sub-expression's deciding windows."""
    from monasca_osc.alarmtools import explain

    lines = [f'expected: {result.expectation.state}'
             + (f' actions {result.expectation.actions}'
                if result.expectation.actions is not None else ''),
             f'actual:   {result.actual}'
             + (f' actions {result.actual_actions}'
                if result.expectation.actions is not None else '')]
    lines.extend(explain.render(detail, indent='  '))
    return '\n'.join(lines)

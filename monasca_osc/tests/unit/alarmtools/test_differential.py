"""Differential property test: sandbox vs ``test`` vs ``backtest``.

For random scenarios (a definition from a pool covering and/or, every
function, ``times``, deterministic sub-expressions, ``match_by`` or not;
past-dated series with gaps), three roads must give the same state
history:

1. the sandbox: the definition and the series are POSTed to its API
   (evaluation on POST off), then it is stepped minute by minute with
   ``POST /sandbox/evaluate {"at": ...}``; its state history is read back;
2. ``alarm definition test``: the scenario written as a test file (series in
   the expanding notation ``measurement list --testcase`` writes), loaded
   and replayed in memory; and its expectations, taken from the sandbox's
   states at random instants, all pass;
3. ``alarm definition backtest``: the real managers page the measurements
   back out of the sandbox's API and stream them into the engine.

The sandbox runs in-process (its WSGI app, a fresh in-memory one per
example) so a hundred examples take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
import tempfile
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pytest

from monasca_osc import alarming as al
from monasca_osc import exceptions as exc
from monasca_osc.alarmtools import backtest, replay, runner, testcase, testfile
from monasca_osc.api.monitoring_client import MonitoringClient
from monasca_osc.sandbox.server import make_app
from monasca_osc.tests.unit.alarmtools.pool import EXPRESSIONS

T0 = 1_714_557_600_000          # 2024-05-01T10:00:00Z
STEPS = 24                       # minutes of series
END = T0 + (STEPS + 8) * 60_000  # a few empty minutes after the data
TENANT = 'differential'
OFFSET_MS = 1000


class Sandbox:
    """The sandbox's WSGI app, called directly."""

    def __init__(self) -> None:
        self.app = make_app(enable_test_api=True, evaluate_on_post=False)

    def call(self, method: str, path: str, body: Any = None,
             params: dict | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else b''
        environ = {
            'REQUEST_METHOD': method, 'PATH_INFO': path,
            'QUERY_STRING': urlencode(params or {}),
            'SERVER_NAME': 'sandbox', 'SERVER_PORT': '8070',
            'HTTP_HOST': 'sandbox:8070', 'wsgi.url_scheme': 'http',
            'wsgi.input': io.BytesIO(data),
            'CONTENT_LENGTH': str(len(data)) if data else '',
            'HTTP_X_ROLES': 'monasca-user', 'HTTP_X_PROJECT_ID': TENANT}
        if data:
            environ['CONTENT_TYPE'] = 'application/json'
        status: list[str] = []
        chunks = self.app(environ, lambda s, h, e=None: status.append(s))
        raw = b''.join(chunks)
        code = int(status[0].split()[0])
        if code == 404:
            raise exc.NotFound(title='404 Not Found', method=method, url=path)
        assert code < 400, (method, path, code, raw[:300])
        return json.loads(raw) if raw else None


class WsgiAdapter:
    """What the managers need of an adapter, over the in-process app."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def get_json(self, path: str, params: Any = None) -> Any:
        query = {k: v for k, v in (params or {}).items()
                 if v is not None and v != ''}
        return self.sandbox.call('GET', '/v2.0/' + path, params=query)


values = st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=0,
                  max_size=STEPS)


@st.composite
def series_sets(draw: st.DrawFn) -> list:
    """cpu{service=web}, mem and a cpu{service=db} that feeds nothing, on
    two hosts; each with gaps, some absent."""
    series = []
    for host in ('h1', 'h2'):
        for name, dims in (('cpu', {'service': 'web'}), ('mem', {}),
                           ('cpu', {'service': 'db'})):
            slots = draw(values)
            if any(v is not None for v in slots):
                series.append((name, {**dims, 'hostname': host}, slots))
    return series


def _points(slots: list) -> list[tuple[int, float]]:
    """One value a minute, a second past the minute (as agents send)."""
    return [(T0 + i * 60_000 + OFFSET_MS, float(v))
            for i, v in enumerate(slots) if v is not None]


def _key(match: dict) -> tuple:
    return tuple(sorted(match.items()))


def _sandbox_history(scenario: tuple, definition: dict
                     ) -> tuple[list[tuple], Sandbox]:
    """POST, step every minute, read the state history back."""
    _, match_by, series = scenario
    sandbox = Sandbox()
    sandbox.call('POST', '/v2.0/alarm-definitions', definition)
    metrics = []
    # Series in the order of their first measurement (the order the
    # engine observes them in), each one's points in time order.
    ordered = sorted(
        ((_points(slots), name, dims) for name, dims, slots in series),
        key=lambda s: (s[0][0][0], al.Metric.of(s[1], s[2])))
    for points, name, dims in ordered:
        metrics.extend({'name': name, 'dimensions': dims, 'timestamp': ts,
                        'value': v} for ts, v in points)
    if metrics:
        sandbox.call('POST', '/v2.0/metrics', metrics)
    for at in al.cadence(T0, END):
        sandbox.call('POST', '/sandbox/evaluate', {'at': at})
    history = []
    for alarm in sandbox.call('GET', '/v2.0/alarms')['elements']:
        match = al.AlarmGroup([al.Metric.of(m['name'], m['dimensions'])
                               for m in alarm['metrics']]).match_values(
            match_by)
        entries = sandbox.call(
            'GET', f'/v2.0/alarms/{alarm["id"]}/state-history')['elements']
        for entry in entries:
            moment = dt.datetime.fromisoformat(
                entry['timestamp'].replace('Z', '+00:00'))
            at = al.model.floor_minute(int(moment.timestamp() * 1000))
            history.append((at, _key(match), entry['old_state'],
                            entry['new_state']))
    return sorted(history), sandbox


def _test_file(scenario: tuple, definition: dict, history: list,
               instants: list[int]) -> str:
    """The scenario as an ``alarm definition test`` file whose
    expectations are the sandbox's states at ``instants``."""
    expression, match_by, series = scenario
    lines = ['interval: 1m', f'start: {replay.iso(T0 + OFFSET_MS)}',
             'definitions:',
             f'  - name: {definition["name"]}',
             f'    expression: "{expression}"',
             f'    match_by: {json.dumps(match_by)}', 'series:']
    for name, dims, slots in series:
        lines += [f'  - name: {name}', f'    dimensions: {json.dumps(dims)}',
                  f'    values: {testcase.fold(slots)}']
    tests = []
    alarms = sorted({key for _, key, _, _ in history})
    for at in instants:
        expected = []
        for key in alarms:
            # From the alarm's first transition on (it exists by then).
            state = None
            for when, other, _, new in history:
                if other == key and when <= at:
                    state = new
            if state is not None:
                expected.append({'match': dict(key), 'state': state})
        if expected:
            tests.append({'at': replay.iso(at), 'alarms': expected})
    lines.append(f'tests: {json.dumps(tests)}')
    return '\n'.join(lines) + '\n'


@pytest.mark.parametrize('match_by', [[], ['hostname']])
@pytest.mark.parametrize('expression', EXPRESSIONS)
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow,
                                 HealthCheck.function_scoped_fixture])
@given(series=series_sets(),
       minutes=st.lists(st.integers(0, STEPS + 7), min_size=1, max_size=4))
def test_sandbox_test_and_backtest_agree(expression: str, match_by: list,
                                         series: list, minutes: list[int]
                                         ) -> None:
    scenario = (expression, match_by, series)
    expression, match_by, series = scenario
    definition = {'name': 'd', 'expression': expression,
                  'match_by': match_by}
    sandbox_history, sandbox = _sandbox_history(scenario, definition)

    # 2. alarm definition test: the in-memory replay of the same series
    # (offset as posted), and a test file checked against the sandbox.
    memory = [testfile.Series(name, dims, _points(slots))
              for name, dims, slots in series]
    replayed = sorted(
        (t.timestamp_ms, _key(r.key), t.old_state, t.new_state)
        for r in replay.replay_series(definition, memory, T0, END)
        for t in r.transitions)
    assert replayed == sandbox_history

    # 3. backtest through the real managers and the sandbox's API.
    client = MonitoringClient(adapter=WsgiAdapter(sandbox))
    job = backtest.Backtest(
        client, definition, dt.datetime.fromtimestamp(T0 / 1000, dt.UTC),
        dt.datetime.fromtimestamp(END / 1000, dt.UTC))
    backtested = sorted(
        (stats.since_ms, _key(stats.match), t.old_state, t.new_state)
        for stats, t in job.events() if t is not None)
    assert backtested == sandbox_history

    # The test file: the same series in the expanding notation, its
    # expectations the sandbox's states.
    instants = [T0 + m * 60_000 for m in minutes]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / 'case.yaml'
        path.write_text(_test_file(scenario, definition, sandbox_history,
                                   instants))
        loaded = testfile.load(str(path))
        results = runner.run(loaded)
    assert all(r.passed for r in results), [
        (r.title, r.summary) for r in results if not r.passed]


def test_compare_history_pairs_replay_and_stored_transitions() -> None:
    definition = {'name': 'd', 'expression': 'max(cpu{service=web}) > 7 '
                  'times 2', 'match_by': ['hostname']}
    series = [('cpu', {'service': 'web', 'hostname': 'h1'},
               [1, 8, 9, 9, 2, 2, 8, 8, None, None, 1, 1]),
              ('cpu', {'service': 'web', 'hostname': 'h2'}, [1] * 12)]
    history, sandbox = _sandbox_history(
        (definition['expression'], ['hostname'], series), definition)
    assert len(history) >= 4
    client = MonitoringClient(adapter=WsgiAdapter(sandbox))
    stored = client.alarm_definitions.find('d')
    job = backtest.Backtest(
        client, stored, dt.datetime.fromtimestamp(T0 / 1000, dt.UTC),
        dt.datetime.fromtimestamp(END / 1000, dt.UTC))
    rows = list(job.compare_rows())
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [
        (dict(key), f'{old} -> {new}', f'{old} -> {new}', 'yes')
        for _, key, old, new in sorted(history, key=lambda h: (h[1], h[0]))]

    # A transition the replay does not make shows unpaired ("NO").
    edited = dict(definition, expression='max(cpu{service=web}) > 100')
    rows = list(backtest.Backtest(
        client, dict(stored, **edited),
        dt.datetime.fromtimestamp(T0 / 1000, dt.UTC),
        dt.datetime.fromtimestamp(END / 1000, dt.UTC)).compare_rows())
    assert any(r[2] == '' and r[3] == 'OK -> ALARM' and r[4] == 'NO'
               for r in rows)

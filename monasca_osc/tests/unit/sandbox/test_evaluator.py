"""Threshold evaluation in the sandbox: the alarming engine over the store.

The engine's rules are tested in tests/unit/alarming; these tests check
what the sandbox adds: alarms made by metric POSTs, evaluation on POST at
the clock, stepping with POST /sandbox/evaluate, persistence of the
engine's state between steps, and state history.
"""

from __future__ import annotations

import json

from monasca_osc.sandbox.server import make_app
from monasca_osc.sandbox.web import format_ms
from monasca_osc.tests.unit.sandbox.conftest import Client, metric

T0 = 1_700_000_040_000          # on a minute
MIN = 60_000


class FakeClock:
    def __init__(self, now_ms: int) -> None:
        self.now = now_ms / 1000

    def __call__(self) -> float:
        return self.now


def _client(now_ms: int = T0, **kwargs) -> tuple[Client, FakeClock]:
    clock = FakeClock(now_ms)
    return Client(make_app(':memory:', enable_test_api=True, clock=clock,
                           **kwargs)), clock


def history(client: Client, alarm_id: str) -> list[tuple[str, str]]:
    doc = client.get(f'/v2.0/alarms/{alarm_id}/state-history').json
    return [(e['old_state'], e['new_state']) for e in doc['elements']]


def state(client: Client, alarm_id: str) -> str:
    return client.get(f'/v2.0/alarms/{alarm_id}').json['state']


def step(client: Client, at: int | str) -> dict:
    result = client.post('/sandbox/evaluate', {'at': at})
    assert result.status == 200, result
    return result.json


def test_new_alarm_stays_undetermined_until_a_period_has_closed() -> None:
    client, _ = _client()
    client.post('/v2.0/alarm-definitions', {
        'name': 'cpu', 'expression': 'avg(cpu{svc=web}) > 90'})
    client.post('/v2.0/metrics', [metric('cpu', T0 + 1_000, 95,
                                         {'svc': 'web', 'h': '1'})])
    (alarm,) = client.get('/v2.0/alarms').json['elements']
    # Evaluated on POST, but avg() waits for its period to close.
    assert alarm['state'] == 'UNDETERMINED'
    assert step(client, T0 + 90_000) == {'alarms': 1, 'transitions': 0}
    assert step(client, T0 + 2 * MIN) == {'alarms': 1, 'transitions': 1}
    assert state(client, alarm['id']) == 'ALARM'
    (entry,) = client.get(
        f'/v2.0/alarms/{alarm["id"]}/state-history').json['elements']
    assert entry['timestamp'] == format_ms(T0 + 2 * MIN)
    assert entry['reason'] == ('Thresholds were exceeded for the '
                               'sub-alarms: avg(cpu{svc=web}) > 90.0 '
                               'with the values: [95.0]')
    assert entry['sub_alarms'] == [{
        'sub_alarm_expression': {
            'function': 'AVG', 'metric_name': 'cpu',
            'dimensions': {'svc': 'web'}, 'operator': 'GT',
            'threshold': 90.0, 'period': 60, 'periods': 1},
        'sub_alarm_state': 'ALARM', 'current_values': [95.0]}]
    assert entry['metrics'] == [{'id': None, 'name': 'cpu', 'dimensions':
                                 {'svc': 'web', 'h': '1'}}]


def test_lifecycle_alarm_ok_undetermined_by_steps() -> None:
    client, _ = _client()
    client.post('/v2.0/alarm-definitions', {
        'name': 'cpu', 'expression': 'avg(cpu) > 90 times 2'})
    client.post('/v2.0/metrics', [metric('cpu', T0 + i * MIN + 1_000, v)
                                  for i, v in enumerate((95, 97, 1))])
    (alarm,) = client.get('/v2.0/alarms').json['elements']
    for minute in range(1, 12):
        step(client, T0 + minute * MIN)
    assert history(client, alarm['id']) == [
        ('UNDETERMINED', 'ALARM'), ('ALARM', 'OK'), ('OK', 'UNDETERMINED')]
    stamps = [e['timestamp'] for e in client.get(
        f'/v2.0/alarms/{alarm["id"]}/state-history').json['elements']]
    # ALARM once both windows are in, OK with the low value, UNDETERMINED
    # after 2 x periods empty evaluations.
    assert stamps == [format_ms(T0 + m * MIN) for m in (3, 4, 9)]


def test_last_decides_on_post() -> None:
    client, _ = _client()
    client.post('/v2.0/alarm-definitions', {'name': 'l',
                                            'expression': 'last(x) > 5'})
    client.post('/v2.0/metrics', [metric('x', T0 - 500_000, 9)])
    (alarm,) = client.get('/v2.0/alarms').json['elements']
    assert alarm['state'] == 'ALARM'


def test_a_metric_lacking_a_match_by_key_still_makes_an_alarm() -> None:
    client, _ = _client()
    client.post('/v2.0/alarm-definitions', {
        'name': 'd', 'expression': 'max(disk) > 80', 'match_by': ['host']})
    client.post('/v2.0/metrics', [metric('disk', T0, 95, {'dev': 'x'})])
    (alarm,) = client.get('/v2.0/alarms').json['elements']
    assert alarm['metrics'] == [{'name': 'disk', 'dimensions': {'dev': 'x'}}]
    assert alarm['state'] == 'ALARM'


def test_match_by_creates_one_alarm_per_value() -> None:
    client, _ = _client()
    client.post('/v2.0/alarm-definitions', {
        'name': 'd', 'expression': 'max(disk) > 80', 'match_by': ['host']})
    client.post('/v2.0/metrics', [
        metric('disk', T0 - 2 * MIN, 90, {'host': 'a', 'dev': 'sda'}),
        metric('disk', T0 - 2 * MIN, 10, {'host': 'a', 'dev': 'sdb'}),
        metric('disk', T0 - 2 * MIN, 10, {'host': 'b'})])
    alarms = client.get('/v2.0/alarms').json['elements']
    by_host = {a['metrics'][0]['dimensions']['host']: a for a in alarms}
    assert sorted(by_host) == ['a', 'b']
    assert len(by_host['a']['metrics']) == 2
    assert by_host['a']['state'] == 'ALARM'
    assert by_host['b']['state'] == 'OK'


def test_deterministic_starts_ok_and_goes_back_to_ok() -> None:
    client, clock = _client()
    client.post('/v2.0/alarm-definitions', {
        'name': 'logs', 'expression': 'count(log.error, deterministic) > 2'})
    client.post('/v2.0/metrics', [metric('log.error', T0, 1)])
    (alarm,) = client.get('/v2.0/alarms').json['elements']
    assert alarm['state'] == 'OK'
    assert history(client, alarm['id']) == []
    clock.now += 10
    client.post('/v2.0/metrics', [metric('log.error', T0 + i, 1)
                                  for i in range(1, 4)])
    assert state(client, alarm['id']) == 'ALARM'
    step(client, T0 + 10 * MIN)
    step(client, T0 + 11 * MIN)
    assert state(client, alarm['id']) == 'OK'


def test_and_waits_for_both_metrics() -> None:
    client, _ = _client()
    client.post('/v2.0/alarm-definitions', {
        'name': 'combo', 'expression': 'max(a) > 5 and max(b) > 1'})
    client.post('/v2.0/metrics', [metric('a', T0, 9)])
    assert client.get('/v2.0/alarms').json['elements'] == []
    client.post('/v2.0/metrics', [metric('b', T0, 9)])
    (alarm,) = client.get('/v2.0/alarms').json['elements']
    assert len(alarm['metrics']) == 2
    assert alarm['state'] == 'ALARM'


def test_evaluate_at_iso_and_no_evaluation_on_post() -> None:
    client, _ = _client(evaluate_on_post=False)
    client.post('/v2.0/alarm-definitions', {'name': 'x',
                                            'expression': 'max(x) > 1'})
    client.post('/v2.0/metrics', [metric('x', T0 + 1_000, 5)])
    (alarm,) = client.get('/v2.0/alarms').json['elements']
    assert alarm['state'] == 'UNDETERMINED'
    assert step(client, format_ms(T0 + 2_000)) == {'alarms': 1,
                                                   'transitions': 1}
    assert state(client, alarm['id']) == 'ALARM'
    bad = client.post('/sandbox/evaluate', {'at': 'yesterday'})
    assert bad.status == 400
    assert 'at' in bad.json['description']


def test_deleted_alarm_is_recreated_by_new_data() -> None:
    client, _ = _client()
    client.post('/v2.0/alarm-definitions', {'name': 'x',
                                            'expression': 'max(x) > 1'})
    client.post('/v2.0/metrics', [metric('x', T0, 5)])
    (alarm,) = client.get('/v2.0/alarms').json['elements']
    client.delete(f'/v2.0/alarms/{alarm["id"]}')
    client.post('/v2.0/metrics', [metric('x', T0 - 1, 5)])
    (again,) = client.get('/v2.0/alarms').json['elements']
    assert again['id'] != alarm['id'] and again['state'] == 'ALARM'


def test_definition_change_keeps_each_sub_alarm_with_its_metric() -> None:
    client, clock = _client()
    ad = client.post('/v2.0/alarm-definitions', {
        'name': 'ab', 'expression': 'max(a) > 1 and max(b) > 1'}).json
    client.post('/v2.0/metrics', [metric('a', T0 - 1_000, 5),
                                  metric('b', T0 - 1_000, 0)])
    (alarm,) = client.get('/v2.0/alarms').json['elements']
    step(client, T0 + MIN)
    assert state(client, alarm['id']) == 'OK'
    # Same metrics, other order, b's threshold lowered: b alarms too.
    result = client.patch(f'/v2.0/alarm-definitions/{ad["id"]}', {
        'expression': 'max(b) > -1 and max(a) > 1'})
    assert result.status == 200, result
    with client.app.store.read() as conn:
        (stored,) = conn.execute('SELECT sub_states FROM alarms').fetchone()
    subs = json.loads(stored)['sub_alarms']
    assert [(s['state'], s['current_values'], s['no_state'])
            for s in subs] == [('OK', [0.0], True), ('ALARM', [5.0], True)]
    clock.now = (T0 + MIN) / 1000
    client.post('/v2.0/metrics', [metric('b', T0 + 30_000, 0)])
    # Every sub-alarm reports again after a change before the alarm moves.
    assert state(client, alarm['id']) == 'OK'
    client.post('/v2.0/metrics', [metric('a', T0 + 30_000, 5)])
    assert state(client, alarm['id']) == 'ALARM'

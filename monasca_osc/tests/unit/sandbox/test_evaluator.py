"""Threshold evaluation lifecycle (define, post, ALARM, history, OK, ...)."""

from __future__ import annotations

import time

from monasca_osc.sandbox.server import make_app
from monasca_osc.tests.unit.sandbox.conftest import Client, metric


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _client(clock: FakeClock) -> Client:
    return Client(make_app(':memory:', enable_test_api=True, clock=clock))


def history(client: Client, alarm_id: str) -> list[tuple[str, str]]:
    doc = client.get(f'/v2.0/alarms/{alarm_id}/state-history').json
    return [(e['old_state'], e['new_state']) for e in doc['elements']]


def test_lifecycle_undetermined_alarm_ok_undetermined() -> None:
    clock = FakeClock(1_700_000_000.0)
    client = _client(clock)
    now_ms = int(clock.now * 1000)
    client.post('/v2.0/alarm-definitions', {
        'name': 'cpu', 'expression': 'avg(cpu{svc=web}) > 90 times 2'})
    # Breaching data in both windows (one period apart, in the past).
    client.post('/v2.0/metrics', [
        metric('cpu', now_ms - 70_000, 95, {'svc': 'web', 'h': '1'}),
        metric('cpu', now_ms - 10_000, 97, {'svc': 'web', 'h': '1'}),
        metric('cpu', now_ms - 10_000, 99, {'svc': 'db', 'h': '1'})])
    (alarm,) = client.get('/v2.0/alarms').json['elements']
    assert alarm['state'] == 'ALARM'
    assert alarm['metrics'] == [{'name': 'cpu',
                                 'dimensions': {'svc': 'web', 'h': '1'}}]
    doc = client.get(f'/v2.0/alarms/{alarm["id"]}/state-history').json
    (entry,) = doc['elements']
    assert (entry['old_state'], entry['new_state']) == ('UNDETERMINED',
                                                        'ALARM')
    assert entry['reason'] == ('Thresholds were exceeded for the '
                               'sub-alarms: avg(cpu{svc=web}) > 90.0 times 2 '
                               'with the values: [95.0, 97.0]')
    assert entry['sub_alarms'] == [{
        'sub_alarm_expression': {
            'function': 'AVG', 'metric_name': 'cpu',
            'dimensions': {'svc': 'web'}, 'operator': 'GT',
            'threshold': 90.0, 'period': 60, 'periods': 2},
        'sub_alarm_state': 'ALARM', 'current_values': [95.0, 97.0]}]
    # A low value in the latest window brings the average down: OK.
    client.post('/v2.0/metrics', [metric('cpu', now_ms - 5_000, 1,
                                         {'svc': 'web', 'h': '1'})])
    assert client.get(f'/v2.0/alarms/{alarm["id"]}').json['state'] == 'OK'
    # Data stops: two periods later the windows are empty.
    result = client.post('/sandbox/evaluate', {'now': now_ms + 200_000})
    assert result.json == {'alarms': 1, 'transitions': 1}
    assert client.get(f'/v2.0/alarms/{alarm["id"]}').json['state'] == \
        'UNDETERMINED'
    assert history(client, alarm['id']) == [
        ('UNDETERMINED', 'ALARM'), ('ALARM', 'OK'), ('OK', 'UNDETERMINED')]
    last = client.get(f'/v2.0/alarms/{alarm["id"]}/state-history'
                      ).json['elements'][-1]
    assert last['reason'].startswith('No data was present for the '
                                     'sub-alarms: avg(cpu{svc=web})')


def test_match_by_creates_one_alarm_per_value() -> None:
    clock = FakeClock(time.time())
    client = _client(clock)
    client.post('/v2.0/alarm-definitions', {
        'name': 'd', 'expression': 'max(disk) > 80', 'match_by': ['host']})
    now_ms = int(clock.now * 1000)
    client.post('/v2.0/metrics', [
        metric('disk', now_ms, 90, {'host': 'a', 'dev': 'sda'}),
        metric('disk', now_ms, 10, {'host': 'a', 'dev': 'sdb'}),
        metric('disk', now_ms, 10, {'host': 'b'}),
        metric('disk', now_ms, 95, {'dev': 'nohost'})])
    alarms = client.get('/v2.0/alarms').json['elements']
    by_host = {a['metrics'][0]['dimensions']['host']: a for a in alarms}
    assert sorted(by_host) == ['a', 'b']
    assert len(by_host['a']['metrics']) == 2
    assert by_host['a']['state'] == 'ALARM'
    assert by_host['b']['state'] == 'OK'


def test_deterministic_starts_ok_and_never_undetermined() -> None:
    clock = FakeClock(time.time())
    client = _client(clock)
    client.post('/v2.0/alarm-definitions', {
        'name': 'logs', 'expression': 'count(log.error, deterministic) > 2'})
    now_ms = int(clock.now * 1000)
    client.post('/v2.0/metrics', [metric('log.error', now_ms, 1)])
    (alarm,) = client.get('/v2.0/alarms').json['elements']
    assert alarm['state'] == 'OK'
    assert history(client, alarm['id']) == []
    client.post('/v2.0/metrics', [metric('log.error', now_ms - i, 1)
                                  for i in range(1, 4)])
    assert client.get(f'/v2.0/alarms/{alarm["id"]}').json['state'] == \
        'ALARM'
    client.post('/sandbox/evaluate', {'now': now_ms + 3_600_000})
    assert client.get(f'/v2.0/alarms/{alarm["id"]}').json['state'] == 'OK'


def test_and_or_and_last() -> None:
    clock = FakeClock(time.time())
    client = _client(clock)
    client.post('/v2.0/alarm-definitions', {
        'name': 'combo',
        'expression': 'last(a) > 5 and (max(b) > 1 or min(c) < 0)'})
    now_ms = int(clock.now * 1000)
    client.post('/v2.0/metrics', [metric('a', now_ms - 500_000, 9),
                                  metric('b', now_ms, 0),
                                  metric('c', now_ms, 3)])
    (alarm,) = client.get('/v2.0/alarms').json['elements']
    assert alarm['state'] == 'OK'
    assert len(alarm['metrics']) == 3
    client.post('/v2.0/metrics', [metric('c', now_ms - 1, -1)])
    assert client.get(f'/v2.0/alarms/{alarm["id"]}').json['state'] == \
        'ALARM'


def test_deleted_alarm_is_recreated_by_new_data() -> None:
    clock = FakeClock(time.time())
    client = _client(clock)
    client.post('/v2.0/alarm-definitions', {'name': 'x',
                                            'expression': 'max(x) > 1'})
    now_ms = int(clock.now * 1000)
    client.post('/v2.0/metrics', [metric('x', now_ms, 5)])
    (alarm,) = client.get('/v2.0/alarms').json['elements']
    client.delete(f'/v2.0/alarms/{alarm["id"]}')
    client.post('/v2.0/metrics', [metric('x', now_ms + 1, 5)])
    (again,) = client.get('/v2.0/alarms').json['elements']
    assert again['id'] != alarm['id'] and again['state'] == 'ALARM'

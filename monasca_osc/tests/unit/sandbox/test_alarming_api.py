"""Notification methods, alarm definitions, alarms, count and history."""

from __future__ import annotations

import time

import pytest

from monasca_osc.sandbox.server import make_app
from monasca_osc.tests.unit.sandbox.conftest import Client, metric

NM = '/v2.0/notification-methods'
AD = '/v2.0/alarm-definitions'


def make_nm(client: Client, name: str = 'n1', ntype: str = 'email',
            address: str = 'a@b.c', **extra) -> dict:
    result = client.post(NM, {'name': name, 'type': ntype,
                              'address': address, **extra})
    assert result.status == 201, result
    return result.json


def make_ad(client: Client, name: str = 'd1',
            expression: str = 'max(cpu) > 10', **extra) -> dict:
    result = client.post(AD, {'name': name, 'expression': expression,
                              **extra})
    assert result.status == 201, result
    return result.json


# -- notification methods -------------------------------------------------

def test_notification_create_and_get(client: Client) -> None:
    nm = make_nm(client, ntype='webhook', address='http://h:1/x',
                 period='60')
    assert set(nm) == {'id', 'name', 'type', 'address', 'period', 'links'}
    assert nm['type'] == 'WEBHOOK' and nm['period'] == 60
    assert len(nm['id']) == 36
    assert nm['links'][0]['href'].endswith('/notification-methods/'
                                           + nm['id'])
    assert client.get(f'{NM}/{nm["id"]}').json == nm
    assert client.get(f'{NM}/nope').json == {'title': '404 Not Found'}


@pytest.mark.parametrize('body,description', [
    ({'name': 'a', 'type': 'EMAIL', 'address': 'a@b', 'id': 'x'},
     "extra keys not allowed @ data['id']"),
    ({'name': 'a', 'type': 'EMAIL'},
     "required key not provided @ data['address']"),
    ({'name': 'a' * 251, 'type': 'EMAIL', 'address': 'a@b'},
     "length of value must be at most 250 for dictionary value "
     "@ data['name']"),
    ({'name': 'a', 'type': 'EMAIL', 'address': 'nope'},
     'Address nope is not of correct format'),
    ({'name': 'a', 'type': 'WEBHOOK', 'address': 'localhost:123'},
     'Address localhost:123 does not have network location'),
    ({'name': 'a', 'type': 'WEBHOOK', 'address': 'ftp://x'},
     "Address ftp://x scheme is not in ['http', 'https']"),
    ({'name': 'a', 'type': 'EMAIL', 'address': 'a@b', 'period': 30},
     '30 is not in the configured list of valid periods: [0, 60]'),
    ({'name': 'a', 'type': 'EMAIL', 'address': 'a@b', 'period': 1.5},
     "expected int for dictionary value @ data['period']"),
    ({'name': 'a', 'type': 'EMAIL', 'address': 'a@b', 'period': True},
     '1 is not in the configured list of valid periods: [0, 60]'),
    ({'name': 'a', 'type': 'SMOKE', 'address': 'x'},
     'Not a valid notification method type SMOKE '),
])
def test_notification_validation_is_400(client: Client, body: dict,
                                        description: str) -> None:
    result = client.post(NM, body)
    assert result.status == 400, result
    assert result.json == {'title': 'Bad Request',
                           'description': description}


def test_notification_content_type_and_conflicts(client: Client) -> None:
    result = client.post(NM, {'name': 'a', 'type': 'EMAIL',
                              'address': 'a@b'}, content_type='text/plain')
    assert result.status == 400
    first = make_nm(client, name='Ops')
    result = client.post(NM, {'name': 'OPS', 'type': 'EMAIL',
                              'address': 'a@b'})
    assert result.status == 409
    assert result.json == {'title': 'AlreadyExistsException', 'description':
                           'A notification method with the name OPS '
                           'already exists'}
    second = make_nm(client, name='other')
    result = client.put(f'{NM}/{second["id"]}', {
        'name': 'ops', 'type': 'EMAIL', 'address': 'a@b', 'period': 0})
    assert result.status == 409
    assert result.json['description'] == (
        f'A notification method with name ops already exists with id '
        f'{first["id"]}')
    # Other tenants have their own namespace.
    assert client.as_(tenant='t2').post(NM, {
        'name': 'Ops', 'type': 'EMAIL', 'address': 'a@b'}).status == 201


def test_notification_put_patch_delete(client: Client) -> None:
    nm = make_nm(client)
    result = client.put(f'{NM}/{nm["id"]}', {'name': 'n2',
                                             'type': 'pagerduty',
                                             'address': 'x'})
    assert result.status == 400
    assert result.json['description'] == 'Period is required'
    result = client.put(f'{NM}/{nm["id"]}', {
        'name': 'n2', 'type': 'pagerduty', 'address': 'x', 'period': 60})
    assert result.status == 200
    assert result.json['type'] == 'PAGERDUTY' and result.json['period'] == 60
    # Not one of upstream's default plugins.
    assert client.put(f'{NM}/{nm["id"]}', {
        'name': 'n2', 'type': 'slack', 'address': 'x',
        'period': 60}).status == 400
    result = client.patch(f'{NM}/{nm["id"]}', {'address': 'y'})
    assert result.json['address'] == 'y' and result.json['name'] == 'n2'
    assert client.patch(f'{NM}/nope', {'bogus': 1}).status == 404
    assert client.put(f'{NM}/nope', {'name': 'z', 'type': 'EMAIL',
                                     'address': 'a@b',
                                     'period': 0}).status == 404
    assert client.delete(f'{NM}/{nm["id"]}').status == 204
    assert client.delete(f'{NM}/{nm["id"]}').status == 404


def test_notification_list_sort_and_paging(client: Client) -> None:
    for name in ('c', 'a', 'B', 'd', 'e'):
        make_nm(client, name=name)
    doc = client.get(NM, {'sort_by': 'name', 'limit': 2}).json
    assert [e['name'] for e in doc['elements']] == ['a', 'B']
    nxt = [link for link in doc['links'] if link['rel'] == 'next'][0]
    # The integer offset, not upstream's UUID.
    assert 'offset=2' in nxt['href']
    doc = client.get(NM, {'sort_by': 'name', 'limit': 2, 'offset': 2}).json
    assert [e['name'] for e in doc['elements']] == ['c', 'd']
    doc = client.get(NM, {'sort_by': 'name desc'}).json
    assert [e['name'] for e in doc['elements']] == ['e', 'd', 'c', 'B', 'a']
    assert client.get(NM, {'sort_by': 'name ASC'}).status == 422
    assert client.get(NM, {'sort_by': 'color'}).status == 422
    assert client.get(NM, {'offset': 'x'}).json['description'] == \
        'Offset value x must be an integer'


def test_notification_types(client: Client) -> None:
    doc = client.get(f'{NM}/types').json
    # monasca-notification's default plugins, no more.
    assert doc['elements'] == [{'type': 'EMAIL'}, {'type': 'WEBHOOK'},
                               {'type': 'PAGERDUTY'}]
    assert doc['links'][0]['rel'] == 'self'
    app = make_app(':memory:', notification_types=['EMAIL', 'slack'])
    types = Client(app).get(f'{NM}/types').json['elements']
    assert types == [{'type': 'EMAIL'}, {'type': 'SLACK'}]


# -- alarm definitions -----------------------------------------------------

def test_definition_create_shape(client: Client) -> None:
    nm = make_nm(client)
    ad = make_ad(client, expression='avg(cpu{h=a}, deterministic) > 5',
                 severity='high', match_by=['h'], alarm_actions=[nm['id']],
                 actions_enabled=False)
    assert set(ad) == {'id', 'links', 'name', 'description', 'expression',
                       'deterministic', 'match_by', 'severity',
                       'actions_enabled', 'alarm_actions', 'ok_actions',
                       'undetermined_actions'}
    assert ad['severity'] == 'HIGH' and ad['deterministic'] is True
    assert ad['actions_enabled'] is True      # ignored on POST
    assert ad['description'] == '' and ad['match_by'] == ['h']
    assert client.get(f'{AD}/{ad["id"]}').json == ad


@pytest.mark.parametrize('body,title,description', [
    ({'expression': 'max(x) > 1'}, 'Unprocessable Entity',
     "required key not provided @ data['name']"),
    ({'name': 'a', 'expression': 'max(x) > 1', 'description': None},
     'Unprocessable Entity',
     "expected str for dictionary value @ data['description']"),
    ({'name': 'a', 'expression': 'max(x) > 1', 'severity': 'bad'},
     'Unprocessable Entity',
     "not a valid value for dictionary value @ data['severity']"),
    ({'name': 'a', 'expression': 'max(x) > 1', 'match_by': ['_x']},
     'Unprocessable Entity', 'invalid characters in dimension key _x'),
    ({'name': 'a', 'expression': 'max(x) > 1', 'alarm_actions': ['nope']},
     'InvalidUpdateException',
     "Non-existent notification id b'nope' submitted for b'ALARM' "
     "notification action"),
    ({'name': 'a', 'expression': 'avg(x, 90) > 1'},
     'Invalid alarm expression',
     "parser failed on expression 'avg(x, 90) > 1' at column 8: "
     "Period 90 must be a multiple of 60"),
])
def test_definition_post_errors(client: Client, body: dict, title: str,
                                description: str) -> None:
    result = client.post(AD, body)
    assert result.status == 422, result
    assert result.json == {'title': title, 'description': description}


def test_definition_name_conflict_case_insensitive(client: Client) -> None:
    make_ad(client, name='CPU high')
    result = client.post(AD, {'name': 'cpu HIGH', 'expression': 'x > 1'})
    assert result.status == 409
    assert result.json['description'] == \
        'An alarm definition with the name cpu HIGH already exists'


def test_definition_put_patch_rules(client: Client) -> None:
    ad = make_ad(client, expression='max(cpu{h=a}) > 10 and min(mem) < 5',
                 match_by=['h'])
    url = f'{AD}/{ad["id"]}'
    full = {'name': 'n', 'expression': 'avg(cpu{h=a}, 120) >= 1 or '
                                       'max(mem) > 2',
            'description': 'd', 'match_by': ['h'], 'severity': 'critical',
            'alarm_actions': [], 'ok_actions': [],
            'undetermined_actions': [], 'actions_enabled': False}
    result = client.put(url, full)
    assert result.status == 200, result
    assert result.json['severity'] == 'CRITICAL'
    assert result.json['actions_enabled'] is False
    missing = dict(full)
    del missing['actions_enabled']
    assert client.put(url, missing).status == 422
    result = client.put(url, {**full, 'match_by': ['x']})
    assert result.json == {'title': 'InvalidUpdateException',
                           'description': 'match_by must not change'}
    # monasca-api compares the number of new sub-expressions with the
    # number of old ones removed (not matched by metric and dimensions).
    result = client.put(url, {**full, 'expression': 'max(cpu) > 1 or '
                                                    'max(mem) > 2'})
    assert result.json['description'] == \
        "b'number of subexpressions must not change'"
    result = client.put(url, {**full, 'expression': 'max(x) > 1 or '
                                                    'max(y) > 2'})
    assert result.json['description'] == \
        "b'metrics in subexpression must not change'"
    result = client.patch(url, {'expression': 'max(cpu{h=a}) > 1'})
    assert result.json['description'] == \
        "b'metrics in subexpression must not change'"
    result = client.patch(url, {'expression': 'max(cpu{h=a}) > 1 or '
                                              'max(mem) > 2 or max(z) > 1'})
    assert result.json['description'] == \
        "b'number of subexpressions must not change'"
    result = client.patch(url, {'expression': 'max(cpu{h=a}) > '})
    assert result.json['title'] == 'Invalid alarm expression'
    assert result.json['description'].startswith(
        "parser failed on expression b'max(cpu{h=a}) > ' at column b'1'")
    result = client.patch(url, {'severity': 'nope'})
    assert result.json == {'title': 'Unprocessable Entity',
                           'description': 'Invalid severity'}
    result = client.patch(url, {'description': 'new', 'severity': None,
                                'actions_enabled': 'false'})
    assert result.status == 200
    assert result.json['description'] == 'new'
    assert result.json['severity'] == 'CRITICAL'
    assert result.json['actions_enabled'] is True   # bool("false")
    assert client.patch(f'{AD}/nope', {}).status == 404
    for method in ('PUT', 'PATCH', 'DELETE'):
        result = client.call(method, AD, {})
        assert result.status == 400
        assert result.json == {'title': 'Bad Request', 'description':
                               'Alarm definition ID not provided'}


def test_definition_list_filters_sort_paging(client: Client) -> None:
    for name, sev in (('b', 'LOW'), ('a', 'MEDIUM'), ('c', 'CRITICAL'),
                      ('d', 'HIGH')):
        make_ad(client, name=name, severity=sev,
                expression=f'max(cpu{{host={name}}}) > 1')
    doc = client.get(AD, {'sort_by': 'severity'}).json
    # Alphabetical for definitions.
    assert [e['severity'] for e in doc['elements']] == [
        'CRITICAL', 'HIGH', 'LOW', 'MEDIUM']
    doc = client.get(AD, {'sort_by': 'name desc', 'limit': 3}).json
    assert [e['name'] for e in doc['elements']] == ['d', 'c', 'b']
    assert 'offset=3' in doc['links'][1]['href']
    doc = client.get(AD, {'sort_by': 'name desc', 'offset': 3}).json
    assert [e['name'] for e in doc['elements']] == ['a']
    doc = client.get(AD, {'severity': 'low|high', 'sort_by': 'name'}).json
    assert [e['name'] for e in doc['elements']] == ['b', 'd']
    result = client.get(AD, {'severity': 'low|bad'})
    assert result.json == {'title': 'Invalid Severity', 'description':
                           "Severity b'bad' must be one of ['LOW', "
                           "'MEDIUM', 'HIGH', 'CRITICAL']"}
    doc = client.get(AD, {'dimensions': 'host:c'}).json
    assert [e['name'] for e in doc['elements']] == ['c']
    assert client.get(AD, {'name': 'A'}).json['elements'][0]['name'] == 'a'
    assert client.get(AD, {'offset': 'z'}).status == 422


def test_deleting_notification_cascades(client: Client) -> None:
    nm = make_nm(client)
    ad = make_ad(client, alarm_actions=[nm['id']], ok_actions=[nm['id']])
    assert client.delete(f'{NM}/{nm["id"]}').status == 204
    doc = client.get(f'{AD}/{ad["id"]}').json
    assert doc['alarm_actions'] == [] and doc['ok_actions'] == []


# -- alarms ----------------------------------------------------------------

def _alarm_setup(client: Client) -> tuple[dict, list[dict]]:
    ad = make_ad(client, name='cpu', expression='max(cpu) > 10',
                 match_by=['host'], severity='HIGH')
    # Two minutes old: the alarms' first period has closed, so each one
    # has a state at once.
    now = int(time.time() * 1000) - 120_000
    assert client.post('/v2.0/metrics', [
        metric('cpu', now, 50, {'host': 'a', 'role': 'web'}),
        metric('cpu', now, 1, {'host': 'b', 'role': 'db'}),
        metric('cpu', now, 99, {'host': 'c', 'role': 'web'})]).status == 204
    alarms = client.get('/v2.0/alarms', {'sort_by': 'alarm_id'}
                        ).json['elements']
    return ad, alarms


def test_alarm_shape_and_filters(client: Client) -> None:
    ad, alarms = _alarm_setup(client)
    assert len(alarms) == 3
    alarm = alarms[0]
    assert set(alarm) == {'id', 'links', 'alarm_definition', 'metrics',
                          'state', 'lifecycle_state', 'link',
                          'state_updated_timestamp', 'updated_timestamp',
                          'created_timestamp'}
    assert alarm['alarm_definition']['id'] == ad['id']
    assert set(alarm['alarm_definition']) == {'id', 'name', 'severity',
                                              'links'}
    states = client.get('/v2.0/alarms', {'state': 'alarm'}).json['elements']
    assert sorted(a['metrics'][0]['dimensions']['host'] for a in states) \
        == ['a', 'c']
    doc = client.get('/v2.0/alarms', {'metric_dimensions': 'role:db'}).json
    assert [a['state'] for a in doc['elements']] == ['OK']
    doc = client.get('/v2.0/alarms', {'metric_dimensions': 'role'}).json
    assert len(doc['elements']) == 3
    result = client.get('/v2.0/alarms', {'state': 'bad'})
    assert result.json == {'title': 'Invalid State', 'description':
                           "State b'bad' must be one of ['ALARM', 'OK', "
                           "'UNDETERMINED']"}
    assert client.get('/v2.0/alarms?state=OK&state=ALARM').status == 500
    assert client.get('/v2.0/alarms', {
        'state_updated_start_time': '2015-01-01T00:00:00Z'}).status == 500
    doc = client.get('/v2.0/alarms', {
        'state_updated_start_time': '2015-01-01T00:00:00.000Z'}).json
    assert len(doc['elements']) == 3
    doc = client.get('/v2.0/alarms', {'sort_by': 'state desc', 'limit': 2}
                     ).json
    assert [a['state'] for a in doc['elements']] == ['ALARM', 'ALARM']
    assert 'offset=2' in doc['links'][1]['href']
    # Another tenant sees nothing.
    assert client.as_(tenant='other').get('/v2.0/alarms').json[
        'elements'] == []


def test_alarm_put_patch_delete(client: Client) -> None:
    _, alarms = _alarm_setup(client)
    alarm = alarms[0]
    url = f'/v2.0/alarms/{alarm["id"]}'
    result = client.put(url, {'state': 'OK', 'lifecycle_state': 'OPEN'})
    assert result.status == 422
    assert result.json['description'] == "Field 'link' is required"
    result = client.put(url, {'state': 'ok', 'lifecycle_state': 'x',
                              'link': 'y'})
    assert result.status == 422
    result = client.put(url, {'state': 'UNDETERMINED',
                              'lifecycle_state': 'OPEN',
                              'link': 'http://x'})
    assert result.status == 200
    assert result.json['state'] == 'UNDETERMINED'
    assert result.json['lifecycle_state'] == 'OPEN'
    result = client.patch(url, {'lifecycle_state': None, 'link': ''})
    assert result.json['lifecycle_state'] == 'OPEN'
    assert result.json['link'] == ''
    assert result.json['state'] == 'UNDETERMINED'
    history = client.get(f'{url}/state-history').json['elements']
    assert history[-1]['reason'] == 'Alarm state updated via API'
    assert history[-1]['new_state'] == 'UNDETERMINED'
    assert client.patch('/v2.0/alarms/nope', {}).status == 404
    assert client.delete(url).status == 204
    assert client.get(url).status == 404
    # Per-alarm history of a deleted alarm is still 200.
    assert client.get(f'{url}/state-history').status == 200
    assert client.get('/v2.0/alarms/nope/state-history').json[
        'elements'] == []


def test_alarm_count(client: Client) -> None:
    _alarm_setup(client)
    doc = client.get('/v2.0/alarms/count').json
    assert doc['columns'] == ['count'] and doc['counts'] == [[3]]
    doc = client.get('/v2.0/alarms/count', {'group_by': 'state,severity'}
                     ).json
    assert doc['columns'] == ['count', 'state', 'severity']
    assert doc['counts'] == [[2, 'ALARM', 'HIGH'], [1, 'OK', 'HIGH']]
    doc = client.get('/v2.0/alarms/count', {'group_by': 'dimension_name'}
                     ).json
    assert doc['counts'] == [[3, 'host'], [3, 'role']]
    doc = client.get('/v2.0/alarms/count', {'group_by': 'dimension_value',
                                            'limit': 2}).json
    assert doc['counts'] == [[1, 'a'], [1, 'b']]
    assert 'offset=2' in doc['links'][1]['href']
    doc = client.get('/v2.0/alarms/count', {'state': 'UNDETERMINED',
                                            'group_by': 'state'}).json
    assert doc['counts'] == [[0, None]]
    # Key-only filters match nothing in count.
    doc = client.get('/v2.0/alarms/count', {'metric_dimensions': 'host'}
                     ).json
    assert doc['counts'] == [[0]]
    result = client.get('/v2.0/alarms/count', {'group_by': 'color'})
    assert result.status == 422
    result = client.get('/v2.0/alarms/count', {'offset': 'x'})
    assert result.json['description'] == \
        'Offset must be a valid integer, was x'


def test_state_history_all(client: Client) -> None:
    _, alarms = _alarm_setup(client)
    doc = client.get('/v2.0/alarms/state-history').json
    entries = doc['elements']
    assert len(entries) == 3
    assert [e['id'] for e in entries] == sorted(e['id'] for e in entries)
    entry = entries[0]
    assert set(entry) == {'id', 'alarm_id', 'timestamp', 'metrics',
                          'old_state', 'new_state', 'reason', 'reason_data',
                          'sub_alarms'}
    assert entry['reason_data'] == '{}'
    assert entry['metrics'][0]['id'] is None
    doc = client.get('/v2.0/alarms/state-history',
                     {'dimensions': 'host:c'}).json
    assert len(doc['elements']) == 1
    assert doc['elements'][0]['new_state'] == 'ALARM'
    assert doc['elements'][0]['sub_alarms'][0]['current_values'] == [99.0]
    doc = client.get('/v2.0/alarms/state-history', {'limit': 2}).json
    nxt = [link for link in doc['links'] if link['rel'] == 'next'][0]
    assert f'offset={doc["elements"][1]["id"]}' in nxt['href']
    doc = client.get('/v2.0/alarms/state-history',
                     {'offset': doc['elements'][1]['id']}).json
    assert len(doc['elements']) == 1
    # start/end are inclusive.
    ts = entries[1]['timestamp']
    doc = client.get('/v2.0/alarms/state-history',
                     {'start_time': ts, 'end_time': ts}).json
    assert [e['id'] for e in doc['elements']] == [entries[1]['id']]
    # Only alarms that still exist.
    client.delete(f'/v2.0/alarms/{entries[0]["alarm_id"]}')
    assert len(client.get('/v2.0/alarms/state-history').json[
        'elements']) == 2


def test_definition_delete_removes_alarms(client: Client) -> None:
    ad, alarms = _alarm_setup(client)
    assert client.delete(f'{AD}/{ad["id"]}').status == 204
    assert client.get('/v2.0/alarms').json['elements'] == []
    assert client.delete(f'{AD}/{ad["id"]}').status == 404
    # The name is free again.
    make_ad(client, name='cpu')

"""AlarmsManager: filters, PUT/PATCH, counts and state history."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from requests_mock import ANY

from monasca_osc.api import alarms as alarms_api
from monasca_osc.common.validation import ValidationError
from monasca_osc.tests.unit import utils
from monasca_osc.tests.unit.utils import page

URL = utils.ROOT + '/alarms'
ALARM_ID = 'b461d659-577b-4d63-9782-a99194d4a472'
ALARM = {'id': ALARM_ID, 'state': 'OK', 'lifecycle_state': None,
         'link': None, 'metrics': [],
         'alarm_definition': {'id': 'd1', 'name': 'cpu', 'severity': 'LOW'}}


def test_list_all_filters(requests_mock, client) -> None:
    requests_mock.get(URL, json=page([ALARM]))
    rows = client.alarms.list(
        alarm_definition_id='d1', metric_name='cpu.idle_perc',
        metric_dimensions=['hostname=web1|web2', 'service'], state='alarm',
        severity=['low', 'CRITICAL'], lifecycle_state='OPEN',
        link='http://t/1',
        state_updated_start_time=dt.datetime(2024, 5, 1, 10, 0, 0, 123456,
                                             tzinfo=dt.UTC),
        sort_by='state desc,alarm_id', offset=20, limit=10)
    assert rows == [ALARM]
    assert utils.query(requests_mock.last_request) == {
        'alarm_definition_id': 'd1', 'metric_name': 'cpu.idle_perc',
        'metric_dimensions': 'hostname:web1|web2,service', 'state': 'ALARM',
        'severity': 'LOW|CRITICAL', 'lifecycle_state': 'OPEN',
        'link': 'http://t/1',
        'state_updated_start_time': '2024-05-01T10:00:00.123000Z',
        'sort_by': 'state desc,alarm_id asc', 'offset': '20',
        'limit': '10'}


@pytest.mark.parametrize('value, sent', [
    ('2024-05-01T10:00:00Z', '2024-05-01T10:00:00.000000Z'),
    ('2024-05-01T12:00:00+02:00', '2024-05-01T10:00:00.000000Z'),
    ('2024-05-01', '2024-05-01T00:00:00.000000Z'),
    (1714557600, '2024-05-01T10:00:00.000000Z'),
    ('1714557600500', '2024-05-01T10:00:00.500000Z'),
])
def test_state_updated_start_time_format(value, sent: str) -> None:
    # The API parses it strictly as %Y-%m-%dT%H:%M:%S.%fZ.
    assert alarms_api.state_updated_param(value) == sent
    dt.datetime.strptime(sent, '%Y-%m-%dT%H:%M:%S.%fZ')


@pytest.mark.parametrize('kwargs, fragment', [
    ({'state': 'FIRING'}, "'FIRING'"),
    ({'severity': 'LOW|BAD'}, "'BAD'"),
    ({'metric_name': 'a,b'}, "','"),
    ({'metric_dimensions': ['_x=1']}, '_x'),
    ({'sort_by': 'name'}, "'name'"),
    ({'state_updated_start_time': 'last tuesday'}, "'last tuesday'"),
    ({'limit': 0}, 'Limit 0'),
])
def test_list_invalid_sends_nothing(requests_mock, client, kwargs,
                                    fragment: str) -> None:
    with pytest.raises(ValidationError) as err:
        client.alarms.list(**kwargs)
    assert fragment in str(err.value)
    assert requests_mock.call_count == 0


def test_get(requests_mock, client) -> None:
    requests_mock.get(f'{URL}/{ALARM_ID}', json=ALARM)
    assert client.alarms.get(ALARM_ID) == ALARM


def test_update_put_needs_all_three(requests_mock, client) -> None:
    requests_mock.put(f'{URL}/{ALARM_ID}', json=ALARM)
    client.alarms.update(ALARM_ID, state='undetermined',
                         lifecycle_state='ACK', link='http://t/2')
    assert json.loads(requests_mock.last_request.body) == {
        'state': 'UNDETERMINED', 'lifecycle_state': 'ACK',
        'link': 'http://t/2'}
    with pytest.raises(ValidationError) as err:
        client.alarms.update(ALARM_ID, state='OK')
    assert 'missing: lifecycle_state, link' in str(err.value)
    assert requests_mock.call_count == 1


def test_patch_only_given_fields(requests_mock, client) -> None:
    requests_mock.patch(f'{URL}/{ALARM_ID}', json=ALARM)
    client.alarms.patch(ALARM_ID, lifecycle_state='')
    assert json.loads(requests_mock.last_request.body) == {
        'lifecycle_state': ''}
    client.alarms.patch(ALARM_ID, state='ok', link='x')
    assert json.loads(requests_mock.last_request.body) == {'state': 'OK',
                                                           'link': 'x'}


@pytest.mark.parametrize('kwargs, fragment', [
    ({'state': 'DONE'}, "'DONE'"),
    ({'lifecycle_state': 'x' * 51}, '51 characters'),
    ({'link': 'x' * 513}, '513 characters'),
    ({'link': 5}, 'Link must be a string'),
])
def test_patch_invalid_sends_nothing(requests_mock, client, kwargs,
                                     fragment: str) -> None:
    with pytest.raises(ValidationError) as err:
        client.alarms.patch(ALARM_ID, **kwargs)
    assert fragment in str(err.value)
    assert requests_mock.call_count == 0


def test_delete(requests_mock, client) -> None:
    requests_mock.delete(f'{URL}/{ALARM_ID}', status_code=204)
    client.alarms.delete(ALARM_ID)
    assert requests_mock.call_count == 1


def test_delete_cannot_escape_the_collection(requests_mock, client) -> None:
    requests_mock.delete(ANY, status_code=204)
    client.alarms.delete('../notification-methods/x')
    assert utils.path(requests_mock.last_request) == \
        '/v2.0/alarms/..%2Fnotification-methods%2Fx'


# -- count --------------------------------------------------------------------
def test_count_without_group_by(requests_mock, client) -> None:
    requests_mock.get(URL + '/count', json={
        'links': [{'rel': 'self', 'href': 'x'}], 'columns': ['count'],
        'counts': [[7]]})
    assert client.alarms.count(state='ALARM') == {'columns': ['count'],
                                                  'counts': [[7]]}
    assert utils.query(requests_mock.last_request) == {'state': 'ALARM',
                                                       'limit': '10000'}


def test_count_group_by_pages(requests_mock, client) -> None:
    columns = ['count', 'state', 'severity']
    requests_mock.get(URL + '/count', [
        {'json': page([[1, 'ALARM', 'LOW'], [2, 'ALARM', 'HIGH']],
                      next_offset='2', key='counts', columns=columns)},
        {'json': page([[3, 'OK', 'LOW']], key='counts', columns=columns)}])
    result = client.alarms.count(group_by=['State', 'severity'],
                                 metric_dimensions={'host': 'a'},
                                 page_size=2)
    assert result == {'columns': columns,
                      'counts': [[1, 'ALARM', 'LOW'], [2, 'ALARM', 'HIGH'],
                                 [3, 'OK', 'LOW']]}
    queries = [utils.query(r) for r in requests_mock.request_history]
    assert queries == [
        {'group_by': 'state,severity', 'metric_dimensions': 'host:a',
         'limit': '2'},
        {'group_by': 'state,severity', 'metric_dimensions': 'host:a',
         'limit': '2', 'offset': '2'}]


def test_count_offset_and_limit(requests_mock, client) -> None:
    requests_mock.get(URL + '/count', json=page(
        [[1, 'a']], key='counts', columns=['count', 'name']))
    client.alarms.count(group_by='name', offset='4', limit=1)
    assert utils.query(requests_mock.last_request) == {
        'group_by': 'name', 'offset': '4', 'limit': '1'}


def test_count_invalid_group_by(requests_mock, client) -> None:
    with pytest.raises(ValidationError) as err:
        client.alarms.count(group_by='state,colour')
    assert "'colour'" in str(err.value)
    assert requests_mock.call_count == 0


# -- history ------------------------------------------------------------------
def test_history_of_one_alarm(requests_mock, client) -> None:
    url = f'{URL}/{ALARM_ID}/state-history'
    requests_mock.get(url, [
        {'json': page([{'id': '1420070400000'}],
                      next_offset='1420070400000')},
        {'json': page([{'id': '1420070460000'}])}])
    rows = client.alarms.history(alarm_id=ALARM_ID, page_size=1)
    assert [r['id'] for r in rows] == ['1420070400000', '1420070460000']
    assert [utils.query(r) for r in requests_mock.request_history] == [
        {'limit': '1'}, {'limit': '1', 'offset': '1420070400000'}]


def test_history_needs_an_id(requests_mock, client) -> None:
    with pytest.raises(ValidationError):
        client.alarms.history(alarm_id=None)
    assert requests_mock.call_count == 0


def test_history_of_all_alarms(requests_mock, client) -> None:
    requests_mock.get(URL + '/state-history', json=page([]))
    client.alarms.history_list(
        dimensions={'hostname': 'a'},
        start_time='2024-05-01T00:00:00Z', end_time='2024-05-02T00:00:00Z',
        offset='2024-05-01T01:00:00.000Z', limit=5)
    assert utils.query(requests_mock.last_request) == {
        'dimensions': 'hostname:a', 'start_time': '2024-05-01T00:00:00.000Z',
        'end_time': '2024-05-02T00:00:00.000Z',
        'offset': '2024-05-01T01:00:00.000Z', 'limit': '5'}

"""NotificationsManager, NotificationTypesManager and VersionsManager."""

from __future__ import annotations

import json

import pytest

from monasca_osc import exceptions as exc
from monasca_osc.common.validation import ValidationError
from monasca_osc.tests.unit import utils
from monasca_osc.tests.unit.utils import page

URL = utils.ROOT + '/notification-methods'
NM_ID = '35cc6f1c-3a29-49fb-a6fc-d9d97d190508'
METHOD = {'id': NM_ID, 'name': 'ops', 'type': 'EMAIL',
          'address': 'ops@example.com', 'period': 0}


def test_create(requests_mock, client) -> None:
    requests_mock.post(URL, status_code=201, json=METHOD)
    assert client.notifications.create(
        name='ops', type='email', address='ops@example.com') == METHOD
    request = requests_mock.last_request
    assert request.headers['Content-Type'] == 'application/json'
    assert json.loads(request.body) == {'name': 'ops', 'type': 'EMAIL',
                                        'address': 'ops@example.com'}


def test_create_with_period(requests_mock, client) -> None:
    requests_mock.post(URL, status_code=201, json=METHOD)
    client.notifications.create(name='hook', type='WEBHOOK',
                                address='https://h.example/x', period='60')
    assert json.loads(requests_mock.last_request.body) == {
        'name': 'hook', 'type': 'WEBHOOK', 'address': 'https://h.example/x',
        'period': 60}


@pytest.mark.parametrize('kwargs, fragment', [
    ({'type': 'EMAIL', 'address': 'a@b'}, 'name'),
    ({'name': 'n', 'address': 'a@b'}, 'type'),
    ({'name': 'n', 'type': 'EMAIL'}, 'address'),
    ({'name': 'n', 'type': 'EMAIL', 'address': 'not-an-email'},
     'Address not-an-email is not of correct format'),
    ({'name': 'n', 'type': 'WEBHOOK', 'address': 'ftp://x'},
     'not an http or https URL'),
    ({'name': 'n', 'type': 'WEBHOOK', 'address': 'localhost:123'},
     'not an http or https URL'),
    ({'name': 'n', 'type': 'EMAIL', 'address': 'a@b', 'period': -30},
     'Period -30 must not be negative'),
    ({'name': 'n', 'type': 'EMAIL', 'address': 'a@b', 'period': 1.0},
     'must be an integer'),
    ({'name': 'n', 'type': 'EMAIL', 'address': 'a@b', 'period': True},
     'must be an integer'),
    ({'name': 'n' * 251, 'type': 'EMAIL', 'address': 'a@b'}, '251'),
    ({'name': 'n', 'type': 'X' * 21, 'address': 'a@b'},
     'longer than 20'),
    ({'name': 'n', 'type': 'PAGERDUTY', 'address': 'k' * 513}, '513'),
])
def test_create_invalid_sends_nothing(requests_mock, client, kwargs,
                                      fragment: str) -> None:
    with pytest.raises(ValidationError) as err:
        client.notifications.create(**kwargs)
    assert fragment in str(err.value)
    assert requests_mock.call_count == 0


def test_get(requests_mock, client) -> None:
    requests_mock.get(f'{URL}/{NM_ID}', json=METHOD)
    assert client.notifications.get(NM_ID) == METHOD


def test_list_counts_offsets(requests_mock, client) -> None:
    # Upstream next links carry the last element's UUID: never send it.
    requests_mock.get(URL, [
        {'json': page([METHOD, METHOD], next_offset=NM_ID)},
        {'json': page([METHOD])}])
    rows = client.notifications.list(sort_by=['name desc', 'type'],
                                     page_size=2)
    assert len(rows) == 3
    assert [utils.query(r) for r in requests_mock.request_history] == [
        {'sort_by': 'name desc,type asc', 'limit': '2'},
        {'sort_by': 'name desc,type asc', 'limit': '2', 'offset': '2'}]


def test_list_offset_must_be_an_integer(requests_mock, client) -> None:
    requests_mock.get(URL, json=page([]))
    client.notifications.list(offset='3')
    assert utils.query(requests_mock.last_request)['offset'] == '3'
    with pytest.raises(ValidationError) as err:
        client.notifications.list(offset=NM_ID)
    assert 'must be an integer' in str(err.value)
    with pytest.raises(ValidationError):
        client.notifications.list(sort_by='name ASCENDING')
    assert requests_mock.call_count == 1


def test_update_put_needs_period(requests_mock, client) -> None:
    requests_mock.put(f'{URL}/{NM_ID}', json=METHOD)
    client.notifications.update(NM_ID, name='ops', type='email',
                                address='x@y', period=0)
    request = requests_mock.last_request
    assert request.method == 'PUT'
    assert json.loads(request.body) == {'name': 'ops', 'type': 'EMAIL',
                                        'address': 'x@y', 'period': 0}
    with pytest.raises(ValidationError) as err:
        client.notifications.update(NM_ID, name='ops', type='email',
                                    address='x@y')
    assert 'period' in str(err.value)
    assert requests_mock.call_count == 1


def test_patch_given_fields(requests_mock, client) -> None:
    requests_mock.patch(f'{URL}/{NM_ID}', json=METHOD)
    client.notifications.patch(NM_ID, name='new', period=60)
    assert json.loads(requests_mock.last_request.body) == {'name': 'new',
                                                           'period': 60}
    assert requests_mock.call_count == 1


def test_patch_address_is_checked_against_stored_type(requests_mock,
                                                      client) -> None:
    requests_mock.get(f'{URL}/{NM_ID}', json=METHOD)
    requests_mock.patch(f'{URL}/{NM_ID}', json=METHOD)
    with pytest.raises(ValidationError):
        client.notifications.patch(NM_ID, address='no-at-sign')
    assert [r.method for r in requests_mock.request_history] == ['GET']
    client.notifications.patch(NM_ID, address='b@c')
    assert json.loads(requests_mock.last_request.body) == {'address': 'b@c'}


def test_delete(requests_mock, client) -> None:
    requests_mock.delete(f'{URL}/{NM_ID}', status_code=204)
    client.notifications.delete(NM_ID)
    assert requests_mock.last_request.method == 'DELETE'


def test_find_by_name_walks_the_list(requests_mock, client) -> None:
    requests_mock.get(f'{URL}/ops', status_code=404)
    requests_mock.get(URL, [
        {'json': page([dict(METHOD, id='1', name='a')], next_offset='x')},
        {'json': page([METHOD])}])
    assert client.notifications.find('ops') == METHOD


def test_find_not_found(requests_mock, client) -> None:
    requests_mock.get(f'{URL}/ghost', status_code=404)
    requests_mock.get(URL, json=page([METHOD]))
    with pytest.raises(exc.NotFound) as err:
        client.notifications.find('ghost')
    assert "No notification method with name or ID 'ghost'" == \
        str(err.value)


def test_types(requests_mock, client) -> None:
    requests_mock.get(URL + '/types', json=page([{'type': 'EMAIL'},
                                                 {'type': 'WEBHOOK'}]))
    assert client.notificationtypes.list() == [{'type': 'EMAIL'},
                                               {'type': 'WEBHOOK'}]
    assert utils.query(requests_mock.last_request) == {}


# -- versions and health ------------------------------------------------------
def test_versions_list_and_get(requests_mock, client) -> None:
    version = {'id': 'v2.0', 'status': 'CURRENT',
               'updated': '2013-03-06T00:00:00.000Z', 'links': []}
    requests_mock.get(utils.SERVER, json={'links': [],
                                          'elements': [version]})
    requests_mock.get(utils.SERVER + 'v2.0', json=version)
    assert client.versions.list() == [version]
    assert client.versions.get() == version
    assert client.versions.get('/v2.0/') == version
    assert requests_mock.last_request.url == utils.SERVER + 'v2.0'


def test_healthcheck_healthy_without_token(requests_mock, client) -> None:
    requests_mock.get(utils.SERVER + 'healthcheck', json={
        'kafka': 'OK', 'alarms_database': 'OK', 'metrics_database': 'OK'})
    assert client.versions.healthcheck() == {
        'status': 200, 'kafka': 'OK', 'alarms_database': 'OK',
        'metrics_database': 'OK'}
    assert 'X-Auth-Token' not in requests_mock.last_request.headers


def test_healthcheck_unhealthy_is_not_an_exception(requests_mock,
                                                   client) -> None:
    requests_mock.get(utils.SERVER + 'healthcheck', status_code=503,
                      json={'kafka': 'down'})
    assert client.versions.healthcheck() == {'status': 503, 'kafka': 'down'}
    requests_mock.get(utils.SERVER + 'healthcheck', status_code=502,
                      text='<html>bad gateway</html>')
    assert client.versions.healthcheck() == {'status': 502}


@pytest.mark.parametrize('response', [{'text': ''}, {'json': ['v2.0']},
                                      {'json': 'v2.0'}])
def test_one_page_lists_refuse_a_non_collection(requests_mock, client,
                                                response: dict) -> None:
    requests_mock.get(utils.SERVER, **response)
    requests_mock.get(URL + '/types', **response)
    with pytest.raises(exc.InvalidResponse) as err:
        client.versions.list()
    assert str(err.value).startswith('GET / returned ')
    with pytest.raises(exc.InvalidResponse) as err:
        client.notificationtypes.list()
    assert 'not a collection' in str(err.value)

"""AlarmDefinitionsManager: CRUD, PUT vs PATCH, name-or-ID resolution."""

from __future__ import annotations

import json

import pytest
from requests_mock import ANY

from monasca_osc import exceptions as exc
from monasca_osc.common.validation import ValidationError
from monasca_osc.tests.unit import utils
from monasca_osc.tests.unit.utils import page

URL = utils.ROOT + '/alarm-definitions'
DEF_ID = 'f9935bcc-9641-4cbf-8224-0993a947ea83'
EXPR = 'avg(cpu.idle_perc{hostname=web1}, 120) < 10 times 3'
DEFINITION = {'id': DEF_ID, 'name': 'cpu low', 'expression': EXPR,
              'match_by': ['hostname'], 'severity': 'LOW',
              'description': '', 'actions_enabled': True,
              'alarm_actions': [], 'ok_actions': [],
              'undetermined_actions': [], 'deterministic': False}


def test_create_minimal(requests_mock, client) -> None:
    requests_mock.post(URL, status_code=201, json=DEFINITION)
    assert client.alarm_definitions.create(name='cpu low',
                                           expression=EXPR) == DEFINITION
    assert json.loads(requests_mock.last_request.body) == {
        'name': 'cpu low', 'expression': EXPR}


def test_create_full(requests_mock, client) -> None:
    requests_mock.post(URL, status_code=201, json=DEFINITION)
    client.alarm_definitions.create(
        name='cpu low', expression=EXPR, description='d', severity='high',
        match_by='hostname, service', alarm_actions=['n1', 'n2'],
        ok_actions='n3', undetermined_actions=[])
    assert json.loads(requests_mock.last_request.body) == {
        'name': 'cpu low', 'expression': EXPR, 'description': 'd',
        'severity': 'HIGH', 'match_by': ['hostname', 'service'],
        'alarm_actions': ['n1', 'n2'], 'ok_actions': ['n3'],
        'undetermined_actions': []}


@pytest.mark.parametrize('kwargs, fragment', [
    ({'expression': EXPR}, 'name'),
    ({'name': 'x'}, 'Missing required field(s): expression'),
    ({'name': 'x', 'expression': '  '}, 'expression must not be empty'),
    ({'name': 'x', 'expression': 'avg(cpu) = 3'}, 'Invalid alarm expression'),
    ({'name': 'x', 'expression': 'avg(cpu, 90) > 3'}, '90'),
    ({'name': 'x' * 256, 'expression': EXPR}, '256 characters'),
    ({'name': 'x', 'expression': EXPR, 'severity': 'urgent'}, "'urgent'"),
    ({'name': 'x', 'expression': EXPR, 'match_by': ['_host']}, '_host'),
    ({'name': 'x', 'expression': EXPR, 'alarm_actions': ['a', 'a']},
     'listed twice'),
    ({'name': 'x', 'expression': EXPR, 'ok_actions': ['x' * 51]},
     'longer than 50'),
    ({'name': 'x', 'expression': EXPR, 'description': 'd' * 256},
     '256 characters'),
])
def test_create_invalid_sends_nothing(requests_mock, client, kwargs,
                                      fragment: str) -> None:
    requests_mock.post(URL, status_code=201, json=DEFINITION)
    with pytest.raises(ValidationError) as err:
        client.alarm_definitions.create(**kwargs)
    assert fragment in str(err.value)
    assert requests_mock.call_count == 0


def test_get(requests_mock, client) -> None:
    requests_mock.get(f'{URL}/{DEF_ID}', json=DEFINITION)
    assert client.alarm_definitions.get(DEF_ID) == DEFINITION
    assert client.alarm_definitions.get(alarm_definition_id=DEF_ID) == \
        DEFINITION


def test_list_parameters(requests_mock, client) -> None:
    requests_mock.get(URL, json=page([DEFINITION]))
    rows = client.alarm_definitions.list(
        name='cpu low', dimensions={'hostname': 'web1'}, severity='low|High',
        sort_by=['name desc', 'severity'], offset=10, limit=5)
    assert rows == [DEFINITION]
    assert utils.query(requests_mock.last_request) == {
        'name': 'cpu low', 'dimensions': 'hostname:web1',
        'severity': 'LOW|HIGH', 'sort_by': 'name desc,severity asc',
        'offset': '10', 'limit': '5'}


def test_list_follows_integer_offsets(requests_mock, client) -> None:
    requests_mock.get(URL, [
        {'json': page([DEFINITION] * 2, next_offset='2')},
        {'json': page([DEFINITION])}])
    assert len(client.alarm_definitions.list(page_size=2)) == 3
    assert utils.query(requests_mock.last_request) == {'limit': '2',
                                                       'offset': '2'}


@pytest.mark.parametrize('kwargs, fragment', [
    ({'severity': 'LOW|SEVERE'}, "'SEVERE'"),
    ({'sort_by': 'expression'}, "'expression'"),
    ({'sort_by': 'name up'}, "'up'"),
    ({'limit': -1}, 'Limit -1'),
])
def test_list_invalid_sends_nothing(requests_mock, client, kwargs,
                                    fragment: str) -> None:
    with pytest.raises(ValidationError) as err:
        client.alarm_definitions.list(**kwargs)
    assert fragment in str(err.value)
    assert requests_mock.call_count == 0


def test_update_is_a_full_put(requests_mock, client) -> None:
    requests_mock.put(f'{URL}/{DEF_ID}', json=DEFINITION)
    client.alarm_definitions.update(
        DEF_ID, name='n', expression=EXPR, description='', match_by=[],
        severity='critical', alarm_actions=[], ok_actions=['o'],
        undetermined_actions=[], actions_enabled=False)
    request = requests_mock.last_request
    assert request.method == 'PUT'
    assert json.loads(request.body) == {
        'name': 'n', 'expression': EXPR, 'description': '', 'match_by': [],
        'severity': 'CRITICAL', 'alarm_actions': [], 'ok_actions': ['o'],
        'undetermined_actions': [], 'actions_enabled': False}


def test_update_needs_every_field(requests_mock, client) -> None:
    with pytest.raises(ValidationError) as err:
        client.alarm_definitions.update(DEF_ID, name='n', expression=EXPR)
    assert 'missing: description, match_by, severity' in str(err.value)
    with pytest.raises(ValidationError):
        client.alarm_definitions.update(None, name='n')
    assert requests_mock.call_count == 0


def test_patch_sends_only_given_fields(requests_mock, client) -> None:
    requests_mock.patch(f'{URL}/{DEF_ID}', json=DEFINITION)
    client.alarm_definitions.patch(DEF_ID, severity='medium',
                                   actions_enabled=False, ok_actions=[])
    request = requests_mock.last_request
    assert request.method == 'PATCH'
    assert json.loads(request.body) == {'severity': 'MEDIUM',
                                        'actions_enabled': False,
                                        'ok_actions': []}


@pytest.mark.parametrize('kwargs, fragment', [
    ({'colour': 'red'}, 'Unknown alarm definition field(s): colour'),
    ({'actions_enabled': 'false'}, "'false'"),
    ({'expression': 'nonsense('}, 'Invalid alarm expression'),
    ({'severity': 'x'}, "'x'"),
])
def test_patch_invalid_sends_nothing(requests_mock, client, kwargs,
                                     fragment: str) -> None:
    with pytest.raises(ValidationError) as err:
        client.alarm_definitions.patch(DEF_ID, **kwargs)
    assert fragment in str(err.value)
    assert requests_mock.call_count == 0


def test_delete(requests_mock, client) -> None:
    requests_mock.delete(f'{URL}/{DEF_ID}', status_code=204)
    assert client.alarm_definitions.delete(DEF_ID) is None
    assert requests_mock.last_request.method == 'DELETE'


def test_delete_without_id(requests_mock, client) -> None:
    with pytest.raises(ValidationError) as err:
        client.alarm_definitions.delete('')
    assert 'ID is required' in str(err.value)
    assert requests_mock.call_count == 0


# -- ids in paths -------------------------------------------------------------
@pytest.mark.parametrize('ident, sent', [
    ('#1', '/v2.0/alarm-definitions/%231'),
    ('a/b', '/v2.0/alarm-definitions/a%2Fb'),
    ('../notification-methods/x',
     '/v2.0/alarm-definitions/..%2Fnotification-methods%2Fx'),
    ('a?b=c', '/v2.0/alarm-definitions/a%3Fb%3Dc'),
    ('cpu high', '/v2.0/alarm-definitions/cpu%20high'),
])
def test_ids_are_one_path_segment(requests_mock, client, ident: str,
                                  sent: str) -> None:
    requests_mock.delete(ANY, status_code=204)
    client.alarm_definitions.delete(ident)
    assert utils.path(requests_mock.last_request) == sent


@pytest.mark.parametrize('ident', ['.', '..', '...'])
def test_dot_only_ids_are_refused(requests_mock, client, ident) -> None:
    # requests would send /alarm-definitions/.. and a proxy would resolve
    # it to /v2.0/ (or %2E%2E is decoded back to '..').
    with pytest.raises(ValidationError) as err:
        client.alarm_definitions.delete(ident)
    assert str(err.value) == f'Invalid ID {ident!r}'
    assert requests_mock.call_count == 0


def test_find_dot_only_name_lists(requests_mock, client) -> None:
    requests_mock.get(URL, json=page([dict(DEFINITION, name='..')]))
    assert client.alarm_definitions.find('..')['name'] == '..'
    assert requests_mock.call_count == 1
    assert utils.path(requests_mock.last_request) == '/v2.0/alarm-definitions'


# -- name-or-ID ---------------------------------------------------------------
def test_find_by_id(requests_mock, client) -> None:
    requests_mock.get(f'{URL}/{DEF_ID}', json=DEFINITION)
    assert client.alarm_definitions.find(DEF_ID) == DEFINITION
    assert requests_mock.call_count == 1


def test_find_by_name(requests_mock, client) -> None:
    requests_mock.get(f'{URL}/cpu%20low', status_code=404,
                      json={'title': '404 Not Found'})
    other = dict(DEFINITION, id='x', name='cpu low 2')
    requests_mock.get(URL, json=page([other, DEFINITION]))
    assert client.alarm_definitions.find('cpu low') == DEFINITION
    assert utils.query(requests_mock.last_request) == {'name': 'cpu low',
                                                       'limit': '10000'}


def test_find_not_found(requests_mock, client) -> None:
    requests_mock.get(f'{URL}/nope', status_code=404)
    requests_mock.get(URL, json=page([]))
    with pytest.raises(exc.NotFound) as err:
        client.alarm_definitions.find('nope')
    assert str(err.value) == "No alarm definition with name or ID 'nope'"


def test_find_not_unique(requests_mock, client) -> None:
    requests_mock.get(f'{URL}/dup', status_code=404)
    requests_mock.get(URL, json=page([dict(DEFINITION, name='dup'),
                                      dict(DEFINITION, name='dup', id='2')]))
    with pytest.raises(exc.NotUnique) as err:
        client.alarm_definitions.find('dup')
    assert 'use the ID' in str(err.value)


def test_find_other_errors_propagate(requests_mock, client) -> None:
    requests_mock.get(f'{URL}/x', status_code=401, json={'title': 'nope'})
    with pytest.raises(exc.Unauthorized):
        client.alarm_definitions.find('x')
    assert requests_mock.call_count == 1


def test_find_name_that_is_not_a_path(requests_mock, client) -> None:
    # '#1' must not turn into GET /alarm-definitions/ (the list).
    requests_mock.get(URL, json=page([dict(DEFINITION, name='#1')]))
    requests_mock.get(f'{URL}/%231', status_code=404)
    assert client.alarm_definitions.find('#1')['name'] == '#1'

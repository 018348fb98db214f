"""The error mapper: every error body becomes one line with status and id."""

from __future__ import annotations

import json

import pytest

from monasca_osc import exceptions as exc
from monasca_osc.api import http
from monasca_osc.tests.unit import utils

URL = utils.ROOT + '/alarm-definitions'
RID = 'req-7f9d2c1e-0000-4000-8000-000000000001'

CASES = [
    # falcon: title + description
    pytest.param(
        422, {'json': {'title': 'Unprocessable Entity',
                       'description': "Dimension key _x may not start "
                                      "with '_'"}},
        exc.UnprocessableEntity,
        "Unprocessable Entity: Dimension key _x may not start with '_' "
        f"(HTTP 422 on GET {URL}, request id {RID})", id='falcon'),
    # falcon without description
    pytest.param(
        404, {'json': {'title': '404 Not Found'}}, exc.NotFound,
        f'404 Not Found (HTTP 404 on GET {URL}, request id {RID})',
        id='falcon-title-only'),
    # a title repeated inside the description is not printed twice
    pytest.param(
        409, {'json': {'title': 'AlreadyExistsException',
                       'description': 'AlreadyExistsException: name x'}},
        exc.Conflict,
        f'AlreadyExistsException: name x (HTTP 409 on GET {URL}, request id '
        f'{RID})', id='falcon-title-in-description'),
    # the API's Python byte-string artefacts are plain text
    pytest.param(
        422, {'json': {'title': 'Invalid State',
                       'description': "State b'BOGUS' must be one of "
                                      "['ALARM', 'OK', 'UNDETERMINED']"}},
        exc.UnprocessableEntity,
        "Invalid State: State 'BOGUS' must be one of ['ALARM', 'OK', "
        f"'UNDETERMINED'] (HTTP 422 on GET {URL}, request id {RID})",
        id='bytes-repr-inside'),
    pytest.param(
        422, {'json': {'title': 'InvalidUpdateException',
                       'description': "b'match_by must not change'"}},
        exc.UnprocessableEntity,
        "InvalidUpdateException: match_by must not change (HTTP 422 on GET "
        f"{URL}, request id {RID})", id='bytes-repr-whole'),
    # keystonemiddleware
    pytest.param(
        401, {'json': {'error': {
            'code': 401, 'title': 'Unauthorized',
            'message': 'The request you have made requires '
                       'authentication.'}},
            'headers': {'WWW-Authenticate': 'Keystone uri="http://ks"'}},
        exc.Unauthorized,
        'Unauthorized: The request you have made requires authentication. '
        f'(HTTP 401 on GET {URL}, request id {RID})', id='keystonemiddleware'),
    # Java-style nested fault
    pytest.param(
        422, {'json': {'unprocessable_entity': {
            'code': 422, 'message': 'Field name is required',
            'details': 'name: may not be null', 'internal_code': 'abc1'}}},
        exc.UnprocessableEntity,
        'Field name is required: name: may not be null '
        f'(HTTP 422 on GET {URL}, request id {RID})', id='java'),
    pytest.param(
        403, {'json': {'forbidden': {'code': 403,
                                     'message': 'Tenant is missing'}}},
        exc.Forbidden,
        f'Tenant is missing (HTTP 403 on GET {URL}, request id {RID})',
        id='java-no-details'),
    # a proxy's HTML error page
    pytest.param(
        502, {'text': '<!DOCTYPE html>\n<html><head>\n<title>502 Bad '
                      'Gateway</title></head>\n<body><h1>Bad Gateway</h1>'
                      '\n</body></html>',
              'headers': {'Content-Type': 'text/html; charset=utf-8'}},
        exc.ServerError,
        'non-JSON error page: 502 Bad Gateway '
        f'(HTTP 502 on GET {URL}, request id {RID})', id='html'),
    pytest.param(
        500, {'text': '<html><body>\n<p>Internal\nfailure</p></body></html>',
              'headers': {'Content-Type': 'text/html'}},
        exc.ServerError,
        'non-JSON error page: Internal failure '
        f'(HTTP 500 on GET {URL}, request id {RID})', id='html-no-title'),
    # plain text
    pytest.param(
        503, {'text': 'upstream connect error\nor disconnect\n',
              'headers': {'Content-Type': 'text/plain'}},
        exc.ServiceUnavailable,
        'non-JSON error body: upstream connect error or disconnect '
        f'(HTTP 503 on GET {URL}, request id {RID})', id='text'),
    # empty body: the reason phrase
    pytest.param(
        405, {'text': '', 'reason': 'Method Not Allowed'},
        exc.MethodNotAllowed,
        f'Method Not Allowed (HTTP 405 on GET {URL}, request id {RID})',
        id='empty'),
    # other 4xx and 5xx codes fall back to the family
    pytest.param(
        418, {'json': {'title': "I'm a teapot"}}, exc.ClientError,
        f"I'm a teapot (HTTP 418 on GET {URL}, request id {RID})",
        id='other-4xx'),
    pytest.param(
        507, {'json': {'title': 'Insufficient Storage',
                       'description': 'disk\nfull'}}, exc.ServerError,
        'Insufficient Storage: disk full '
        f'(HTTP 507 on GET {URL}, request id {RID})', id='other-5xx'),
]


@pytest.mark.parametrize('status, response, cls, message', CASES)
def test_error_bodies(requests_mock, session, status: int, response: dict,
                      cls: type, message: str) -> None:
    headers = {'x-openstack-request-id': RID, **response.pop('headers', {})}
    requests_mock.get(URL, status_code=status, headers=headers, **response)
    adapter = http.MonascaAdapter(session, endpoint_override=utils.ENDPOINT,
                                  retries=0)
    with pytest.raises(exc.MonascaError) as err:
        adapter.get_json('alarm-definitions')
    error = err.value
    assert type(error) is cls
    assert str(error) == message
    assert '\n' not in str(error)
    assert error.http_status == status
    assert error.request_id == RID
    assert error.method == 'GET'
    assert error.url == URL
    assert error.status_code == status


def test_error_without_request_id(requests_mock, adapter) -> None:
    requests_mock.get(URL, status_code=400,
                      json={'title': 'Bad request',
                            'description': 'Request body is not valid JSON'})
    with pytest.raises(exc.BadRequest) as err:
        adapter.get_json('alarm-definitions')
    assert str(err.value) == ('Bad request: Request body is not valid JSON '
                              f'(HTTP 400 on GET {URL})')
    assert err.value.request_id is None
    assert err.value.details == 'Request body is not valid JSON'


def test_compute_request_id_header_is_used(requests_mock, adapter) -> None:
    requests_mock.get(URL, status_code=404, json={'title': 'gone'},
                      headers={'x-compute-request-id': 'req-c'})
    with pytest.raises(exc.NotFound) as err:
        adapter.get_json('alarm-definitions')
    assert err.value.request_id == 'req-c'
    assert str(err.value).endswith(', request id req-c)')


def test_long_text_is_shortened(requests_mock, adapter) -> None:
    requests_mock.get(URL, status_code=400, text='x' * 5000,
                      headers={'Content-Type': 'text/plain'})
    with pytest.raises(exc.BadRequest) as err:
        adapter.get_json('alarm-definitions')
    assert len(str(err.value)) < 300
    assert '...' in str(err.value)


def test_retry_after_is_kept_on_the_error(requests_mock, adapter) -> None:
    requests_mock.post(URL, status_code=503, headers={'Retry-After': '60'},
                       json={'title': 'Service unavailable'})
    with pytest.raises(exc.ServiceUnavailable) as err:
        adapter.post_json('alarm-definitions', {'name': 'x'})
    assert err.value.retry_after == 60.0
    assert str(err.value) == (f'Service unavailable (HTTP 503 on POST '
                              f'{URL})')


def test_json_that_is_not_an_object(requests_mock, adapter) -> None:
    requests_mock.get(URL, status_code=500, text=json.dumps(['a', 'b']))
    with pytest.raises(exc.ServerError) as err:
        adapter.get_json('alarm-definitions')
    assert 'HTTP 500' in str(err.value)
    assert '["a", "b"]' in str(err.value)


@pytest.mark.parametrize('status, cls', [
    (400, exc.BadRequest), (401, exc.Unauthorized), (403, exc.Forbidden),
    (404, exc.NotFound), (405, exc.MethodNotAllowed), (409, exc.Conflict),
    (422, exc.UnprocessableEntity), (429, exc.TooManyRequests),
    (503, exc.ServiceUnavailable), (413, exc.ClientError),
    (500, exc.ServerError), (502, exc.ServerError), (302, exc.MonascaError)])
def test_from_status(status: int, cls: type) -> None:
    assert exc.from_status(status) is cls


def test_exception_hierarchy() -> None:
    assert issubclass(exc.NotFound, exc.ClientError)
    assert issubclass(exc.ServiceUnavailable, exc.ServerError)
    assert issubclass(exc.ValidationError, ValueError)
    assert issubclass(exc.ConnectionFailed, exc.MonascaError)


def test_compose_one_line_without_http() -> None:
    error = exc.MonascaError(description='a\n  b', request_id='r1')
    assert str(error) == 'a b (request id r1)'
    assert str(exc.MonascaError()) == 'request failed'
    assert str(exc.NotFound(title='x')) == 'x (HTTP 404)'
    assert str(exc.MonascaError('given text', http_status=500)) == \
        'given text'


@pytest.mark.parametrize('body, text', [
    ({'title': 404, 'description': 'gone'}, '404: gone'),
    ({'title': 'T', 'description': ['a', 'b']}, 'T: ["a", "b"]'),
    ({'error': {'message': 5}}, '5'),
    ({'message': 'An unexpected error occurred'},
     'An unexpected error occurred'),
    ({'error': 'upstream timeout'}, 'upstream timeout'),
])
def test_unusual_json_bodies_still_give_one_line(requests_mock, adapter,
                                                 body: dict,
                                                 text: str) -> None:
    requests_mock.get(URL, status_code=404, json=body)
    with pytest.raises(exc.NotFound) as err:
        adapter.get_json('alarm-definitions')
    assert str(err.value) == f'{text} (HTTP 404 on GET {URL})'

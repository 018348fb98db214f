"""MonascaAdapter: URLs, headers, connection errors and retries."""

from __future__ import annotations

import email.utils
import json
import time

from keystoneauth1 import noauth, token_endpoint
from keystoneauth1 import session as ks_session
import pytest
import requests
from requests_mock import ANY

from monasca_osc import exceptions as exc
from monasca_osc.api import http
from monasca_osc.api.monitoring_client import MonitoringClient
from monasca_osc.tests.unit import utils

BODY = {'links': [], 'elements': []}


# -- URL building -------------------------------------------------------------
@pytest.mark.parametrize('endpoint, root', [
    ('http://h:8070', 'http://h:8070/v2.0'),
    ('http://h:8070/', 'http://h:8070/v2.0'),
    ('http://h:8070/v2.0', 'http://h:8070/v2.0'),
    ('http://h:8070/v2.0/', 'http://h:8070/v2.0'),
    ('https://h/metrics', 'https://h/metrics/v2.0'),
    ('https://h/metrics/', 'https://h/metrics/v2.0'),
    ('https://h/metrics/v2.0', 'https://h/metrics/v2.0'),
])
def test_version_root(endpoint: str, root: str) -> None:
    assert http.version_root(endpoint) == root


@pytest.mark.parametrize('endpoint, root', [
    ('http://h:8070', 'http://h:8070/'),
    ('http://h:8070/v2.0', 'http://h:8070/'),
    ('http://h:8070/v2.0/', 'http://h:8070/'),
    ('https://h/metrics/v2.0', 'https://h/metrics/'),
    ('https://h/metrics', 'https://h/metrics/'),
])
def test_server_root(endpoint: str, root: str) -> None:
    assert http.server_root(endpoint) == root


@pytest.mark.parametrize('endpoint, expected', [
    ('http://h:8070', 'http://h:8070/v2.0/alarms'),
    ('http://h:8070/v2.0', 'http://h:8070/v2.0/alarms'),
    ('http://h:8070/v2.0/', 'http://h:8070/v2.0/alarms'),
    ('https://h/metrics', 'https://h/metrics/v2.0/alarms'),
    ('https://h/metrics/v2.0', 'https://h/metrics/v2.0/alarms'),
])
def test_requests_go_below_the_version_root(requests_mock, session,
                                            endpoint: str,
                                            expected: str) -> None:
    requests_mock.get(expected, json=BODY)
    adapter = http.MonascaAdapter(session, endpoint_override=endpoint)
    assert adapter.get_json('/alarms') == BODY
    assert adapter.get_json('alarms') == BODY
    assert requests_mock.call_count == 2
    assert requests_mock.last_request.url == expected


@pytest.mark.parametrize('endpoint, expected', [
    ('http://h:8070/v2.0', 'http://h:8070/'),
    ('http://h:8070', 'http://h:8070/'),
    ('https://h/metrics/v2.0/', 'https://h/metrics/'),
])
def test_version_list_uses_the_server_root(requests_mock, session,
                                           endpoint: str,
                                           expected: str) -> None:
    requests_mock.get(expected, json={'elements': [{'id': 'v2.0'}]})
    client = MonitoringClient(session, endpoint_override=endpoint)
    assert client.versions.list() == [{'id': 'v2.0'}]
    assert requests_mock.last_request.url == expected
    assert client.endpoint == http.version_root(endpoint)


def test_endpoint_from_the_auth_plugin(requests_mock) -> None:
    # admin_token style: the plugin knows the endpoint (no override).
    sess = ks_session.Session(
        auth=token_endpoint.Token('https://mon.example/metrics', 'tok-1'))
    requests_mock.get('https://mon.example/metrics/v2.0/metrics', json=BODY)
    client = MonitoringClient(sess)
    assert client.metrics.list() == []
    request = requests_mock.last_request
    assert request.headers['X-Auth-Token'] == 'tok-1'
    assert utils.path(request) == '/metrics/v2.0/metrics'


def test_no_endpoint_is_one_clear_error(requests_mock) -> None:
    sess = ks_session.Session(auth=noauth.NoAuth())
    adapter = http.MonascaAdapter(sess)
    with pytest.raises(exc.ConnectionFailed) as err:
        adapter.get_json('metrics')
    assert '--os-endpoint' in str(err.value)
    assert "'monitoring'" in str(err.value)
    assert requests_mock.call_count == 0


class _NoCatalogEntry(noauth.NoAuth):
    def get_endpoint(self, session, **kwargs):
        from keystoneauth1 import exceptions as ks_exc

        raise ks_exc.EndpointNotFound('Could not find requested endpoint')


def test_catalog_without_monitoring_is_one_clear_error(requests_mock
                                                       ) -> None:
    adapter = http.MonascaAdapter(
        ks_session.Session(auth=_NoCatalogEntry()), retries=0)
    with pytest.raises(exc.ConnectionFailed) as err:
        adapter.get_json('metrics')
    assert "the catalog has no 'monitoring' service" in str(err.value)
    assert requests_mock.call_count == 0


def test_absolute_urls_pass_through(requests_mock, adapter) -> None:
    requests_mock.get('http://other.test/x', json={'a': 1})
    assert adapter.get_json('http://other.test/x') == {'a': 1}


# -- headers ------------------------------------------------------------------
def test_get_sends_accept_and_no_content_type(requests_mock, client) -> None:
    requests_mock.get(utils.ROOT + '/metrics', json=BODY)
    client.metrics.list()
    headers = requests_mock.last_request.headers
    assert headers['Accept'] == 'application/json'
    assert 'Content-Type' not in headers
    assert requests_mock.last_request.body is None
    assert headers['X-Auth-Token'] == 'notused'


def test_delete_sends_no_content_type(requests_mock, client) -> None:
    requests_mock.delete(utils.ROOT + '/alarms/a1', status_code=204)
    assert client.alarms.delete('a1') is None
    assert 'Content-Type' not in requests_mock.last_request.headers


@pytest.mark.parametrize('method, call', [
    ('POST', lambda c: c.metrics.create(name='cpu', timestamp=1, value=2)),
    ('PUT', lambda c: c.alarms.update('a1', state='OK',
                                      lifecycle_state='open', link='x')),
    ('PATCH', lambda c: c.alarms.patch('a1', state='OK')),
    ('PATCH', lambda c: c.alarms.patch('a1')),
    ('POST', lambda c: c.notifications.create(
        name='n', type='EMAIL', address='a@b')),
])
def test_writes_send_exactly_application_json(requests_mock, client,
                                              method: str, call) -> None:
    requests_mock.register_uri(method, ANY, json={'id': 'x'})
    call(client)
    request = requests_mock.last_request
    assert request.method == method
    # The API compares this header with string equality.
    assert request.headers['Content-Type'] == 'application/json'
    assert isinstance(json.loads(request.body), (dict, list))


def test_write_body_is_compact_json_without_nan(requests_mock,
                                                adapter) -> None:
    requests_mock.post(utils.ROOT + '/metrics', status_code=204)
    assert adapter.post_json('metrics', {'name': 'é', 'v': 1}) is None
    assert json.loads(requests_mock.last_request.body) == {'name': 'é',
                                                           'v': 1}
    with pytest.raises(ValueError):
        adapter.post_json('metrics', {'value': float('nan')})
    assert requests_mock.call_count == 1


def test_request_timeout_is_passed(requests_mock, session) -> None:
    requests_mock.get(utils.ROOT + '/metrics', json=BODY)
    adapter = http.MonascaAdapter(session, endpoint_override=utils.ENDPOINT,
                                  timeout=4.5)
    adapter.get_json('metrics')
    assert requests_mock.last_request.timeout == 4.5


def test_empty_params_are_dropped(requests_mock, adapter) -> None:
    requests_mock.get(utils.ROOT + '/metrics', json=BODY)
    adapter.get_json('metrics', {'name': 'cpu', 'dimensions': '',
                                 'tenant_id': None, 'limit': 5})
    assert utils.query(requests_mock.last_request) == {'name': 'cpu',
                                                       'limit': '5'}


def test_non_json_success_body_is_one_line_error(requests_mock,
                                                 adapter) -> None:
    requests_mock.get(utils.ROOT + '/metrics', text='<html>\nhi\n</html>',
                      headers={'Content-Type': 'text/html'})
    with pytest.raises(exc.InvalidResponse) as err:
        adapter.get_json('metrics')
    text = str(err.value)
    assert '\n' not in text
    assert 'HTTP 200' in text and 'text/html' in text
    assert '/v2.0/metrics' in text


def test_204_returns_none(requests_mock, adapter) -> None:
    requests_mock.post(utils.ROOT + '/metrics', status_code=204)
    assert adapter.post_json('metrics', []) is None


# -- connection errors --------------------------------------------------------
REFUSED = requests.exceptions.ConnectionError(
    "HTTPConnectionPool(host='monasca.test', port=8070): Max retries "
    "exceeded with url: /v2.0/metrics (Caused by NewConnectionError("
    "'<urllib3.connection.HTTPConnection object at 0x7f>: Failed to "
    "establish a new connection: [Errno 111] Connection refused'))")


def test_connection_refused_is_one_line(requests_mock, adapter,
                                        sleeps) -> None:
    requests_mock.get(utils.ROOT + '/metrics', exc=REFUSED)
    with pytest.raises(exc.ConnectionFailed) as err:
        adapter.get_json('metrics')
    assert str(err.value) == (
        'Cannot connect to the Monasca API at '
        f'{utils.ROOT}/metrics: connection refused')
    assert err.value.method == 'GET'
    # GETs are retried on connection errors.
    assert requests_mock.call_count == 4
    assert len(sleeps) == 3


@pytest.mark.parametrize('error', [
    requests.exceptions.ConnectTimeout('Connection to h timed out'),
    requests.exceptions.ReadTimeout(
        "HTTPConnectionPool(host='h', port=8070): Read timed out. "
        "(read timeout=5)"),
])
def test_timeouts_map_to_timeout(requests_mock, adapter, error) -> None:
    requests_mock.get(utils.ROOT + '/alarms', exc=error)
    with pytest.raises(exc.Timeout) as err:
        adapter.get_json('alarms')
    assert str(err.value) == f'Request timed out: GET {utils.ROOT}/alarms'
    assert requests_mock.call_count == 4


def test_tls_failure_is_not_retried(requests_mock, adapter, sleeps) -> None:
    requests_mock.get(utils.ROOT + '/alarms', exc=requests.exceptions.SSLError(
        '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: '
        'self-signed certificate (_ssl.c:1006)'))
    with pytest.raises(exc.ConnectionFailed) as err:
        adapter.get_json('alarms')
    text = str(err.value)
    assert text.startswith(f'TLS error talking to {utils.ROOT}/alarms: ')
    assert '--os-cacert' in text and '\n' not in text
    assert requests_mock.call_count == 1
    assert sleeps == []


def test_other_tls_error_keeps_its_reason(requests_mock, adapter) -> None:
    requests_mock.get(utils.ROOT + '/alarms', exc=requests.exceptions.SSLError(
        '[SSL: WRONG_VERSION_NUMBER] wrong version number'))
    with pytest.raises(exc.ConnectionFailed) as err:
        adapter.get_json('alarms')
    assert 'WRONG_VERSION_NUMBER' in str(err.value)


def test_connection_reset_is_one_line(requests_mock, adapter) -> None:
    requests_mock.get(utils.ROOT + '/alarms', exc=requests.exceptions.
                      ConnectionError(
                          "('Connection aborted.', RemoteDisconnected("
                          "'Remote end closed connection without response'))"))
    with pytest.raises(exc.ConnectionFailed) as err:
        adapter.get_json('alarms')
    assert str(err.value) == (f'Cannot connect to the Monasca API at '
                              f'{utils.ROOT}/alarms: connection aborted')


def test_post_is_not_retried_after_a_connection_error(requests_mock,
                                                      adapter) -> None:
    requests_mock.post(utils.ROOT + '/alarm-definitions', exc=REFUSED)
    with pytest.raises(exc.ConnectionFailed):
        adapter.post_json('alarm-definitions', {'name': 'x'})
    assert requests_mock.call_count == 1


def test_healthcheck_connection_error_is_mapped(requests_mock,
                                                client) -> None:
    requests_mock.get(utils.SERVER + 'healthcheck', exc=REFUSED)
    with pytest.raises(exc.ConnectionFailed) as err:
        client.versions.healthcheck()
    assert 'connection refused' in str(err.value)
    assert 'healthcheck' in str(err.value)


# -- retries ------------------------------------------------------------------
@pytest.mark.parametrize('status', [429, 500, 502, 503, 504])
def test_get_is_retried_on_transient_status(requests_mock, adapter, sleeps,
                                            status: int) -> None:
    requests_mock.get(utils.ROOT + '/metrics', [
        {'status_code': status, 'json': {'title': 'busy'}},
        {'status_code': status, 'json': {'title': 'busy'}},
        {'status_code': 200, 'json': BODY}])
    assert adapter.get_json('metrics') == BODY
    assert requests_mock.call_count == 3
    assert len(sleeps) == 2
    assert adapter.retry_count == 2


@pytest.mark.parametrize('status, cls', [
    (400, exc.BadRequest), (401, exc.Unauthorized), (404, exc.NotFound),
    (409, exc.Conflict), (422, exc.UnprocessableEntity)])
def test_client_errors_are_not_retried(requests_mock, adapter, sleeps,
                                       status: int, cls) -> None:
    requests_mock.get(utils.ROOT + '/metrics', status_code=status,
                      json={'title': 'no'})
    with pytest.raises(cls):
        adapter.get_json('metrics')
    assert requests_mock.call_count == 1
    assert sleeps == []


def test_retries_are_bounded(requests_mock, session, sleeps) -> None:
    adapter = http.MonascaAdapter(session, endpoint_override=utils.ENDPOINT,
                                  retries=2, sleep=sleeps.append)
    requests_mock.get(utils.ROOT + '/metrics', status_code=503,
                      json={'title': 'Service unavailable',
                            'description': 'kafka down'})
    with pytest.raises(exc.ServiceUnavailable) as err:
        adapter.get_json('metrics')
    assert requests_mock.call_count == 3
    assert len(sleeps) == 2
    assert 'kafka down' in str(err.value)


def test_zero_retries(requests_mock, session, sleeps) -> None:
    adapter = http.MonascaAdapter(session, endpoint_override=utils.ENDPOINT,
                                  retries=0, sleep=sleeps.append)
    requests_mock.get(utils.ROOT + '/metrics', status_code=500)
    with pytest.raises(exc.ServerError):
        adapter.get_json('metrics')
    assert requests_mock.call_count == 1
    assert sleeps == []


def test_backoff_grows_exponentially_within_jitter_bounds(
        requests_mock, session, sleeps) -> None:
    adapter = http.MonascaAdapter(session, endpoint_override=utils.ENDPOINT,
                                  retries=6, backoff=1.0, max_backoff=8.0,
                                  sleep=sleeps.append)
    requests_mock.get(utils.ROOT + '/metrics', status_code=502)
    with pytest.raises(exc.ServerError):
        adapter.get_json('metrics')
    ceilings = [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert len(sleeps) == len(ceilings)
    for delay, ceiling in zip(sleeps, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling


def test_backoff_jitter_arguments(requests_mock, session, sleeps,
                                  monkeypatch) -> None:
    calls = []

    def uniform(low: float, high: float) -> float:
        calls.append((low, high))
        return high

    monkeypatch.setattr(http.random, 'uniform', uniform)
    adapter = http.MonascaAdapter(session, endpoint_override=utils.ENDPOINT,
                                  retries=3, backoff=0.5,
                                  sleep=sleeps.append)
    requests_mock.get(utils.ROOT + '/metrics', status_code=504)
    with pytest.raises(exc.ServerError):
        adapter.get_json('metrics')
    assert calls == [(0.25, 0.5), (0.5, 1.0), (1.0, 2.0)]
    assert sleeps == [0.5, 1.0, 2.0]


def test_retry_after_seconds_is_honoured(requests_mock, adapter,
                                         sleeps) -> None:
    requests_mock.get(utils.ROOT + '/metrics', [
        {'status_code': 503, 'headers': {'Retry-After': '7'}},
        {'status_code': 429, 'headers': {'Retry-After': '0'}},
        {'status_code': 200, 'json': BODY}])
    assert adapter.get_json('metrics') == BODY
    assert sleeps == [7.0, 0.0]


def test_retry_after_http_date_is_honoured(requests_mock, adapter,
                                           sleeps) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    requests_mock.get(utils.ROOT + '/metrics', [
        {'status_code': 503, 'headers': {'Retry-After': when}},
        {'status_code': 200, 'json': BODY}])
    adapter.get_json('metrics')
    assert len(sleeps) == 1
    assert 28.0 <= sleeps[0] <= 31.0


def test_retry_after_is_capped(requests_mock, adapter, sleeps) -> None:
    requests_mock.get(utils.ROOT + '/metrics', [
        {'status_code': 503, 'headers': {'Retry-After': '3600'}},
        {'status_code': 200, 'json': BODY}])
    adapter.get_json('metrics')
    assert sleeps == [http.MAX_RETRY_AFTER]


@pytest.mark.parametrize('value, expected', [
    ('12', 12.0), ('1.5', 1.5), ('-4', 0.0), ('', None), (None, None),
    ('soon', None), ('Wed, 21 Oct 2015 07:28:00 GMT', 0.0)])
def test_parse_retry_after(value, expected) -> None:
    assert http.parse_retry_after(value) == expected


def test_post_is_not_retried_on_500(requests_mock, adapter, sleeps) -> None:
    requests_mock.post(utils.ROOT + '/alarm-definitions', status_code=500,
                       json={'title': 'Service unavailable'})
    with pytest.raises(exc.ServerError):
        adapter.post_json('alarm-definitions', {'name': 'x'})
    assert requests_mock.call_count == 1
    assert sleeps == []


def test_idempotent_post_is_retried_on_500(requests_mock, adapter,
                                           sleeps) -> None:
    requests_mock.post(utils.ROOT + '/metrics', [
        {'status_code': 500}, {'status_code': 204}])
    assert adapter.post_json('metrics', [], idempotent=True) is None
    assert requests_mock.call_count == 2
    assert len(sleeps) == 1


def test_post_is_retried_on_429(requests_mock, adapter, sleeps) -> None:
    requests_mock.post(utils.ROOT + '/alarm-definitions', [
        {'status_code': 429, 'headers': {'Retry-After': '2'}},
        {'status_code': 201, 'json': {'id': 'd1'}}])
    assert adapter.post_json('alarm-definitions', {'name': 'x'}) == {
        'id': 'd1'}
    assert sleeps == [2.0]


def test_metric_create_is_idempotent(requests_mock, client, sleeps) -> None:
    requests_mock.post(utils.ROOT + '/metrics', [
        {'status_code': 502}, {'status_code': 204}])
    client.metrics.create(name='cpu', timestamp=1, value=1.0)
    assert requests_mock.call_count == 2


@pytest.mark.parametrize('method', ['PUT', 'PATCH', 'DELETE'])
def test_idempotent_methods_are_retried(requests_mock, adapter, sleeps,
                                        method: str) -> None:
    requests_mock.register_uri(method, utils.ROOT + '/alarms/a', [
        {'status_code': 503}, {'status_code': 200, 'json': {'id': 'a'}}])
    adapter.call(method, 'alarms/a', body={} if method != 'DELETE' else None)
    assert requests_mock.call_count == 2


def test_keystone_auth_failure_is_one_line(requests_mock) -> None:
    from keystoneauth1.identity import v3

    requests_mock.post('http://ks.test/v3/auth/tokens', status_code=401,
                       json={'error': {'code': 401, 'title': 'Unauthorized',
                                       'message': 'The request you have '
                                                  'made requires\n'
                                                  'authentication.'}},
                       headers={'x-openstack-request-id': 'req-ks'})
    auth = v3.Password(auth_url='http://ks.test/v3', username='u',
                       password='wrong', project_name='p',
                       user_domain_id='default', project_domain_id='default')
    adapter = http.MonascaAdapter(ks_session.Session(auth=auth),
                                  endpoint_override=utils.ENDPOINT)
    with pytest.raises(exc.MonascaError) as err:
        adapter.get_json('metrics')
    text = str(err.value)
    assert '\n' not in text
    assert text.startswith('Unauthorized (HTTP 401)')
    assert 'req-ks' in text
    # Only the token request was made.
    assert [r.url for r in requests_mock.request_history] == [
        'http://ks.test/v3/auth/tokens']

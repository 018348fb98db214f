"""Secrets stay out of logs and error messages (in-process checks).

The functional tests (``test_robustness_secrets.py``) run both CLIs with
-v, -vv and ``--debug``; these pin the pieces: the masking of every log
record (by recorded value and by shape), and the REST layer's debug logs,
retries and exceptions with a token, a password and an application
credential.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from monasca_osc import exceptions, masking
from monasca_osc.tests.unit import utils

TOKEN = 'tokenS3cr3t-4f1e9a7c2b'
PASSWORD = 'passwordS3cr3t-77aa01'
APP_SECRET = 'appcredS3cr3t-90b3c5'
AUTH_URL = 'http://keystone.test:5000/v3'


@pytest.fixture
def known() -> Any:
    """The process-wide set of recorded secrets, restored afterwards."""
    saved = set(masking._known)
    masking._known.clear()
    try:
        yield masking._known
    finally:
        masking._known.clear()
        masking._known.update(saved)


@pytest.mark.parametrize('command_line,expected', [
    ('--os-auth-type admin_token --os-token {T} monitoring metric list',
     '--os-auth-type admin_token --os-token *** monitoring metric list'),
    ('--os-password={T} --os-username u',
     '--os-password=*** --os-username u'),
    ('--os-application-credential-secret {T} '
     '--os-application-credential-id i',
     '--os-application-credential-secret *** '
     '--os-application-credential-id i'),
    ('--os-access-token {T} --os-client-secret {T} --os-passcode {T}',
     '--os-access-token *** --os-client-secret *** --os-passcode ***'),
    ("Namespace(passcode='{T}', token='***')",
     "Namespace(passcode='***', token='***')"),
    ("{{'auth': {{'passcode': '{T}', 'auth_type': 'admin_token'}}}}",
     "{{'auth': {{'passcode': '***', 'auth_type': 'admin_token'}}}}"),
    # Not secrets: left alone, also when a value looks like an option name.
    ('monitoring metric list --name token --os-cloud password',
     'monitoring metric list --name token --os-cloud password'),
])
def test_secrets_are_masked_by_shape(known: Any, command_line: str,
                                     expected: str) -> None:
    assert masking.mask(command_line.format(T=TOKEN)) == expected.format()


def test_a_recorded_secret_is_masked_wherever_it_is(known: Any) -> None:
    # osc-lib's own mask_password turns "admin_token --os-token X" into
    # "admin_token --os*** X": only the value itself can be matched.
    masking.register(TOKEN)
    masking.register('ab')  # too short to be masked by value
    assert masking.mask(f'admin_token --os*** {TOKEN} list ab') == (
        'admin_token --os*** *** list ab')


def test_guard_records_parsed_options_variables_and_settings(
        known: Any, monkeypatch: Any) -> None:
    import argparse

    monkeypatch.setenv('OS_PASSWORD', PASSWORD)
    monkeypatch.setenv('OS_USERNAME', 'not-a-secret-user')
    parser = argparse.ArgumentParser()
    masking.guard(parser)
    # Added after guard(), as OSC adds keystoneauth's options.
    parser.add_argument('--os-token')
    parser.add_argument('--os-application-credential-secret', dest='acs')
    parser.add_argument('--os-project-name')
    parser.parse_args(['--os-token', TOKEN, f'--os-application-'
                       f'credential-secret={APP_SECRET}',
                       '--os-project-name', 'proj-name'])
    masking.register_config({'auth': {'passcode': 'passcode-123456',
                                      'username': 'user-name'}})
    assert known == {PASSWORD, TOKEN, APP_SECRET, 'passcode-123456'}


def test_every_log_record_is_masked(known: Any, caplog: Any) -> None:
    masking.guard()
    masking.register(TOKEN)
    logger = logging.getLogger('osc_lib.shell')
    with caplog.at_level(logging.DEBUG):
        logger.info('START with options: %s',
                    f'--os-auth-type admin_token --os*** {TOKEN} x')
        logging.getLogger('keystoneauth.session').debug(
            'cloud cfg: %s', {'auth': {'token': TOKEN}})
        try:
            raise ValueError(f'bad {TOKEN}')
        except ValueError:
            logger.exception('failed')
    assert TOKEN not in caplog.text
    assert 'admin_token --os*** *** x' in caplog.text
    assert "'token': '***'" in caplog.text


# -- the REST layer -------------------------------------------------------

def _client(**kwargs: Any) -> Any:
    from monasca_osc import client

    return client.Client(endpoint=utils.ENDPOINT, retries=2, **kwargs)


def _no_sleep(monitoring: Any) -> Any:
    monitoring.adapter._sleep = lambda seconds: None
    return monitoring


def test_token_not_in_debug_logs_retries_or_errors(requests_mock: Any,
                                                   caplog: Any) -> None:
    requests_mock.get(utils.ENDPOINT + '/metrics', [
        {'status_code': 503, 'json': {'title': 'Service Unavailable'}},
        {'json': utils.page([{'id': '1', 'name': 'cpu'}])}])
    requests_mock.get(utils.ENDPOINT + '/alarms/nope', status_code=404,
                      json={'title': 'Not Found', 'description': 'nope'})
    monitoring = _no_sleep(_client(token=TOKEN))
    # The monasca shell quiets this logger process-wide in other tests.
    caplog.set_level(logging.DEBUG, logger='monasca_osc.api')
    with caplog.at_level(logging.DEBUG):
        assert monitoring.metrics.list() == [{'id': '1', 'name': 'cpu'}]
        with pytest.raises(exceptions.NotFound) as caught:
            monitoring.alarms.get('nope')
    # The token did go out (so the test looks at the right requests)...
    assert all(r.headers['X-Auth-Token'] == TOKEN
               for r in requests_mock.request_history)
    # ...and keystoneauth logged them, with the token hashed.
    assert 'X-Auth-Token: {SHA256}' in caplog.text
    assert 'Retrying GET' in caplog.text
    for text in (caplog.text, str(caught.value), repr(caught.value),
                 repr(monitoring), repr(monitoring.adapter)):
        assert TOKEN not in text


def _keystone_discovery(requests_mock: Any) -> None:
    requests_mock.get(AUTH_URL, json={'version': {
        'id': 'v3.14', 'status': 'stable', 'updated': '2020-04-07T00:00:00Z',
        'links': [{'rel': 'self', 'href': AUTH_URL + '/'}],
        'media-types': [{'base': 'application/json',
                         'type': 'application/vnd.openstack.identity-v3+json'}
                        ]}})


def _keystone_token_response(requests_mock: Any) -> None:
    _keystone_discovery(requests_mock)
    requests_mock.post(AUTH_URL + '/auth/tokens', status_code=201,
                       headers={'X-Subject-Token': TOKEN},
                       json={'token': {
                           'expires_at': '2999-01-01T00:00:00.000000Z',
                           'project': {'id': 'p', 'name': 'p',
                                       'domain': {'id': 'default'}},
                           'user': {'id': 'u', 'name': 'u',
                                    'domain': {'id': 'default'}},
                           'catalog': []}})


def test_password_not_in_debug_logs(requests_mock: Any, caplog: Any) -> None:
    _keystone_token_response(requests_mock)
    requests_mock.get(utils.ENDPOINT + '/metrics', json=utils.page([]))
    monitoring = _client(auth_url=AUTH_URL, username='u',
                         password=PASSWORD, project_name='p')
    with caplog.at_level(logging.DEBUG):
        assert monitoring.metrics.list() == []
    auth = [r for r in requests_mock.request_history
            if r.path.endswith('/auth/tokens')][0]
    assert auth.json()['auth']['identity']['password']['user'][
        'password'] == PASSWORD
    assert PASSWORD not in caplog.text
    assert TOKEN not in caplog.text


def test_password_not_in_failed_authentication(requests_mock: Any,
                                               caplog: Any) -> None:
    _keystone_discovery(requests_mock)
    requests_mock.post(AUTH_URL + '/auth/tokens', status_code=401, json={
        'error': {'code': 401, 'title': 'Unauthorized',
                  'message': 'The request you have made requires '
                             'authentication.'}})
    monitoring = _client(auth_url=AUTH_URL, username='u',
                         password=PASSWORD, project_name='p')
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(exceptions.MonascaError) as caught:
            monitoring.metrics.list()
    message = str(caught.value)
    assert '\n' not in message
    assert 'HTTP 401' in message
    assert PASSWORD not in message
    assert PASSWORD not in caplog.text


def test_application_credential_secret_not_logged(requests_mock: Any,
                                                  caplog: Any) -> None:
    from keystoneauth1.identity import v3

    _keystone_token_response(requests_mock)
    requests_mock.get(utils.ENDPOINT + '/metrics', json=utils.page([]))
    auth = v3.ApplicationCredential(
        auth_url=AUTH_URL, application_credential_id='app-id',
        application_credential_secret=APP_SECRET)
    monitoring = _client(auth=auth)
    with caplog.at_level(logging.DEBUG):
        assert monitoring.metrics.list() == []
    sent = [r for r in requests_mock.request_history
            if r.path.endswith('/auth/tokens')][0].json()
    assert sent['auth']['identity']['application_credential'][
        'secret'] == APP_SECRET
    assert APP_SECRET not in caplog.text
    assert TOKEN not in caplog.text


def test_masked_record_message_behaves_as_text() -> None:
    """Code that edits ``record.msg`` as a str (Sphinx appends to it) gets
    the masked text instead of a TypeError."""
    masking.register('TopSecretValue42')
    record = masking._record_factory(logging.LogRecord)(
        'x', logging.WARNING, __file__, 1, 'token %s in',
        ('TopSecretValue42',), None)
    record.msg += ' the docs'
    assert record.msg == 'token *** in the docs'
    assert ('prefix ' + masking._MaskedMessage('a %s', ('b',))) == 'prefix a b'
    message = masking._MaskedMessage('TopSecretValue42 here', ())
    assert message.startswith('*** ')
    assert len(message) == len('*** here')

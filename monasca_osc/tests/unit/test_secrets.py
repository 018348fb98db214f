"""Secrets stay out of logs and error messages (in-process checks).

The functional tests (``test_robustness_secrets.py``) run both CLIs with
``--debug``; these pin the pieces: the plugin's mask for osc-lib's command
line log, and the REST layer's debug logs, retries and exceptions with a
token, a password and an application credential.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from monasca_osc import exceptions, plugin
from monasca_osc.tests.unit import utils

TOKEN = 'tokenS3cr3t-4f1e9a7c2b'
PASSWORD = 'passwordS3cr3t-77aa01'
APP_SECRET = 'appcredS3cr3t-90b3c5'
AUTH_URL = 'http://keystone.test:5000/v3'


def _record(message: str, *args: Any) -> logging.LogRecord:
    return logging.LogRecord('osc_lib.shell', logging.INFO, __file__, 1,
                             message, args, None)


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
    # Not secrets: left alone, also when a value looks like an option name.
    ('monitoring metric list --name token --os-cloud password',
     'monitoring metric list --name token --os-cloud password'),
])
def test_command_line_secrets_are_masked(command_line: str,
                                         expected: str) -> None:
    record = _record('START with options: %s',
                     command_line.format(T=TOKEN))
    assert plugin.MaskSecretOptions().filter(record) is True
    assert record.getMessage() == f'START with options: {expected}'
    assert TOKEN not in record.getMessage()


def test_mask_is_installed_once_on_the_osc_lib_logger(caplog: Any) -> None:
    import argparse

    logger = logging.getLogger('osc_lib.shell')
    before = [f for f in logger.filters
              if not isinstance(f, plugin.MaskSecretOptions)]
    try:
        plugin.build_option_parser(argparse.ArgumentParser())
        plugin.build_option_parser(argparse.ArgumentParser())
        masks = [f for f in logger.filters
                 if isinstance(f, plugin.MaskSecretOptions)]
        assert len(masks) == 1
        with caplog.at_level(logging.INFO, logger='osc_lib.shell'):
            logger.info('START with options: %s',
                        f'--os-token {TOKEN} monitoring metric list')
        assert TOKEN not in caplog.text
        assert '--os-token *** monitoring metric list' in caplog.text
    finally:
        logger.filters[:] = before


def test_a_broken_record_is_passed_on() -> None:
    record = _record('%s %s', 'only one argument')
    assert plugin.MaskSecretOptions().filter(record) is True


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

"""Global options, environment variables and auth modes of ``monasca``."""

from __future__ import annotations

import argparse
import os
from typing import Any
from unittest import mock

from keystoneauth1 import noauth, token_endpoint
from keystoneauth1.identity import generic
import pytest

from monasca_osc import client, shell
from monasca_osc.legacy import clientmanager
from monasca_osc.tests.unit.legacy.conftest import run_shell

URL = 'http://monasca.test:8070/v2.0/'


def options(argv: list[str], env: dict[str, str] | None = None
            ) -> argparse.Namespace:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(('OS_', 'MONASCA_'))}
    clean.update(env or {})
    with mock.patch.dict(os.environ, clean, clear=True):
        app = shell.MonascaShell(argv)
        parsed, _ = app.parser.parse_known_args(argv)
    return parsed


def plugin(argv: list[str], env: dict[str, str] | None = None) -> Any:
    return clientmanager.ClientManager(options(argv, env)).auth_plugin()


def monitoring(argv: list[str], env: dict[str, str] | None = None) -> Any:
    return clientmanager.ClientManager(options(argv, env)).monitoring


# -- auth modes ---------------------------------------------------------------
def test_vagrant_mode_sends_the_token_without_keystone() -> None:
    auth = plugin([], {'OS_AUTH_TOKEN': '82510970543135',
                       'OS_NO_CLIENT_AUTH': '1', 'MONASCA_API_URL': URL,
                       # Ignored: no Keystone in this mode.
                       'OS_AUTH_URL': 'http://keystone.test/v3',
                       'OS_USERNAME': 'u', 'OS_PASSWORD': 'p'})
    assert isinstance(auth, token_endpoint.Token)
    assert (auth.token, auth.endpoint) == ('82510970543135', URL)


def test_token_and_url_need_no_keystone() -> None:
    auth = plugin([], {'OS_AUTH_TOKEN': 'tok', 'MONASCA_API_URL': URL})
    assert isinstance(auth, token_endpoint.Token)
    auth = plugin(['--os-token', 'tok', '--monasca-api-url', URL])
    assert isinstance(auth, token_endpoint.Token)
    auth = plugin(['--os-auth-type', 'admin_token', '--os-endpoint', URL,
                   '--os-token', 'tok'])
    assert (auth.token, auth.endpoint) == ('tok', URL)


def test_auth_type_none_without_token() -> None:
    auth = plugin(['--os-auth-type', 'none', '--monasca-api-url', URL])
    assert isinstance(auth, noauth.NoAuth)


def test_no_client_auth_needs_the_url() -> None:
    with pytest.raises(client.MissingCredentials, match='MONASCA_API_URL'):
        plugin([], {'OS_NO_CLIENT_AUTH': '1', 'OS_AUTH_TOKEN': 't'})


@pytest.mark.parametrize('value', ['0', 'false', ''])
def test_no_client_auth_off_values(value: str) -> None:
    assert options([], {'OS_NO_CLIENT_AUTH': value}).os_no_client_auth \
        is False


def test_password_env_with_defaults_and_auth_version() -> None:
    auth = plugin([], {'OS_USERNAME': 'mini-mon', 'OS_PASSWORD': 'secret',
                       'OS_PROJECT_NAME': 'mini-mon',
                       'OS_AUTH_URL': 'http://keystone.test/identity',
                       'OS_AUTH_VERSION': '3', 'OS_REGION_NAME': 'R2'})
    assert isinstance(auth, generic.Password)
    assert auth.auth_url == 'http://keystone.test/identity/v3'
    assert auth._username == 'mini-mon'
    # OS_USER_DOMAIN_NAME defaults to Default; the project's domain to
    # the user's.
    assert auth._user_domain_name == 'Default'
    assert auth._project_domain_name == 'Default'
    assert auth._project_name == 'mini-mon'


@pytest.mark.parametrize('url,version,expected', [
    ('http://k/identity', '2.0', 'http://k/identity/v2.0'),
    ('http://k/identity/', 'v3', 'http://k/identity/v3'),
    ('http://k/v3', '3', 'http://k/v3'),
    ('http://k/v2.0', '3', 'http://k/v2.0'),
    ('http://k/identity', None, 'http://k/identity'),
])
def test_auth_version_is_appended_only_when_missing(
        url: str, version: str | None, expected: str) -> None:
    assert client.auth_url_with_version(url, version) == expected


def test_deprecated_tenant_variables() -> None:
    auth = plugin([], {'OS_USERNAME': 'u', 'OS_PASSWORD': 'p',
                       'OS_AUTH_URL': 'http://k/v3',
                       'OS_TENANT_NAME': 'legacy-project',
                       'OS_USER_DOMAIN_NAME': 'Users'})
    assert auth._project_name == 'legacy-project'
    assert auth._user_domain_name == 'Users'
    assert auth._project_domain_name == 'Users'
    auth = plugin(['--os-tenant-id', 'pid'], {
        'OS_USERNAME': 'u', 'OS_PASSWORD': 'p', 'OS_AUTH_URL': 'http://k/v3'})
    assert auth._project_id == 'pid'
    # The new names win over the deprecated ones.
    assert options([], {'OS_PROJECT_NAME': 'new', 'OS_TENANT_NAME': 'old'}
                   ).os_project_name == 'new'


def test_token_with_auth_url_uses_keystone() -> None:
    auth = plugin([], {'OS_AUTH_TOKEN': 'tok', 'OS_AUTH_URL': 'http://k/v3',
                       'OS_PROJECT_ID': 'p'})
    assert isinstance(auth, generic.Token)
    assert auth._project_id == 'p'


def test_other_auth_types_go_through_the_plugin_loader() -> None:
    argv = ['--os-auth-type', 'v3applicationcredential',
            '--os-application-credential-id', 'cred',
            '--os-application-credential-secret', 'shh',
            '--os-auth-url', 'http://k/v3']
    assert shell.needs_plugin_options(argv)
    auth = plugin(argv)
    assert type(auth).__name__ == 'ApplicationCredential'
    assert auth.auth_url == 'http://k/v3'


def test_unknown_auth_type_is_one_line() -> None:
    with pytest.raises(client.MissingCredentials,
                       match="Unknown --os-auth-type 'nosuch'"):
        plugin(['--os-auth-type', 'nosuch'])


@pytest.mark.parametrize('env,message', [
    ({}, 'No credentials'),
    ({'OS_USERNAME': 'u', 'OS_PASSWORD': 'p'}, 'auth URL is required'),
    ({'OS_USERNAME': 'u', 'OS_AUTH_URL': 'http://k/v3'},
     'password is required'),
    ({'OS_AUTH_TYPE': 'admin_token', 'OS_TOKEN': 't'}, 'admin_token needs'),
])
def test_missing_credentials(env: dict[str, str], message: str) -> None:
    with pytest.raises(client.MissingCredentials, match=message):
        plugin([], env)


def test_missing_credentials_on_the_command_line() -> None:
    result = run_shell(['metric-list'])
    assert result.rc == 1
    assert result.stderr.startswith('No credentials: set OS_AUTH_TOKEN')
    assert len(result.stderr.strip().split('\n')) == 1


# -- endpoint, retries, timeouts, TLS ----------------------------------------
@pytest.mark.parametrize('url', [
    'http://m.test:8070/v2.0/', 'http://m.test:8070/v2.0',
    'http://m.test:8070', 'http://m.test:8070/'])
def test_api_url_with_or_without_version(url: str) -> None:
    mon = monitoring([], {'OS_AUTH_TOKEN': 't', 'MONASCA_API_URL': url})
    assert mon.endpoint == 'http://m.test:8070/v2.0'


def test_retries_and_timeout_reach_the_adapter() -> None:
    env = {'OS_AUTH_TOKEN': 't', 'MONASCA_API_URL': URL}
    mon = monitoring(['--retries', '5', '--timeout', '2.5'], env)
    assert (mon.adapter.retries, mon.adapter.request_timeout) == (5, 2.5)
    mon = monitoring([], {**env, 'MONASCA_RETRIES': '0',
                          'MONASCA_TIMEOUT': '7'})
    assert (mon.adapter.retries, mon.adapter.request_timeout) == (0, 7.0)
    mon = monitoring([], env)
    assert (mon.adapter.retries, mon.adapter.request_timeout) == (3, None)


@pytest.mark.parametrize('argv', [['--retries', '-1'], ['--timeout', '0'],
                                  ['--timeout', 'x']])
def test_bad_retries_or_timeout_are_usage_errors(argv: list[str]) -> None:
    result = run_shell([*argv, 'metric-list'])
    assert result.rc == 2


def test_tls_options() -> None:
    env = {'OS_AUTH_TOKEN': 't', 'MONASCA_API_URL': 'https://m.test/'}
    manager = clientmanager.ClientManager(options(
        ['--os-cacert', '/ca.pem', '--os-cert', '/c.pem', '--os-key',
         '/k.pem'], env))
    manager.monitoring  # noqa: B018 - builds the session
    assert manager.session.verify == '/ca.pem'
    assert manager.session.cert == ('/c.pem', '/k.pem')
    manager = clientmanager.ClientManager(options(['--insecure'], env))
    manager.monitoring  # noqa: B018
    assert manager.session.verify is False


def test_region_and_interface_are_used_for_the_catalog() -> None:
    mon = monitoring(['--os-region-name', 'R2', '--os-interface',
                      'internal'], {'OS_USERNAME': 'u', 'OS_PASSWORD': 'p',
                                    'OS_AUTH_URL': 'http://k/v3'})
    assert mon.adapter.endpoint_override is None
    assert (mon.adapter.region_name, mon.adapter.interface) == ('R2',
                                                               'internal')
    assert mon.adapter.service_type == 'monitoring'


@pytest.mark.parametrize('value', ['3_0', '1', 'v3'])
def test_unsupported_api_version(value: str) -> None:
    for argv, env in ((['--monasca-api-version', value], {}),
                      ([], {'MONASCA_API_VERSION': value})):
        result = run_shell([*argv, 'metric-list'], env)
        assert result.rc == 1
        assert result.stderr == (f"Unsupported --monasca-api-version "
                                 f"'{value}': only 2_0 is supported\n")


def test_supported_api_version_spellings() -> None:
    for value in ('2_0', '2.0', '2'):
        assert options(['--monasca_api_version', value]
                       ).monasca_api_version == value
        assert client.check_api_version(value) == '2_0'


# -- help, completion, version ------------------------------------------------
def test_help_lists_every_command_and_the_global_options() -> None:
    result = run_shell(['help'])
    assert result.rc == 0
    for name in ('alarm-count', 'metric-create-raw', 'notification-update',
                 'complete', 'completion', 'help'):
        assert f'  {name} ' in result.stdout
    for flag in ('--os-cloud', '--os-auth-url', '--os-token',
                 '--monasca-api-url', '--monasca-api-version', '--insecure',
                 '--timing', '--os-client-id', '--os-passcode'):
        assert flag in result.stdout
    assert 'List values of a metric dimension' in result.stdout
    assert 'Differences from python-monascaclient' in result.stdout


def test_help_of_a_command() -> None:
    result = run_shell(['help', 'alarm-definition-update'])
    assert result.rc == 0
    assert result.stdout.startswith('usage: monasca alarm-definition-update')
    assert '<ACTIONS-ENABLED>' in result.stdout
    assert run_shell(['metric-create', '--help']).stdout.startswith(
        'usage: monasca metric-create')


@pytest.mark.parametrize('name', ['complete', 'completion'])
def test_bash_completion_script(name: str) -> None:
    result = run_shell([name])
    assert result.rc == 0
    assert result.stdout.startswith('_monasca()\n')
    assert 'complete -F _monasca monasca' in result.stdout
    assert 'alarm-definition-create' in result.stdout
    # That it is valid bash (bash -n) is checked in
    # functional/test_legacy_commands.py: unit tests start no process.


def test_version() -> None:
    result = run_shell(['--version'])
    assert result.rc == 0
    assert result.stdout.startswith('monasca ')

"""The Python ``Client`` and ``monasca`` against a real Keystone.

The three authentication approaches of the legacy documentation (username
and password, token, existing session), the catalog lookup, and the
``monasca`` command with the documented ``OS_*`` variables and with
clouds.yaml. The sandbox behind keystonemiddleware files data under the
token's project, so every assertion also proves which project was used.
``monasca`` runs in-process, except the real-binary smoke calls (the
``OS_*`` variables and the token) that say ``binary=True``.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from monasca_osc import client
from monasca_osc import exceptions as exc
from monasca_osc.tests.functional import base

pytestmark = pytest.mark.keystone


def _metric(name: str, value: float = 1.0) -> dict[str, Any]:
    return {'name': name, 'value': value,
            'timestamp': int(time.time() * 1000),
            'dimensions': {'hostname': 'ks-legacy'}}


def _names(api: Any, name: str) -> list[str]:
    return [m['name'] for m in api.metrics.list(name=name)]


def test_python_api_username_and_password(keystone: base.KeystoneEnv
                                          ) -> None:
    # The documented call, with no domain given: Default is assumed.
    api = client.Client(api_version='2_0', username='mon-user',
                        password=keystone.password('mon-user'),
                        auth_url=keystone.auth_url,
                        project_name='mon-project',
                        endpoint=keystone.sandbox.endpoint)
    name = base.unique_name('ks.py.password')
    api.metrics.create(**_metric(name))
    assert _names(api, name) == [name]
    access = api.adapter.session.auth.get_access(api.adapter.session)
    assert access.project_id == keystone.project_id('mon-project')


def test_python_api_token(keystone: base.KeystoneEnv) -> None:
    token = keystone.session('mon-user').get_token()
    api = client.Client(api_version='2_0',
                        endpoint=keystone.sandbox.endpoint, token=token,
                        auth_url=keystone.auth_url,
                        project_name='mon-project')
    name = base.unique_name('ks.py.token')
    api.metrics.create(**_metric(name))
    assert _names(api, name) == [name]
    # Without auth_url the token goes to the API as is.
    direct = client.Client(api_version='2_0',
                           endpoint=keystone.sandbox.endpoint, token=token)
    assert _names(direct, name) == [name]


def test_python_api_session(keystone: base.KeystoneEnv) -> None:
    from keystoneauth1 import identity, session

    token = keystone.session('mon-user').get_token()
    # The documented example, plus the project's domain Keystone v3 needs.
    auth = identity.Token(auth_url=keystone.auth_url, token=token,
                          project_name='mon-project',
                          project_domain_name='Default')
    sess = session.Session(auth=auth)
    api = client.Client(api_version='2_0',
                        endpoint=keystone.sandbox.endpoint, session=sess)
    assert api.adapter.session is sess
    name = base.unique_name('ks.py.session')
    api.metrics.create(**_metric(name))
    assert _names(api, name) == [name]


def test_python_api_endpoint_from_the_catalog(keystone: base.KeystoneEnv
                                              ) -> None:
    api = client.Client(api_version='2_0', username='mon-user',
                        password=keystone.password('mon-user'),
                        auth_url=keystone.auth_url,
                        project_name='mon-project',
                        region_name=keystone.info['region'],
                        interface='internal')
    assert api.endpoint == keystone.sandbox.endpoint
    name = base.unique_name('ks.py.catalog')
    api.metrics.create(**_metric(name))
    assert _names(api, name) == [name]


def test_python_api_errors(keystone: base.KeystoneEnv) -> None:
    api = client.Client(api_version='2_0', username='mon-ro',
                        password=keystone.password('mon-ro'),
                        auth_url=keystone.auth_url,
                        project_name='mon-project',
                        endpoint=keystone.sandbox.endpoint)
    with pytest.raises(exc.Unauthorized) as raised:
        api.metrics.create(**_metric(base.unique_name('ks.ro')))
    assert raised.value.http_status == 401
    assert raised.value.title == 'Forbidden'
    bad = client.Client(api_version='2_0', username='mon-user',
                        password='wrong', auth_url=keystone.auth_url,
                        project_name='mon-project',
                        endpoint=keystone.sandbox.endpoint)
    with pytest.raises(exc.MonascaError) as raised:
        bad.metrics.list()
    assert '\n' not in str(raised.value)


def _legacy_env(keystone: base.KeystoneEnv, user: str,
                **extra: str) -> dict[str, str]:
    """The documented Keystone variables (no token, no API URL)."""
    env = keystone.os_env(user)
    env.update(OS_AUTH_TOKEN='', OS_NO_CLIENT_AUTH='', MONASCA_API_URL='')
    env.update(extra)
    return env


def test_monasca_with_os_variables(keystone: base.KeystoneEnv) -> None:
    name = base.unique_name('ks.cli.env')
    # OS_AUTH_VERSION appended to an unversioned OS_AUTH_URL; no domain
    # variables: Default is assumed; the endpoint comes from the catalog.
    env = _legacy_env(keystone, 'mon-user',
                      OS_AUTH_URL=keystone.auth_url.rsplit('/v3', 1)[0],
                      OS_AUTH_VERSION='3', OS_USER_DOMAIN_NAME='',
                      OS_PROJECT_DOMAIN_NAME='', OS_AUTH_TYPE='',
                      OS_IDENTITY_API_VERSION='')
    # The real binary: the documented OS_* variables of a real process.
    result = base.run_monasca('metric-create', name, '1', env=env,
                              binary=True)
    assert result.stdout == 'Successfully created metric\n'
    listed = base.run_monasca('metric-list', '--name', name, '-j', env=env)
    assert listed.json() == [{'name': name,
                              'dimensions': {}}]


def test_monasca_with_deprecated_tenant_name(keystone: base.KeystoneEnv
                                             ) -> None:
    env = _legacy_env(keystone, 'mon-user', OS_PROJECT_NAME='',
                      OS_TENANT_NAME='mon-project')
    name = base.unique_name('ks.cli.tenant')
    base.run_monasca('metric-create', name, '1', env=env)
    other = _legacy_env(keystone, 'mon-other-user')
    assert base.run_monasca('metric-list', '--name', name, '-j',
                            env=other).json() == []
    assert len(base.run_monasca('metric-list', '--name', name, '-j',
                                env=env).json()) == 1


def test_monasca_with_token_and_auth_url(keystone: base.KeystoneEnv
                                         ) -> None:
    token = keystone.session('mon-user').get_token()
    name = base.unique_name('ks.cli.token')
    # Token and endpoint known: no Keystone round trip (the real binary).
    base.run_monasca('metric-create', name, '1', token=token,
                     endpoint=keystone.sandbox.endpoint + '/',
                     env={'OS_NO_CLIENT_AUTH': ''}, binary=True)
    # Token with OS_AUTH_URL: Keystone scopes it, the catalog gives the URL.
    env = {'OS_AUTH_TOKEN': token, 'OS_AUTH_URL': keystone.auth_url,
           'OS_PROJECT_NAME': 'mon-project', 'OS_NO_CLIENT_AUTH': '',
           'MONASCA_API_URL': ''}
    listed = base.run_monasca('metric-list', '--name', name, '-j', env=env)
    assert [m['name'] for m in listed.json()] == [name]


def test_monasca_with_clouds_yaml(keystone: base.KeystoneEnv) -> None:
    name = base.unique_name('ks.cli.cloud')
    base.run_monasca('metric-create', name, '2', cloud='mon-user')
    listed = base.run_monasca('--os-cloud', 'mon-user', 'metric-list',
                              '--name', name, '-j', cloud='mon-user')
    assert [m['name'] for m in listed.json()] == [name]
    # The read-only user can read but not write, with one error line.
    assert [m['name'] for m in base.run_monasca(
        'metric-list', '--name', name, '-j', cloud='mon-ro').json()] == [name]
    denied = base.run_monasca('metric-create', name, '3', cloud='mon-ro',
                              check=False)
    assert denied.returncode == 1
    assert len(denied.stderr.strip().splitlines()) == 1
    assert 'HTTP 401' in denied.stderr


def test_monasca_wrong_password_is_one_line(keystone: base.KeystoneEnv
                                            ) -> None:
    env = _legacy_env(keystone, 'mon-user', OS_PASSWORD='wrong')
    result = base.run_monasca('metric-list', env=env, check=False)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert 'wrong' not in result.stderr


# -- options and OS_* variables override clouds.yaml, as in openstack -------

def _cloud_run(cli: str, cloud: str, action: str, name: str, *options: str,
               env: dict[str, str] | None = None) -> base.CommandResult:
    """``action`` (create or list) of metric ``name`` with ``--os-cloud``
    and the override ``options`` before the command."""
    if cli == 'openstack':
        args = (('monitoring', 'metric', 'create', name, '--value', '1')
                if action == 'create' else
                ('monitoring', 'metric', 'list', '--name', name, '-f',
                 'json'))
        return base.run_openstack(*options, *args, cloud=cloud, env=env,
                                  check=False)
    args = (('metric-create', name, '1') if action == 'create' else
            ('metric-list', '--name', name, '-j'))
    return base.run_monasca('--os-cloud', cloud, *options, *args,
                            cloud=cloud, env=env, check=False)


@pytest.mark.parametrize('cli', ['openstack', 'monasca'])
@pytest.mark.parametrize('override', ['option', 'variable'])
def test_a_wrong_password_override_fails(keystone: base.KeystoneEnv,
                                         cli: str, override: str) -> None:
    wrong = 'wrongOverridePw42'
    options, env = ((['--os-password', wrong], None)
                    if override == 'option' else ([], {'OS_PASSWORD': wrong}))
    result = _cloud_run(cli, 'mon-user', 'list', 'ks.override', *options,
                        env=env)
    assert result.returncode == 1, result
    assert len(result.stderr.strip().splitlines()) == 1, result
    assert 'HTTP 401' in result.stderr, result
    assert wrong not in result.stderr + result.stdout


@pytest.mark.parametrize('cli', ['openstack', 'monasca'])
def test_a_user_override_posts_as_that_user(keystone: base.KeystoneEnv,
                                            cli: str) -> None:
    name = base.unique_name(f'ks.override.{cli}')
    # mon-ro may only read: its own create is refused...
    denied = _cloud_run(cli, 'mon-ro', 'create', name)
    assert denied.returncode == 1, denied
    assert 'Forbidden' in denied.stderr, denied
    # ...while the same cloud with mon-user's name and password posts.
    posted = _cloud_run(cli, 'mon-ro', 'create', name, '--os-username',
                        'mon-user', env={
                            'OS_PASSWORD': keystone.password('mon-user')})
    assert posted.returncode == 0, posted
    listed = _cloud_run(cli, 'mon-user', 'list', name)
    key = 'Name' if cli == 'openstack' else 'name'
    assert [m[key] for m in listed.json()] == [name], listed

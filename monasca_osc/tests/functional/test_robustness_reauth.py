"""Re-authentication against the real Keystone (tests marked ``keystone``).

A revoked token is replaced once, transparently: keystoneauth's Session
authenticates again on a 401 and repeats the request, for the Python API
in the middle of a paging session and for both CLIs. A second 401 is
final (one line, exit 1); a wrong password is one line and exit 1.
The CLI tests run in-process, except the renewal, which runs the real
binaries.

keystonemiddleware caches a validated token for minutes, as it does in a
real deployment, so a token revoked *after* the sandbox has seen it keeps
working there until the cache expires. The paging test revokes the token
at Keystone and injects the 401 the API answers once it notices; the
first test revokes a token the API has never seen, so the 401 is real.
"""

from __future__ import annotations

from typing import Any

import pytest

from monasca_osc.tests.functional import base
from monasca_osc.tests.functional.corpus.cli import Run, run

# One Keystone per run when xdist distributes by group (--dist loadgroup).
pytestmark = [pytest.mark.keystone, pytest.mark.xdist_group('keystone')]

KEYSTONE_401 = {'error': {'code': 401, 'title': 'Unauthorized',
                          'message': 'The request you have made requires '
                                     'authentication.'}}


def revoke(keystone: base.KeystoneEnv, token: str) -> None:
    """DELETE /v3/auth/tokens: the token is invalid from now on."""
    import urllib.request

    request = urllib.request.Request(
        f'{keystone.auth_url}/auth/tokens', method='DELETE',
        headers={'X-Auth-Token': token, 'X-Subject-Token': token})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 204


def is_valid(keystone: base.KeystoneEnv, token: str) -> bool:
    import urllib.error
    import urllib.request

    admin = base._keystone_token(keystone.auth_url, 'admin',
                                 keystone.password('admin'))
    request = urllib.request.Request(
        f'{keystone.auth_url}/auth/tokens', method='HEAD',
        headers={'X-Auth-Token': admin, 'X-Subject-Token': token})
    try:
        with urllib.request.urlopen(request, timeout=30):
            return True
    except urllib.error.HTTPError as err:
        assert err.code == 404
        return False


def monitoring(session: Any) -> Any:
    from monasca_osc import client

    # Endpoint from the catalog, as a user would have it.
    return client.Client(session=session, retries=0)


@pytest.fixture(scope='module')
def metric_names(keystone: base.KeystoneEnv) -> list[str]:
    """Metrics of mon-user's project, to page through one by one: more
    pages than the pager fetches ahead of the caller, so that some page is
    always requested after a test revokes the token between two pages."""
    from monasca_osc.api import pager

    api = monitoring(keystone.session('mon-user'))
    prefix = base.unique_name('reauth').replace('-', '.')
    names = [f'{prefix}.{n}' for n in range(pager._ReadAhead.MAX_AHEAD + 4)]
    for name in names:
        api.metrics.create(name=name, value=1.0, timestamp=1700000000000,
                           dimensions={'test': prefix})
    return names


def listing(api: Any, names: list[str]) -> Any:
    prefix = names[0].rsplit('.', 1)[0]
    return api.metrics.iter_list(dimensions={'test': prefix}, page_size=1)


def requests_for(keystone: base.KeystoneEnv, action: Any) -> tuple[Any, int]:
    before = keystone.sandbox.request_count()
    result = action()
    return result, keystone.sandbox.request_count() - before


def test_revoked_token_is_renewed_transparently(
        keystone: base.KeystoneEnv, metric_names: list[str]) -> None:
    # How many requests a plain listing takes (one per page).
    pages = requests_for(keystone, lambda: list(listing(
        monitoring(keystone.session('mon-user')), metric_names)))[1]
    assert pages >= len(metric_names)

    session = keystone.session('mon-user')
    old = session.get_token()
    revoke(keystone, old)
    assert not is_valid(keystone, old)
    rows, sent = requests_for(keystone, lambda: list(listing(
        monitoring(session), metric_names)))
    assert sorted(row['name'] for row in rows) == metric_names
    new = session.get_token()
    assert new != old and is_valid(keystone, new)
    assert sent == pages + 1  # the refused first request, once


def test_token_revoked_between_pages_is_renewed_once(
        keystone: base.KeystoneEnv, metric_names: list[str]) -> None:
    session = keystone.session('mon-user')
    api = monitoring(session)
    pages = requests_for(keystone, lambda: list(listing(api,
                                                        metric_names)))[1]
    before = keystone.sandbox.request_count()
    rows = listing(api, metric_names)
    first = next(rows)
    old = session.get_token()
    revoke(keystone, old)
    keystone.sandbox.faults(path='/v2.0/metrics', status=401, count=1,
                            body=KEYSTONE_401)
    rest = list(rows)
    names = sorted([first['name']] + [row['name'] for row in rest])
    assert names == metric_names
    assert keystone.sandbox.request_count() - before == pages + 1
    assert session.get_token() != old


def test_second_401_is_final(keystone: base.KeystoneEnv) -> None:
    from monasca_osc import exceptions

    keystone.sandbox.faults(path='/v2.0/metrics', status=401, count=None,
                            body=KEYSTONE_401)
    try:
        api = monitoring(keystone.session('mon-user'))
        before = keystone.sandbox.request_count()
        with pytest.raises(exceptions.Unauthorized) as caught:
            api.metrics.list()
        assert keystone.sandbox.request_count() - before == 2
        assert str(caught.value).startswith(
            'Unauthorized: The request you have made requires '
            'authentication. (HTTP 401 on GET ')
    finally:
        keystone.sandbox.clear_faults()


LIST = {'openstack': ('monitoring', 'metric', 'list'),
        'monasca': ('metric-list',)}


def cli(name: str, env: dict[str, str], *args: str,
        binary: bool | None = None) -> Run:
    return run([str(base.BIN_DIR / name), *args], env, binary=binary)


@pytest.mark.parametrize('name', ['openstack', 'monasca'])
def test_cli_renews_a_refused_token_once(keystone: base.KeystoneEnv,
                                         name: str) -> None:
    env = keystone.os_env('mon-user')
    keystone.sandbox.faults(path='/v2.0/metrics', status=401, count=1,
                            body=KEYSTONE_401)
    # The real binaries: re-authentication in a real process.
    result, sent = requests_for(keystone, lambda: cli(name, env,
                                                      *LIST[name],
                                                      binary=True))
    assert result.returncode == 0, result
    assert result.stderr == '', result
    assert sent == 2


@pytest.mark.parametrize('name', ['openstack', 'monasca'])
def test_cli_second_401_is_one_line(keystone: base.KeystoneEnv,
                                    name: str) -> None:
    env = keystone.os_env('mon-user')
    keystone.sandbox.faults(path='/v2.0/metrics', status=401, count=None,
                            body=KEYSTONE_401)
    try:
        result, sent = requests_for(keystone, lambda: cli(name, env,
                                                          *LIST[name]))
    finally:
        keystone.sandbox.clear_faults()
    assert result.returncode == 1, result
    assert 'Traceback' not in result.stderr
    assert len(result.lines) == 1, result
    assert result.lines[0].startswith(
        'Unauthorized: The request you have made requires authentication. '
        '(HTTP 401 on GET '), result
    assert sent == 2


@pytest.mark.parametrize('name', ['openstack', 'monasca'])
def test_wrong_password_is_one_line(keystone: base.KeystoneEnv,
                                    name: str) -> None:
    env = {**keystone.os_env('mon-user'), 'OS_PASSWORD': 'not-the-password'}
    result, sent = requests_for(keystone, lambda: cli(name, env,
                                                      *LIST[name]))
    assert result.returncode == 1, result
    assert 'Traceback' not in result.stderr
    assert result.stdout == ''
    assert len(result.lines) == 1, result
    line = result.lines[0]
    assert 'The request you have made requires authentication' in line
    assert '401' in line
    assert sent == 0  # Keystone refused it; the API saw nothing

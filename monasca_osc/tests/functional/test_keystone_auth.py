"""End-to-end checks of the real-Keystone tooling.

They use keystoneauth1 and plain HTTP only (no plugin commands), so they
prove tools/keystone_sandbox.py, the generated clouds.yaml, the catalog and
the sandbox's keystonemiddleware set-up independently of the CLI code.
"""

from __future__ import annotations

from pathlib import Path
import subprocess
import sys
import time
from typing import Any

import pytest
import yaml

from monasca_osc.tests.functional import base

EXPECTED_ROLES = {
    'mon-user': {'monasca-user'},
    'mon-ro': {'monasca-read-only-user'},
    'mon-admin': {'monasca-user', 'admin'},
    'mon-agent': {'monasca-agent'},
    'mon-other-user': {'monasca-user'},
}
EXPECTED_PROJECT = {
    'mon-user': 'mon-project', 'mon-ro': 'mon-project',
    'mon-admin': 'mon-project', 'mon-agent': 'mon-project',
    'mon-other-user': 'mon-other',
}


def _session_from_clouds_yaml(clouds_yaml: Path, cloud: str) -> Any:
    """Build a keystoneauth1 session the way a user's clouds.yaml says."""
    from keystoneauth1 import loading, session

    config = yaml.safe_load(clouds_yaml.read_text())['clouds'][cloud]
    assert config['identity_api_version'] == 3
    loader = loading.get_plugin_loader(config['auth_type'])
    auth = loader.load_from_options(**config['auth'])
    return session.Session(auth=auth), config


def _metric(name: str) -> dict[str, Any]:
    return {'name': name, 'dimensions': {'hostname': 'ks-test'},
            'timestamp': int(time.time() * 1000), 'value': 1.0}


def _request(sess: Any, method: str, url: str, **kwargs: Any) -> Any:
    # raise_exc=False: these tests look at error statuses themselves.
    headers = kwargs.pop('headers', {})
    headers.setdefault('Accept', 'application/json')
    return sess.request(url, method, raise_exc=False, headers=headers,
                        **kwargs)


# --------------------------------------------------------------------------
# Keystone itself and the generated files
# --------------------------------------------------------------------------

@pytest.mark.keystone
@pytest.mark.parametrize('cloud', base.KEYSTONE_CLOUDS)
def test_clouds_yaml_user_gets_scoped_token(keystone: base.KeystoneEnv,
                                             cloud: str) -> None:
    sess, config = _session_from_clouds_yaml(keystone.clouds_yaml, cloud)
    assert config['region_name'] == 'RegionOne'
    access = sess.auth.get_access(sess)
    assert access.project_name == EXPECTED_PROJECT[cloud]
    assert access.project_id == keystone.project_id(EXPECTED_PROJECT[cloud])
    assert access.user_id == keystone.user(cloud)['user_id']
    # Keystone adds implied roles (admin -> member -> reader); the monasca
    # roles must be exactly those setup granted.
    roles = set(access.role_names)
    assert EXPECTED_ROLES[cloud] <= roles
    assert roles & {'monasca-user', 'monasca-read-only-user',
                    'monasca-agent'} == EXPECTED_ROLES[cloud] - {'admin'}


@pytest.mark.keystone
def test_catalog_has_monitoring_endpoints(keystone: base.KeystoneEnv) -> None:
    sess, _ = _session_from_clouds_yaml(keystone.clouds_yaml, 'mon-user')
    for interface in ('public', 'internal', 'admin'):
        url = sess.get_endpoint(service_type='monitoring',
                                interface=interface, region_name='RegionOne')
        assert url == keystone.sandbox.endpoint
    assert keystone.sandbox.endpoint.endswith('/v2.0')


@pytest.mark.keystone
def test_keystone_json_matches_clouds_yaml(keystone: base.KeystoneEnv
                                           ) -> None:
    clouds = yaml.safe_load(keystone.clouds_yaml.read_text())['clouds']
    for cloud in base.KEYSTONE_CLOUDS:
        auth = clouds[cloud]['auth']
        assert auth['auth_url'] == keystone.auth_url
        assert auth['username'] == cloud
        assert auth['password'] == keystone.password(cloud)
        assert auth['project_name'] == EXPECTED_PROJECT[cloud]
    # Both files hold passwords: only the owner may read them.
    for path in (keystone.clouds_yaml, keystone.workdir / 'keystone.json'):
        assert path.stat().st_mode & 0o077 == 0, path


@pytest.mark.keystone
def test_openstack_binary_authenticates_with_clouds_yaml(
        keystone: base.KeystoneEnv) -> None:
    # A core OSC command, so this runs before any plugin command exists.
    token = base.run_openstack('token', 'issue', '-f', 'json',
                               cloud='mon-ro', binary=True).json()
    assert token['project_id'] == keystone.project_id('mon-project')
    assert token['user_id'] == keystone.user('mon-ro')['user_id']


# --------------------------------------------------------------------------
# the sandbox behind keystonemiddleware
# --------------------------------------------------------------------------

@pytest.mark.keystone
def test_mon_user_can_list_metrics(keystone: base.KeystoneEnv) -> None:
    sess, _ = _session_from_clouds_yaml(keystone.clouds_yaml, 'mon-user')
    endpoint = sess.get_endpoint(service_type='monitoring',
                                 interface='public')
    resp = _request(sess, 'GET', f'{endpoint}/metrics')
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert 'elements' in body and 'links' in body


@pytest.mark.keystone
def test_read_only_user_cannot_post_metrics(keystone: base.KeystoneEnv
                                            ) -> None:
    sess, _ = _session_from_clouds_yaml(keystone.clouds_yaml, 'mon-ro')
    endpoint = sess.get_endpoint(service_type='monitoring',
                                 interface='public')
    resp = _request(sess, 'POST', f'{endpoint}/metrics',
                    json=_metric(base.unique_name('ks.ro')))
    # A failed policy check is a 401, not a 403 (API reference §1).
    assert resp.status_code == 401, resp.text
    assert resp.json()['title'] == 'Forbidden'
    # Reading is what the role is for.
    resp = _request(sess, 'GET', f'{endpoint}/metrics')
    assert resp.status_code == 200, resp.text


@pytest.mark.keystone
def test_agent_can_post_but_not_read(keystone: base.KeystoneEnv) -> None:
    sess, _ = _session_from_clouds_yaml(keystone.clouds_yaml, 'mon-agent')
    endpoint = sess.get_endpoint(service_type='monitoring',
                                 interface='public')
    resp = _request(sess, 'POST', f'{endpoint}/metrics',
                    json=_metric(base.unique_name('ks.agent')))
    assert resp.status_code == 204, resp.text
    resp = _request(sess, 'GET', f'{endpoint}/metrics')
    assert resp.status_code == 401, resp.text


@pytest.mark.keystone
def test_metrics_are_scoped_to_the_token_project(keystone: base.KeystoneEnv
                                                 ) -> None:
    name = base.unique_name('ks.scope')
    user, _ = _session_from_clouds_yaml(keystone.clouds_yaml, 'mon-user')
    other, _ = _session_from_clouds_yaml(keystone.clouds_yaml,
                                         'mon-other-user')
    admin, _ = _session_from_clouds_yaml(keystone.clouds_yaml, 'mon-admin')
    endpoint = keystone.sandbox.endpoint

    resp = _request(user, 'POST', f'{endpoint}/metrics', json=_metric(name))
    assert resp.status_code == 204, resp.text

    def names(sess: Any, **params: str) -> list[str]:
        resp = _request(sess, 'GET', f'{endpoint}/metrics',
                        params={'name': name, **params})
        assert resp.status_code == 200, resp.text
        return [m['name'] for m in resp.json()['elements']]

    assert names(user) == [name]
    assert names(other) == []
    # tenant_id needs api:delegate (admin); without it, it is ignored.
    mon_project = keystone.project_id('mon-project')
    assert names(other, tenant_id=mon_project) == []
    other_project = keystone.project_id('mon-other')
    assert names(admin, tenant_id=other_project) == []
    resp = _request(other, 'POST', f'{endpoint}/metrics', json=_metric(name))
    assert resp.status_code == 204, resp.text
    assert names(admin, tenant_id=other_project) == [name]


@pytest.mark.keystone
def test_bad_token_is_rejected_by_keystonemiddleware(
        keystone: base.KeystoneEnv) -> None:
    import requests

    url = f'{keystone.sandbox.endpoint}/metrics'
    for headers in ({'X-Auth-Token': 'not-a-valid-token'}, {}):
        resp = requests.get(url, headers={'Accept': 'application/json',
                                          **headers}, timeout=30)
        assert resp.status_code == 401, resp.text
        assert resp.json() == {'error': {
            'code': 401, 'title': 'Unauthorized',
            'message': 'The request you have made requires authentication.',
        }}
        assert resp.headers['WWW-Authenticate'].startswith('Keystone uri=')
    # Header trust is off behind Keystone: a forged role does not help.
    resp = requests.get(url, headers={
        'X-Auth-Token': 'not-a-valid-token', 'X-Roles': 'monasca-user',
        'X-Project-Id': keystone.project_id('mon-project')}, timeout=30)
    assert resp.status_code == 401, resp.text


@pytest.mark.keystone
def test_healthcheck_needs_no_token(keystone: base.KeystoneEnv) -> None:
    import requests

    resp = requests.get(f'{keystone.sandbox.url}/healthcheck', timeout=30)
    assert resp.status_code in (200, 204), resp.text


# --------------------------------------------------------------------------
# the tool's own error handling (no Keystone needed)
# --------------------------------------------------------------------------

def _tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(base.KEYSTONE_TOOL), *args],
                          capture_output=True, text=True, timeout=60,
                          check=False)


def test_tool_setup_without_venv_fails_with_one_line(tmp_path: Path) -> None:
    proc = _tool('setup', '--venv', str(tmp_path / 'nope'), '--workdir',
                 str(tmp_path / 'w'), '--port', '1', '--monitoring-url',
                 'http://127.0.0.1:2/v2.0')
    assert proc.returncode == 1
    assert proc.stdout == ''
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith('keystone_sandbox: error: no Keystone')
    assert 'install --venv' in lines[0]


def test_tool_serve_without_setup_fails_with_one_line(tmp_path: Path
                                                      ) -> None:
    proc = _tool('serve', '--workdir', str(tmp_path), '--port', '1')
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert 'run setup first' in lines[0]


def test_tool_setup_then_serve(tmp_path: Path) -> None:
    """The two-step form (the fixture uses ``up``): ``setup`` writes the
    files and exits, ``serve`` serves what it made."""
    import json

    from monasca_osc.testing import stop_process, wait_for_http

    if base.keystone_disabled():
        pytest.skip(f'{base.ENV_NO_KEYSTONE} is set')
    venv = base.keystone_venv()
    if venv is None:
        pytest.fail(base.KEYSTONE_MISSING, pytrace=False)
    port, catalog = base.free_port(), 'http://127.0.0.1:9/v2.0'
    proc = _tool('setup', '--quiet', '--venv', str(venv), '--workdir',
                 str(tmp_path), '--port', str(port), '--monitoring-url',
                 catalog)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, '', ''), proc
    info = json.loads((tmp_path / 'keystone.json').read_text())
    assert set(info['users']) == {*base.KEYSTONE_CLOUDS, 'admin', 'monasca'}
    server = subprocess.Popen(
        [sys.executable, str(base.KEYSTONE_TOOL), 'serve', '--quiet',
         '--venv', str(venv), '--workdir', str(tmp_path), '--port',
         str(port)], stdin=subprocess.DEVNULL)
    try:
        wait_for_http(info['auth_url'], server, timeout=120, what='Keystone')
        sess, _ = _session_from_clouds_yaml(tmp_path / 'clouds.yaml',
                                            'mon-agent')
        access = sess.auth.get_access(sess)
        assert access.project_id == info['projects']['mon-project']
        assert 'monasca-agent' in access.role_names
        assert sess.get_endpoint(service_type='monitoring',
                                 interface='public') == catalog
    finally:
        stop_process(server)


def test_tool_usage_error_exits_2() -> None:
    proc = _tool('frobnicate')
    assert proc.returncode == 2
    assert 'invalid choice' in proc.stderr


def _pytest_one_keystone_test(tmp_path: Path, **env: str
                              ) -> subprocess.CompletedProcess:
    import os

    test = f'{Path(__file__)}::test_catalog_has_monitoring_endpoints'
    run_env = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
         '-p', 'no:xdist', '--rootdir', str(base.REPO_ROOT), test],
        capture_output=True, text=True, timeout=120, check=False,
        env=run_env, cwd=base.REPO_ROOT)


def test_missing_keystone_fails_not_skips(tmp_path: Path) -> None:
    proc = _pytest_one_keystone_test(
        tmp_path, **{base.ENV_KEYSTONE_VENV: str(tmp_path / 'no-venv'),
                     base.ENV_NO_KEYSTONE: ''})
    assert proc.returncode == 1, proc.stdout
    assert '1 error' in proc.stdout, proc.stdout
    assert 'tools/keystone_sandbox.py install' in proc.stdout


def test_opted_out_keystone_tests_skip_on_one_xdist_worker(
        tmp_path: Path) -> None:
    """With ``MONASCA_OSC_NO_KEYSTONE=1`` and no Keystone installed, every
    Keystone test is skipped (not failed); with ``-n 2 --dist loadgroup``
    all of them (marked in their module or only by conftest) go to one
    worker, so a run sets up one Keystone."""
    import os
    import re

    here = Path(__file__).parent
    proc = subprocess.run(
        [sys.executable, '-m', 'pytest', '-v', '-p', 'no:cacheprovider',
         '-n', '2', '--dist', 'loadgroup', '--rootdir', str(base.REPO_ROOT),
         str(here / 'test_legacy_keystone.py'),
         str(here / 'test_robustness_reauth.py')],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, base.ENV_NO_KEYSTONE: '1',
             base.ENV_KEYSTONE_VENV: str(tmp_path / 'no-venv')},
        cwd=base.REPO_ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:]
    ran = re.findall(r'^\[(gw\d+)\] .*? (PASSED|SKIPPED|FAILED|ERROR) (\S+)',
                     proc.stdout, re.M)
    assert len(ran) >= 20, proc.stdout[-3000:]
    assert {outcome for _, outcome, _ in ran} == {'SKIPPED'}, ran
    assert f'{len(ran)} skipped in' in proc.stdout, proc.stdout[-3000:]
    assert len({worker for worker, _, _ in ran}) == 1, ran
    assert all(test.endswith('@keystone') for _, _, test in ran), ran

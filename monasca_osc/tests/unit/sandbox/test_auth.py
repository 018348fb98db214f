"""Authentication modes and policy."""

from __future__ import annotations

import pytest

from monasca_osc.sandbox import auth
from monasca_osc.sandbox.server import make_app
from monasca_osc.tests.unit.sandbox.conftest import Client, metric

KEYSTONE_401 = {'error': {
    'code': 401, 'title': 'Unauthorized',
    'message': 'The request you have made requires authentication.'}}


def test_no_credentials_is_keystone_style_401(client: Client) -> None:
    for path in ('/', '/v2.0', '/v2.0/metrics'):
        result = client.get(path, auth=False)
        assert result.status == 401
        assert result.json == KEYSTONE_401
        assert result.header('WWW-Authenticate').startswith('Keystone')
    assert client.get('/healthcheck', auth=False).status == 200
    assert client.call('HEAD', '/healthcheck', auth=False).status == 204


def test_legacy_token_is_the_tenant(client: Client) -> None:
    token = {'X-Auth-Token': 'tenant-x'}
    result = client.post('/v2.0/metrics', metric('t', 1), auth=False,
                         headers=token)
    assert result.status == 204
    names = client.as_(tenant='tenant-x').get('/v2.0/metrics/names').json
    assert names['elements'] == [{'name': 't'}]
    # Still only monasca-user rights: no cross-tenant.
    result = client.get('/v2.0/metrics/names?tenant_id=tenant-a',
                        auth=False, headers=token)
    assert result.json['elements'] == [{'name': 't'}]


def test_roles_are_case_insensitive_and_tenant_headers(
        client: Client) -> None:
    headers = {'X-Roles': ' Monasca-User ,other', 'X-Tenant-Id': 'tt'}
    assert client.post('/v2.0/metrics', metric('c', 1), auth=False,
                        headers=headers).status == 204
    headers = {'X-Roles': 'monasca-read-only-user', 'X-Tenant': 'tt'}
    result = client.get('/v2.0/metrics/names', auth=False, headers=headers)
    assert result.json['elements'] == [{'name': 'c'}]


def test_project_without_roles_is_policy_401(client: Client) -> None:
    no_roles = Client(client.app, roles=None)
    result = no_roles.get('/v2.0/alarms')
    assert result.status == 401
    assert result.json['title'] == 'Forbidden'
    # Versions are open to any authenticated caller.
    assert no_roles.get('/').status == 200


def test_configurable_roles() -> None:
    roles = auth.Roles(default=['writer'], read_only=['reader'],
                       agent=['pusher'], delegate=['boss'])
    app = make_app(roles=roles)
    try:
        client = Client(app, roles='writer')
        assert client.post('/v2.0/metrics', metric('m', 1)).status == 204
        assert client.as_(roles='monasca-user').get(
            '/v2.0/metrics').status == 401
        assert client.as_(roles='reader').get('/v2.0/metrics').status == 200
        assert client.as_(roles='pusher').post(
            '/v2.0/metrics', metric('m', 2)).status == 204
        boss = client.as_(roles='reader,boss', tenant='elsewhere')
        doc = boss.get('/v2.0/metrics?tenant_id=tenant-a').json
        assert [e['name'] for e in doc['elements']] == ['m']
    finally:
        app.close()


def test_policy_table() -> None:
    roles = auth.Roles()
    ctx = auth.Context('t', {'monasca-read-only-user'})
    assert ctx.allowed('api:alarms:count', roles)
    assert not ctx.allowed('api:alarms:definition:post', roles)
    assert not ctx.allowed('api:delegate', roles)
    admin = auth.Context('t', {'admin'})
    assert admin.allowed('api:delegate', roles)
    assert not admin.allowed('api:metrics:get', roles)
    assert admin.allowed('api:versions', roles)


def test_keystone_mode_rejects_missing_token() -> None:
    pytest.importorskip('keystonemiddleware')
    app = make_app(keystone={'url': 'http://127.0.0.1:9/v3',
                             'user': 'monasca', 'password': 'pw',
                             'project': 'service'})
    try:
        client = Client(app)
        # Forged trust headers are not enough: a token is required.
        result = client.get('/v2.0/metrics')
        assert result.status == 401
        assert result.json == KEYSTONE_401
        assert client.get('/healthcheck', auth=False).status == 200
    finally:
        app.close()

"""The Python ``Client`` of python-monascaclient, on our REST layer."""

from __future__ import annotations

import warnings

from keystoneauth1 import fixture as ks_fixture
from keystoneauth1.identity import generic
import pytest
import requests_mock

from monasca_osc import client

KEYSTONE = 'http://keystone.test/v3'


def test_session_of_the_wrong_type() -> None:
    with pytest.raises(RuntimeError, match='keystoneauth1.session.Session'):
        client.Client('2_0', endpoint='http://m/v2.0', session=object())


def test_password_builds_a_keystone_plugin() -> None:
    api = client.Client(api_version='2_0', username='mini-mon',
                        password='password', auth_url=KEYSTONE,
                        project_name='mini-mon',
                        endpoint='http://127.0.0.1:8070/v2.0')
    auth = api.adapter.session.auth
    assert isinstance(auth, generic.Password)
    assert (auth._username, auth._project_name) == ('mini-mon', 'mini-mon')
    assert auth._user_domain_name == 'Default'
    assert auth._project_domain_name == 'Default'
    assert api.endpoint == 'http://127.0.0.1:8070/v2.0'


def test_token_with_auth_url_is_a_keystone_token() -> None:
    api = client.Client(api_version='2_0', endpoint='http://m/v2.0',
                        token='tok', auth_url=KEYSTONE,
                        project_name='mini-mon')
    assert isinstance(api.adapter.session.auth, generic.Token)


def test_deprecated_arguments_warn() -> None:
    with pytest.warns(DeprecationWarning, match='positional endpoint'):
        api = client.Client('2_0', 'http://positional/v2.0', token='t',
                            endpoint='http://keyword/v2.0')
    # As in the legacy client the positional endpoint wins.
    assert api.endpoint == 'http://positional/v2.0'
    with pytest.warns(DeprecationWarning, match='tenant_name'):
        api = client.Client('2_0', username='u', password='p',
                            auth_url=KEYSTONE, tenant_name='legacy',
                            endpoint='http://m/v2.0')
    assert api.adapter.session.auth._project_name == 'legacy'
    with pytest.warns(DeprecationWarning, match='insecure'):
        api = client.Client('2_0', token='t', endpoint='http://m/v2.0',
                            insecure=True)
    assert api.adapter.session.verify is False
    with pytest.warns(DeprecationWarning, match='tenant_id'):
        api = client.Client('2_0', token='t', auth_url=KEYSTONE,
                            tenant_id='pid', endpoint='http://m/v2.0')
    assert api.adapter.session.auth._project_id == 'pid'


def test_no_warning_for_the_documented_forms() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        client.Client(api_version='2_0', endpoint='http://m/v2.0',
                      token='t', auth_url=KEYSTONE, project_name='p')


def test_unknown_argument_warns() -> None:
    with pytest.warns(UserWarning, match='os_password'):
        client.Client('2_0', token='t', endpoint='http://m/v2.0',
                      os_password='x')


@pytest.mark.parametrize('kwargs,message', [
    ({}, 'No credentials'),
    ({'endpoint': 'http://m/v2.0'}, 'No credentials'),
    ({'token': 't'}, 'needs endpoint='),
    ({'username': 'u', 'password': 'p'}, 'auth URL is required'),
    ({'username': 'u', 'auth_url': KEYSTONE}, 'password is required'),
])
def test_missing_credentials_are_clear(kwargs: dict, message: str) -> None:
    with pytest.raises(client.MissingCredentials, match=message) as raised:
        client.Client('2_0', **kwargs)
    assert type(raised.value) is not Exception
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize('version', ['3_0', '1', 'latest'])
def test_unknown_api_version(version: str) -> None:
    with pytest.raises(client.UnsupportedVersion, match='2_0'):
        client.Client(api_version=version, token='t',
                      endpoint='http://m/v2.0')


def test_tls_and_timeout_options() -> None:
    api = client.Client('2_0', token='t', endpoint='http://m/v2.0',
                        cacert='/ca.pem', cert='/c.pem', key='/k.pem',
                        timeout=4, retries=1)
    session = api.adapter.session
    assert session.verify == '/ca.pem'
    assert session.cert == ('/c.pem', '/k.pem')
    assert session.timeout == 4.0
    assert (api.adapter.retries, api.adapter.request_timeout) == (1, 4)


def _token_with_catalog() -> ks_fixture.V3Token:
    token = ks_fixture.V3Token(project_id='p', project_name='mini-mon',
                               project_domain_id='default')
    service = token.add_service('monitoring')
    service.add_standard_endpoints(public='http://pub.r1/v2.0',
                                   internal='http://int.r1/v2.0',
                                   admin='http://adm.r1/v2.0',
                                   region='RegionOne')
    service = token.add_service('monitoring')
    service.add_standard_endpoints(public='http://pub.r2/v2.0',
                                   internal='http://int.r2/v2.0',
                                   region='RegionTwo')
    return token


@pytest.mark.parametrize('kwargs,expected', [
    ({}, 'http://pub.r1/v2.0'),
    ({'region_name': 'RegionTwo'}, 'http://pub.r2/v2.0'),
    ({'region_name': 'RegionTwo', 'interface': 'internal'},
     'http://int.r2/v2.0'),
    ({'region_name': 'RegionOne', 'interface': 'admin'},
     'http://adm.r1/v2.0'),
])
def test_catalog_lookup_without_endpoint(kwargs: dict, expected: str
                                         ) -> None:
    with requests_mock.Mocker() as mocked:
        mocked.get(KEYSTONE, json=ks_fixture.V3Discovery(KEYSTONE))
        mocked.post(f'{KEYSTONE}/auth/tokens', json=_token_with_catalog(),
                    headers={'X-Subject-Token': 'tok'})
        api = client.Client('2_0', username='u', password='p',
                            auth_url=KEYSTONE, project_name='mini-mon',
                            **kwargs)
        if 'region_name' in kwargs:
            assert api.endpoint == expected
        else:
            # Two regions offer the service: any public one will do.
            assert api.endpoint in (expected, 'http://pub.r2/v2.0')
            expected = api.endpoint
        mocked.get(f'{expected}/metrics', json={'links': [], 'elements': [
            {'id': '1', 'name': 'x', 'dimensions': {}}]})
        assert api.metrics.list() == [{'id': '1', 'name': 'x',
                                       'dimensions': {}}]
        sent = mocked.request_history[-1]
        assert sent.headers['X-Auth-Token'] == 'tok'

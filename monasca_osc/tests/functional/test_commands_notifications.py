"""``openstack monitoring notification method|version|health ...`` end to end.

In-process ``openstack`` (``base.run_openstack``; the ``*_binary`` test runs
the real binary), no-Keystone sandbox, one tenant per test.
"""

from __future__ import annotations

import json
from typing import Any
import uuid

import pytest

from monasca_osc.tests.functional import commands_lib as lib
from monasca_osc.tests.functional.commands_lib import osc, osc_json

FIELDS = ('id', 'name', 'type', 'address', 'period')


@pytest.fixture
def tenant() -> str:
    return lib.new_tenant()


@pytest.fixture(scope='module')
def endpoint(sandbox: Any) -> str:
    return sandbox.endpoint


def test_notification_version_health_binary(tenant: str) -> None:
    """Smoke test of the group: a write, a read and an error through the
    real ``openstack`` binary; version and health in-process."""
    created = osc_json(tenant, 'notification', 'method', 'create', 'smoke',
                       '--type', 'WEBHOOK', '--address',
                       'http://127.0.0.1:9/hook', '--period', '60',
                       binary=True)
    assert created['period'] == 60 and created['type'] == 'WEBHOOK'
    assert osc_json(tenant, 'notification', 'method', 'list',
                    binary=True) == [
        {'ID': created['id'], 'Name': 'smoke', 'Type': 'WEBHOOK',
         'Address': 'http://127.0.0.1:9/hook', 'Period': 60}]
    missing = osc(tenant, 'notification', 'method', 'show', 'no-such',
                  check=False, binary=True)
    lib.assert_one_line_error(missing, 'no-such')
    assert osc_json(tenant, 'version', 'show') == VERSION
    assert osc(tenant, 'health', 'show', '-f', 'value', '-c',
               'status').stdout == '200\n'


# --------------------------------------------------------------------------
# notification methods
# --------------------------------------------------------------------------

def test_notification_method_create_show_list(tenant: str) -> None:
    email = osc_json(tenant, 'notification', 'method', 'create', 'mail',
                     '--type', 'email', '--address', 'ops@example.com')
    assert list(email) == list(FIELDS)
    uuid.UUID(email['id'])
    assert {k: email[k] for k in FIELDS[1:]} == {
        'name': 'mail', 'type': 'EMAIL', 'address': 'ops@example.com',
        'period': 0}
    hook = osc_json(tenant, 'notification', 'method', 'create', 'hook',
                    '--type', 'WEBHOOK', '--address',
                    'http://127.0.0.1:9/hook', '--period', '60')
    assert hook['period'] == 60 and isinstance(hook['period'], int)
    assert hook['type'] == 'WEBHOOK'

    assert osc_json(tenant, 'notification', 'method', 'show', 'mail') == \
        email
    assert osc_json(tenant, 'notification', 'method', 'show',
                    hook['id']) == hook
    rows = osc_json(tenant, 'notification', 'method', 'list', '--sort',
                    'name')
    assert rows == [
        {'ID': hook['id'], 'Name': 'hook', 'Type': 'WEBHOOK',
         'Address': 'http://127.0.0.1:9/hook', 'Period': 60},
        {'ID': email['id'], 'Name': 'mail', 'Type': 'EMAIL',
         'Address': 'ops@example.com', 'Period': 0}]
    rows = osc_json(tenant, 'notification', 'method', 'list', '--sort',
                    'name:desc')
    assert [r['Name'] for r in rows] == ['mail', 'hook']


@pytest.mark.parametrize('fmt', lib.FORMATS)
def test_notification_method_output_formats(tenant: str, endpoint: str,
                                            fmt: str) -> None:
    method = lib.create_notification(endpoint, tenant, 'fmt', 'WEBHOOK',
                                     'https://example.com/a?b=c', 60)
    show_fmt = 'shell' if fmt == 'csv' else fmt  # no csv for one item
    shown = osc(tenant, 'notification', 'method', 'show', 'fmt', '-f',
                show_fmt).stdout
    listed = osc(tenant, 'notification', 'method', 'list', '-f',
                 fmt).stdout
    one = {'id': method['id'], 'name': 'fmt', 'type': 'WEBHOOK',
           'address': 'https://example.com/a?b=c', 'period': 60}
    row = {'ID': method['id'], 'Name': 'fmt', 'Type': 'WEBHOOK',
           'Address': 'https://example.com/a?b=c', 'Period': 60}
    if fmt == 'json':
        assert json.loads(shown) == one
        assert json.loads(listed) == [row]
    elif fmt == 'yaml':
        assert lib.parse_yaml(shown) == one
        assert lib.parse_yaml(listed) == [row]
    elif fmt == 'csv':
        assert lib.parse_shell(shown) == {k: str(v) for k, v in one.items()}
        assert lib.parse_csv(listed) == [{k: str(v) for k, v in row.items()}]
    elif fmt == 'value':
        assert shown.splitlines() == [method['id'], 'fmt', 'WEBHOOK',
                                      'https://example.com/a?b=c', '60']
        assert lib.value_lines(listed) == [
            f'{method["id"]} fmt WEBHOOK https://example.com/a?b=c 60']
    else:
        assert '| Field' in shown and '| address' in shown
        assert 'https://example.com/a?b=c' in listed and '| Period' in listed


def test_notification_method_set_and_replace(tenant: str,
                                             endpoint: str) -> None:
    method = lib.create_notification(endpoint, tenant, 'chg', 'EMAIL',
                                     'a@example.com')
    patched = osc_json(tenant, 'notification', 'method', 'set', 'chg',
                       '--address', 'b@example.com', '--period', '60')
    assert patched == {'id': method['id'], 'name': 'chg', 'type': 'EMAIL',
                       'address': 'b@example.com', 'period': 60}
    renamed = osc_json(tenant, 'notification', 'method', 'set',
                       method['id'], '--name', 'chg2')
    assert renamed['name'] == 'chg2' and renamed['period'] == 60
    replaced = osc_json(tenant, 'notification', 'method', 'set', 'chg2',
                        '--replace', '--name', 'chg3', '--type', 'webhook',
                        '--address', 'http://127.0.0.1:9/x', '--period',
                        '0')
    assert replaced == {'id': method['id'], 'name': 'chg3',
                        'type': 'WEBHOOK', 'address': 'http://127.0.0.1:9/x',
                        'period': 0}
    assert osc_json(tenant, 'notification', 'method', 'show',
                    method['id']) == replaced
    lib.assert_one_line_error(
        osc(tenant, 'notification', 'method', 'set', 'chg3', '--replace',
            '--name', 'x', check=False), '--type')
    lib.assert_one_line_error(
        osc(tenant, 'notification', 'method', 'set', 'chg3', check=False),
        'nothing to set')


def test_notification_method_delete(tenant: str, endpoint: str) -> None:
    one = lib.create_notification(endpoint, tenant, 'd1')
    lib.create_notification(endpoint, tenant, 'd2')
    lib.create_notification(endpoint, tenant, 'd3')
    result = osc(tenant, 'notification', 'method', 'delete', one['id'],
                 'd2')
    assert result.stdout == '' and result.stderr == ''
    out = osc(tenant, 'notification', 'method', 'list', '-f', 'value',
              '-c', 'Name').stdout
    assert lib.value_lines(out) == ['d3']
    result = osc(tenant, 'notification', 'method', 'delete', 'nope', 'd3',
                 check=False)
    assert result.returncode == 1, str(result)
    assert 'nope' in result.stderr
    assert '1 of 2 notification methods failed to delete' in result.stderr
    assert osc_json(tenant, 'notification', 'method', 'list') == []
    lib.assert_one_line_error(
        osc(tenant, 'notification', 'method', 'delete', 'd3', check=False),
        'd3')


def test_notification_method_paging(tenant: str, endpoint: str) -> None:
    for i in range(7):
        lib.create_notification(endpoint, tenant, f'p{i}')
    full = osc_json(tenant, 'notification', 'method', 'list', '--sort',
                    'name')
    assert [r['Name'] for r in full] == [f'p{i}' for i in range(7)]
    assert osc_json(tenant, 'notification', 'method', 'list', '--sort',
                    'name', '--page-size', '2') == full
    assert osc_json(tenant, 'notification', 'method', 'list', '--sort',
                    'name', '--page-size', '3', '--limit', '4') == full[:4]
    assert osc_json(tenant, 'notification', 'method', 'list', '--sort',
                    'name', '--page-size', '2', '--marker', '5') == full[5:]


def test_notification_method_type_list() -> None:
    rows = osc_json(lib.new_tenant(), 'notification', 'method', 'type',
                    'list')
    types = [r['Type'] for r in rows]
    assert {'EMAIL', 'WEBHOOK', 'PAGERDUTY'} <= set(types)
    assert all(t == t.upper() for t in types)
    out = osc(lib.new_tenant(), 'notification', 'method', 'type', 'list',
              '-f', 'value').stdout
    assert lib.value_lines(out) == types


def test_notification_method_errors(tenant: str, endpoint: str) -> None:
    lib.create_notification(endpoint, tenant, 'taken')
    lib.assert_one_line_error(
        osc(tenant, 'notification', 'method', 'create', 'taken', '--type',
            'EMAIL', '--address', 'x@example.com', check=False),
        '409', 'already exists')
    lib.assert_one_line_error(
        osc(tenant, 'notification', 'method', 'create', 'bad-type',
            '--type', 'CARRIER_PIGEON', '--address', 'x', check=False),
        'CARRIER_PIGEON')
    lib.assert_one_line_error(
        osc(tenant, 'notification', 'method', 'create', 'bad-mail',
            '--type', 'EMAIL', '--address', 'not-an-address', check=False),
        'not-an-address')
    missing = str(uuid.uuid4())
    lib.assert_one_line_error(
        osc(tenant, 'notification', 'method', 'show', missing, check=False),
        missing)
    assert [r['Name'] for r in osc_json(
        tenant, 'notification', 'method', 'list')] == ['taken']


# --------------------------------------------------------------------------
# versions and health
# --------------------------------------------------------------------------

VERSION = {'id': 'v2.0', 'status': 'CURRENT',
           'updated': '2013-03-06T00:00:00.000Z'}


def test_version_list_and_show() -> None:
    tenant = lib.new_tenant()
    assert osc_json(tenant, 'version', 'list') == [
        {'ID': 'v2.0', 'Status': 'CURRENT',
         'Updated': '2013-03-06T00:00:00.000Z'}]
    assert osc_json(tenant, 'version', 'show') == VERSION
    out = osc(tenant, 'version', 'show', 'v2.0', '-f', 'yaml').stdout
    assert lib.parse_yaml(out) == VERSION
    out = osc(tenant, 'version', 'list', '-f', 'csv').stdout
    assert lib.parse_csv(out) == [{'ID': 'v2.0', 'Status': 'CURRENT',
                                   'Updated': '2013-03-06T00:00:00.000Z'}]
    out = osc(tenant, 'version', 'show', '-f', 'value', '-c', 'status')
    assert out.stdout == 'CURRENT\n'
    lib.assert_one_line_error(
        osc(tenant, 'version', 'show', 'v3', check=False), '422', 'v3')


def test_health_show(sandbox: Any) -> None:
    health = osc_json(lib.new_tenant(), 'health', 'show')
    assert health['status'] == 200
    checks = {k: v for k, v in health.items() if k != 'status'}
    assert checks and set(checks.values()) == {'OK'}, health
    out = osc(lib.new_tenant(), 'health', 'show', '-f', 'value', '-c',
              'status').stdout
    assert out == '200\n'


def test_health_show_without_credentials(sandbox: Any) -> None:
    # /healthcheck needs no token: `--os-auth-type none` is enough.
    result = lib.base.run_openstack('monitoring', 'health', 'show', '-f',
                                    'json')
    assert result.json()['status'] == 200

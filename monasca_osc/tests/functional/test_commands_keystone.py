"""The commands with ``--os-cloud`` against a sandbox behind a real Keystone.

Users (clouds.yaml from tools/keystone_sandbox.py): ``mon-user``
(monasca-user), ``mon-ro`` (monasca-read-only-user), ``mon-admin``
(monasca-user + admin), ``mon-agent`` (monasca-agent), all in project
``mon-project``, and ``mon-other-user`` (monasca-user in ``mon-other``).
The Keystone sandbox is shared by every test of the session, so every
name here is unique. The commands run in-process (``base.run_openstack``);
``test_user_metrics_round_trip`` starts with the real ``openstack`` binary
(clouds.yaml and a password), the real-process smoke test of the group.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from monasca_osc.tests.functional import base
from monasca_osc.tests.functional import commands_lib as lib

# One Keystone per xdist worker is expensive: with --dist loadgroup these
# all run on the same worker.
pytestmark = [pytest.mark.keystone, pytest.mark.xdist_group('keystone')]


def ks(cloud: str, *args: Any, check: bool = True,
       binary: bool | None = None) -> base.CommandResult:
    return base.run_openstack('monitoring', *[str(a) for a in args],
                              cloud=cloud, check=check, binary=binary)


def ks_json(cloud: str, *args: Any, binary: bool | None = None) -> Any:
    return ks(cloud, *args, '-f', 'json', binary=binary).json()


def _refused(result: base.CommandResult) -> None:
    """A policy refusal: exit 1, one line, says access is denied."""
    line = lib.assert_one_line_error(result, '401')
    assert 'does not have access' in line or 'forbidden' in line.lower(), \
        line


def test_user_metrics_round_trip(keystone: base.KeystoneEnv) -> None:
    name = base.unique_name('ks.cpu')
    # The real binary: clouds.yaml, password, catalog, keystonemiddleware.
    created = ks_json('mon-user', 'metric', 'create', name, '--value',
                      '3.5', '--dimension', 'hostname=ks1',
                      '--value-meta', 'src=test', binary=True)
    assert created['dimensions'] == {'hostname': 'ks1'}
    assert created['value'] == 3.5
    expected = [{'Name': name, 'Dimensions': {'hostname': 'ks1'}}]
    assert ks_json('mon-user', 'metric', 'list', '--name', name) == expected
    rows = ks_json('mon-user', 'measurement', 'list', '--name', name,
                   '--start', '-10m')
    assert [(r['Value'], r['Value Meta']) for r in rows] == [
        (3.5, {'src': 'test'})]
    out = ks('mon-user', 'statistics', 'list', '--name', name, '--start',
             '-10m', '--statistic', 'max,count', '-f', 'csv').stdout
    rows = lib.parse_csv(out)
    assert [(r['Dimensions'], float(r['Max']), int(r['Count']))
            for r in rows] == [('hostname=ks1', 3.5, 1)]
    out = ks('mon-user', 'metric', 'dimension', 'value', 'list',
             '--dimension-name', 'hostname', '--metric-name', name, '-f',
             'yaml').stdout
    assert lib.parse_yaml(out) == [{'Dimension Value': 'ks1'}]
    # The read-only user of the same project reads the same data.
    out = ks('mon-ro', 'metric', 'name', 'list', '--dimension',
             'hostname=ks1', '-f', 'value').stdout
    assert name in lib.value_lines(out)


def test_read_only_user_cannot_write(keystone: base.KeystoneEnv) -> None:
    name = base.unique_name('ro')
    _refused(ks('mon-ro', 'metric', 'create', name, '--value', '1',
                check=False))
    _refused(ks('mon-ro', 'alarm', 'definition', 'create', name,
                '--expression', 'max(ro.m) > 1', check=False))
    _refused(ks('mon-ro', 'notification', 'method', 'create', name,
                '--type', 'EMAIL', '--address', 'ro@example.com',
                check=False))
    # Nothing was written.
    assert ks_json('mon-user', 'metric', 'list', '--name', name) == []
    # Changing or deleting what another user made is refused too.
    definition = ks_json('mon-user', 'alarm', 'definition', 'create', name,
                         '--expression', 'max(ro.m) > 1')
    _refused(ks('mon-ro', 'alarm', 'definition', 'set', definition['id'],
                '--severity', 'HIGH', check=False))
    _refused(ks('mon-ro', 'alarm', 'definition', 'delete', definition['id'],
                check=False))
    assert ks_json('mon-ro', 'alarm', 'definition', 'show',
                   definition['id'])['severity'] == 'LOW'
    ks('mon-user', 'alarm', 'definition', 'delete', definition['id'])


def test_agent_posts_but_cannot_read(keystone: base.KeystoneEnv) -> None:
    name = base.unique_name('agent')
    ks('mon-agent', 'metric', 'create', name, '--value', '2')
    _refused(ks('mon-agent', 'metric', 'list', '--name', name, check=False))
    assert ks_json('mon-user', 'metric', 'list', '--name', name) == [
        {'Name': name, 'Dimensions': {}}]


def test_cross_project_reads(keystone: base.KeystoneEnv) -> None:
    other = keystone.project_id('mon-other')
    name = base.unique_name('xt')
    ks('mon-user', 'metric', 'create', name, '--value', '1',
       '--dimension', 'owner=mine')
    ks('mon-other-user', 'metric', 'create', name, '--value', '2',
       '--dimension', 'owner=other')
    mine = [{'Name': name, 'Dimensions': {'owner': 'mine'}}]
    theirs = [{'Name': name, 'Dimensions': {'owner': 'other'}}]

    # admin + monasca-user: --project reads the other project.
    assert ks_json('mon-admin', 'metric', 'list', '--name', name,
                   '--project', other) == theirs
    assert ks_json('mon-admin', 'metric', 'list', '--name', name) == mine
    rows = ks_json('mon-admin', 'measurement', 'list', '--name', name,
                   '--start', '-10m', '--project', other)
    assert [(r['Dimensions'], r['Value']) for r in rows] == [
        ({'owner': 'other'}, 2.0)]
    out = ks('mon-admin', 'metric', 'dimension', 'value', 'list',
             '--dimension-name', 'owner', '--metric-name', name,
             '--project', other, '-f', 'value').stdout
    assert lib.value_lines(out) == ['other']
    # ...and writes into it.
    ks('mon-admin', 'metric', 'create', name, '--value', '3',
       '--dimension', 'owner=admin', '--project', other)
    assert ks_json('mon-other-user', 'metric', 'list', '--name', name) == [
        {'Name': name, 'Dimensions': {'owner': 'admin'}}] + theirs

    # A plain user's --project is silently ignored: own data, exit 0.
    assert ks_json('mon-user', 'metric', 'list', '--name', name,
                   '--project', other) == mine
    rows = ks_json('mon-user', 'measurement', 'list', '--name', name,
                   '--start', '-10m', '--project', other)
    assert [(r['Dimensions'], r['Value']) for r in rows] == [
        ({'owner': 'mine'}, 1.0)]


def test_alarms_and_notifications(keystone: base.KeystoneEnv) -> None:
    name = base.unique_name('ks-def')
    metric = base.unique_name('ks.idle')
    method = ks_json('mon-user', 'notification', 'method', 'create', name,
                     '--type', 'webhook', '--address',
                     'http://127.0.0.1:9/ks', '--period', '60')
    assert method['period'] == 60
    assert ks_json('mon-user', 'notification', 'method', 'show', name) == \
        method
    definition = ks_json(
        'mon-user', 'alarm', 'definition', 'create', name, '--expression',
        f'avg({metric}{{hostname=web1}}) < 10 times 1', '--match-by',
        'hostname', '--alarm-action', name, '--severity', 'high')
    assert definition['alarm_actions'] == [method['id']]
    assert definition['match_by'] == ['hostname']
    # Two minutes old: avg() decides once the alarm's first period closed.
    ks('mon-user', 'metric', 'create', metric, '--value', '1',
       '--dimension', 'hostname=web1', '--time', '-2m')

    alarms = ks_json('mon-user', 'alarm', 'list', '--definition',
                     definition['id'])
    assert [(a['State'], a['Severity']) for a in alarms] == [
        ('ALARM', 'HIGH')]
    alarm_id = alarms[0]['ID']
    assert ks_json('mon-ro', 'alarm', 'count', '--definition', name) == [
        {'Count': 1}]
    history = ks_json('mon-ro', 'alarm', 'history', 'list', '--alarm',
                      alarm_id)
    assert history[-1]['New State'] == 'ALARM'
    assert history[-1]['Reason']
    _refused(ks('mon-ro', 'alarm', 'set', alarm_id, '--state', 'OK',
                check=False))
    assert ks_json('mon-user', 'alarm', 'set', alarm_id, '--state',
                   'OK')['state'] == 'OK'
    # Another project sees none of it.
    line = lib.assert_one_line_error(
        ks('mon-other-user', 'alarm', 'show', alarm_id, check=False))
    assert line == f"No alarm with ID '{alarm_id}'", line

    ks('mon-user', 'alarm', 'definition', 'delete', name)
    ks('mon-user', 'notification', 'method', 'delete', name)
    assert ks_json('mon-user', 'alarm', 'list', '--metric-name',
                   metric) == []
    lib.assert_one_line_error(
        ks('mon-user', 'notification', 'method', 'show', method['id'],
           check=False), method['id'])


def test_versions_and_health(keystone: base.KeystoneEnv) -> None:
    assert ks_json('mon-ro', 'version', 'list') == [
        {'ID': 'v2.0', 'Status': 'CURRENT',
         'Updated': '2013-03-06T00:00:00.000Z'}]
    assert ks_json('mon-user', 'version', 'show')['id'] == 'v2.0'
    health = ks_json('mon-user', 'health', 'show')
    assert health['status'] == 200
    out = ks('mon-user', 'notification', 'method', 'type', 'list', '-f',
             'json').stdout
    assert 'EMAIL' in {r['Type'] for r in json.loads(out)}

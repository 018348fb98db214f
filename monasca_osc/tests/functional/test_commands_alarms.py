"""``openstack monitoring alarm [definition] ...`` end to end.

In-process ``openstack`` (``base.run_openstack``; the ``*_binary`` test runs
the real binary), no-Keystone sandbox. Alarms are made by the
sandbox's threshold evaluator, which runs after every metric POST; the
tests post data at least two minutes old so that each new alarm's first
period has closed.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from typing import Any
import uuid

import pytest

from monasca_osc.tests.functional import base
from monasca_osc.tests.functional import commands_lib as lib

EXPRESSION = 'avg(cpu.idle_perc{hostname=web1}) < 10 times 1'
_SERVER: dict[str, str] = {}


@pytest.fixture(scope='module', autouse=True)
def endpoint() -> Iterator[str]:
    """This module's own sandbox, without the periodic evaluation tick.

    Alarms are still evaluated after every metric POST, but a state set by
    a test is never re-evaluated behind its back.
    """
    from monasca_osc.testing import Sandbox

    server = Sandbox(eval_interval=0).start()
    _SERVER['endpoint'] = server.endpoint
    try:
        yield server.endpoint
    finally:
        _SERVER.clear()
        server.stop()


def osc(tenant: str, *args: Any, check: bool = True,
        binary: bool | None = None) -> base.CommandResult:
    return lib.osc(tenant, *args, check=check, endpoint=_SERVER['endpoint'],
                   binary=binary)


def osc_json(tenant: str, *args: Any, binary: bool | None = None) -> Any:
    return osc(tenant, *args, '-f', 'json', binary=binary).json()


@pytest.fixture
def tenant() -> str:
    return lib.new_tenant()


def _by_name(rows: list[dict], key: str = 'Name') -> dict[str, dict]:
    return {r[key]: r for r in rows}


def test_alarm_definition_and_alarm_binary(tenant: str) -> None:
    """Smoke test of the group: a write, reads and an error through the
    real ``openstack`` binary; count and show in-process."""
    created = osc_json(tenant, 'alarm', 'definition', 'create', 'smoke',
                       '--expression', 'max(smoke.cpu) > 1', '--match-by',
                       'hostname', '--severity', 'HIGH', binary=True)
    assert created['match_by'] == ['hostname']
    assert created['severity'] == 'HIGH'
    assert [d['Name'] for d in osc_json(tenant, 'alarm', 'definition',
                                        'list', binary=True)] == ['smoke']
    lib.post_metrics(_SERVER['endpoint'], tenant, [
        lib.metric('smoke.cpu', 5, {'hostname': 'h'},
                   timestamp_ms=lib.now_ms() - 180_000)])
    alarms = osc_json(tenant, 'alarm', 'list', binary=True)
    assert [(a['Definition'], a['Metrics'], a['Severity']) for a in alarms
            ] == [('smoke', [{'name': 'smoke.cpu',
                              'dimensions': {'hostname': 'h'}}], 'HIGH')]
    assert osc_json(tenant, 'alarm', 'count') == [{'Count': 1}]
    shown = osc_json(tenant, 'alarm', 'show', alarms[0]['ID'])
    assert shown['id'] == alarms[0]['ID']
    bad = osc(tenant, 'alarm', 'definition', 'create', 'x', '--expression',
              'max(cpu) >', check=False, binary=True)
    assert bad.returncode == 1 and bad.stderr.count('\n') == 1


# --------------------------------------------------------------------------
# the full lifecycle, one command after the other
# --------------------------------------------------------------------------

def test_alarm_lifecycle(tenant: str) -> None:
    method = osc_json(tenant, 'notification', 'method', 'create', 'ops',
                      '--type', 'email', '--address', 'ops@example.com')
    definition = osc_json(
        tenant, 'alarm', 'definition', 'create', 'web1-idle',
        '--expression', EXPRESSION, '--match-by', 'hostname',
        '--alarm-action', 'ops')
    assert definition['name'] == 'web1-idle'
    assert definition['expression'] == EXPRESSION
    assert definition['match_by'] == ['hostname']
    assert definition['severity'] == 'LOW'
    assert definition['actions_enabled'] is True
    assert definition['deterministic'] is False
    assert definition['alarm_actions'] == [method['id']]
    assert definition['ok_actions'] == []
    assert definition['undetermined_actions'] == []
    def_id = definition['id']
    uuid.UUID(def_id)

    # No metric yet: no alarm.
    assert osc_json(tenant, 'alarm', 'list') == []

    # A breaching value two minutes old: the evaluator creates the alarm
    # and, its first period having closed, fires it (avg() is decided only
    # once a period has closed, as monasca-thresh does).
    osc(tenant, 'metric', 'create', 'cpu.idle_perc', '--value', '3',
        '--dimension', 'hostname=web1', '--time', '-2m')
    # Not matched by the expression's hostname=web1: no alarm for it.
    osc(tenant, 'metric', 'create', 'cpu.idle_perc', '--value', '3',
        '--dimension', 'hostname=web2', '--time', '-2m')
    alarms = osc_json(tenant, 'alarm', 'list', '--definition', 'web1-idle')
    assert len(alarms) == 1, alarms
    alarm = alarms[0]
    assert alarm['State'] == 'ALARM'
    assert alarm['Definition'] == 'web1-idle'
    assert alarm['Severity'] == 'LOW'
    assert alarm['Metrics'] == [{'name': 'cpu.idle_perc',
                                 'dimensions': {'hostname': 'web1'}}]
    alarm_id = alarm['ID']

    shown = osc_json(tenant, 'alarm', 'show', alarm_id)
    assert shown['id'] == alarm_id
    assert shown['alarm_definition_id'] == def_id
    assert shown['alarm_definition_name'] == 'web1-idle'
    assert shown['state'] == 'ALARM'
    assert shown['metrics'] == alarm['Metrics']

    history = osc_json(tenant, 'alarm', 'history', 'list', '--alarm',
                       alarm_id)
    assert history, 'no state history after the alarm fired'
    fired = history[-1]
    assert fired['Alarm ID'] == alarm_id
    assert fired['New State'] == 'ALARM'
    assert fired['Old State'] in ('UNDETERMINED', 'OK')
    assert isinstance(fired['Reason'], str) and fired['Reason'].strip()

    # An operator acknowledges it.
    updated = osc_json(tenant, 'alarm', 'set', alarm_id, '--state', 'OK')
    assert updated['state'] == 'OK'
    assert updated['id'] == alarm_id
    history = osc_json(tenant, 'alarm', 'history', 'list', '--alarm',
                       alarm_id)
    assert [(h['Old State'], h['New State']) for h in history][-1] == \
        ('ALARM', 'OK')
    assert history[-2]['New State'] == 'ALARM'

    # Severity changes reach the alarm.
    changed = osc_json(tenant, 'alarm', 'definition', 'set', 'web1-idle',
                       '--severity', 'HIGH')
    assert changed['severity'] == 'HIGH'
    assert changed['match_by'] == ['hostname']
    assert changed['alarm_actions'] == [method['id']]
    assert osc_json(tenant, 'alarm', 'show', alarm_id)['severity'] == 'HIGH'
    assert osc_json(tenant, 'alarm', 'count', '--severity', 'HIGH') == [
        {'Count': 1}]

    # Deleting the definition deletes its alarms.
    result = osc(tenant, 'alarm', 'definition', 'delete', def_id)
    assert result.stdout == ''
    assert osc_json(tenant, 'alarm', 'list') == []
    line = lib.assert_one_line_error(
        osc(tenant, 'alarm', 'show', alarm_id, check=False))
    assert line == f"No alarm with ID '{alarm_id}'", line
    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'definition', 'show', def_id, check=False),
        def_id)


# --------------------------------------------------------------------------
# alarm definitions
# --------------------------------------------------------------------------

def test_alarm_definition_create_all_options(tenant: str,
                                             endpoint: str) -> None:
    n1 = lib.create_notification(endpoint, tenant, 'n1')
    n2 = lib.create_notification(endpoint, tenant, 'n2', 'WEBHOOK',
                                 'http://127.0.0.1:9/hook')
    created = osc_json(
        tenant, 'alarm', 'definition', 'create', 'full',
        '--expression', 'max(disk.used{mount=/,hostname=h}, 120) > 90 '
        'times 3 or count(log.error{}, deterministic) > 1',
        '--description', 'disk is full', '--severity', 'critical',
        '--match-by', 'hostname,service', '--match-by', 'mount',
        '--alarm-action', 'n1', '--alarm-action', n2['id'],
        '--ok-action', 'n2', '--undetermined-action', 'n1')
    assert {k: v for k, v in created.items()
            if k not in ('id', 'alarm_actions')} == {
        'name': 'full', 'description': 'disk is full',
        'expression': 'max(disk.used{mount=/,hostname=h}, 120) > 90 '
                      'times 3 or count(log.error{}, deterministic) > 1',
        'deterministic': False,
        'match_by': ['hostname', 'service', 'mount'],
        'severity': 'CRITICAL', 'actions_enabled': True,
        'ok_actions': [n2['id']], 'undetermined_actions': [n1['id']]}
    assert sorted(created['alarm_actions']) == sorted([n1['id'], n2['id']])
    # show by name and by id agree with what create returned
    assert osc_json(tenant, 'alarm', 'definition', 'show', 'full') == \
        created
    assert osc_json(tenant, 'alarm', 'definition', 'show',
                    created['id']) == created


def test_alarm_definition_deterministic_flag(tenant: str) -> None:
    created = osc_json(tenant, 'alarm', 'definition', 'create', 'det',
                       '--expression', 'count(log.error{}, deterministic) '
                       '> 1')
    assert created['deterministic'] is True
    assert created['match_by'] == []


@pytest.fixture(scope='module')
def definitions(endpoint: str) -> tuple[str, dict[str, dict]]:
    """Five definitions with known names and severities."""
    tenant = lib.new_tenant()
    made = {}
    for name, severity, expr in (
            ('def-a', 'LOW', 'avg(m.a{hostname=web1}) > 1'),
            ('def-b', 'HIGH', 'avg(m.b{hostname=web2}) > 1'),
            ('def-c', 'MEDIUM', 'max(m.c) > 1'),
            ('def-d', 'HIGH', 'min(m.d{hostname=web1}) < 0'),
            ('def-e', 'CRITICAL', 'sum(m.e) > 100')):
        made[name] = lib.create_definition(
            endpoint, tenant, name, expr, severity=severity,
            match_by=['hostname'], description=f'about {name}')
    return tenant, made


def test_alarm_definition_list_and_filters(definitions: tuple) -> None:
    tenant, made = definitions
    rows = osc_json(tenant, 'alarm', 'definition', 'list', '--sort',
                    'name')
    assert [r['Name'] for r in rows] == ['def-a', 'def-b', 'def-c',
                                         'def-d', 'def-e']
    first = rows[0]
    assert first == {'ID': made['def-a']['id'], 'Name': 'def-a',
                     'Expression': 'avg(m.a{hostname=web1}) > 1',
                     'Severity': 'LOW', 'Match By': ['hostname'],
                     'Actions Enabled': True}

    rows = osc_json(tenant, 'alarm', 'definition', 'list', '--severity',
                    'HIGH', '--sort', 'name:desc')
    assert [r['Name'] for r in rows] == ['def-d', 'def-b']
    rows = osc_json(tenant, 'alarm', 'definition', 'list', '--severity',
                    'low|critical', '--sort', 'name')
    assert [r['Name'] for r in rows] == ['def-a', 'def-e']
    rows = osc_json(tenant, 'alarm', 'definition', 'list', '--dimension',
                    'hostname=web1', '--sort', 'name')
    assert [r['Name'] for r in rows] == ['def-a', 'def-d']
    rows = osc_json(tenant, 'alarm', 'definition', 'list', '--name',
                    'def-c', '--long')
    assert rows == [{
        'ID': made['def-c']['id'], 'Name': 'def-c',
        'Expression': 'max(m.c) > 1', 'Severity': 'MEDIUM',
        'Match By': ['hostname'], 'Actions Enabled': True,
        'Deterministic': False, 'Description': 'about def-c',
        'Alarm Actions': [], 'OK Actions': [], 'Undetermined Actions': []}]


@pytest.mark.parametrize('cli,given', [
    ('openstack', 'hostname'), ('openstack', 'hostname=web1|web2'),
    ('monasca', 'hostname'), ('monasca', 'hostname=web1|web2')])
def test_alarm_definition_list_dimension_forms_the_api_cannot_match(
        definitions: tuple, cli: str, given: str) -> None:
    """The API compares a bare key and v1|v2 literally here (they would
    list nothing): refused, naming the form that works."""
    tenant, _ = definitions
    if cli == 'openstack':
        result = osc(tenant, 'alarm', 'definition', 'list', '--dimension',
                     given, check=False)
    else:
        result = base.run_monasca('alarm-definition-list', '--dimensions',
                                  given, token=tenant,
                                  endpoint=_SERVER['endpoint'], check=False)
    option = '--dimension' if cli == 'openstack' else '--dimensions'
    lib.assert_one_line_error(result, f'{option} {given!r}',
                              'exact key=value pairs only')
    if cli == 'monasca':
        listed = base.run_monasca(
            'alarm-definition-list', '--dimensions', 'hostname=web1',
            '-j', token=tenant, endpoint=_SERVER['endpoint'])
        assert sorted(d['name'] for d in listed.json()) == ['def-a',
                                                            'def-d']


def test_alarm_definition_list_paging(definitions: tuple) -> None:
    tenant, _ = definitions
    full = osc_json(tenant, 'alarm', 'definition', 'list', '--sort', 'name')
    assert len(full) == 5
    assert osc_json(tenant, 'alarm', 'definition', 'list', '--sort', 'name',
                    '--page-size', '2') == full
    assert osc_json(tenant, 'alarm', 'definition', 'list', '--sort', 'name',
                    '--page-size', '2', '--limit', '3') == full[:3]
    assert osc_json(tenant, 'alarm', 'definition', 'list', '--sort', 'name',
                    '--page-size', '2', '--marker', '2') == full[2:]


@pytest.mark.parametrize('fmt', lib.SHOW_FORMATS)
def test_alarm_definition_show_formats(definitions: tuple,
                                       fmt: str) -> None:
    tenant, made = definitions
    out = osc(tenant, 'alarm', 'definition', 'show', 'def-b', '-f',
              fmt).stdout
    expected = {
        'id': made['def-b']['id'], 'name': 'def-b',
        'description': 'about def-b',
        'expression': 'avg(m.b{hostname=web2}) > 1', 'deterministic': False,
        'match_by': ['hostname'], 'severity': 'HIGH',
        'actions_enabled': True, 'alarm_actions': [], 'ok_actions': [],
        'undetermined_actions': []}
    if fmt == 'json':
        assert json.loads(out) == expected
    elif fmt == 'yaml':
        assert lib.parse_yaml(out) == expected
    elif fmt == 'shell':
        lib.assert_no_repr(out)
        assert lib.parse_shell(out) == {
            'id': expected['id'], 'name': 'def-b',
            'description': 'about def-b',
            'expression': 'avg(m.b{hostname=web2}) > 1',
            'deterministic': 'false', 'match_by': 'hostname',
            'severity': 'HIGH', 'actions_enabled': 'true',
            'alarm_actions': '', 'ok_actions': '',
            'undetermined_actions': ''}
    elif fmt == 'value':
        lib.assert_no_repr(out)
        assert out.splitlines() == [
            expected['id'], 'def-b', 'about def-b',
            'avg(m.b{hostname=web2}) > 1', 'false', 'hostname', 'HIGH',
            'true', '', '', '']
    else:
        assert '| match_by' in out and '| hostname' in out
        assert "['" not in out


def test_alarm_definition_list_csv_and_columns(definitions: tuple) -> None:
    tenant, made = definitions
    out = osc(tenant, 'alarm', 'definition', 'list', '--sort', 'name',
              '-f', 'csv', '-c', 'Name', '-c', 'Match By', '-c',
              'Actions Enabled').stdout
    lib.assert_no_repr(out)
    assert lib.parse_csv(out)[0] == {'Name': 'def-a',
                                     'Match By': 'hostname',
                                     'Actions Enabled': 'true'}
    out = osc(tenant, 'alarm', 'definition', 'list', '--sort', 'name',
              '-f', 'value', '-c', 'ID', '-c', 'Severity').stdout
    assert lib.value_lines(out)[:2] == [f'{made["def-a"]["id"]} LOW',
                                        f'{made["def-b"]["id"]} HIGH']


def test_alarm_definition_set_patch(tenant: str, endpoint: str) -> None:
    n1 = lib.create_notification(endpoint, tenant, 'pn1')
    n2 = lib.create_notification(endpoint, tenant, 'pn2')
    lib.create_definition(endpoint, tenant, 'patch-me',
                          'avg(m.p{hostname=x}) > 1', match_by=['hostname'],
                          description='old', alarm_actions=[n1['id']],
                          ok_actions=[n1['id']])
    result = osc_json(
        tenant, 'alarm', 'definition', 'set', 'patch-me', '--name',
        'patched', '--description', 'new', '--expression',
        'max(m.p{hostname=x}, 120) >= 5 times 2', '--disable-actions',
        '--alarm-action', 'pn2', '--no-ok-actions')
    assert {k: v for k, v in result.items() if k != 'id'} == {
        'name': 'patched', 'description': 'new',
        'expression': 'max(m.p{hostname=x}, 120) >= 5 times 2',
        'deterministic': False, 'match_by': ['hostname'], 'severity': 'LOW',
        'actions_enabled': False, 'alarm_actions': [n2['id']],
        'ok_actions': [], 'undetermined_actions': []}
    assert osc_json(tenant, 'alarm', 'definition', 'set', 'patched',
                    '--enable-actions')['actions_enabled'] is True
    # Nothing to set: a clear client-side error.
    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'definition', 'set', 'patched', check=False),
        'nothing to set')


def test_alarm_definition_set_replace(tenant: str, endpoint: str) -> None:
    n1 = lib.create_notification(endpoint, tenant, 'rn1')
    lib.create_definition(endpoint, tenant, 'replace-me',
                          'avg(m.r{hostname=x}) > 1', match_by=['hostname'],
                          description='old', severity='HIGH',
                          alarm_actions=[n1['id']])
    result = osc_json(tenant, 'alarm', 'definition', 'set', 'replace-me',
                      '--replace', '--name', 'replaced', '--expression',
                      'avg(m.r{hostname=x}) > 50', '--ok-action', 'rn1')
    # Everything not given is reset; match_by is kept.
    assert {k: v for k, v in result.items() if k != 'id'} == {
        'name': 'replaced', 'description': '',
        'expression': 'avg(m.r{hostname=x}) > 50', 'deterministic': False,
        'match_by': ['hostname'], 'severity': 'LOW',
        'actions_enabled': True, 'alarm_actions': [],
        'ok_actions': [n1['id']], 'undetermined_actions': []}
    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'definition', 'set', 'replaced', '--replace',
            '--name', 'x', check=False), '--expression')


def test_alarm_definition_delete_several(tenant: str,
                                         endpoint: str) -> None:
    one = lib.create_definition(endpoint, tenant, 'del-1', 'max(m.x) > 1')
    lib.create_definition(endpoint, tenant, 'del-2', 'max(m.y) > 1')
    lib.create_definition(endpoint, tenant, 'keep', 'max(m.z) > 1')
    result = osc(tenant, 'alarm', 'definition', 'delete', one['id'],
                 'del-2')
    assert result.stdout == '' and result.stderr == ''
    out = osc(tenant, 'alarm', 'definition', 'list', '-f', 'value', '-c',
              'Name').stdout
    assert lib.value_lines(out) == ['keep']
    result = osc(tenant, 'alarm', 'definition', 'delete', 'keep', 'gone',
                 check=False)
    assert result.returncode == 1, str(result)
    assert 'gone' in result.stderr
    assert '1 of 2 alarm definitions failed to delete' in result.stderr
    assert osc_json(tenant, 'alarm', 'definition', 'list') == []
    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'definition', 'delete', 'keep', check=False),
        'keep')


# --------------------------------------------------------------------------
# alarms, counts and history over several alarms
# --------------------------------------------------------------------------

@pytest.fixture(scope='module')
def fleet(endpoint: str) -> tuple[str, dict[str, Any]]:
    """One definition matched by hostname; 5 hosts, 3 of them breaching."""
    tenant = lib.new_tenant()
    definition = lib.create_definition(
        endpoint, tenant, 'load-high', 'max(al.load) > 5',
        match_by=['hostname'], severity='MEDIUM')
    # Two minutes old: max() > 5 goes OK only once its period has closed.
    now = lib.now_ms() - 120_000
    lib.post_metrics(endpoint, tenant, [
        lib.metric('al.load', 10 if host in ('a1', 'a2', 'a3') else 1,
                   {'hostname': host, 'role': 'web'}, now)
        for host in ('a1', 'a2', 'a3', 'a4', 'a5')])
    alarms = lib.api(endpoint, 'GET', 'alarms', tenant=tenant)['elements']
    by_host = {a['metrics'][0]['dimensions']['hostname']: a for a in alarms}
    assert sorted(by_host) == ['a1', 'a2', 'a3', 'a4', 'a5'], alarms
    return tenant, {'definition': definition, 'alarms': by_host}


def _hosts(rows: list[dict]) -> list[str]:
    return [r['Metrics'][0]['dimensions']['hostname'] for r in rows]


def test_alarm_list_filters(fleet: tuple) -> None:
    tenant, data = fleet
    rows = osc_json(tenant, 'alarm', 'list', '--sort', 'alarm_id')
    assert sorted(_hosts(rows)) == ['a1', 'a2', 'a3', 'a4', 'a5']
    assert {r['Definition'] for r in rows} == {'load-high'}
    assert {r['Severity'] for r in rows} == {'MEDIUM'}
    assert sorted(r['ID'] for r in rows) == [r['ID'] for r in rows]
    states = {h: r['State'] for h, r in zip(_hosts(rows), rows, strict=True)}
    assert states == {'a1': 'ALARM', 'a2': 'ALARM', 'a3': 'ALARM',
                      'a4': 'OK', 'a5': 'OK'}

    assert sorted(_hosts(osc_json(tenant, 'alarm', 'list', '--state',
                                  'alarm'))) == ['a1', 'a2', 'a3']
    assert _hosts(osc_json(tenant, 'alarm', 'list', '--metric-dimension',
                           'hostname=a4')) == ['a4']
    assert sorted(_hosts(osc_json(
        tenant, 'alarm', 'list', '--metric-dimension', 'hostname=a1|a5',
        '--metric-name', 'al.load'))) == ['a1', 'a5']
    assert len(osc_json(tenant, 'alarm', 'list', '--definition',
                        'load-high', '--severity', 'MEDIUM')) == 5
    assert osc_json(tenant, 'alarm', 'list', '--severity', 'LOW') == []
    assert len(osc_json(tenant, 'alarm', 'list', '--state-updated-since',
                        '-1h')) == 5
    assert osc_json(tenant, 'alarm', 'list', '--state-updated-since',
                    'now+1h') == []
    rows = osc_json(tenant, 'alarm', 'list', '--sort', 'state:desc',
                    '--long')
    assert [r['State'] for r in rows] == ['ALARM'] * 3 + ['OK'] * 2
    assert {r['Definition ID'] for r in rows} == {data['definition']['id']}


def test_alarm_list_paging(fleet: tuple) -> None:
    tenant, _ = fleet
    full = osc_json(tenant, 'alarm', 'list', '--sort', 'alarm_id')
    assert len(full) == 5
    assert osc_json(tenant, 'alarm', 'list', '--sort', 'alarm_id',
                    '--page-size', '2') == full
    assert osc_json(tenant, 'alarm', 'list', '--sort', 'alarm_id',
                    '--page-size', '2', '--limit', '3') == full[:3]
    assert osc_json(tenant, 'alarm', 'list', '--sort', 'alarm_id',
                    '--page-size', '2', '--marker', '3') == full[3:]


@pytest.mark.parametrize('fmt', lib.FORMATS)
def test_alarm_list_formats(fleet: tuple, fmt: str) -> None:
    tenant, data = fleet
    alarm = data['alarms']['a2']
    out = osc(tenant, 'alarm', 'list', '--metric-dimension', 'hostname=a2',
              '-f', fmt).stdout
    metrics = [{'name': 'al.load',
                'dimensions': {'hostname': 'a2', 'role': 'web'}}]
    if fmt in ('json', 'yaml'):
        rows = json.loads(out) if fmt == 'json' else lib.parse_yaml(out)
        assert len(rows) == 1
        row = rows[0]
        assert {k: row[k] for k in ('ID', 'Definition', 'Metrics',
                                    'Severity', 'State')} == {
            'ID': alarm['id'], 'Definition': 'load-high',
            'Metrics': metrics, 'Severity': 'MEDIUM', 'State': 'ALARM'}
        assert row['State Updated']
    elif fmt == 'csv':
        lib.assert_no_repr(out)
        rows = lib.parse_csv(out)
        assert len(rows) == 1
        assert rows[0]['Metrics'] == 'al.load{hostname=a2,role=web}'
        assert rows[0]['ID'] == alarm['id']
        assert rows[0]['State'] == 'ALARM'
    elif fmt == 'value':
        lib.assert_no_repr(out)
        line, = lib.value_lines(out)
        assert line.startswith(f'{alarm["id"]} load-high '
                               'al.load{hostname=a2,role=web} MEDIUM ALARM ')
    else:
        assert 'al.load{hostname=a2,role=web}' in out
        assert '| ID' in out and alarm['id'] in out


@pytest.mark.parametrize('fmt', ('json', 'yaml', 'shell', 'value'))
def test_alarm_show_formats(fleet: tuple, fmt: str) -> None:
    tenant, data = fleet
    alarm = data['alarms']['a4']
    out = osc(tenant, 'alarm', 'show', alarm['id'], '-f', fmt).stdout
    if fmt in ('json', 'yaml'):
        shown = json.loads(out) if fmt == 'json' else lib.parse_yaml(out)
        assert {k: shown[k] for k in (
            'id', 'alarm_definition_id', 'alarm_definition_name',
            'severity', 'state', 'lifecycle_state', 'link', 'metrics')} == {
            'id': alarm['id'],
            'alarm_definition_id': data['definition']['id'],
            'alarm_definition_name': 'load-high', 'severity': 'MEDIUM',
            'state': 'OK', 'lifecycle_state': None, 'link': None,
            'metrics': [{'name': 'al.load',
                         'dimensions': {'hostname': 'a4', 'role': 'web'}}]}
        assert set(shown) == {
            'id', 'alarm_definition_id', 'alarm_definition_name',
            'severity', 'state', 'lifecycle_state', 'link', 'metrics',
            'state_updated_timestamp', 'updated_timestamp',
            'created_timestamp'}
    elif fmt == 'shell':
        lib.assert_no_repr(out)
        row = lib.parse_shell(out)
        assert row['metrics'] == 'al.load{hostname=a4,role=web}'
        assert row['alarm_definition_name'] == 'load-high'
        assert row['lifecycle_state'] == '' and row['link'] == ''
    else:
        lib.assert_no_repr(out)
        lines = out.splitlines()
        assert lines[:8] == [alarm['id'], data['definition']['id'],
                             'load-high', 'MEDIUM', 'OK', '', '',
                             'al.load{hostname=a4,role=web}']


def test_alarm_count(fleet: tuple) -> None:
    tenant, data = fleet
    assert osc_json(tenant, 'alarm', 'count') == [{'Count': 5}]
    rows = osc_json(tenant, 'alarm', 'count', '--group-by', 'state')
    assert rows == [{'Count': 3, 'State': 'ALARM'},
                    {'Count': 2, 'State': 'OK'}]
    assert all(isinstance(r['Count'], int) for r in rows)
    rows = osc_json(tenant, 'alarm', 'count', '--group-by',
                    'alarm_definition_id,state', '--state', 'OK')
    assert rows == [{'Count': 2,
                     'Alarm Definition Id': data['definition']['id'],
                     'State': 'OK'}]
    out = osc(tenant, 'alarm', 'count', '--group-by', 'severity',
              '--group-by', 'state', '-f', 'csv').stdout
    assert lib.parse_csv(out) == [
        {'Count': '3', 'Severity': 'MEDIUM', 'State': 'ALARM'},
        {'Count': '2', 'Severity': 'MEDIUM', 'State': 'OK'}]
    out = osc(tenant, 'alarm', 'count', '--metric-dimension',
              'hostname=a1|a4', '-f', 'value').stdout
    assert lib.value_lines(out) == ['2']


def test_alarm_history_list_all_alarms(fleet: tuple) -> None:
    tenant, data = fleet
    rows = osc_json(tenant, 'alarm', 'history', 'list')
    ids = {a['id'] for a in data['alarms'].values()}
    assert {r['Alarm ID'] for r in rows} == ids
    fired = {r['Alarm ID'] for r in rows if r['New State'] == 'ALARM'}
    assert fired == {data['alarms'][h]['id'] for h in ('a1', 'a2', 'a3')}
    assert [r['Timestamp'] for r in rows] == \
        sorted(r['Timestamp'] for r in rows)
    assert osc_json(tenant, 'alarm', 'history', 'list', '--start', '-1h',
                    '--end', 'now+1m') == rows
    assert osc_json(tenant, 'alarm', 'history', 'list', '--start',
                    'now+1m') == []
    only = osc_json(tenant, 'alarm', 'history', 'list', '--dimension',
                    'hostname=a3', '--long')
    assert {r['Alarm ID'] for r in only} == {data['alarms']['a3']['id']}
    entry = only[-1]
    assert entry['New State'] == 'ALARM'
    assert entry['Metrics'][0]['name'] == 'al.load'
    assert entry['Metrics'][0]['dimensions'] == {'hostname': 'a3',
                                                 'role': 'web'}
    assert isinstance(entry['Reason Data'], str)
    sub = entry['Sub Alarms'][0]
    assert sub['sub_alarm_expression']['metric_name'] == 'al.load'
    assert sub['sub_alarm_state'] == 'ALARM'
    out = osc(tenant, 'alarm', 'history', 'list', '--dimension',
              'hostname=a3', '--long', '-f', 'csv').stdout
    lib.assert_no_repr(out)
    row = lib.parse_csv(out)[-1]
    assert row['Metrics'] == 'al.load{hostname=a3,role=web}'
    assert json.loads(row['Sub Alarms'])[0]['sub_alarm_state'] == 'ALARM'
    # One alarm's history, paged one entry at a time.
    alarm_id = data['alarms']['a1']['id']
    one = osc_json(tenant, 'alarm', 'history', 'list', '--alarm', alarm_id)
    assert one and {r['Alarm ID'] for r in one} == {alarm_id}
    assert osc_json(tenant, 'alarm', 'history', 'list', '--alarm',
                    alarm_id, '--page-size', '1') == one


def test_alarm_set_replace_and_delete(tenant: str, endpoint: str) -> None:
    lib.create_definition(endpoint, tenant, 'sr', 'max(sr.m) > 5',
                          match_by=['hostname'])
    lib.post_metrics(endpoint, tenant, [
        lib.metric('sr.m', 1, {'hostname': h}) for h in ('s1', 's2')])
    alarms = {a['Metrics'][0]['dimensions']['hostname']: a['ID']
              for a in osc_json(tenant, 'alarm', 'list')}
    assert sorted(alarms) == ['s1', 's2']

    replaced = osc_json(tenant, 'alarm', 'set', alarms['s1'], '--replace',
                        '--state', 'ALARM', '--lifecycle-state', 'OPEN',
                        '--link', 'http://tickets/1')
    assert (replaced['state'], replaced['lifecycle_state'],
            replaced['link']) == ('ALARM', 'OPEN', 'http://tickets/1')
    patched = osc_json(tenant, 'alarm', 'set', alarms['s1'], '--link',
                       'http://tickets/2')
    assert (patched['state'], patched['lifecycle_state'],
            patched['link']) == ('ALARM', 'OPEN', 'http://tickets/2')
    rows = osc_json(tenant, 'alarm', 'list', '--lifecycle-state', 'OPEN',
                    '--long')
    assert [(r['ID'], r['Link']) for r in rows] == [
        (alarms['s1'], 'http://tickets/2')]
    assert [r['ID'] for r in osc_json(tenant, 'alarm', 'list', '--link',
                                      'http://tickets/2')] == [alarms['s1']]

    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'set', alarms['s2'], '--replace', '--state',
            'OK', check=False), 'lifecycle_state')
    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'set', alarms['s2'], '--state', 'bogus',
            check=False), 'bogus')

    assert osc(tenant, 'alarm', 'delete', alarms['s1']).stdout == ''
    assert [r['ID'] for r in osc_json(tenant, 'alarm', 'list')] == \
        [alarms['s2']]
    missing = str(uuid.uuid4())
    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'delete', missing, check=False),
        f"No alarm with ID '{missing}'")
    result = osc(tenant, 'alarm', 'delete', missing, alarms['s2'],
                 check=False)
    assert result.returncode == 1, str(result)
    assert f"No alarm with ID '{missing}'" in result.stderr
    assert '1 of 2 alarms failed to delete' in result.stderr
    assert osc_json(tenant, 'alarm', 'list') == []


# --------------------------------------------------------------------------
# errors: one line, exit 1
# --------------------------------------------------------------------------

def test_errors_not_found(tenant: str) -> None:
    missing = str(uuid.uuid4())
    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'definition', 'show', missing, check=False),
        missing)
    # Alarms say which, as definitions do (not a bare "404 Not Found").
    for args in (('show', missing), ('set', missing, '--state', 'OK'),
                 ('set', missing, '--replace', '--state', 'OK',
                  '--lifecycle-state', 'OPEN', '--link', 'http://x'),
                 ('delete', missing)):
        line = lib.assert_one_line_error(osc(tenant, 'alarm', *args,
                                             check=False))
        assert line == f"No alarm with ID '{missing}'", line
    lib.assert_one_line_error(
        base.run_monasca('alarm-show', missing, token=tenant,
                         endpoint=_SERVER['endpoint'], check=False),
        f"No alarm with ID '{missing}'")
    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'definition', 'set', 'no-such-def',
            '--severity', 'HIGH', check=False), 'no-such-def')


@pytest.mark.parametrize('change', [
    ('--expression', 'max(m.other) > 1'),
    ('--expression', 'max(m.keep) > 1 or max(m.more) > 1'),
    ('--replace', '--name', 'keep', '--expression', 'max(m.keep) > 1',
     '--match-by', 'hostname')])
def test_errors_unchangeable_definition_says_what_to_do(
        tenant: str, change: tuple) -> None:
    osc(tenant, 'alarm', 'definition', 'create', 'keep', '--expression',
        'max(m.keep) > 1')
    line = lib.assert_one_line_error(
        osc(tenant, 'alarm', 'definition', 'set', 'keep', *change,
            check=False),
        'cannot change', 'in place',
        'delete the alarm definition and create it again',
        'this deletes its alarms and their history')
    assert "b'" not in line
    assert ('match_by' in line) == ('--match-by' in change)
    result = base.run_monasca('alarm-definition-patch', osc_json(
        tenant, 'alarm', 'definition', 'show', 'keep')['id'],
        '--expression', 'max(m.other) > 1', token=tenant,
        endpoint=_SERVER['endpoint'], check=False)
    lib.assert_one_line_error(result, 'delete the alarm definition')


def test_errors_conflict_duplicate_definition(tenant: str) -> None:
    osc(tenant, 'alarm', 'definition', 'create', 'dup', '--expression',
        'max(m.dup) > 1')
    line = lib.assert_one_line_error(
        osc(tenant, 'alarm', 'definition', 'create', 'dup', '--expression',
            'max(m.dup) > 2', check=False), '409', 'already exists')
    assert 'dup' in line


def test_errors_unprocessable_server_side(tenant: str,
                                          endpoint: str) -> None:
    lib.create_definition(endpoint, tenant, 'locked',
                          'avg(m.l{hostname=x}) > 1', match_by=['hostname'])
    # match_by may not change: only the server knows the stored value.
    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'definition', 'set', 'locked', '--replace',
            '--name', 'locked', '--expression', 'avg(m.l{hostname=x}) > 1',
            '--match-by', 'service', check=False),
        'cannot change its match_by in place',
        'delete the alarm definition and create it again')
    # The metrics of the expression may not change either.
    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'definition', 'set', 'locked', '--expression',
            'avg(m.other{hostname=x}) > 1', check=False),
        'cannot change', 'in place',
        'delete the alarm definition and create it again')
    # An unknown notification id is refused with one line, nothing made.
    missing = str(uuid.uuid4())
    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'definition', 'create', 'with-action',
            '--expression', 'max(m.w) > 1', '--alarm-action', missing,
            check=False), missing)
    assert [r['Name'] for r in osc_json(
        tenant, 'alarm', 'definition', 'list')] == ['locked']


def test_errors_client_side_validation(tenant: str) -> None:
    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'definition', 'create', 'bad', '--expression',
            'avg(cpu) = 1', check=False), 'expression')
    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'definition', 'create', 'bad', '--expression',
            'avg(cpu) > 1', '--severity', 'urgent', check=False), 'urgent')
    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'list', '--state', 'broken', check=False),
        'broken')
    lib.assert_one_line_error(
        osc(tenant, 'alarm', 'count', '--group-by', 'colour', check=False),
        'colour')

"""``openstack monitoring config export|diff|apply`` end to end.

Commands run in-process (``base.run_openstack``), except the ``*_binary``
smoke tests at the end. Two sandboxes of this module's own (their request
logs and fault rules are not shared with other tests), one tenant per
test. They register a fourth notification type (SLACK) so the round trip
covers more than the upstream default types. What the user sees (stdout,
stderr, exit code) and what went over the wire (the sandbox's request log)
are both asserted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
import textwrap
from typing import Any

import pytest

from monasca_osc.testing import Sandbox
from monasca_osc.tests.functional import base
from monasca_osc.tests.functional import commands_lib as lib

TYPES = 'EMAIL,WEBHOOK,PAGERDUTY,SLACK'
SEVERITIES = ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')


def _start() -> Sandbox:
    return Sandbox(extra_args=['--notification-types', TYPES,
                                     '--eval-interval', '0']).start()


@pytest.fixture(scope='module')
def sandbox_a() -> Iterator[Sandbox]:
    server = _start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope='module')
def sandbox_b() -> Iterator[Sandbox]:
    server = _start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sb(sandbox_a: Sandbox) -> Iterator[Sandbox]:
    sandbox_a.clear_faults()
    yield sandbox_a
    sandbox_a.clear_faults()


@pytest.fixture
def tenant() -> str:
    return lib.new_tenant()


def cfg(server: Sandbox, tenant: str, *args: Any,
        **kwargs: Any) -> base.CommandResult:
    kwargs.setdefault('check', False)
    return lib.osc(tenant, 'config', *args, endpoint=server.endpoint,
                   **kwargs)


def write(tmp_path: Path, text: str, name: str = 'monitoring.yaml') -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def writes(server: Sandbox) -> list[tuple[str, str]]:
    """The requests that changed something, in order."""
    return [(r['method'], r['path']) for r in server.requests()['recent']
            if r['method'] != 'GET']


def stored(server: Sandbox, tenant: str) -> tuple[dict, dict]:
    methods = lib.api(server.endpoint, 'GET', 'notification-methods',
                      tenant=tenant)['elements']
    definitions = lib.api(server.endpoint, 'GET', 'alarm-definitions',
                          tenant=tenant)['elements']
    return ({m['name']: m for m in methods},
            {d['name']: d for d in definitions})


BASIC = '''\
notification_methods:
- name: ops-mail
  type: EMAIL
  address: ops@example.com
- name: ops-hook
  type: WEBHOOK
  address: https://hooks.example.com/ops
  period: 60
alarm_definitions:
- name: cpu-high
  description: CPU saturated
  expression: avg(cpu.idle_perc{service=web}) < 10 times 3
  match_by: [hostname]
  severity: HIGH
  alarm_actions: [ops-mail, ops-hook]
  ok_actions: [ops-mail]
- name: disk-full
  expression: max(disk.space_used_perc, deterministic) > 95
  severity: CRITICAL
  actions_enabled: false
  undetermined_actions: [ops-hook]
'''


# --------------------------------------------------------------------------
# round trip
# --------------------------------------------------------------------------

def _realistic_configuration(server: Sandbox, tenant: str) -> None:
    """12 methods of 4 types, 30 definitions: every severity, match_by,
    deterministic ones, all three action lists, actions disabled."""
    endpoint = server.endpoint
    ids = []
    kinds = [('EMAIL', 'team{}@example.com', 0),
             ('WEBHOOK', 'https://hooks.example.com/t{}?token=x', 60),
             ('PAGERDUTY', 'pd-service-key-{}', 0),
             ('SLACK', 'https://slack.example.com/services/T{}', 0)]
    for index in range(12):
        kind, address, period = kinds[index % 4]
        ids.append(lib.create_notification(
            endpoint, tenant, f'notify-{index:02d}-{kind.lower()}', kind,
            address.format(index), period)['id'])
    for index in range(30):
        det = ', deterministic' if index % 5 == 0 else ''
        expression = (f'avg(cpu.idle_perc{{service=svc{index}, '
                      f'zone=z 1}}{det}, 120) < {index} times 3')
        if index % 3 == 0:
            expression += f' or max(load.avg_1_min{{service=svc{index}}}' \
                          f'{det}) > 4.5'
        definition = lib.create_definition(
            endpoint, tenant, f'def-{29 - index:02d}', expression,
            description=f'Definition «{index}»: "quoted", colon: yes',
            match_by=['hostname', 'service'][:1 + index % 2],
            severity=SEVERITIES[index % 4],
            alarm_actions=[ids[index % 12], ids[(index + 5) % 12]],
            ok_actions=[ids[(index + 1) % 12]] if index % 2 else [],
            undetermined_actions=[ids[(index + 2) % 12]]
            if index % 3 else [])
        if index % 7 == 0:
            lib.api(endpoint, 'PATCH',
                    f'alarm-definitions/{definition["id"]}',
                    {'actions_enabled': False}, tenant=tenant)


def test_round_trip_between_two_sandboxes(sandbox_a: Sandbox,
                                          sandbox_b: Sandbox,
                                          tmp_path: Path) -> None:
    tenant_a, tenant_b = lib.new_tenant(), lib.new_tenant()
    _realistic_configuration(sandbox_a, tenant_a)

    exported = cfg(sandbox_a, tenant_a, 'export', check=True).stdout
    document = lib.parse_yaml(exported)
    assert len(document['notification_methods']) == 12
    assert len(document['alarm_definitions']) == 30
    assert {m['type'] for m in document['notification_methods']} == \
        set(TYPES.split(','))
    assert {d['severity'] for d in document['alarm_definitions']} == \
        set(SEVERITIES)
    keys = {key for section in document.values() for item in section
            for key in item}
    assert keys.isdisjoint({'id', 'links', 'deterministic', 'created_at'})
    names = [d['name'] for d in document['alarm_definitions']]
    assert names == sorted(names)
    # Actions are method names, not the ids of sandbox A.
    first = document['alarm_definitions'][0]
    assert all(a.startswith('notify-') for a in first['alarm_actions'])

    path = tmp_path / 'a.yaml'
    path.write_text(exported)
    applied = cfg(sandbox_b, tenant_b, 'apply', str(path))
    assert applied.returncode == 0, applied
    assert applied.stdout.splitlines()[-1] == \
        'Applied 42 change(s): 42 created.'

    again = cfg(sandbox_b, tenant_b, 'export', check=True).stdout
    assert again == exported                     # byte-identical
    assert cfg(sandbox_a, tenant_a, 'export', check=True).stdout == exported

    diff = cfg(sandbox_b, tenant_b, 'diff', str(path))
    assert (diff.returncode, diff.stdout) == (0, ''), diff
    assert diff.stderr == 'No changes: the project matches the files.\n'

    # Idempotent: a second apply sends no change.
    sandbox_b.reset_requests()
    second = cfg(sandbox_b, tenant_b, 'apply', str(path))
    assert (second.returncode, second.stdout) == (
        0, 'No changes: the project matches the files.\n'), second
    assert writes(sandbox_b) == []


def test_export_to_file_and_filters(sb: Sandbox, tenant: str,
                                    tmp_path: Path) -> None:
    assert cfg(sb, tenant, 'apply', write(tmp_path, BASIC)).returncode == 0
    out = tmp_path / 'out.yaml'
    result = cfg(sb, tenant, 'export', '--output', str(out))
    assert (result.returncode, result.stdout) == (0, ''), result
    assert out.read_text() == cfg(sb, tenant, 'export').stdout
    assert list(tmp_path.glob('out.yaml.tmp*')) == []

    only = lib.parse_yaml(cfg(sb, tenant, 'export', '--definition',
                              'disk-*').stdout)
    assert [d['name'] for d in only['alarm_definitions']] == ['disk-full']
    assert [m['name'] for m in only['notification_methods']] == ['ops-hook']

    refused = cfg(sb, tenant, 'export', '--definition', 'cpu-high',
                  '--notification-method', 'ops-hook')
    lib.assert_one_line_error(
        refused, "Alarm definition 'cpu-high' uses notification method "
        "'ops-mail'", 'which is not in the export')
    lib.assert_one_line_error(
        cfg(sb, tenant, 'export', '--definition', 'nope*'),
        "--definition 'nope*' matches no alarm definition")


# --------------------------------------------------------------------------
# diff
# --------------------------------------------------------------------------

def test_diff_exit_codes_and_json_plan(sb: Sandbox, tenant: str,
                                       tmp_path: Path) -> None:
    path = write(tmp_path, BASIC)
    result = cfg(sb, tenant, 'diff', path, '-f', 'json')
    assert result.returncode == 1, result
    plan = result.json()
    assert [(r['Action'], r['Type'], r['Name']) for r in plan] == [
        ('create', 'notification method', 'ops-hook'),
        ('create', 'notification method', 'ops-mail'),
        ('create', 'alarm definition', 'cpu-high'),
        ('create', 'alarm definition', 'disk-full')]
    assert plan[2]['Changes']['match_by'] == {'from': None,
                                              'to': ['hostname']}
    assert plan[3]['Changes']['actions_enabled'] == {'from': None,
                                                     'to': False}
    assert result.stderr == ('Plan: 4 to create, 0 to update, 0 to '
                             'replace, 0 to delete.\n')

    assert cfg(sb, tenant, 'apply', path).returncode == 0
    nothing = cfg(sb, tenant, 'diff', path, '-f', 'json')
    assert (nothing.returncode, nothing.json()) == (0, [])
    everything = cfg(sb, tenant, 'diff', path, '--all', '-f', 'json')
    assert everything.returncode == 0
    assert {r['Action'] for r in everything.json()} == {'unchanged'}

    changed = write(tmp_path, BASIC.replace('severity: HIGH',
                                            'severity: MEDIUM'), 'b.yaml')
    update = cfg(sb, tenant, 'diff', changed, '-f', 'json')
    assert update.returncode == 1
    assert update.json() == [{
        'Action': 'update', 'Type': 'alarm definition', 'Name': 'cpu-high',
        'Changes': {'severity': {'from': 'HIGH', 'to': 'MEDIUM'}},
        'Note': ''}]
    table = cfg(sb, tenant, 'diff', changed)
    assert table.returncode == 1
    assert 'severity: HIGH -> MEDIUM' in table.stdout


def test_diff_reads_stdin(sb: Sandbox, tenant: str) -> None:
    result = cfg(sb, tenant, 'diff', '-', '-f', 'value', '-c', 'Action',
                 '-c', 'Name', input=BASIC)
    assert (result.returncode, result.stdout.splitlines()) == (1, [
        'create ops-hook', 'create ops-mail', 'create cpu-high',
        'create disk-full']), result


@pytest.mark.parametrize('case', ['invalid file', 'missing file',
                                  'server error', 'unknown method'])
def test_diff_exits_2_on_any_error(sb: Sandbox, tenant: str,
                                   tmp_path: Path, case: str) -> None:
    path = write(tmp_path, BASIC)
    if case == 'invalid file':
        path = write(tmp_path, BASIC.replace('severity: HIGH',
                                             'severity: URGENT'))
    elif case == 'missing file':
        path = str(tmp_path / 'missing.yaml')
    elif case == 'server error':
        sb.faults(path='/v2.0/notification-methods', status=503,
                  count=None)
    else:
        path = write(tmp_path, BASIC.replace('ok_actions: [ops-mail]',
                                             'ok_actions: [nobody]'))
    result = cfg(sb, tenant, 'diff', path, env={'OS_MONITORING_RETRIES': '0'})
    assert result.returncode == 2, result
    assert result.stdout == ''
    assert len(result.stderr.strip().splitlines()) == 1, result


# --------------------------------------------------------------------------
# apply
# --------------------------------------------------------------------------

def test_apply_order_methods_first_deletions_last(sb: Sandbox,
                                                  tenant: str,
                                                  tmp_path: Path) -> None:
    old_method = lib.create_notification(sb.endpoint, tenant, 'team-old-m')
    old_def = lib.create_definition(sb.endpoint, tenant, 'team-old-d',
                                    'max(x) > 1',
                                    alarm_actions=[old_method['id']])
    lib.create_definition(sb.endpoint, tenant, 'not-ours', 'max(x) > 1')
    path = write(tmp_path, BASIC.replace('ops-', 'team-ops-').replace(
        'cpu-high', 'team-cpu').replace('disk-full', 'team-disk'))
    sb.reset_requests()
    result = cfg(sb, tenant, 'apply', path, '--prune', '--prune-scope',
                 'team-*')
    assert result.returncode == 0, result
    assert result.stdout.splitlines() == [
        "created notification method 'team-ops-hook'",
        "created notification method 'team-ops-mail'",
        "created alarm definition 'team-cpu'",
        "created alarm definition 'team-disk'",
        "deleted alarm definition 'team-old-d'",
        "deleted notification method 'team-old-m'",
        'Applied 6 change(s): 4 created, 2 deleted.']
    methods, definitions = stored(sb, tenant)
    assert writes(sb) == [
        ('POST', '/v2.0/notification-methods'),
        ('POST', '/v2.0/notification-methods'),
        ('POST', '/v2.0/alarm-definitions'),
        ('POST', '/v2.0/alarm-definitions'),
        # actions_enabled: false (the API ignores it on POST)
        ('PATCH', f'/v2.0/alarm-definitions/'
                  f'{definitions["team-disk"]["id"]}'),
        ('DELETE', f'/v2.0/alarm-definitions/{old_def["id"]}'),
        ('DELETE', f'/v2.0/notification-methods/{old_method["id"]}')]
    assert definitions['team-disk']['actions_enabled'] is False
    assert sorted(definitions['team-cpu']['alarm_actions']) == sorted(
        [methods['team-ops-mail']['id'], methods['team-ops-hook']['id']])


def test_dry_run_sends_no_change(sb: Sandbox, tenant: str,
                                 tmp_path: Path) -> None:
    lib.create_definition(sb.endpoint, tenant, 'gone', 'max(x) > 1')
    lib.create_definition(sb.endpoint, tenant, 'kept', 'max(x) > 1')
    sb.reset_requests()
    result = cfg(sb, tenant, 'apply', write(tmp_path, BASIC), '--dry-run',
                 '--prune', '--prune-scope', 'g*', '--prune-scope', 'o*')
    assert result.returncode == 0, result
    assert result.stdout.splitlines() == [
        "would create notification method 'ops-hook'",
        "would create notification method 'ops-mail'",
        "would create alarm definition 'cpu-high'",
        "would create alarm definition 'disk-full'",
        "would delete alarm definition 'gone'",
        'Plan: 4 to create, 0 to update, 0 to replace, 1 to delete. Dry '
        'run: nothing was changed.']
    assert writes(sb) == []
    methods, definitions = stored(sb, tenant)
    assert (methods, sorted(definitions)) == ({}, ['gone', 'kept'])


def test_update_in_place_keeps_id_and_alarms(sb: Sandbox, tenant: str,
                                             tmp_path: Path) -> None:
    assert cfg(sb, tenant, 'apply', write(tmp_path, BASIC)).returncode == 0
    before = stored(sb, tenant)[1]['cpu-high']
    changed = BASIC.replace('< 10 times 3', '< 5 times 2').replace(
        'severity: HIGH', 'severity: LOW').replace(
        'ok_actions: [ops-mail]', 'ok_actions: []')
    result = cfg(sb, tenant, 'apply', write(tmp_path, changed))
    assert result.returncode == 0, result
    assert result.stdout.splitlines()[0] == (
        "updated alarm definition 'cpu-high' (expression, severity, "
        "ok_actions)")
    after = stored(sb, tenant)[1]['cpu-high']
    assert after['id'] == before['id']
    assert (after['severity'], after['ok_actions']) == ('LOW', [])


def test_replace_is_refused_without_allow_replace(sb: Sandbox,
                                                  tenant: str,
                                                  tmp_path: Path) -> None:
    assert cfg(sb, tenant, 'apply', write(tmp_path, BASIC)).returncode == 0
    before = stored(sb, tenant)[1]['cpu-high']
    lib.post_metrics(sb.endpoint, tenant, [lib.metric(
        'cpu.idle_perc', 3, {'service': 'web', 'hostname': 'h1'})])
    alarms = lib.api(sb.endpoint, 'GET', 'alarms', tenant=tenant,
                     params={'alarm_definition_id': before['id']})
    assert len(alarms['elements']) == 1

    changed = write(tmp_path, BASIC.replace('match_by: [hostname]',
                                            'match_by: [hostname, zone]'))
    diff = cfg(sb, tenant, 'diff', changed)
    assert diff.returncode == 1
    assert 'match_by changes: the API cannot change this in place; ' \
           'replacing deletes the definition, its 1 alarm and their history' \
           in ' '.join(diff.stdout.split())
    sb.reset_requests()
    refused = cfg(sb, tenant, 'apply', changed)
    lib.assert_one_line_error(
        refused, "Refusing to replace alarm definition(s) 'cpu-high' "
        '(match_by changes)', '--allow-replace', 'nothing was changed')
    assert writes(sb) == []

    result = cfg(sb, tenant, 'apply', changed, '--allow-replace')
    assert result.returncode == 0, result
    assert result.stdout.splitlines()[0] == (
        "replaced alarm definition 'cpu-high' (match_by changes; its alarms "
        "and their history are deleted)")
    after = stored(sb, tenant)[1]['cpu-high']
    assert after['id'] != before['id']
    assert after['match_by'] == ['hostname', 'zone']
    assert lib.api(sb.endpoint, 'GET', 'alarms', tenant=tenant,
                   params={'alarm_definition_id': before['id']}
                   )['elements'] == []


# --------------------------------------------------------------------------
# prune
# --------------------------------------------------------------------------

@pytest.mark.parametrize(('args', 'message'), [
    (['--prune'], '--prune needs --prune-scope'),
    (['--prune-scope', 'x*'], '--prune-scope is only used with --prune')])
@pytest.mark.parametrize('command', ['apply', 'diff'])
def test_prune_usage(sb: Sandbox, tenant: str, tmp_path: Path,
                     command: str, args: list[str], message: str) -> None:
    sb.reset_requests()
    result = cfg(sb, tenant, command, write(tmp_path, BASIC), *args)
    assert result.returncode == 2, result
    assert result.stderr.splitlines()[0].startswith('usage: ')
    assert message in result.stderr.splitlines()[-1]
    assert sb.request_count() == 0


def test_prune_only_deletes_in_scope(sb: Sandbox, tenant: str,
                                     tmp_path: Path) -> None:
    for name in ('a-1', 'a-2', 'b-1'):
        lib.create_definition(sb.endpoint, tenant, name, 'max(x) > 1')
    path = write(tmp_path, 'alarm_definitions:\n- name: a-1\n'
                           '  expression: max(x) > 1\n')
    result = cfg(sb, tenant, 'apply', path, '--prune', '--prune-scope', 'a-*')
    assert result.returncode == 0, result
    assert sorted(stored(sb, tenant)[1]) == ['a-1', 'b-1']


@pytest.mark.parametrize(('text', 'message'), [
    ('', 'Refusing to prune: the files define no notification method and no '
         'alarm definition'),
    ('notification_methods: []\nalarm_definitions: []\n',
     'Refusing to prune: the files define no notification method'),
    ('alarm_definitions:\n- {name: new, expression: max(x) > 1}\n'
     'notification_methods:\n- {name: m-new, type: EMAIL, address: a@b}\n',
     "Refusing to prune: --prune-scope * would delete every object in the "
     "project (3)"),
])
def test_prune_refusals_send_no_change(sb: Sandbox, tenant: str,
                                       tmp_path: Path, text: str,
                                       message: str) -> None:
    lib.create_notification(sb.endpoint, tenant, 'm')
    lib.create_definition(sb.endpoint, tenant, 'd1', 'max(x) > 1')
    lib.create_definition(sb.endpoint, tenant, 'd2', 'max(x) > 1')
    sb.reset_requests()
    result = cfg(sb, tenant, 'apply', write(tmp_path, text), '--prune',
                 '--prune-scope', '*')
    lib.assert_one_line_error(result, message)
    assert writes(sb) == []
    methods, definitions = stored(sb, tenant)
    assert (sorted(methods), sorted(definitions)) == (['m'], ['d1', 'd2'])


# --------------------------------------------------------------------------
# variables and validation first
# --------------------------------------------------------------------------

TEMPLATE = '''\
notification_methods:
- name: hook-${ENV}
  type: WEBHOOK
  address: https://hooks.example.com/${TOKEN}
  period: ${PERIOD}
alarm_definitions:
- name: cpu-${ENV}
  expression: avg(cpu{env=${ENV}}) > ${LIMIT}
  ok_actions: ["hook-${ENV}"]
'''


def test_variables_from_var_var_file_and_environment(sb: Sandbox,
                                                     tenant: str,
                                                     tmp_path: Path) -> None:
    var_file = tmp_path / 'prod.env'
    var_file.write_text('# production\nENV=prod\nPERIOD=60\nLIMIT=1\n')
    path = write(tmp_path, TEMPLATE)
    result = cfg(sb, tenant, 'apply', path, '--var-file', str(var_file),
                 '--var', 'LIMIT=90', env={'TOKEN': 's3cr3t', 'ENV': 'dev'})
    assert result.returncode == 0, result
    methods, definitions = stored(sb, tenant)
    assert methods['hook-prod']['address'] == \
        'https://hooks.example.com/s3cr3t'
    assert methods['hook-prod']['period'] == 60
    assert definitions['cpu-prod']['expression'] == 'avg(cpu{env=prod}) > 90'
    assert 's3cr3t' not in result.stdout + result.stderr

    # A changed secret: the plan shows the template, not the values.
    diff = cfg(sb, tenant, 'diff', path, '--var-file', str(var_file),
               '--var', 'LIMIT=90', '-f', 'json',
               env={'TOKEN': 'n3w-s3cr3t'})
    assert diff.returncode == 1
    assert diff.json()[0]['Changes'] == {'address': {
        'from': '<not shown>', 'to': 'https://hooks.example.com/${TOKEN}'}}
    assert 's3cr3t' not in diff.stdout + diff.stderr


def test_undefined_variable_names_file_and_line(sb: Sandbox,
                                                tenant: str,
                                                tmp_path: Path) -> None:
    path = write(tmp_path, TEMPLATE)
    sb.reset_requests()
    result = cfg(sb, tenant, 'apply', path, '--var', 'ENV=prod', '--var',
                 'LIMIT=1', '--var', 'PERIOD=0')
    lib.assert_one_line_error(
        result, f'{path}:4: undefined variable ${{TOKEN}} (give --var '
        'TOKEN=VALUE')
    assert sb.request_count() == 0


@pytest.mark.parametrize(('bad', 'message'), [
    ('expression: avg(cpu.idle_perc{service=web}) < 10 times 3',
     "monitoring.yaml:12: alarm definition 'cpu-high': Invalid alarm "
     'expression'),
    ('severity: HIGH', "monitoring.yaml:14: alarm definition 'cpu-high': "
                       "Severity 'URGENT' must be one of"),
    ('address: ops@example.com', "monitoring.yaml:4: notification method "
                                 "'ops-mail': Address nobody is not of "
                                 "correct format"),
    ('name: ops-hook', "monitoring.yaml:5: notification method #2: unknown "
                       "field 'nmae'"),
])
def test_an_invalid_file_sends_nothing(sb: Sandbox, tenant: str,
                                       tmp_path: Path, bad: str,
                                       message: str) -> None:
    broken = {'expression': 'expression: avg(cpu.idle_perc{service=web) < 1',
              'severity': 'severity: URGENT',
              'address': 'address: nobody',
              'name': 'nmae: ops-hook'}[bad.split(':')[0]]
    good = write(tmp_path, 'alarm_definitions:\n- name: fine\n'
                           '  expression: max(x) > 1\n', 'good.yaml')
    path = write(tmp_path, BASIC.replace(bad, broken))
    sb.reset_requests()
    # One invalid file among valid ones: still nothing at all is sent.
    for command in ('apply', 'diff'):
        result = cfg(sb, tenant, command, good, path)
        assert result.returncode == (1 if command == 'apply' else 2)
        line = lib.assert_one_line_error(result, message,
                                         exit_code=result.returncode)
        assert line.startswith(str(tmp_path))
    assert sb.request_count() == 0


def test_unsupported_notification_type_is_refused_before_any_change(
        sb: Sandbox, tenant: str, tmp_path: Path) -> None:
    path = write(tmp_path, BASIC.replace('type: WEBHOOK', 'type: JIRA'))
    sb.reset_requests()
    result = cfg(sb, tenant, 'apply', path)
    lib.assert_one_line_error(
        result, f"{path}:5: notification method 'ops-hook': type JIRA is not "
        f'one this server supports (EMAIL, PAGERDUTY, SLACK, WEBHOOK)')
    assert writes(sb) == []
    assert cfg(sb, tenant, 'diff', path).returncode == 2


# --------------------------------------------------------------------------
# a failing step in the middle
# --------------------------------------------------------------------------

def test_failure_in_the_middle_says_what_was_and_was_not_applied(
        sb: Sandbox, tenant: str, tmp_path: Path) -> None:
    lib.create_definition(sb.endpoint, tenant, 'old', 'max(x) > 1')
    lib.create_definition(sb.endpoint, tenant, 'not-ours', 'max(x) > 1')
    path = write(tmp_path, BASIC + '- name: zz-last\n'
                                   '  expression: max(y) > 1\n')
    prune = ('--prune', '--prune-scope', '[a-m]*', '--prune-scope', 'o*',
             '--prune-scope', 'z*')
    # The first definition POST goes through, the second fails (a POST of
    # a definition is not retried on 500).
    sb.faults({'method': 'POST', 'path': '/v2.0/alarm-definitions',
               'count': 1},
              {'method': 'POST', 'path': '/v2.0/alarm-definitions',
               'count': 1, 'status': 500})
    result = cfg(sb, tenant, 'apply', path, *prune)
    assert result.returncode == 1, result
    assert result.stdout.splitlines() == [
        "created notification method 'ops-hook'",
        "created notification method 'ops-mail'",
        "created alarm definition 'cpu-high'"]
    err = result.stderr.splitlines()
    assert err[0].startswith("failed: create alarm definition 'disk-full': ")
    assert 'HTTP 500 on POST' in err[0]
    assert err[1:] == [
        "not applied: create alarm definition 'zz-last'",
        "not applied: delete alarm definition 'old'",
        'Apply stopped: 3 of 6 change(s) applied, 1 failed, 2 not applied. '
        'Fix the cause and run apply again: it continues from the current '
        'state.']
    methods, definitions = stored(sb, tenant)
    assert sorted(definitions) == ['cpu-high', 'not-ours', 'old']
    assert sorted(methods) == ['ops-hook', 'ops-mail']

    # Run again: it continues where it stopped, then there is nothing left.
    again = cfg(sb, tenant, 'apply', path, *prune)
    assert again.returncode == 0, again
    assert again.stdout.splitlines() == [
        "created alarm definition 'disk-full'",
        "created alarm definition 'zz-last'",
        "deleted alarm definition 'old'",
        'Applied 3 change(s): 2 created, 1 deleted.']
    diff = cfg(sb, tenant, 'diff', path, *prune)
    assert diff.returncode == 0, diff
    assert sorted(stored(sb, tenant)[1]) == [
        'cpu-high', 'disk-full', 'not-ours', 'zz-last']


# --------------------------------------------------------------------------
# the real binary (smoke tests; everything above runs in-process)
# --------------------------------------------------------------------------

def test_export_apply_diff_exit_codes_binary(sandbox_a: Sandbox,
                                             sandbox_b: Sandbox,
                                             tmp_path: Path) -> None:
    tenant_a, tenant_b = lib.new_tenant(), lib.new_tenant()
    path = write(tmp_path, BASIC)
    assert cfg(sandbox_a, tenant_a, 'apply', path).returncode == 0
    exported = tmp_path / 'exported.yaml'
    result = cfg(sandbox_a, tenant_a, 'export', '--output', str(exported),
                 binary=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, '', '')

    diff = cfg(sandbox_b, tenant_b, 'diff', str(exported), binary=True)
    assert diff.returncode == 1, diff
    assert 'Plan: 4 to create' in diff.stderr
    applied = cfg(sandbox_b, tenant_b, 'apply', str(exported), binary=True)
    assert applied.returncode == 0, applied
    assert applied.stdout.splitlines()[-1] == \
        'Applied 4 change(s): 4 created.'
    # Exit 0 and the round trip: in-process (exit codes 1 and 2 above and
    # below come from the binary).
    same = cfg(sandbox_b, tenant_b, 'diff', str(exported))
    assert (same.returncode, same.stdout) == (0, ''), same
    assert cfg(sandbox_b, tenant_b, 'export').stdout == \
        exported.read_text()

    broken = write(tmp_path, BASIC.replace('severity: HIGH',
                                           'severity: URGENT'), 'bad.yaml')
    error = cfg(sandbox_b, tenant_b, 'diff', broken, binary=True)
    assert error.returncode == 2, error
    assert error.stderr.count('\n') == 1 and 'URGENT' in error.stderr


def test_apply_usage_and_failure_exit_codes_binary(sb: Sandbox,
                                                   tenant: str,
                                                   tmp_path: Path) -> None:
    path = write(tmp_path, BASIC)
    usage = cfg(sb, tenant, 'apply', path, '--prune', binary=True)
    assert usage.returncode == 2, usage
    assert usage.stderr.rstrip().endswith(
        '--prune needs --prune-scope <glob> (the names the files own)')
    sb.faults(method='POST', path='/v2.0/notification-methods', status=500)
    failed = cfg(sb, tenant, 'apply', path, binary=True)
    assert failed.returncode == 1, failed
    assert failed.stderr.splitlines()[-1].startswith(
        'Apply stopped: 0 of 4 change(s) applied, 1 failed, 3 not applied.')

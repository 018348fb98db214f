"""Every legacy command, and the legacy Python ``Client``, against a sandbox.

``monasca`` runs through ``base.run_monasca`` (in-process by default) in the
documented no-Keystone mode; the ``Client`` tests call the REST layer
directly. Each test works in a tenant of its own, so the module can share
one sandbox: its own, with no evaluator ticks, so alarms change state only
when a test calls ``sandbox.evaluate()``. Values are checked in the default
(legacy) output and in ``-j``/``-f json``, which must keep native types.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
import json
import os
from pathlib import Path
import subprocess
import sys
import types
from typing import Any
import uuid

from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
import pytest

from monasca_osc import client
from monasca_osc import exceptions as exc
from monasca_osc.testing import Sandbox
from monasca_osc.tests.functional import base

DEF_EXPR = 'max(cpu.load_avg_1_min) > 0'


@pytest.fixture(scope='module')
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(eval_interval=0) as server:
        yield server


@pytest.fixture
def tenant() -> str:
    return f'tenant-{uuid.uuid4().hex[:12]}'


@pytest.fixture
def monasca(sandbox: Sandbox, tenant: str) -> Any:
    """``monasca(*argv, rc=0, env=None)`` as ``tenant``; checks the exit
    code unless ``rc`` is None."""
    def call(*argv: str, rc: int | None = 0,
             env: Mapping[str, str] | None = None) -> base.CommandResult:
        result = base.run_monasca(*argv, endpoint=sandbox.endpoint + '/',
                                  token=tenant, env=dict(env or {}),
                                  check=False)
        if rc is not None:
            assert result.returncode == rc, str(result)
        return result
    return call


def lines(text: str) -> list[str]:
    return text.rstrip('\n').split('\n')


def table_rows(text: str) -> list[list[str]]:
    """The cells of a PrettyTable, one list per printed line."""
    rows = []
    for line in lines(text):
        if line.startswith('|'):
            rows.append([c.strip() for c in line.strip('|').split('|')])
    return rows


def test_legacy_commands_binary(sandbox: Sandbox, tenant: str) -> None:
    """Smoke test of ``monasca`` through the real binary."""
    def real(*argv: str) -> base.CommandResult:
        return base.run_monasca(*argv, endpoint=sandbox.endpoint + '/',
                                token=tenant, check=False, binary=True)

    created = real('metric-create', 'smoke.cpu', '2.5', '--dimensions',
                   'hostname=h', '--time', '1600000000000')
    assert created.returncode == 0, str(created)
    assert created.stdout == 'Successfully created metric\n'
    listed = real('metric-list')
    assert table_rows(listed.stdout)[1:] == [['smoke.cpu', 'hostname:h']]
    assert real('metric-list', '-j').json() == [
        {'name': 'smoke.cpu', 'dimensions': {'hostname': 'h'}}]
    bad = real('metric-create', 'bad name', '1')
    assert bad.returncode == 1 and len(lines(bad.stderr)) == 1
    usage = real('metric-create', 'cpu')
    assert usage.returncode == 2 and 'usage: monasca' in usage.stderr


# -- metrics ------------------------------------------------------------------
def test_metric_create_and_list(monasca: Any) -> None:
    out = monasca('metric-create', 'metric1', '1234.56', '--dimensions',
                  'instance_id=123,service=ourservice')
    assert out.stdout == 'Successfully created metric\n'
    monasca('metric-create', 'cpu1', '123.40')
    rows = table_rows(monasca('metric-list').stdout)
    assert rows[0] == ['name', 'dimensions']
    assert ['cpu1', ''] in rows
    at = rows.index(['metric1', 'instance_id:123'])
    assert rows[at + 1] == ['', 'service:ourservice']
    data = monasca('metric-list', '-j').json()
    assert {'name': 'metric1', 'dimensions': {
        'instance_id': '123', 'service': 'ourservice'}} in data
    assert monasca('metric-list', '-f', 'json').json() == data


def test_metric_create_options_reach_the_api(monasca: Any) -> None:
    # Repeated flags are each split; "\\," is a literal comma (the API
    # allows one in value_meta, not in dimension values).
    monasca('metric-create', 'm.opts', '2', '--dimensions', 'a=x,c=z',
            '--dimensions', 'b=2', '--value-meta', 'rc=404,note=a\\,b',
            '--value-meta', 'n=5', '--time', '1600000000123')
    series = monasca('measurement-list', 'm.opts', '2020-01-01T00:00:00Z',
                     '-j').json()
    assert series == [{
        'name': 'm.opts', 'dimensions': {'a': 'x', 'b': '2', 'c': 'z'},
        'timestamp': ['2020-09-13T12:26:40.123Z'], 'value': [2.0],
        'value_meta': [{'rc': '404', 'note': 'a,b', 'n': '5'}]}]


def test_metric_create_j_prints_the_metric(monasca: Any) -> None:
    out = monasca('metric-create', 'm.j', '5', '--time', '1600000000000',
                  '-j').json()
    # The point's time as measurement-list -j shows it (ISO 8601).
    assert out == {'name': 'm.j', 'dimensions': {},
                   'timestamp': '2020-09-13T12:26:40.000Z', 'value': 5.0,
                   'value_meta': {}}


def test_metric_create_raw_accepts_an_array(monasca: Any) -> None:
    body = ('[{"name": "raw.a", "timestamp": 1600000000000, "value": 1},'
            ' {"name": "raw.b", "timestamp": 1600000000000, "value": 2,'
            ' "dimensions": {"k": "v"}, "value_meta": {"m": "1"}}]')
    assert monasca('metric-create-raw', body).stdout == \
        'Successfully created metric\n'
    monasca('metric-create-raw',
            '{"name": "raw.c", "timestamp": 1600000000000, "value": 3}')
    names = [m['name'] for m in monasca('metric-list', '-j').json()]
    assert sorted(names) == ['raw.a', 'raw.b', 'raw.c']


def test_metric_name_list_and_paging(monasca: Any) -> None:
    for name in ('p.a', 'p.b', 'p.c'):
        monasca('metric-create', name, '1')
    assert table_rows(monasca('metric-name-list').stdout) == [
        ['Name'], ['p.a'], ['p.b'], ['p.c']]
    assert monasca('metric-name-list', '--limit', '2', '-f', 'value'
                   ).stdout == 'p.a\np.b\n'
    assert monasca('metric-name-list', '--offset', 'p.a', '-f', 'value'
                   ).stdout == 'p.b\np.c\n'
    assert monasca('metric-list', '--limit', '2', '-f', 'value', '-c',
                   'name').stdout == 'p.a\np.b\n'


def test_dimension_name_and_value_lists(monasca: Any) -> None:
    monasca('metric-create', 'd.m', '1', '--dimensions', 'host=h1,svc=s')
    monasca('metric-create', 'd.m', '1', '--dimensions', 'host=h2')
    monasca('metric-create', 'd.other', '1', '--dimensions', 'zone=z')
    assert table_rows(monasca('dimension-name-list', '--metric-name',
                              'd.m').stdout) == [
        ['Dimension Names'], ['host'], ['svc']]
    assert monasca('dimension-value-list', 'host', '-j').json() == [
        {'Dimension Values': 'h1'}, {'Dimension Values': 'h2'}]
    assert monasca('dimension-value-list', 'zone', '--metric-name', 'd.m',
                   '-f', 'value').stdout == ''


def test_measurement_list_legacy_table(monasca: Any) -> None:
    monasca('metric-create', 'metric1', '1234.56', '--dimensions',
            'instance_id=123,service=ourservice', '--time', '1600000000000')
    monasca('metric-create', 'metric1', '2222.22', '--dimensions',
            'instance_id=123,service=ourservice', '--time', '1600000001000')
    out = monasca('measurement-list', 'metric1', '2014-01-01T00:00:00Z')
    assert table_rows(out.stdout) == [
        ['name', 'dimensions', 'timestamp', 'value', 'value_meta'],
        ['metric1', 'instance_id:123', '2020-09-13T12:26:40.000Z',
         '1234.560', ''],
        ['', 'service:ourservice', '2020-09-13T12:26:41.000Z', '2222.220',
         '']]


def test_measurement_list_of_several_metrics_lists_each(monasca: Any
                                                        ) -> None:
    # The API answers 409 for an ambiguous name; the legacy output was one
    # row per series, which is what the seed's example shows.
    monasca('metric-create', 'multi', '1', '--dimensions', 'i=1')
    monasca('metric-create', 'multi', '2', '--dimensions', 'i=2',
            '--value-meta', 'rc=404')
    data = monasca('measurement-list', 'multi', '-60', '-j').json()
    assert sorted((s['dimensions']['i'], s['value'], s['value_meta'])
                  for s in data) == [('1', [1.0], [{}]),
                                     ('2', [2.0], [{'rc': '404'}])]
    merged = monasca('measurement-list', 'multi', '-60', '--merge_metrics',
                     '-j').json()
    assert len(merged) == 1 and sorted(merged[0]['value']) == [1.0, 2.0]
    table = monasca('measurement-list', 'multi', '-60').stdout
    assert 'rc: 404' in table


def test_measurement_list_unknown_metric_prints_blank_line(
        monasca: Any) -> None:
    assert monasca('measurement-list', 'nothing.here', '-60').stdout == '\n'


def test_metric_statistics(monasca: Any) -> None:
    for value, ts in ((1, '1600000000000'), (3, '1600000010000')):
        monasca('metric-create', 'stat', str(value), '--time', ts)
    out = monasca('metric-statistics', 'stat', 'avg,MAX,count',
                  '2020-09-13T00:00:00Z', '--period', '3600')
    rows = table_rows(out.stdout)
    assert rows[0] == ['name', 'dimensions', 'timestamp', 'avg', 'max',
                       'count']
    assert rows[1] == ['stat', '', '2020-09-13T12:00:00Z', '2.000', '3.000',
                       '2.000']
    data = monasca('metric-statistics', 'stat', 'sum', '2020-09-13T00:00:00Z',
                   '--period', '3600', '-j').json()
    assert data == [{'name': 'stat', 'dimensions': {},
                     'timestamp': ['2020-09-13T12:00:00Z'], 'sum': [4.0]}]


def test_series_commands_print_csv_and_value(monasca: Any) -> None:
    # One line per series, the points of a cell separated by spaces (these
    # failed with "'str' object has no attribute 'items'" before).
    for value, ts in ((1.5, '1600000000000'), (3, '1600000010000')):
        monasca('metric-create', 'csv.m', str(value), '--dimensions',
                'h=a,s=x', '--time', ts)
    out = monasca('measurement-list', 'csv.m', '2020-09-13T00:00:00Z',
                  '-f', 'csv')
    assert out.stdout == (
        '"name","dimensions","timestamp","value","value_meta"\n'
        '"csv.m","h=a,s=x","2020-09-13T12:26:40.000Z '
        '2020-09-13T12:26:50.000Z","1.5 3.0","{} {}"\n')
    out = monasca('measurement-list', 'csv.m', '2020-09-13T00:00:00Z',
                  '-f', 'value', '-c', 'value')
    assert out.stdout == '1.5 3.0\n'
    out = monasca('metric-statistics', 'csv.m', 'max,count',
                  '2020-09-13T00:00:00Z', '--period', '3600', '-f', 'csv')
    assert out.stdout == (
        '"name","dimensions","timestamp","max","count"\n'
        '"csv.m","h=a,s=x","2020-09-13T12:00:00Z","3.0","2"\n')


def test_metric_statistics_bad_statistic_fails(monasca: Any,
                                               sandbox: Any) -> None:
    before = sandbox.request_count()
    out = monasca('metric-statistics', 'stat', 'avg,median', '-60', rc=1)
    assert lines(out.stderr) == [
        "Invalid statistic 'median': must be one of avg, min, max, sum, "
        "count"]
    assert sandbox.request_count() == before


# -- notifications ----------------------------------------------------------
def _create_notification(monasca: Any, name: str = 'cindyemail1') -> dict:
    return monasca('notification-create', name, 'EMAIL',
                   'cindy.employee@hp.com').json()


def test_notification_create_list_show(monasca: Any) -> None:
    created = _create_notification(monasca)
    assert created['name'] == 'cindyemail1'
    assert created['type'] == 'EMAIL' and created['period'] == 0
    assert created['links'][0]['rel'] == 'self'
    hook = monasca('notification-create', 'myapplication', 'WEBHOOK',
                   'http://localhost:5000', '--period', '60').json()
    assert hook['period'] == 60
    rows = table_rows(monasca('notification-list', '--sort-by',
                              'name').stdout)
    assert rows == [
        ['name', 'id', 'type', 'address', 'period'],
        ['cindyemail1', created['id'], 'EMAIL', 'cindy.employee@hp.com',
         '0'],
        ['myapplication', hook['id'], 'WEBHOOK', 'http://localhost:5000',
         '60']]
    shown = table_rows(monasca('notification-show', created['id']).stdout)
    assert shown[0] == ['Property', 'Value']
    assert ['name', '"cindyemail1"'] in shown
    assert ['period', '0'] in shown
    assert [r[0] for r in shown[1:]] == sorted(r[0] for r in shown[1:])
    assert monasca('notification-show', created['id'], '-j').json()[
        'address'] == 'cindy.employee@hp.com'


def test_notification_update_patch_delete(monasca: Any) -> None:
    created = _create_notification(monasca, 'n1')
    updated = monasca('notification-update', created['id'], 'n2',
                      'WEBHOOK', 'http://h/x', '60').json()
    assert (updated['name'], updated['type'], updated['address'],
            updated['period']) == ('n2', 'WEBHOOK', 'http://h/x', 60)
    patched = monasca('notification-patch', created['id'], '--period',
                      '0').json()
    assert patched['period'] == 0 and patched['type'] == 'WEBHOOK'
    out = monasca('notification-delete', created['id'])
    assert out.stdout == 'Successfully deleted notification\n'
    assert monasca('notification-list', '-j').json() == []


def test_notification_type_list(monasca: Any) -> None:
    rows = table_rows(monasca('notification-type-list').stdout)
    assert rows[0] == ['types']
    assert {'EMAIL', 'WEBHOOK', 'PAGERDUTY'} <= {r[0] for r in rows[1:]}


def test_notification_list_error_keeps_details(monasca: Any,
                                               sandbox: Any) -> None:
    sandbox.faults(status=422, path='/v2.0/notification-methods',
                   body={'title': 'Unprocessable Entity',
                         'description': 'sort_by field is bad'})
    try:
        out = monasca('notification-list', rc=1)
    finally:
        sandbox.clear_faults()
    assert len(lines(out.stderr)) == 1, out.stderr
    assert 'sort_by field is bad' in out.stderr
    assert 'HTTP 422' in out.stderr


def test_duplicate_name_error_keeps_details(monasca: Any) -> None:
    _create_notification(monasca, 'dup')
    out = monasca('notification-create', 'dup', 'EMAIL', 'a@b.c', rc=1)
    assert len(lines(out.stderr)) == 1
    assert 'already exists' in out.stderr and 'HTTP 409' in out.stderr


# -- alarm definitions --------------------------------------------------------
def _create_definition(monasca: Any, *extra: str) -> dict:
    return monasca('alarm-definition-create', 'alarmPerHost', DEF_EXPR,
                   '--match-by', 'hostname', *extra).json()


def test_alarm_definition_create_list_show(monasca: Any) -> None:
    created = _create_definition(monasca, '--severity', 'high',
                                 '--description', 'per host')
    assert created['match_by'] == ['hostname']
    assert created['severity'] == 'HIGH'
    assert created['expression'] == DEF_EXPR
    out = monasca('alarm-definition-list').stdout
    assert table_rows(out) == [
        ['name', 'id', 'expression', 'match_by', 'actions_enabled'],
        ['alarmPerHost', created['id'], DEF_EXPR, 'hostname', 'True']]
    assert "b'" not in out
    listed = monasca('alarm-definition-list', '-j').json()
    assert listed == [{'name': 'alarmPerHost', 'id': created['id'],
                       'expression': DEF_EXPR, 'match_by': ['hostname'],
                       'actions_enabled': True}]
    shown = table_rows(monasca('alarm-definition-show',
                               created['id']).stdout)
    props = {r[0] for r in shown if r[0]}
    assert {'actions_enabled', 'alarm_actions', 'description', 'expression',
            'id', 'links', 'match_by', 'name', 'ok_actions', 'severity',
            'undetermined_actions'} <= props
    assert ['expression', f'"{DEF_EXPR}"'] in shown
    assert ['match_by', '['] in shown and ['', '"hostname"'] in shown
    link = next(r[1] for r in shown if r[0] == 'links')
    assert link.startswith('href:http') and link.endswith(',rel:self')


def test_alarm_definition_list_filters(monasca: Any) -> None:
    _create_definition(monasca)
    monasca('alarm-definition-create', 'other', 'avg(x) > 1', '--severity',
            'CRITICAL')
    names = monasca('alarm-definition-list', '--severity', 'LOW|HIGH',
                    '-f', 'value', '-c', 'name').stdout
    assert names == 'alarmPerHost\n'
    names = monasca('alarm-definition-list', '--sort-by', 'name desc',
                    '-f', 'value', '-c', 'name').stdout
    assert names == 'other\nalarmPerHost\n'


def test_alarm_definition_update_patch_delete(monasca: Any) -> None:
    note = _create_notification(monasca)
    created = _create_definition(monasca, '--description', 'old')
    updated = monasca(
        'alarm-definition-update', created['id'], 'renamed', 'new desc',
        'max(cpu.load_avg_1_min) > 5', note['id'], '', '[]', 'false',
        'hostname', 'MEDIUM').json()
    assert updated['name'] == 'renamed'
    assert updated['alarm_actions'] == [note['id']]
    assert updated['ok_actions'] == [] and updated['actions_enabled'] is False
    assert updated['severity'] == 'MEDIUM'
    patched = monasca('alarm-definition-patch', created['id'],
                      '--description', '', '--alarm-actions', '[]',
                      '--actions-enabled', 'true').json()
    assert patched['description'] == ''
    assert patched['alarm_actions'] == [] and patched['actions_enabled']
    out = monasca('alarm-definition-delete', created['id'])
    assert out.stdout == 'Successfully deleted alarm definition\n'
    assert monasca('alarm-definition-list', '-j').json() == []


def test_alarm_definition_validation_fails_without_request(
        monasca: Any, sandbox: Any) -> None:
    before = sandbox.request_count()
    for argv, message in (
            (('alarm-definition-create', 'x', DEF_EXPR, '--severity',
              'urgent'),
             "Severity 'urgent' must be one of LOW, MEDIUM, HIGH, CRITICAL"),
            (('alarm-definition-list', '--sort-by', 'bogus'),
             "Sort field 'bogus' is not one of id, name, severity, "
             "created_at, updated_at"),
            (('alarm-definition-create', 'x', 'max(cpu) >'), None)):
        out = monasca(*argv, rc=1)
        assert len(lines(out.stderr)) == 1, out.stderr
        if message:
            assert out.stderr == message + '\n'
    assert sandbox.request_count() == before


# -- alarms -------------------------------------------------------------------
@pytest.fixture
def alarm(monasca: Any, sandbox: Any) -> dict:
    definition = _create_definition(monasca)
    monasca('metric-create', 'cpu.load_avg_1_min', '1', '--dimensions',
            'hostname=mini-mon,service=monitoring')
    monasca('metric-create', 'cpu.load_avg_1_min', '2', '--dimensions',
            'hostname=devstack')
    sandbox.evaluate()
    alarms = monasca('alarm-list', '--sort-by', 'created_timestamp', '-j'
                     ).json()
    assert len(alarms) == 2, alarms
    # The one on mini-mon first.
    alarms.sort(key=lambda a: a['metric_dimensions'][0]['hostname'] !=
                'mini-mon')
    return {'definition': definition, 'alarms': alarms}


def test_alarm_list(monasca: Any, alarm: dict) -> None:
    out = monasca('alarm-list', '--metric-dimensions', 'hostname=mini-mon')
    rows = table_rows(out.stdout)
    assert rows[0] == [
        'id', 'alarm_definition_id', 'alarm_definition_name', 'metric_name',
        'metric_dimensions', 'severity', 'state', 'lifecycle_state', 'link',
        'state_updated_timestamp', 'updated_timestamp', 'created_timestamp']
    assert rows[1][1:7] == [alarm['definition']['id'], 'alarmPerHost',
                            'cpu.load_avg_1_min', 'hostname: mini-mon',
                            'LOW', 'ALARM']
    assert rows[2][3:5] == ['', 'service: monitoring']
    # null lifecycle_state and link: empty cells, not "None".
    assert rows[1][7:9] == ['', '']
    assert 'None' not in out.stdout
    data = monasca('alarm-list', '--metric-dimensions', 'hostname=devstack',
                   '-j').json()
    assert data[0]['metric_name'] == ['cpu.load_avg_1_min']
    assert data[0]['metric_dimensions'] == [{'hostname': 'devstack'}]
    assert data[0]['state'] == 'ALARM'
    assert monasca('alarm-list', '--state', 'ok', '-j').json() == []
    by_def = monasca('alarm-list', '--alarm-definition-id',
                     alarm['definition']['id'], '-f', 'value', '-c', 'id')
    assert len(by_def.stdout.split()) == 2


def test_alarm_show_update_patch_delete(monasca: Any, alarm: dict) -> None:
    alarm_id = alarm['alarms'][0]['id']
    shown = table_rows(monasca('alarm-show', alarm_id).stdout)
    assert ['id', f'"{alarm_id}"'] in shown
    assert ['state', '"ALARM"'] in shown
    updated = monasca('alarm-update', alarm_id, 'OK', 'OPEN',
                      'http://ticket/1').json()
    assert (updated['state'], updated['lifecycle_state'],
            updated['link']) == ('OK', 'OPEN', 'http://ticket/1')
    patched = monasca('alarm-patch', alarm_id, '--state', 'UNDETERMINED'
                      ).json()
    assert patched['state'] == 'UNDETERMINED'
    assert patched['link'] == 'http://ticket/1'
    assert monasca('alarm-delete', alarm_id).stdout == \
        'Successfully deleted alarm\n'
    assert len(monasca('alarm-list', '-j').json()) == 1


def test_alarm_count(monasca: Any, alarm: dict) -> None:
    assert table_rows(monasca('alarm-count').stdout) == [['count'], ['2']]
    alarm_id = alarm['alarms'][0]['id']
    monasca('alarm-patch', alarm_id, '--state', 'OK')
    data = monasca('alarm-count', '--group-by', 'state', '-j').json()
    assert data == [{'count': 1, 'state': 'ALARM'},
                    {'count': 1, 'state': 'OK'}]
    out = monasca('alarm-count', '--group-by', 'state,bogus', rc=1)
    assert 'bogus' in out.stderr and len(lines(out.stderr)) == 1


def test_alarm_history_and_history_list(monasca: Any, alarm: dict) -> None:
    alarm_id = alarm['alarms'][0]['id']
    monasca('alarm-patch', alarm_id, '--state', 'OK')
    rows = table_rows(monasca('alarm-history', alarm_id).stdout)
    assert rows[0] == ['alarm_id', 'new_state', 'old_state', 'reason',
                       'reason_data', 'metric_name', 'metric_dimensions',
                       'timestamp']
    states = [(r[1], r[2]) for r in rows[1:] if r[0] == alarm_id]
    assert states == [('ALARM', 'UNDETERMINED'), ('OK', 'ALARM')]
    history = monasca('alarm-history-list', '--dimensions',
                      'hostname=devstack', '-j').json()
    assert [h['new_state'] for h in history] == ['ALARM']
    assert history[0]['metric_dimensions'] == [{'hostname': 'devstack'}]
    everything = monasca('alarm-history-list', '--starttime', '-60', '-j'
                         ).json()
    assert len(everything) == 3


def test_alarm_state_validation_exits_1(monasca: Any, sandbox: Any) -> None:
    before = sandbox.request_count()
    out = monasca('alarm-list', '--state', 'bogus', rc=1)
    assert out.stderr == ('State \'bogus\' must be one of OK, ALARM, '
                          'UNDETERMINED\n')
    out = monasca('alarm-patch', 'some-id', '--state', 'bogus', rc=1)
    assert len(lines(out.stderr)) == 1
    assert sandbox.request_count() == before


# -- output formats -----------------------------------------------------------
def test_output_formats_keep_native_types(monasca: Any) -> None:
    monasca('metric-create', 'fmt', '1', '--dimensions', 'a=1,b=2')
    assert monasca('metric-list', '-f', 'csv').stdout == (
        '"name","dimensions"\n"fmt","a=1,b=2"\n')
    assert monasca('metric-list', '-f', 'value').stdout == 'fmt a=1,b=2\n'
    yaml_out = monasca('metric-list', '-f', 'yaml').stdout
    assert "a: '1'" in yaml_out and 'name: fmt' in yaml_out
    assert monasca('metric-list', '-c', 'dimensions', '-j').json() == [
        {'dimensions': {'a': '1', 'b': '2'}}]


def test_unknown_command_suggests(monasca: Any) -> None:
    out = monasca('metric-lst', rc=2)
    assert 'metric-list' in out.stdout


# -- the shell against the server (from unit/legacy/test_shell.py) ---------
def test_timing(monasca: Any) -> None:
    out = monasca('--timing', 'metric-list')
    assert '| URL' in out.stdout and 'GET http' in out.stdout
    assert '/v2.0/metrics' in out.stdout and '| Total' in out.stdout


def test_token_is_the_tenant_in_no_keystone_mode(monasca: Any) -> None:
    monasca('metric-create', 'mine', '1')
    assert monasca('metric-list', '-f', 'value', '-c', 'name'
                   ).stdout == 'mine\n'
    other = monasca('metric-list', '-f', 'value', '-c', 'name',
                    env={'OS_AUTH_TOKEN': 'someone-else'})
    assert other.stdout == ''


def test_api_url_without_version_against_the_server(monasca: Any,
                                                    sandbox: Any) -> None:
    monasca('metric-create', 'nover', '1',
            env={'MONASCA_API_URL': sandbox.url})
    out = monasca('--monasca-api-url', sandbox.url + '/', 'metric-list',
                  '-j')
    assert [m['name'] for m in out.json()] == ['nover']


def test_retries_against_the_server(monasca: Any, sandbox: Any) -> None:
    sandbox.faults(status=503, path='/v2.0/metrics', count=2)
    try:
        out = monasca('--retries', '0', 'metric-list', rc=1)
        assert 'HTTP 503' in out.stderr
        out = monasca('metric-list', env={'MONASCA_RETRIES': '2'})
        assert out.returncode == 0
    finally:
        sandbox.clear_faults()


# -- start-up cost ------------------------------------------------------------
def test_fast_path_imports_no_sdk_cmd2_or_auth_plugins(sandbox: Any) -> None:
    code = (
        'import json, sys\n'
        'from monasca_osc import shell\n'
        'rc = shell.main(["metric-list", "-f", "json"])\n'
        'heavy = [m for m in ("openstack", "cmd2", "keystoneauth1.loading",'
        ' "keystoneauth1.identity", "osc_lib.shell", "openstackclient",'
        ' "yaml") if m in sys.modules]\n'
        'print(json.dumps({"rc": rc, "heavy": heavy}), file=sys.stderr)\n')
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('OS_', 'MONASCA_'))}
    env.update(MONASCA_API_URL=sandbox.endpoint, OS_AUTH_TOKEN='t',
               OS_NO_CLIENT_AUTH='1')
    proc = subprocess.run([sys.executable, '-c', code], env=env,
                          capture_output=True, text=True, timeout=60,
                          check=False)
    report = json.loads(proc.stderr.strip().split('\n')[-1])
    assert report == {'rc': 0, 'heavy': []}, proc.stderr
    assert json.loads(proc.stdout) == []


@pytest.mark.parametrize('name', ['complete', 'completion'])
def test_bash_completion_script_is_valid_bash(name: str, tmp_path: Path,
                                              monasca: Any) -> None:
    script = tmp_path / 'monasca.bash_completion'
    script.write_text(monasca(name).stdout)
    subprocess.run(['bash', '-n', str(script)], check=True)


# -- the Python Client (from unit/legacy/test_client.py) ---------------------
@pytest.fixture
def api(sandbox: Any, tenant: str) -> Any:
    """A client in no-Keystone mode: the token is the sandbox tenant."""
    return client.Client(api_version='2_0', endpoint=sandbox.endpoint,
                         token=tenant)


def test_token_and_endpoint_talk_to_the_api(api: Any) -> None:
    assert isinstance(api.adapter.session.auth, token_endpoint.Token)
    api.metrics.create(name='py.m', value=1.5, timestamp=1600000000000,
                       dimensions={'hostname': 'h1'})
    api.metrics.create(jsonbody=[
        {'name': 'py.n', 'value': 2, 'timestamp': 1600000000000},
        {'name': 'py.n', 'value': 3, 'timestamp': 1600000001000}])
    metrics = api.metrics.list()
    assert isinstance(metrics, list)
    assert [(m['name'], m['dimensions']) for m in metrics] == [
        ('py.m', {'hostname': 'h1'}), ('py.n', {})]
    pages = api.metrics.iter_list(page_size=1)
    assert isinstance(pages, types.GeneratorType)
    assert [m['name'] for m in pages] == ['py.m', 'py.n']
    series = api.metrics.list_measurements(name='py.n',
                                           start_time='2020-01-01T00:00:00Z')
    assert [p[1] for p in series[0]['measurements']] == [2, 3]
    assert api.metrics.list_names() == [{'name': 'py.m'}, {'name': 'py.n'}]


def test_managers_have_the_legacy_names(api: Any) -> None:
    for name in ('metrics', 'alarms', 'alarm_definitions', 'notifications',
                 'notificationtypes'):
        assert hasattr(api, name)
    method = api.notifications.create(name='n', type='EMAIL',
                                      address='a@b.c')
    assert api.notifications.get(notification_id=method['id'])['name'] == 'n'
    assert {'type': 'EMAIL'} in api.notificationtypes.list()
    definition = api.alarm_definitions.create(
        name='d', expression='max(cpu) > 1', match_by=['hostname'],
        alarm_actions=[method['id']])
    got = api.alarm_definitions.get(alarm_id=definition['id'])
    assert got['alarm_actions'] == [method['id']]
    assert api.alarms.list() == []
    assert api.alarms.count()['counts'] == [[0]]


def test_errors_carry_status_title_description_request_id(api: Any
                                                          ) -> None:
    api.notifications.create(name='dup', type='EMAIL', address='a@b.c')
    with pytest.raises(exc.Conflict) as raised:
        api.notifications.create(name='dup', type='EMAIL', address='a@b.c')
    err = raised.value
    assert err.http_status == 409
    assert err.title == 'AlreadyExistsException'
    assert 'dup already exists' in err.description
    assert err.request_id and err.request_id.startswith('req-')
    assert '\n' not in str(err) and 'HTTP 409' in str(err)
    assert err.details == err.description  # the legacy attribute name
    with pytest.raises(exc.NotFound) as raised:
        api.alarms.get(alarm_id='no-such-alarm')
    assert raised.value.http_status == 404


def test_validation_error_before_sending(api: Any, sandbox: Any) -> None:
    before = sandbox.request_count()
    with pytest.raises(exc.ValidationError):
        api.metrics.create(name='bad name', value=1, timestamp=1)
    assert sandbox.request_count() == before


def test_existing_session_is_used_as_is(sandbox: Any, tenant: str) -> None:
    session = ks_session.Session(
        auth=token_endpoint.Token(sandbox.endpoint, tenant))
    api = client.Client('2_0', endpoint=sandbox.endpoint, session=session,
                        username='ignored', password='ignored')
    assert api.adapter.session is session
    assert api.metrics.list() == []

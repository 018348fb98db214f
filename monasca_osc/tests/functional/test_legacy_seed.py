"""Every example of the python-monascaclient documentation (the seed),
verbatim, through the installed ``monasca`` binary.

No Keystone: the documented "Vagrant" set-up (``OS_AUTH_TOKEN``,
``OS_NO_CLIENT_AUTH=1``, ``MONASCA_API_URL`` ending in ``/v2.0/``), one
tenant per test. The tables must have the columns the documentation shows
(except the two the API no longer has: see ``test_alarm_examples``).
"""

from __future__ import annotations

from pathlib import Path
import subprocess
from typing import Any

import pytest

from monasca_osc.tests.functional import base

EXPRESSION = 'max(cpu.load_avg_1_min) > 0'


def header(text: str) -> list[str]:
    """The column names of the first table in ``text``."""
    for line in text.splitlines():
        if line.startswith('|'):
            return [c.strip() for c in line.strip('|').split('|')]
    raise AssertionError(f'no table in:\n{text}')


def rows(text: str) -> list[list[str]]:
    found = [[c.strip() for c in line.strip('|').split('|')]
             for line in text.splitlines() if line.startswith('|')]
    return found[1:]


@pytest.fixture
def tenant() -> str:
    return base.unique_name('seed')


@pytest.fixture
def monasca(sandbox: Any, tenant: str) -> Any:
    """The seed's environment: token, no client auth, URL with /v2.0/."""
    env = {'MONASCA_API_URL': sandbox.endpoint + '/'}

    def call(*args: str, check: bool = True, **kwargs: Any
             ) -> base.CommandResult:
        return base.run_monasca(*args, token=tenant, check=check,
                                env={**env, **kwargs.pop('env', {})},
                                **kwargs)
    return call


def seed_metrics(monasca: Any) -> None:
    """The metric-create examples, verbatim."""
    for args in (
            ('cpu1', '123.40'),
            ('metric1', '1234.56', '--dimensions',
             'instance_id=123,service=ourservice'),
            ('metric1', '2222.22', '--dimensions',
             'instance_id=123,service=ourservice'),
            ('metric1', '3333.33', '--dimensions',
             'instance_id=222,service=ourservice'),
            ('metric1', '4444.44', '--dimensions', 'instance_id=222',
             '--value-meta', 'rc=404')):
        result = monasca('metric-create', *args)
        assert result.stdout == 'Successfully created metric\n'


def test_usage_examples(monasca: Any) -> None:
    # "monasca" alone is the interactive shell; EOF ends it.
    result = monasca(input='metric-list\n')
    assert result.returncode == 0
    help_text = monasca('help').stdout
    assert help_text.startswith('usage: monasca')
    for command in ('alarm-count', 'metric-statistics', 'notification-patch',
                    'complete'):
        assert f'\n  {command} ' in help_text
    for option in ('--os-cloud', '--os-auth-type', '--os-username',
                   '--os-project-domain-id', '--os-token',
                   '--monasca-api-url', '--monasca-api-version'):
        assert option in help_text
    command_help = monasca('help', 'metric-create').stdout
    assert command_help.startswith('usage: monasca metric-create')
    assert '<METRIC_NAME> <METRIC_VALUE>' in command_help


def test_bash_completion_example(monasca: Any, tmp_path: Path) -> None:
    target = tmp_path / 'monasca.bash_completion'
    # monasca completion >> /usr/local/share/monasca.bash_completion
    with target.open('a') as out:
        out.write(monasca('completion').stdout)
    script = (f'_get_comp_words_by_ref() {{ cur="${{COMP_WORDS[COMP_CWORD]}}";'
              f' words=("${{COMP_WORDS[@]}}"); }}\n'
              f'source {target}\n'
              'COMP_WORDS=(monasca alarm-def); COMP_CWORD=1\n'
              '_monasca\n'
              'echo "${COMPREPLY[@]}"\n')
    proc = subprocess.run(['bash', '-c', script], capture_output=True,
                          text=True, check=True, timeout=30)
    assert proc.stdout.split() == [
        'alarm-definition-create', 'alarm-definition-delete',
        'alarm-definition-list', 'alarm-definition-patch',
        'alarm-definition-show', 'alarm-definition-update']


def test_metric_examples(monasca: Any) -> None:
    seed_metrics(monasca)
    listed = monasca('metric-list').stdout
    assert header(listed) == ['name', 'dimensions']
    table = rows(listed)
    assert ['cpu1', ''] in table
    at = table.index(['metric1', 'instance_id:123'])
    assert table[at + 1] == ['', 'service:ourservice']

    measurements = monasca('measurement-list', 'metric1',
                           '2014-01-01T00:00:00Z').stdout
    assert header(measurements) == ['name', 'dimensions', 'timestamp',
                                    'value', 'value_meta']
    table = rows(measurements)
    values = [r[3] for r in table if r[3]]
    assert sorted(values) == ['1234.560', '2222.220', '3333.330',
                              '4444.440']
    assert any(r[4] == 'rc: 404' for r in table)
    assert sum(1 for r in table if r[0] == 'metric1') == 3

    filtered = monasca('measurement-list', 'metric1', '2014-01-01T00:00:00Z',
                       '--dimensions', 'instance_id=123').stdout
    assert header(filtered) == header(measurements)
    assert [r[3] for r in rows(filtered)] == ['1234.560', '2222.220']
    assert rows(filtered)[0][:2] == ['metric1', 'instance_id:123']
    assert rows(filtered)[1][:2] == ['', 'service:ourservice']


def test_notification_examples(monasca: Any) -> None:
    created = {}
    for name, kind, address in (
            ('cindyemail1', 'EMAIL', 'cindy.employee@hp.com'),
            ('myapplication', 'WEBHOOK', 'http://localhost:5000'),
            ('mypagerduty', 'PAGERDUTY', 'nzH2LVRdMzun11HNC2oD')):
        result = monasca('notification-create', name, kind, address)
        body = result.json()  # the legacy output: the JSON response
        assert (body['name'], body['type'], body['address']) == (
            name, kind, address)
        created[name] = body['id']
    listed = monasca('notification-list').stdout
    assert header(listed)[:4] == ['name', 'id', 'type', 'address']
    assert sorted(r[:4] for r in rows(listed)) == [
        ['cindyemail1', created['cindyemail1'], 'EMAIL',
         'cindy.employee@hp.com'],
        ['myapplication', created['myapplication'], 'WEBHOOK',
         'http://localhost:5000'],
        ['mypagerduty', created['mypagerduty'], 'PAGERDUTY',
         'nzH2LVRdMzun11HNC2oD']]


def test_alarm_definition_examples(monasca: Any) -> None:
    created = monasca('alarm-definition-create', 'alarmPerHost', EXPRESSION,
                      '--match-by', 'hostname').json()
    assert created['match_by'] == ['hostname']
    listed = monasca('alarm-definition-list').stdout
    assert header(listed) == ['name', 'id', 'expression', 'match_by',
                              'actions_enabled']
    assert rows(listed) == [['alarmPerHost', created['id'], EXPRESSION,
                             'hostname', 'True']]
    shown = monasca('alarm-definition-show', created['id']).stdout
    assert header(shown) == ['Property', 'Value']
    props = {r[0]: r[1] for r in rows(shown) if r[0]}
    assert set(props) >= {
        'actions_enabled', 'alarm_actions', 'description', 'expression',
        'id', 'links', 'match_by', 'name', 'ok_actions', 'severity',
        'undetermined_actions'}
    assert props['actions_enabled'] == 'true'
    assert props['alarm_actions'] == '[]'
    assert props['description'] == '""'
    assert props['expression'] == f'"{EXPRESSION}"'
    assert props['id'] == f'"{created["id"]}"'
    assert props['name'] == '"alarmPerHost"'
    assert props['severity'] == '"LOW"'
    assert props['links'] == (f'href:{base.default_endpoint()}/'
                              f'alarm-definitions/{created["id"]},rel:self')
    deleted = monasca('alarm-definition-delete', created['id'])
    assert deleted.stdout == 'Successfully deleted alarm definition\n'
    assert monasca('alarm-definition-list').stdout == '\n'


def test_alarm_examples(monasca: Any, sandbox: Any) -> None:
    monasca('alarm-definition-create', 'High CPU usage', EXPRESSION,
            '--match-by', 'hostname')
    monasca('metric-create', 'cpu.load_avg_1_min', '1.5', '--dimensions',
            'hostname=mini-mon,service=monitoring')
    sandbox.evaluate()
    listed = monasca('alarm-list').stdout
    # The seed's 2015 table named two columns differently: its alarm_name
    # is the definition's name (alarm_definition_name since the legacy
    # client's 1.1 release) and there is no measurement_id in the API any
    # more. Every other column it shows is here.
    columns = header(listed)
    for column in ('id', 'alarm_definition_id', 'alarm_definition_name',
                   'metric_name', 'metric_dimensions', 'severity', 'state',
                   'state_updated_timestamp', 'created_timestamp'):
        assert column in columns
    table = rows(listed)
    first = dict(zip(columns, table[0], strict=True))
    assert first['alarm_definition_name'] == 'High CPU usage'
    assert first['metric_name'] == 'cpu.load_avg_1_min'
    assert first['metric_dimensions'] == 'hostname: mini-mon'
    assert table[1][columns.index('metric_dimensions')] == \
        'service: monitoring'
    assert (first['severity'], first['state']) == ('LOW', 'ALARM')
    alarm_id = first['id']

    history = monasca('alarm-history', alarm_id).stdout
    assert header(history) == ['alarm_id', 'new_state', 'old_state',
                               'reason', 'reason_data', 'metric_name',
                               'metric_dimensions', 'timestamp']
    entry = rows(history)[0]
    assert entry[:3] == [alarm_id, 'ALARM', 'UNDETERMINED']
    assert entry[3].startswith('Thresholds were exceeded for the '
                               'sub-alarms: max(cpu.load_avg_1_min) > 0.0')
    assert entry[5:7] == ['cpu.load_avg_1_min', 'hostname: mini-mon']

    patched = monasca('alarm-patch', alarm_id, '--state', 'OK').json()
    assert patched['state'] == 'OK'
    states = [r[1] for r in rows(monasca('alarm-history', alarm_id).stdout)
              if r[0]]
    assert states == ['ALARM', 'OK']


def test_token_and_endpoint_environment(monasca: Any) -> None:
    # "When token and endpoint are known": OS_AUTH_TOKEN and
    # MONASCA_API_URL only, without OS_NO_CLIENT_AUTH.
    monasca('metric-create', 'known.token', '1',
            env={'OS_NO_CLIENT_AUTH': ''})
    listed = monasca('metric-list', '-j', env={'OS_NO_CLIENT_AUTH': ''})
    assert listed.json() == [{'name': 'known.token', 'dimensions': {}}]


def test_json_output_example(monasca: Any) -> None:
    # "This outputs the results in json format": -j, native types.
    seed_metrics(monasca)
    data = monasca('measurement-list', 'metric1', '2014-01-01T00:00:00Z',
                   '--dimensions', 'instance_id=222', '-j').json()
    values = sorted(v for series in data for v in series['value'])
    assert values == [3333.33, 4444.44]
    metas = [m for series in data for m in series['value_meta']]
    assert {'rc': '404'} in metas


def test_validation_errors_exit_1_with_one_line(monasca: Any) -> None:
    result = monasca('alarm-definition-create', 'x', EXPRESSION,
                     '--severity', 'urgent', check=False)
    assert result.returncode == 1
    assert result.stdout == ''
    assert result.stderr == ("Severity 'urgent' must be one of LOW, MEDIUM, "
                             "HIGH, CRITICAL\n")
    result = monasca('--monasca-api-version', '3_0', 'metric-list',
                     check=False)
    assert (result.returncode, result.stderr) == (
        1, "Unsupported --monasca-api-version '3_0': only 2_0 is "
           "supported\n")

"""``alarm definition test|backtest|explain`` and ``alarm explain``, end to
end through ``openstack``: exit codes, ``-f json``, what went over the
wire. The ``*_binary`` tests run the real console script (smoke tests of
the group); the others may run in-process (``base.run_openstack``).
"""

from __future__ import annotations

from pathlib import Path
import textwrap

import pytest
import yaml

from monasca_osc.tests.functional import base
from monasca_osc.tests.functional import commands_lib as lib
from monasca_osc.tests.unit.alarmtools.test_testfile import GOOD

# The example, expecting the notification too.
TEST_FILE = GOOD.replace('        state: ALARM\n',
                         '        state: ALARM\n        actions: [pager]\n')
EXPRESSION = 'avg(cpu.idle_perc{service=web}) < 10 times 3'


def run(*args: object, check: bool = False, tenant: str = 'alarmtools'
        ) -> base.CommandResult:
    return lib.osc(tenant, *args, check=check)


@pytest.fixture
def tenant() -> str:
    return lib.new_tenant()


def write(tmp_path: Path, text: str, name: str = 'case.yaml') -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


# --------------------------------------------------------------------------
# alarm definition test
# --------------------------------------------------------------------------

def test_definition_test_passes_with_json(tmp_path: Path) -> None:
    path = write(tmp_path, TEST_FILE)
    result = run('alarm', 'definition', 'test', path, '-f', 'json')
    assert result.returncode == 0, result
    (row,) = result.json()
    assert row['Result'] == 'pass' and row['Actual'] == 'ALARM'
    assert row['Alarm'] == {'hostname': 'web1'}
    assert row['Actual Actions'] == ['pager']
    assert row['Explanation'] is None
    assert '1 expectation in 1 file: 1 passed, 0 failed' in result.stderr


def test_definition_test_failure_exit_1_with_windows_and_junit(
        tmp_path: Path) -> None:
    path = write(tmp_path, TEST_FILE.replace('state: ALARM', 'state: OK')
                 .replace('        actions: [pager]\n', ''))
    junit = tmp_path / 'junit.xml'
    result = run('alarm', 'definition', 'test', path, '--junit', junit)
    assert result.returncode == 1, result
    assert f'FAIL {path}:16 test 1 at 6m: cpu-high {{hostname=web1}}: ' \
           'expected OK, got ALARM' in result.stderr
    assert result.stderr.count('5.0  breaches') == 3
    assert '| FAIL' in result.stdout
    assert 'failures="1"' in junit.read_text()


@pytest.mark.binary
def test_definition_test_invalid_file_exit_2_one_line_binary(
        tmp_path: Path) -> None:
    path = write(tmp_path, TEST_FILE.replace('5x5', '5y5'))
    result = run('alarm', 'definition', 'test', path)
    assert result.returncode == 2, result
    assert result.stderr.strip() == (
        f"{path}:11: series 'cpu.idle_perc' values: bad value '5y5' at "
        'column 7 (expected V, VxN, V+DxN, V-DxN, _ or _xN)')


def test_definition_test_warning_fails_only_with_strict(tmp_path: Path
                                                        ) -> None:
    path = write(tmp_path, TEST_FILE.replace('at: 6m', 'at: 30m').replace(
        'state: ALARM', 'state: UNDETERMINED').replace(
        '        actions: [pager]\n', ''))
    result = run('alarm', 'definition', 'test', path)
    assert result.returncode == 0, result
    assert ':13: warning: test at 30m is after the last sample' in \
        result.stderr
    assert run('alarm', 'definition', 'test', path,
               '--strict').returncode == 1


# --------------------------------------------------------------------------
# backtest over history posted to the sandbox
# --------------------------------------------------------------------------

def _history(tenant: str) -> int:
    """Two hours of web1 (in ALARM for 20 minutes) and web2; returns t0."""
    t0 = (lib.now_ms() // 60_000 - 150) * 60_000
    metrics = []
    for host in ('web1', 'web2'):
        for i in range(120):
            low = host == 'web1' and 30 <= i < 50
            metrics.append(lib.metric(
                'cpu.idle_perc', 5.0 if low else 50.0,
                {'hostname': host, 'service': 'web'},
                t0 + i * 60_000 + 5_000))
    metrics.append(lib.metric('cpu.idle_perc', 1.0,
                              {'hostname': 'db1', 'service': 'db'}, t0))
    lib.post_metrics(base.default_endpoint(), tenant, metrics)
    lib.create_definition(base.default_endpoint(), tenant, 'cpu-high',
                          EXPRESSION, match_by=['hostname'])
    return t0


def test_backtest_transitions_summary_and_gates_binary(tenant: str) -> None:
    # The transitions and the failed gate (exit 1) through the real
    # binary; the summary and the passed gate in-process.
    t0 = _history(tenant)
    start, end = lib.iso_ms(t0), lib.iso_ms(t0 + 135 * 60_000)
    rows = lib.osc_json(tenant, 'alarm', 'definition', 'backtest',
                        'cpu-high', '--start', start, '--end', end,
                        binary=True)
    web1 = [(r['Old State'], r['New State']) for r in rows
            if r['Alarm'] == {'hostname': 'web1'}]
    assert web1 == [('UNDETERMINED', 'OK'), ('OK', 'ALARM'),
                    ('ALARM', 'OK'), ('OK', 'UNDETERMINED')]
    alarm_row = next(r for r in rows if r['New State'] == 'ALARM')
    # Windows 30-31, 31-32, 32-33 breach; the view closes at 33:00 and is
    # evaluated at the first tick after the 30 s alarm delay.
    assert alarm_row['Time'] == lib.iso_ms(t0 + 34 * 60_000)[:-5] + 'Z'
    assert alarm_row['Reason'].startswith('Thresholds were exceeded')

    summary = lib.osc_json(tenant, 'alarm', 'definition', 'backtest',
                           'cpu-high', '--start', start, '--end', end,
                           '--summary')
    by_host = {r['Alarm']['hostname']: r for r in summary}
    assert set(by_host) == {'web1', 'web2'}
    assert by_host['web1']['Transitions'] == 4
    times = [r['Time'] for r in rows if r['Alarm'] == {'hostname': 'web1'}]
    minutes = (int(times[2][14:16]) - int(times[1][14:16])) % 60
    assert by_host['web1']['ALARM %'] == round(100 * minutes / 135, 2)
    assert by_host['web1']['First ALARM'] == times[1]
    assert by_host['web2']['ALARM %'] == 0.0

    gated = lib.osc(tenant, 'alarm', 'definition', 'backtest', 'cpu-high',
                    '--start', start, '--end', end, '--max-transitions', '5',
                    '--max-alarm-fraction', '10%', '-f', 'value',
                    check=False, binary=True)
    assert gated.returncode == 1, gated
    assert 'backtest gate: 6 transitions, more than --max-transitions 5' \
        in gated.stderr
    assert 'backtest gate: alarm {hostname=web1} was in ALARM 13.3% of the '\
        'time, more than --max-alarm-fraction 10.0%' in gated.stderr
    assert lib.osc(tenant, 'alarm', 'definition', 'backtest', 'cpu-high',
                   '--start', start, '--end', end, '--max-transitions', '6',
                   check=False).returncode == 0


def test_backtest_of_a_file_definition_and_testcase_seed(
        tenant: str, tmp_path: Path) -> None:
    t0 = _history(tenant)
    start = lib.iso_ms(t0)
    defs = write(tmp_path, '''\
        - name: web-busy
          expression: max(cpu.idle_perc{service=web}) < 10 times 5
          match_by: [hostname]
        ''', 'defs.yaml')
    rows = lib.osc_json(tenant, 'alarm', 'definition', 'backtest',
                        'web-busy', '--file', defs, '--start', start)
    assert [r['New State'] for r in rows
            if r['Alarm'] == {'hostname': 'web1'}][:3] == \
        ['OK', 'ALARM', 'OK']
    missing = lib.osc(tenant, 'alarm', 'definition', 'backtest', 'nope',
                      '--file', defs, '--start', start, check=False)
    lib.assert_one_line_error(missing, "no definition named 'nope'")

    seed = lib.osc(tenant, 'measurement', 'list', '--name', 'cpu.idle_perc',
                   '--dimension', 'hostname=web1', '--group-by', '*',
                   '--start', start, '--testcase')
    block = yaml.safe_load(seed.stdout)
    (series,) = block['series']
    assert series['dimensions'] == {'hostname': 'web1', 'service': 'web'}
    assert series['values'] == '50x29 5x19 50x69'


# --------------------------------------------------------------------------
# explain
# --------------------------------------------------------------------------

def test_alarm_explain_and_definition_explain(tenant: str) -> None:
    endpoint = base.default_endpoint()
    lib.create_notification(endpoint, tenant, 'pager')
    lib.create_definition(endpoint, tenant, 'cpu-high', EXPRESSION,
                          match_by=['hostname'])
    now = lib.now_ms()
    lib.post_metrics(endpoint, tenant, [
        lib.metric('cpu.idle_perc', 5.0,
                   {'hostname': 'web1', 'service': 'web'}, now),
        lib.metric('cpu.idle_perc', 5.0, {'service': 'web'}, now),
        lib.metric('cpu.idle_perc', 5.0,
                   {'hostname': 'db1', 'service': 'db'}, now)])
    alarms = lib.osc_json(tenant, 'alarm', 'list')
    assert alarms, 'the sandbox made no alarm'
    alarm_id = alarms[0]['ID']

    result = lib.osc(tenant, 'alarm', 'explain', alarm_id, '-f', 'json',
                     check=False)
    data = result.json()
    assert result.returncode == (0 if data['agrees'] else 1), result
    assert data['alarm']['id'] == alarm_id
    assert data['stored_state'] == alarms[0]['State']
    node = data['expression']
    assert (node['function'], node['metric'], node['operator'],
            node['threshold'], node['periods']) == \
        ('AVG', 'cpu.idle_perc', 'LT', 10.0, 3)
    assert len(node['windows']) == 3
    assert data['actions']['actions_enabled'] is True

    text = lib.osc(tenant, 'alarm', 'explain', alarm_id, check=False)
    assert f'alarm {alarm_id} of cpu-high' in text.stdout
    assert 'AVG of cpu.idle_perc{service=web}, 3 x 60s windows' in \
        text.stdout

    lib.assert_one_line_error(
        lib.osc(tenant, 'alarm', 'explain', 'no-such-alarm', check=False),
        'no-such-alarm')

    explained = lib.osc_json(tenant, 'alarm', 'definition', 'explain',
                             'cpu-high')
    reasons = {(tuple(sorted(m['metric']['dimensions'].items())),
                m['reason']) for m in explained['near_misses']}
    assert ((('hostname', 'db1'), ('service', 'db')),
            'dimension_mismatch') in reasons
    assert ((('service', 'web'),), 'missing_match_by_key') in reasons
    assert explained['metrics'] == 3

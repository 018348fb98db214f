"""Live operations against the sandbox: follow, wait, check, plot.

Most tests go through ``base.run_openstack``. The ``*_binary`` ones need
the process boundary: a long-running process (``--follow`` until Ctrl-C,
``alarm wait`` while the state changes) or OSC's own authentication; they
start the real ``openstack`` binary, read its output line by line as it
comes and send it SIGINT.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
import os
from pathlib import Path
import queue
import signal
import subprocess
import threading
import time
from typing import Any

import pytest

from monasca_osc.tests.functional import base
from monasca_osc.tests.functional import commands_lib as lib

GOLDEN = Path(__file__).parent / 'golden'
# The polling interval of the followers and waiters (the commands take
# fractions of a second; the default is 5 s).
INTERVAL = 0.5
# How long past one interval a poll may take on a loaded 2-core machine
# (an openstack process start costs about 2 s there).
SLACK = 4.0


class Live:
    """The real ``openstack monitoring ...`` binary, running in the
    background, its stdout lines queued as they are printed."""

    def __init__(self, tenant: str, *args: str) -> None:
        argv = [str(base.BIN_DIR / 'openstack'), '--os-auth-type',
                'admin_token', '--os-endpoint', base.default_endpoint(),
                '--os-token', tenant, 'monitoring', *args]
        self.proc = subprocess.Popen(
            argv, env=base._base_env(None), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, bufsize=1)
        self.lines: queue.Queue[str] = queue.Queue()
        self.started = time.monotonic()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip('\n'))

    def line(self, timeout: float) -> str:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f'no output line within {timeout}s') from None

    def pending(self) -> list[str]:
        out = []
        while not self.lines.empty():
            out.append(self.lines.get_nowait())
        return out

    def interrupt(self) -> tuple[int, str]:
        """Ctrl-C; (exit status, stderr)."""
        self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=30)
        finally:
            self.stop()
        assert self.proc.stderr is not None
        return code, self.proc.stderr.read()

    def stop(self) -> None:
        base.stop_process(self.proc)


@pytest.fixture
def tenant() -> str:
    return lib.new_tenant()


@pytest.fixture
def live() -> Iterator[list[Live]]:
    started: list[Live] = []
    yield started
    for process in started:
        process.stop()


def post(tenant: str, name: str, value: float, ago_s: float = 0.0,
         **dims: str) -> int:
    stamp = lib.now_ms() - int(ago_s * 1000)
    lib.post_metrics(base.default_endpoint(), tenant,
                     [lib.metric(name, value, dims or None, stamp)])
    return stamp


# -- follow -----------------------------------------------------------------
@pytest.mark.binary
def test_measurement_follow_prints_each_new_point_once_binary(
        tenant: str, live: list[Live]) -> None:
    name = 'live.follow'
    posted = [post(tenant, name, 0, ago_s=10, host='a')]
    follow = Live(tenant, 'measurement list', '--name', name, '--start',
                  '-5m', '--follow', '--interval', str(INTERVAL), '-f',
                  'json')
    live.append(follow)
    first = json.loads(follow.line(timeout=60))
    assert (first['Value'], first['Dimensions']) == (0, {'host': 'a'})
    for value in range(1, 6):
        posted_at = time.monotonic()
        # Every other point is stamped 20 s in the past: a lagging agent.
        posted.append(post(tenant, name, value, ago_s=20 * (value % 2),
                           host='a'))
        row = json.loads(follow.line(timeout=INTERVAL + SLACK))
        assert row['Value'] == value
        assert time.monotonic() - posted_at < INTERVAL + SLACK
    time.sleep(3 * INTERVAL)   # several more polls over the same points
    assert follow.pending() == []
    code, stderr = follow.interrupt()
    assert code == 130, stderr
    assert 'Traceback' not in stderr


@pytest.mark.binary
def test_alarm_history_follow_csv_binary(tenant: str,
                                         live: list[Live]) -> None:
    endpoint = base.default_endpoint()
    lib.create_definition(endpoint, tenant, 'live-history',
                          'last(live.hist) > 5', severity='HIGH')
    post(tenant, 'live.hist', 1)           # the alarm is created, OK
    follow = Live(tenant, 'alarm history list', '--follow', '--interval',
                  str(INTERVAL), '-f', 'csv', '-c', 'Old State', '-c',
                  'New State')
    live.append(follow)
    assert follow.line(timeout=60) == '"Old State","New State"'
    # The alarm's first evaluation, before the follow started.
    assert follow.line(timeout=5) == '"UNDETERMINED","OK"'
    post(tenant, 'live.hist', 10)
    assert follow.line(timeout=INTERVAL + SLACK) == '"OK","ALARM"'
    post(tenant, 'live.hist', 1)
    assert follow.line(timeout=INTERVAL + SLACK) == '"ALARM","OK"'
    time.sleep(2 * INTERVAL)
    assert follow.pending() == []
    assert follow.interrupt()[0] == 130


def test_follow_refuses_an_end() -> None:
    result = base.run_openstack('monitoring', 'measurement', 'list',
                                '--name', 'x', '--start', '-1h', '--end',
                                'now', '--follow', check=False)
    lib.assert_one_line_error(result, '--follow cannot be combined with '
                              '--end')


# -- wait -------------------------------------------------------------------
def alarm_of(tenant: str, definition: str) -> str:
    alarms = lib.osc_json(tenant, 'alarm', 'list', '--definition',
                          definition)
    assert len(alarms) == 1, alarms
    return alarms[0]['ID']


@pytest.mark.binary
def test_wait_returns_0_right_after_the_state_change_binary(
        tenant: str, live: list[Live]) -> None:
    definition = lib.create_definition(
        base.default_endpoint(), tenant, 'live-wait', 'max(live.wait) > 5',
        match_by=['host'])
    post(tenant, 'live.wait', 1, host='a')
    post(tenant, 'live.wait', 1, host='b')
    wait = Live(tenant, 'alarm', 'wait', '--definition', 'live-wait',
                '--match', 'host=a', '--state', 'ALARM', '--timeout', '2m',
                '--interval', str(INTERVAL))
    live.append(wait)
    wait_until_polled(definition['id'])
    time.sleep(INTERVAL)     # polled again: still waiting
    assert wait.proc.poll() is None
    post(tenant, 'live.wait', 9, host='a')
    changed = time.monotonic()
    sandbox_tick()
    assert wait.line(timeout=INTERVAL + SLACK) == (
        "The 1 alarm of definition 'live-wait' matching host=a is ALARM")
    assert time.monotonic() - changed < INTERVAL + SLACK
    assert wait.proc.wait(timeout=30) == 0


def sandbox_api(method: str, path: str, body: Any = None) -> Any:
    root = base.default_endpoint().rsplit('/v2.0', 1)[0]
    return lib.api(root, method, path, body)


def wait_until_polled(definition_id: str, timeout: float = 60) -> None:
    """Until the sandbox has seen the alarm listing of ``alarm wait``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        recent = sandbox_api('GET', 'sandbox/requests')['recent']
        if any(r['path'].endswith('/alarms') and definition_id in r['query']
               for r in recent):
            return
        time.sleep(0.2)
    raise AssertionError('alarm wait never listed the alarms')


def sandbox_tick() -> None:
    """``POST /sandbox/evaluate``: an evaluation tick now."""
    sandbox_api('POST', 'sandbox/evaluate', {})


def test_wait_returns_1_at_its_timeout(tenant: str) -> None:
    # Deterministic: the alarm is OK from its birth (monasca-thresh keeps
    # a new non-deterministic one UNDETERMINED for a period).
    lib.create_definition(base.default_endpoint(), tenant, 'live-timeout',
                          'max(live.timeout, deterministic) > 5')
    post(tenant, 'live.timeout', 1)
    alarm_id = alarm_of(tenant, 'live-timeout')
    started = time.monotonic()
    result = lib.osc(tenant, 'alarm', 'wait', alarm_id, '--state', 'ALARM',
                     '--timeout', '1s', '--interval', '0.25', check=False)
    assert time.monotonic() - started >= 1
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f'Timed out after 1s: alarm {alarm_id} is OK')
    done = lib.osc(tenant, 'alarm', 'wait', alarm_id, '--state', 'OK')
    assert done.stdout == f'Alarm {alarm_id} is OK\n'


# -- check ------------------------------------------------------------------
def check(tenant: str, *args: str, **kwargs: Any) -> tuple[int, str]:
    result = lib.osc(tenant, 'alarm', 'check', *args, check=False, **kwargs)
    assert result.stdout.count('\n') == 1, result
    return result.returncode, result.stdout.rstrip('\n')


def test_check_returns_each_exit_code(tenant: str) -> None:
    endpoint = base.default_endpoint()
    for name, severity in (('chk-ok', 'HIGH'), ('chk-low', 'LOW'),
                           ('chk-high', 'HIGH'), ('chk-und', 'MEDIUM')):
        # 10-minute windows: no evaluation tick changes a state mid-test.
        # Deterministic ones are OK from their birth; max() > t goes to
        # ALARM at once; chk-und is not deterministic, so it stays
        # UNDETERMINED until its first period closes (monasca-thresh).
        flag = '' if name == 'chk-und' else 'deterministic, '
        lib.create_definition(endpoint, tenant, name,
                              f'max({name}, {flag}600) > 5',
                              severity=severity)
    post(tenant, 'chk-ok', 1, host='h1')
    post(tenant, 'chk-low', 9, host='h1')
    post(tenant, 'chk-high', 9, host='h2')
    post(tenant, 'chk-und', 1, host='h3')
    assert check(tenant, '--definition', 'chk-ok') == (
        0, 'MONASCA OK - 1 alarm, none in ALARM | ALARM=0 OK=1 '
           'UNDETERMINED=0')
    assert check(tenant, '--definition', 'chk-low') == (
        1, 'MONASCA WARNING - 1 of 1 in ALARM: chk-low[LOW] ALARM host=h1 '
           '| ALARM=1 OK=0 UNDETERMINED=0')
    assert check(tenant, '--severity', 'HIGH') == (
        2, 'MONASCA CRITICAL - 1 of 2 in ALARM: chk-high[HIGH] ALARM '
           'host=h2 | ALARM=1 OK=1 UNDETERMINED=0')
    assert check(tenant, '--definition', 'chk-und') == (
        3, 'MONASCA UNKNOWN - 1 of 1 UNDETERMINED: chk-und[MEDIUM] '
           'UNDETERMINED host=h3 | ALARM=0 OK=0 UNDETERMINED=1')
    assert check(tenant, '--definition', 'chk-und', '--undetermined-ok')[0] \
        == 0
    code, line = check(tenant)
    assert code == 2
    assert line.endswith('| ALARM=2 OK=1 UNDETERMINED=1')
    assert check(tenant, '--dimension', 'host=h3')[0] == 3


def test_check_failures_are_unknown(tenant: str) -> None:
    code, line = check(tenant, endpoint=f'http://127.0.0.1:'
                       f'{base.free_port()}/v2.0')
    assert code == 3
    assert line.startswith('MONASCA UNKNOWN - Cannot connect to the Monasca '
                           'API at http://127.0.0.1:')
    assert check(tenant, '--definition', 'no-such-definition') == (
        3, "MONASCA UNKNOWN - No alarm definition with name or ID "
           "'no-such-definition'")
    # Usage errors too: Nagios reads exit 2 as CRITICAL.
    result = lib.osc(tenant, 'alarm', 'check', '--bogus', check=False)
    assert result.returncode == 3
    assert result.stdout == ('MONASCA UNKNOWN - openstack monitoring alarm '
                             'check: unrecognized arguments: --bogus\n')
    assert check(tenant, '--severity', 'SEVERE')[0] == 3


@pytest.mark.binary
def test_check_authentication_failure_is_unknown_binary() -> None:
    result = _password_check()
    assert result.returncode == 3, result
    assert result.stdout.startswith('MONASCA UNKNOWN - ')
    assert result.stdout.count('\n') == 1
    assert 'secret' not in result.stdout + result.stderr


def _password_check() -> base.CommandResult:
    """alarm check with password auth against a Keystone that is down."""
    argv = [str(base.BIN_DIR / 'openstack'), 'monitoring', 'alarm', 'check']
    env = base._base_env({
        'OS_AUTH_URL': f'http://127.0.0.1:{base.free_port()}/v3',
        'OS_USERNAME': 'ops', 'OS_PASSWORD': 'secret',
        'OS_PROJECT_NAME': 'ops', 'OS_USER_DOMAIN_NAME': 'Default',
        'OS_PROJECT_DOMAIN_NAME': 'Default', 'OS_IDENTITY_API_VERSION': '3'})
    proc = subprocess.run(argv, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    return base.CommandResult(argv, proc.returncode, proc.stdout,
                              proc.stderr, env)


# -- plot -------------------------------------------------------------------
T0 = 1714557600000   # 2024-05-01T10:00:00Z
WINDOW = ['--start', '2024-05-01T10:00:00Z', '--end', '2024-05-01T10:40:00Z']


@pytest.fixture(scope='module')
def plot_tenant(sandbox: Any) -> str:
    """Fixed data: web1 a triangle wave, web2 a ramp with a 9-minute gap."""
    tenant = lib.new_tenant()
    metrics = []
    for minute in range(40):
        stamp = T0 + minute * 60_000
        metrics.append(lib.metric('cpu.idle_perc',
                                  float(abs(20 - minute) * 4 + 10),
                                  {'hostname': 'web1'}, stamp))
        if not 15 <= minute < 24:
            metrics.append(lib.metric('cpu.idle_perc', float(minute),
                                      {'hostname': 'web2'}, stamp))
    lib.post_metrics(base.default_endpoint(), tenant, metrics)
    lib.create_definition(base.default_endpoint(), tenant, 'cpu-idle-low',
                          'avg(cpu.idle_perc) < 15 times 3',
                          severity='HIGH')
    return tenant


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / f'{name}.txt'
    if os.environ.get('MONASCA_OSC_REGEN_GOLDEN'):
        path.write_text(text, encoding='utf-8')
    assert text == path.read_text(encoding='utf-8'), (
        f'{name} differs from its golden file; got:\n{text}')


@pytest.mark.parametrize('name, args', [
    ('plot-one', ['--dimension', 'hostname=web1']),
    ('plot-several', ['--group-by', 'hostname', '--threshold-from',
                      'cpu-idle-low']),
    ('plot-gappy', ['--dimension', 'hostname=web2']),
])
def test_measurement_plot_golden(plot_tenant: str, name: str,
                                 args: list[str]) -> None:
    result = lib.osc(plot_tenant, 'measurement', 'list', '--name',
                     'cpu.idle_perc', *WINDOW, '--plot', *args,
                     env={'COLUMNS': '72', 'LINES': '24'})
    check_golden(name, result.stdout)
    assert max(len(line) for line in result.stdout.splitlines()) <= 72


def test_statistics_plot_and_sparkline(plot_tenant: str) -> None:
    result = lib.osc(plot_tenant, 'statistics', 'list', '--name',
                     'cpu.idle_perc', *WINDOW, '--group-by', 'hostname',
                     '--statistic', 'avg', '--period', '120', '--plot',
                     '--width', '60', '--height', '8')
    check_golden('plot-statistics', result.stdout)
    rows = lib.osc_json(plot_tenant, 'statistics', 'list', '--name',
                        'cpu.idle_perc', *WINDOW, '--group-by', 'hostname',
                        '--statistic', 'avg', '--period', '300',
                        '--sparkline')
    assert [(r['Dimensions'], r['Sparkline']) for r in rows] == [
        ({'hostname': 'web1'}, '█▆▄▁▁▃▅█'),
        ({'hostname': 'web2'}, '▁▂▃ ▅▆▇█')]

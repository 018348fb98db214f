"""Transient and permanent failures, injected with the sandbox's test API.

The client retries reads and idempotent writes on 429/500/502/503/504,
dropped or reset connections, truncated bodies and timeouts, with
exponential backoff, full jitter and ``Retry-After``; retries and the
per-request timeout come from options, environment or clouds.yaml. Every
permanent failure is one line. The sandbox's request counter says how many
attempts reached the server.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import re
import signal
import subprocess
import time
from typing import Any

import pytest

from monasca_osc.testing import Sandbox, free_port
from monasca_osc.tests.functional import base
from monasca_osc.tests.functional.corpus.cli import (
    Run,
    monasca_env,
    openstack_argv,
    run,
    run_cli,
)

TENANT = base.NOAUTH_TENANT
LIST = {'openstack': ('monitoring', 'metric', 'list'),
        'monasca': ('metric-list',)}
RETRIES = {'openstack': '--os-monitoring-retries', 'monasca': '--retries'}
TIMEOUT = {'openstack': '--os-monitoring-timeout', 'monasca': '--timeout'}
CLIS = ('openstack', 'monasca')


@pytest.fixture(scope='module')
def server() -> Iterator[Sandbox]:
    """A sandbox of its own: fault rules never leak into other tests."""
    sandbox = Sandbox(eval_interval=0).start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def sandbox(server: Sandbox) -> Iterator[Sandbox]:
    server.clear_faults()
    server.reset_requests()
    yield server
    server.clear_faults()


def one_line(result: Run) -> str:
    assert 'Traceback' not in result.stderr, result
    lines = result.lines
    assert len(lines) == 1, result
    return lines[0]


def metrics_fault(sandbox: Sandbox, **rule: Any) -> None:
    sandbox.faults(path='/v2.0/metrics', **rule)


def cli_run(cli: str, sandbox: Sandbox, *args: str,
            options: tuple[str, ...] = (), env: dict[str, str] | None = None,
            timeout: float = 90) -> Run:
    return run_cli(cli, sandbox.endpoint, *options, *args, env=env,
                   timeout=timeout)


def clouds_yaml(path: Path, endpoint: str, **settings: Any) -> dict:
    """A no-Keystone cloud ``sandbox`` with monitoring_* settings."""
    lines = ['clouds:', '  sandbox:', '    auth_type: none', '    auth:',
             f'      endpoint: {endpoint}',
             f'    monitoring_endpoint_override: {endpoint}']
    lines += [f'    {key}: {value}' for key, value in settings.items()]
    path.write_text('\n'.join(lines) + '\n')
    return {'OS_CLIENT_CONFIG_FILE': str(path)}


def cloud_run(cli: str, env: dict[str, str], *args: str) -> Run:
    if cli == 'openstack':
        return run([str(base.BIN_DIR / 'openstack'), '--os-cloud', 'sandbox',
                    *args], env)
    return run([str(base.BIN_DIR / 'monasca'), *args],
               {**env, 'OS_CLOUD': 'sandbox'})


def stored_metrics(sandbox: Sandbox, name: str) -> list[dict]:
    status, body = sandbox.request('GET', f'/v2.0/metrics?name={name}',
                                   tenant=TENANT)
    assert status == 200, body
    return body['elements']


# -- transient failures are retried ----------------------------------------

@pytest.mark.parametrize('status', [429, 500, 502, 503, 504])
@pytest.mark.parametrize('cli', CLIS)
def test_read_is_retried_on_transient_status(sandbox: Sandbox,
                                             cli: str, status: int) -> None:
    metrics_fault(sandbox, status=status, count=2, retry_after=0)
    result = cli_run(cli, sandbox, *LIST[cli])
    assert result.returncode == 0, result
    assert sandbox.request_count() == 3  # two failures, then the answer
    # Retries are silent without -v.
    assert result.stderr == '', result


@pytest.mark.parametrize('action', ['drop', 'reset', 'truncate', 'html'])
@pytest.mark.parametrize('cli', CLIS)
def test_read_is_retried_on_broken_responses(sandbox: Sandbox,
                                             cli: str, action: str) -> None:
    metrics_fault(sandbox, action=action, count=1)
    result = cli_run(cli, sandbox, *LIST[cli])
    assert result.returncode == 0, result
    assert sandbox.request_count() == 2
    assert result.stderr == '', result


@pytest.mark.parametrize('cli', CLIS)
def test_retries_are_visible_with_verbose(sandbox: Sandbox,
                                          cli: str) -> None:
    metrics_fault(sandbox, status=503, count=2, retry_after=0)
    result = cli_run(cli, sandbox, *LIST[cli], options=('-v',))
    assert result.returncode == 0, result
    notices = [line for line in result.lines if 'Retrying GET' in line]
    assert len(notices) == 2, result
    assert '(attempt 1 of 3)' in notices[0], result
    assert '(attempt 2 of 3)' in notices[1], result
    assert 'HTTP 503' in notices[0], result


# -- permanent failures: one line, bounded attempts -------------------------

PERMANENT = {
    'status-503': ({'status': 503, 'retry_after': 0}, 3,
                   r'Service Unavailable.*\(HTTP 503 on GET \S+/metrics'),
    'status-500': ({'status': 500}, 3, r'\(HTTP 500 on GET \S+/metrics'),
    'html-502': ({'action': 'html', 'status': 502}, 3,
                 r'non-JSON error page: 502 Bad Gateway \(HTTP 502'),
    'drop': ({'action': 'drop'}, 3,
             r'^Cannot connect to the Monasca API at \S+/metrics: '
             r'connection aborted$'),
    'truncate': ({'action': 'truncate'}, 3,
                 r'Connection to the Monasca API failed on GET \S+/metrics'),
    'not-found': ({'status': 404}, 1, r'\(HTTP 404 on GET \S+/metrics'),
    'garbage': ({'action': 'garbage', 'status': 200}, 1,
                r'^The server returned a body that is not JSON \(HTTP 200'),
    'html-200': ({'action': 'html', 'status': 200}, 1,
                 r'^The server returned a body that is not JSON \(HTTP 200,'
                 r' text/html'),
}


@pytest.mark.parametrize('kind', sorted(PERMANENT))
@pytest.mark.parametrize('cli', CLIS)
def test_permanent_failure_is_one_line(sandbox: Sandbox, cli: str,
                                       kind: str) -> None:
    rule, attempts, pattern = PERMANENT[kind]
    metrics_fault(sandbox, count=None, **rule)
    result = cli_run(cli, sandbox, *LIST[cli], options=(RETRIES[cli], '2'))
    assert result.returncode == 1, result
    assert result.stdout == '', result
    line = one_line(result)
    assert re.search(pattern, line), line
    # Garbage and client errors are not transient: no retries.
    assert sandbox.request_count() == attempts


@pytest.mark.parametrize('cli', CLIS)
def test_connection_refused_is_one_bounded_line(cli: str) -> None:
    dead = f'http://127.0.0.1:{free_port()}/v2.0'
    result = run_cli(cli, dead, RETRIES[cli], '2', *LIST[cli])
    assert result.returncode == 1, result
    line = one_line(result)
    assert line == (f'Cannot connect to the Monasca API at {dead}/metrics: '
                    'connection refused')
    # Three attempts with backoff ~0.25-0.5 + 0.5-1 s: well under 20 s.
    assert result.seconds < 20


# -- the retry budget: option, environment, clouds.yaml ----------------------

def _budget_run(cli: str, sandbox: Sandbox, source: str,
                tmp_path: Path) -> Run:
    if source == 'option':
        return cli_run(cli, sandbox, *LIST[cli], options=(RETRIES[cli], '2'))
    if source == 'env':
        name = 'OS_MONITORING_RETRIES' if cli == 'openstack' \
            else 'MONASCA_RETRIES'
        return cli_run(cli, sandbox, *LIST[cli], env={name: '1'})
    if source == 'option-beats-env':
        name = 'OS_MONITORING_RETRIES' if cli == 'openstack' \
            else 'MONASCA_RETRIES'
        return cli_run(cli, sandbox, *LIST[cli], options=(RETRIES[cli], '0'),
                       env={name: '3'})
    if source == 'clouds.yaml':
        env = clouds_yaml(tmp_path / 'clouds.yaml', sandbox.endpoint,
                          monitoring_retries=0)
        return cloud_run(cli, env, *LIST[cli])
    assert source == 'default'
    return cli_run(cli, sandbox, *LIST[cli])


@pytest.mark.parametrize('source,attempts', [
    ('option', 3), ('env', 2), ('option-beats-env', 1), ('clouds.yaml', 1),
    ('default', 4)])
@pytest.mark.parametrize('cli', CLIS)
def test_retry_budget(sandbox: Sandbox, tmp_path: Path, cli: str,
                      source: str, attempts: int) -> None:
    metrics_fault(sandbox, status=503, retry_after=0, count=None)
    result = _budget_run(cli, sandbox, source, tmp_path)
    assert result.returncode == 1, result
    assert 'HTTP 503' in one_line(result)
    assert sandbox.request_count() == attempts


# -- timeouts: a slow server ends in one timeout line, never a hang ---------

SLOW = 20  # seconds the sandbox sits on each request


def _timeout_run(cli: str, sandbox: Sandbox, source: str,
                 tmp_path: Path) -> Run:
    if source == 'option':
        return cli_run(cli, sandbox, *LIST[cli],
                       options=(TIMEOUT[cli], '0.5', RETRIES[cli], '1'))
    if source == 'env':
        env = ({'OS_MONITORING_TIMEOUT': '0.5',
                'OS_MONITORING_RETRIES': '0'} if cli == 'openstack' else
               {'MONASCA_TIMEOUT': '0.5', 'MONASCA_RETRIES': '0'})
        return cli_run(cli, sandbox, *LIST[cli], env=env)
    assert source == 'clouds.yaml'
    env = clouds_yaml(tmp_path / 'clouds.yaml', sandbox.endpoint,
                      monitoring_timeout=0.5, monitoring_retries=0)
    return cloud_run(cli, env, *LIST[cli])


@pytest.mark.parametrize('source,attempts', [
    ('option', 2), ('env', 1), ('clouds.yaml', 1)])
@pytest.mark.parametrize('cli', CLIS)
def test_timeout(sandbox: Sandbox, tmp_path: Path, cli: str,
                 source: str, attempts: int) -> None:
    metrics_fault(sandbox, latency=SLOW, count=None)
    result = _timeout_run(cli, sandbox, source, tmp_path)
    assert result.returncode == 1, result
    line = one_line(result)
    assert line == f'Request timed out: GET {sandbox.endpoint}/metrics'
    assert sandbox.request_count() == attempts
    # Each attempt gives up after 0.5 s: far from the 20 s (or 40 s) the
    # server would take, even on a loaded machine.
    assert result.seconds < SLOW - 5, result


@pytest.mark.parametrize('cli', CLIS)
def test_slow_but_in_time_is_not_a_timeout(sandbox: Sandbox,
                                           cli: str) -> None:
    metrics_fault(sandbox, latency=0.5, count=None)
    result = cli_run(cli, sandbox, *LIST[cli], options=(TIMEOUT[cli], '5'))
    assert result.returncode == 0, result
    assert sandbox.request_count() == 1


# -- Retry-After -------------------------------------------------------------

@pytest.mark.parametrize('cli', CLIS)
def test_retry_after_is_honoured(sandbox: Sandbox, cli: str) -> None:
    # 1 s: more than the first backoff could draw (at most 0.5 s).
    metrics_fault(sandbox, status=503, retry_after=1, count=1)
    result = cli_run(cli, sandbox, *LIST[cli], options=('-v',))
    assert result.returncode == 0, result
    assert sandbox.request_count() == 2
    notices = [line for line in result.lines if 'Retrying GET' in line]
    assert len(notices) == 1, result
    assert ' in 1.0s (attempt 1 of 3)' in notices[0], result
    assert result.seconds >= 1.0


def test_retry_after_on_429_retries_even_a_create(sandbox: Sandbox
                                                  ) -> None:
    sandbox.faults(method='POST', path='/v2.0/alarm-definitions',
                   status=429, retry_after=1, count=1)
    name = base.unique_name('ra')
    result = cli_run('openstack', sandbox, 'monitoring', 'alarm',
                     'definition', 'create', name, '--expression',
                     'avg(cpu) > 1', '-f', 'json')
    assert result.returncode == 0, result
    assert result.seconds >= 1.0
    assert json.loads(result.stdout)['name'] == name
    assert sandbox.request_count() == 2


# -- backoff and jitter, measured in-process ---------------------------------

def _client(sandbox: Sandbox, delays: list[float], retries: int) -> Any:
    from monasca_osc import client

    monitoring = client.Client(endpoint=sandbox.endpoint, token=TENANT,
                               retries=retries)
    monitoring.adapter._sleep = delays.append
    return monitoring


def test_backoff_grows_exponentially_with_full_jitter(sandbox: Sandbox
                                                      ) -> None:
    from monasca_osc import exceptions

    metrics_fault(sandbox, status=503, count=None)
    runs: list[list[float]] = []
    for _ in range(6):
        delays: list[float] = []
        with pytest.raises(exceptions.ServiceUnavailable):
            _client(sandbox, delays, retries=7).metrics.list()
        runs.append(delays)
    assert sandbox.request_count() == 6 * 8
    for delays in runs:
        assert len(delays) == 7
        for attempt, delay in enumerate(delays):
            ceiling = min(30.0, 0.5 * 2 ** attempt)
            assert ceiling / 2 <= delay <= ceiling, (attempt, delays)
    # Jitter: the runs do not wait in lockstep.
    for attempt in range(7):
        assert len({round(d[attempt], 6) for d in runs}) > 1


def test_retry_after_replaces_backoff_and_is_capped(sandbox: Sandbox
                                                    ) -> None:
    from monasca_osc import exceptions

    metrics_fault(sandbox, status=503, retry_after=7, count=2)
    delays: list[float] = []
    _client(sandbox, delays, retries=3).metrics.list()
    assert delays == [7.0, 7.0]
    sandbox.clear_faults()
    metrics_fault(sandbox, status=429, retry_after=100000, count=None)
    delays = []
    with pytest.raises(exceptions.TooManyRequests):
        _client(sandbox, delays, retries=2).metrics.list()
    assert delays == [120.0, 120.0]


# -- writes: idempotent ones are retried, creates only on 429 ---------------

@pytest.mark.parametrize('cli', CLIS)
def test_metric_post_is_retried_and_stored_once(sandbox: Sandbox,
                                                cli: str) -> None:
    name = base.unique_name('retried').replace('-', '.')
    sandbox.faults(method='POST', path='/v2.0/metrics', status=502, count=1)
    args = (('monitoring', 'metric', 'create', name, '--value', '1')
            if cli == 'openstack' else ('metric-create', name, '1'))
    result = cli_run(cli, sandbox, *args)
    assert result.returncode == 0, result
    assert sandbox.request_count() == 2
    assert len(stored_metrics(sandbox, name)) == 1


@pytest.mark.parametrize('rule', [
    {'status': 503}, {'status': 500}, {'action': 'drop'}],
    ids=['503', '500', 'drop'])
@pytest.mark.parametrize('cli', CLIS)
def test_create_is_not_retried(sandbox: Sandbox, cli: str,
                               rule: dict) -> None:
    sandbox.faults(method='POST', path='/v2.0/alarm-definitions', count=1,
                   **rule)
    name = base.unique_name('once')
    args = (('monitoring', 'alarm', 'definition', 'create', name,
             '--expression', 'avg(cpu) > 1')
            if cli == 'openstack' else
            ('alarm-definition-create', name, 'avg(cpu) > 1'))
    result = cli_run(cli, sandbox, *args)
    assert result.returncode == 1, result
    line = one_line(result)
    assert ('HTTP 5' in line) if 'status' in rule else \
        ('connection aborted' in line), line
    assert sandbox.request_count() == 1
    status, body = sandbox.request('GET', '/v2.0/alarm-definitions?name='
                                   + name, tenant=TENANT)
    assert status == 200 and body['elements'] == []


def _notification(sandbox: Sandbox) -> dict:
    status, body = sandbox.request(
        'POST', '/v2.0/notification-methods',
        {'name': base.unique_name('nm'), 'type': 'EMAIL',
         'address': 'ops@example.com'}, tenant=TENANT)
    assert status == 201, body
    return body


@pytest.mark.parametrize('cli', CLIS)
def test_patch_and_delete_are_retried(sandbox: Sandbox,
                                      cli: str) -> None:
    method = _notification(sandbox)
    path = f'/v2.0/notification-methods/{method["id"]}'
    sandbox.faults(method='PATCH', path=path, status=504, count=1)
    sandbox.reset_requests()
    args = (('monitoring', 'notification', 'method', 'set', method['id'],
             '--name', 'renamed-' + method['name'])
            if cli == 'openstack' else
            ('notification-patch', method['id'], '--name',
             'renamed-' + method['name']))
    result = cli_run(cli, sandbox, *args)
    assert result.returncode == 0, result
    assert sandbox.request_count() == 3  # find (GET), PATCH twice
    sandbox.faults(method='DELETE', path=path, action='reset', count=1)
    sandbox.reset_requests()
    args = (('monitoring', 'notification', 'method', 'delete', method['id'])
            if cli == 'openstack' else
            ('notification-delete', method['id']))
    result = cli_run(cli, sandbox, *args)
    assert result.returncode == 0, result
    status, _ = sandbox.request('GET', path, tenant=TENANT)
    assert status == 404


# -- Ctrl-C during a slow request -------------------------------------------

@pytest.mark.parametrize('cli', CLIS)
def test_interrupt_exits_130_without_traceback(sandbox: Sandbox,
                                               cli: str) -> None:
    metrics_fault(sandbox, latency=SLOW, count=None)
    if cli == 'openstack':
        argv = openstack_argv(sandbox.endpoint, *LIST[cli])
        env = base._base_env(None)
    else:
        argv = [str(base.BIN_DIR / 'monasca'), *LIST[cli]]
        env = base._base_env(monasca_env(sandbox.endpoint))
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while sandbox.request_count() == 0:  # the request is in flight
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert time.monotonic() - started < SLOW / 2
    assert b'Traceback' not in stderr
    assert stdout == b''

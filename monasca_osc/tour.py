"""A short tour of ``openstack monitoring`` and ``monasca``.

Starts the embedded sandbox (a local Monasca API on 127.0.0.1 with an
in-memory database), then runs real commands against it and prints what
they print: tables for people, JSON for scripts. Console script
``monasca-osc-tour``; ``tools/tour`` installs the project and runs it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
import shlex
import subprocess
import sys
import time

from monasca_osc.testing import Sandbox

TENANT = 'tour-project'


def _bin(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def start_sandbox() -> Sandbox:
    """The tour's sandbox: in memory, on a free port of 127.0.0.1, alarms
    evaluated every 2 seconds, no test API."""
    sandbox = Sandbox(eval_interval=2, enable_test_api=False, quiet=False)
    try:
        return sandbox.start()
    except RuntimeError as exc:
        raise SystemExit(f'tour: the sandbox did not start ({exc})') from None


class Tour:
    def __init__(self, url: str, pause: float):
        self.url = url.rstrip('/')
        self.pause = pause
        self.env = dict(os.environ)
        # admin_token sends the token as X-Auth-Token; with Keystone off the
        # sandbox (like the real API with its middleware disabled) takes it
        # as the project id.
        self.env.update({'OS_AUTH_TYPE': 'admin_token',
                         'OS_ENDPOINT': f'{self.url}/v2.0',
                         'OS_TOKEN': TENANT,
                         'MONASCA_API_URL': f'{self.url}/v2.0',
                         'OS_AUTH_TOKEN': TENANT, 'OS_NO_CLIENT_AUTH': '1'})
        for key in ('OS_CLOUD', 'OS_AUTH_URL', 'OS_USERNAME', 'OS_PASSWORD'):
            self.env.pop(key, None)
        self.failures = 0

    def say(self, text: str) -> None:
        print(f'\n# {text}', flush=True)

    def run(self, *args: str, capture: bool = False) -> str:
        shown = ' '.join(shlex.quote(a) for a in args)
        print(f'$ {shown}', flush=True)
        argv = [_bin(args[0]), *args[1:]]
        result = subprocess.run(argv, env=self.env, text=True,
                                capture_output=True)
        sys.stdout.write(result.stdout)
        if result.stderr:
            sys.stdout.write(result.stderr)
        sys.stdout.flush()
        if result.returncode != 0:
            self.failures += 1
            print(f'(exit status {result.returncode})')
        if self.pause:
            time.sleep(self.pause)
        return result.stdout.strip() if capture else ''

    def openstack(self, *args: str, capture: bool = False) -> str:
        return self.run('openstack', 'monitoring', *args, capture=capture)

    def main(self) -> int:
        self.say(f'A local Monasca API (the sandbox) is serving {self.url}')
        self.openstack('version', 'list')

        self.say('Post a few measurements, with dimensions and value_meta')
        for host, idle in (('web1', 4.5), ('web1', 6.0), ('web2', 88.0),
                           ('web2', 91.5)):
            self.openstack('metric', 'create', 'cpu.idle_perc', '--value',
                           str(idle), '--dimension', f'hostname={host}',
                           '--dimension', 'service=shop', '--time', '-1m',
                           '-f', 'value', '-c', 'name')
        self.openstack('metric', 'create', 'http.status', '--value', '1',
                       '--dimension', 'hostname=web1', '--value-meta',
                       'rc=404', '-f', 'json')

        self.say('What is there')
        self.openstack('metric', 'list')
        self.openstack('metric', 'name', 'list', '-f', 'value')
        self.openstack('metric', 'dimension', 'value', 'list',
                       '--dimension-name', 'hostname')

        self.say('Measurements, one row per point (long format)')
        self.openstack('measurement', 'list', '--name', 'cpu.idle_perc',
                       '--start', '-1h', '--group-by', 'hostname')
        self.openstack('measurement', 'list', '--name', 'cpu.idle_perc',
                       '--dimension', 'hostname=web2', '--start', '-1h',
                       '-f', 'json')
        self.openstack('statistics', 'list', '--name', 'cpu.idle_perc',
                       '--statistic', 'avg,max,count', '--period', '3600',
                       '--start', '-1h', '--merge-metrics', '-f', 'csv')

        self.say('A notification method and an alarm definition')
        self.openstack('notification', 'method', 'create', 'ops-mail',
                       '--type', 'EMAIL', '--address', 'ops@example.com')
        self.openstack('alarm', 'definition', 'create', 'cpu-starved',
                       '--expression',
                       'avg(cpu.idle_perc{service=shop}) < 10 times 1',
                       '--match-by', 'hostname', '--severity', 'HIGH',
                       '--alarm-action', 'ops-mail')

        self.say('A measurement triggers evaluation; avg() decides once '
                 'its minute has closed: web1 is starved')
        self.openstack('metric', 'create', 'cpu.idle_perc', '--value', '3',
                       '--dimension', 'hostname=web1', '--dimension',
                       'service=shop', '--time', '-2m', '-f', 'value', '-c',
                       'value')
        self.openstack('alarm', 'list')
        self.openstack('alarm', 'count', '--group-by', 'state')
        alarm_id = self.openstack('alarm', 'list', '--state', 'ALARM',
                                  '-f', 'value', '-c', 'ID', capture=True)
        if alarm_id:
            first = alarm_id.splitlines()[0]
            self.openstack('alarm', 'history', 'list', '--alarm', first)
            self.openstack('alarm', 'set', first, '--lifecycle-state',
                           'ACKNOWLEDGED', '-f', 'yaml')

        self.say('Scripts get native JSON; bad input gets one clear line')
        self.openstack('alarm', 'definition', 'list', '-f', 'json',
                       '-c', 'Name', '-c', 'Match By', '-c', 'Severity')
        self.run('openstack', 'monitoring', 'metric', 'create', 'bad name',
                 '--value', '1')
        self.failures -= 1  # that one is meant to fail

        self.say('The legacy `monasca` command works the same way')
        self.run('monasca', 'metric-list')
        self.run('monasca', 'alarm-definition-list')
        print()
        if self.failures:
            print(f'tour: {self.failures} command(s) failed unexpectedly')
            return 1
        print(handover())
        return 0


# The hand-over: the README's "Your own sandbox" shows the same lines.
OWN_PROJECT = 'demo-project'
OWN_URL = 'http://127.0.0.1:8070/v2.0'


def handover(venv: str | None = None) -> str:
    """The tour's last words: the exact lines that give a newcomer their
    own sandbox and reach it with both commands (the tour's own sandbox
    and environment end with the tour)."""
    if venv is None and sys.prefix != sys.base_prefix:
        venv = sys.prefix
    lines = ['tour: done. To go on with your own sandbox, paste these '
             'lines into a shell:', '']
    if venv:
        lines.append(f'  source {shlex.quote(venv)}/bin/activate')
    lines += [
        '  monasca-sandbox --port 8070 --db monasca-sandbox.db &',
        f'  export OS_AUTH_TYPE=admin_token OS_ENDPOINT={OWN_URL} '
        f'OS_TOKEN={OWN_PROJECT}',
        f'  export MONASCA_API_URL={OWN_URL} OS_AUTH_TOKEN={OWN_PROJECT} '
        'OS_NO_CLIENT_AUTH=1',
        '  openstack monitoring metric create cpu.idle_perc --value 42 '
        '--dimension hostname=web1',
        '  monasca metric-list',
        '',
        f'Without Keystone the sandbox takes the token as the project '
        f'(tenant) ID, so both commands see the same metrics in project '
        f'{OWN_PROJECT}; another token is another, empty project.',
        'Instead of the OS_* variables, openstack (and monasca --os-cloud) '
        'can use this entry',
        'in ~/.config/openstack/clouds.yaml: openstack --os-cloud sandbox '
        'monitoring metric list',
        '',
        'clouds:',
        '  sandbox:',
        '    auth_type: admin_token',
        '    auth:',
        f'      endpoint: {OWN_URL}',
        f'      token: {OWN_PROJECT}',
    ]
    return '\n'.join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog='monasca-osc-tour',
        description='Run a short tour of the monitoring commands against '
                    'the embedded sandbox')
    parser.add_argument('--pause', type=float, default=0.0,
                        help='Seconds to wait after each command')
    args = parser.parse_args(argv)
    with start_sandbox() as sandbox:
        return Tour(sandbox.url, args.pause).main()


if __name__ == '__main__':
    sys.exit(main())

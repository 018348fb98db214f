"""The in-process runner is faithful: the same commands, both ways.

Every case runs once through the real binary (a subprocess) and once
in-process (``inprocess.run``, the default of ``base.run_openstack`` and
``run_monasca``), against the same data, and the exit code, stdout and
stderr must be identical. The cases cover what the runner has to get right:
tables, JSON/YAML/CSV/value output, non-ASCII text, usage errors (exit 2,
usage lines naming the program), one-line errors (exit 1), help, --version,
stdin, the legacy ``monasca`` shell and state left by a previous run
(a second tenant must not reuse the first one's session).
"""

from __future__ import annotations

from typing import Any

import pytest

from monasca_osc.tests.functional import base, inprocess
from monasca_osc.tests.functional import commands_lib as lib

T0 = 1_700_000_000_000  # fixed timestamps: identical output both ways
OSC = [
    ('metric-list', ['metric', 'list']),
    ('metric-list-json', ['metric', 'list', '-f', 'json']),
    ('metric-list-csv', ['metric', 'list', '-f', 'csv']),
    ('metric-name-list-value', ['metric', 'name', 'list', '-f', 'value']),
    ('measurement-list-yaml', ['measurement', 'list', '--name', 'parity.cpu',
                               '--dimension', 'hostname=wéb3', '--start',
                               '2023-01-01T00:00:00Z', '-f', 'yaml']),
    ('http-409', ['measurement', 'list', '--name', 'parity.cpu', '--start',
                  '2023-01-01T00:00:00Z']),
    ('statistics', ['statistics', 'list', '--name', 'parity.cpu',
                    '--statistic', 'avg,max,count', '--period', '3600',
                    '--start', '2023-01-01T00:00:00Z', '--merge-metrics']),
    ('notification-show', ['notification', 'method', 'show', 'parity-nm']),
    ('notification-show-shell', ['notification', 'method', 'show',
                                 'parity-nm', '-f', 'shell']),
    ('definition-list-json', ['alarm', 'definition', 'list', '-f', 'json',
                              '-c', 'Name', '-c', 'Expression']),
    ('not-found', ['notification', 'method', 'show', 'no-such-method']),
    ('invalid-name', ['metric', 'create', 'bad name', '--value', '1']),
    ('usage-missing-value', ['metric', 'create', 'cpu']),
    ('usage-unknown-option', ['metric', 'list', '--no-such-option']),
    ('unknown-command', ['no-such-command']),
    ('help', ['metric', 'create', '--help']),
    ('dry-run-stdin', ['metric', 'create', '--file', '-', '--dry-run']),
]
MONASCA = [
    ('metric-list', ['metric-list']),
    ('metric-list-json', ['--json', 'metric-list']),
    ('measurement-list', ['measurement-list', 'parity.cpu',
                          '2023-01-01T00:00:00Z']),
    ('notification-list', ['notification-list']),
    ('usage-error', ['metric-create', 'cpu']),
    ('invalid-name', ['metric-create', 'bad name', '1']),
    ('help', ['help', 'metric-list']),
    ('version', ['--version']),
]
STDIN = ('{"name": "parity.in", "value": 1, "timestamp": 1700000000000, '
         '"dimensions": {"host": "h\\u00e9"}}\n')


@pytest.fixture(scope='module')
def tenant(sandbox: Any) -> str:
    name = lib.new_tenant()
    lib.post_metrics(sandbox.endpoint, name, [
        lib.metric('parity.cpu', value, {'hostname': host, 'zone': 'zürich'},
                   timestamp_ms=T0 + i * 1000)
        for i, (host, value) in enumerate(
            (('web1', 1.5), ('web2', 99.0), ('wéb3', 42.0)))])
    lib.create_notification(sandbox.endpoint, name, 'parity-nm', 'WEBHOOK',
                            'https://example.com/hook?a=b', 60)
    lib.create_definition(sandbox.endpoint, name, 'parity-def',
                          'avg(parity.cpu{zone=zürich}) > 90')
    return name


def both(run: Any, *args: str, **kwargs: Any) -> tuple[Any, Any]:
    real = run(*args, check=False, binary=True, **kwargs)
    here = run(*args, check=False, binary=False, **kwargs)
    return real, here


def assert_same(real: base.CommandResult, here: base.CommandResult) -> None:
    def fixed(result: base.CommandResult) -> tuple[int, str, str]:
        return inprocess.comparable(result.returncode, result.stdout,
                                    result.stderr)

    assert fixed(here) == fixed(real), \
        f'binary:\n{real}\n\nin-process:\n{here}'


@pytest.mark.parametrize('args', [a for _, a in OSC],
                         ids=[name for name, _ in OSC])
def test_openstack_same_both_ways(tenant: str, args: list[str]) -> None:
    stdin = STDIN if '--file' in args else None
    real, here = both(base.run_openstack, 'monitoring', *args, token=tenant,
                      input=stdin)
    assert_same(real, here)
    assert real.stdout or real.stderr  # a case that shows something


@pytest.mark.parametrize('args', [a for _, a in MONASCA],
                         ids=[name for name, _ in MONASCA])
def test_monasca_same_both_ways(tenant: str, args: list[str]) -> None:
    real, here = both(base.run_monasca, *args, token=tenant)
    assert_same(real, here)
    assert real.stdout or real.stderr


def test_verbose_and_debug_same_both_ways(tenant: str) -> None:
    # Logging handlers, levels and osc_lib's warnings filters are set up by
    # the run itself; the in-process run must show exactly what -v shows.
    for flag in ('-v', '-q'):
        real, here = both(base.run_openstack, flag, 'monitoring', 'metric',
                          'name', 'list', token=tenant)
        assert_same(real, here)


def test_exit_codes_cover_ok_error_and_usage(tenant: str) -> None:
    codes = {base.run_openstack('monitoring', *args, token=tenant,
                                check=False, input=STDIN).returncode
             for _, args in OSC}
    assert codes == {0, 1, 2}


def test_a_run_leaves_nothing_for_the_next(sandbox: Any,
                                            monkeypatch: Any) -> None:
    # osc_lib caches each plugin's client on the ClientManager class: the
    # runner must drop it, or the second tenant would send the first's token.
    first, second = lib.new_tenant(), lib.new_tenant()
    lib.create_notification(sandbox.endpoint, first, 'only-in-first')
    shown = base.run_openstack('monitoring', 'notification', 'method',
                               'list', '-f', 'value', '-c', 'Name',
                               token=first, binary=False)
    assert shown.stdout == 'only-in-first\n'
    other = base.run_openstack('monitoring', 'notification', 'method',
                               'list', '-f', 'value', '-c', 'Name',
                               token=second, binary=False)
    assert other.stdout == ''
    # Logging configured by one run (-v adds handlers) is gone after it.
    verbose = base.run_openstack('-v', 'monitoring', 'metric', 'name', 'list',
                                 token=second, binary=False)
    quiet = base.run_openstack('monitoring', 'metric', 'name', 'list',
                               token=second, binary=False)
    assert quiet.stderr == ''
    assert verbose.returncode == quiet.returncode == 0
    # cliff names the program once per process (from the first argv[0]):
    # each run must still show its own name in usage lines, even when
    # `monasca` was the first to import cliff.
    import cliff.app

    monkeypatch.setattr(cliff.app.App, 'NAME', 'monasca')
    for run, name, args in ((base.run_monasca, 'monasca', ['metric-create']),
                            (base.run_openstack, 'openstack',
                             ['monitoring', 'metric', 'list', '--bogus']),
                            (base.run_monasca, 'monasca', ['metric-create'])):
        usage = run(*args, token=second, check=False, binary=False)
        assert usage.returncode == 2
        assert f'usage: {name} ' in usage.stderr, usage


def test_environment_and_argv_are_restored(tenant: str) -> None:
    import os
    import sys

    before = (dict(os.environ), list(sys.argv), sys.stdout, sys.stderr)
    base.run_monasca('metric-list', token=tenant, binary=False,
                     env={'MONASCA_PARITY_MARK': '1'})
    assert (dict(os.environ), list(sys.argv), sys.stdout, sys.stderr) == \
        before

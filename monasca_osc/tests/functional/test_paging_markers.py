"""--limit N --marker VALUE loops, through the real binaries.

When --limit stops a listing before the end, the marker that continues it
is printed on stderr (``more results: --marker VALUE``; ``--offset`` for
``monasca``), so a script can walk any listing a page at a time and get
exactly the full listing. A marker of the wrong form is refused before
anything is sent.
"""

from __future__ import annotations

from pathlib import Path
import re
import subprocess
from typing import Any

import pytest

from monasca_osc.tests.functional import base
from monasca_osc.tests.functional import commands_lib as lib

T0 = 1700000000000
MORE = re.compile(r'^more results: (--marker|--offset) (.+)$', re.M)


@pytest.fixture(scope='module')
def tenant(sandbox: Any) -> str:
    """Seven metrics of three names (two points each), five definitions,
    four notification methods."""
    tenant = lib.new_tenant()
    lib.post_metrics(sandbox.endpoint, tenant, [
        lib.metric(f'pg.{name}', value, {'host': f'h{index}'},
                   T0 + value * 1000 + index * 100)
        for index, name in enumerate('aabbccc')
        for value in (1, 2)])
    for index in range(5):
        lib.create_definition(sandbox.endpoint, tenant, f'pg-def-{index}',
                              f'max(pg.a{{host=h{index}}}) > 1')
    for index in range(4):
        lib.create_notification(sandbox.endpoint, tenant, f'pg-nm-{index}')
    return tenant


def _walk(run: Any, limit: int) -> tuple[list[str], list[str]]:
    """Rows of a --limit/--marker loop, and the markers it was given."""
    rows: list[str] = []
    markers: list[str] = []
    option = marker = None
    while True:
        args = ['--limit', str(limit)]
        if marker is not None:
            args += [option, marker]
        result = run(*args)
        assert result.returncode == 0, result
        page = lib.value_lines(result.stdout)
        assert len(page) <= limit, result
        rows += page
        found = MORE.findall(result.stderr)
        assert len(found) <= 1, result
        if not found:
            return rows, markers
        option, marker = found[0]
        markers.append(marker)
        assert len(markers) < 20, 'the loop does not end'


LISTINGS = {
    'metric list': ('metric', 'list', '--sort-column', 'Dimensions'),
    'metric name list': ('metric', 'name', 'list'),
    'measurement list': ('measurement', 'list', '--name', 'pg.c',
                         '--start', '2023-01-01T00:00:00Z',
                         '--merge-metrics'),
    'alarm definition list': ('alarm', 'definition', 'list', '-c', 'Name'),
    'notification method list': ('notification', 'method', 'list', '-c',
                                 'Name'),
}


@pytest.mark.parametrize('listing', LISTINGS)
def test_limit_and_marker_loop_gives_the_full_listing(tenant: str,
                                                      listing: str) -> None:
    args = LISTINGS[listing]
    if '--sort-column' in args:
        # Rows sorted client side would differ page by page: compare sets.
        args = args[:2]

    def run(*extra: str) -> base.CommandResult:
        return lib.osc(tenant, *args, '-f', 'value', *extra, check=False)

    full = lib.value_lines(run().stdout)
    assert len(full) >= 3
    rows, markers = _walk(run, 2)
    assert sorted(rows) == sorted(full), (rows, full)
    assert rows == full
    pages = -(-len(full) // 2)
    if listing == 'measurement list' and len(full) % 2 == 0:
        # The API links a next page whenever one ends exactly at the
        # limit, even the last one (API reference, paging): one more
        # marker, whose page is empty.
        pages += 1
    assert len(markers) == pages - 1
    assert MORE.search(run('--limit', str(len(full) + 1)).stderr) is None


def test_legacy_offset_loop(tenant: str) -> None:
    def run(*extra: str) -> base.CommandResult:
        return base.run_monasca('notification-list', '-f', 'value', '-c',
                                'name', *extra, token=tenant, check=False)

    full = lib.value_lines(run().stdout)
    rows, markers = _walk(run, 3)
    assert rows == full and len(full) == 4
    assert markers == ['3']


@pytest.mark.parametrize('args,marker,form', [
    (('metric', 'list'), 'not-an-id', 'the ID of the last metric listed'),
    (('alarm', 'definition', 'list'), 'x2', 'an integer offset'),
    (('measurement', 'list', '--name', 'pg.c', '--start', '-1d'),
     'yesterday', '<series id>_<timestamp> or <timestamp>'),
    (('statistics', 'list', '--name', 'pg.c', '--start', '-1d',
      '--statistic', 'avg'), '2024-01-01', '[<series id>_]YYYY-MM-DDTHH'),
    (('alarm', 'history', 'list'), 'last', 'the timestamp')])
def test_a_marker_of_the_wrong_form_is_refused_before_sending(
        sandbox: Any, tenant: str, args: tuple, marker: str,
        form: str) -> None:
    sandbox.reset_requests()
    result = lib.osc(tenant, *args, '--marker', marker, check=False)
    lib.assert_one_line_error(result, f"Invalid --marker '{marker}'",
                              f'expected {form}')
    assert sandbox.request_count() == 0


def test_help_says_what_the_marker_is() -> None:
    text = lib.osc('help-tenant', 'measurement', 'list', '--help').stdout
    flat = ' '.join(text.split())
    assert 'more results: --marker VALUE' in flat
    assert '<series id>_<timestamp> or <timestamp>' in flat


def test_readme_loop_runs_as_written(sandbox: Any, tenant: str,
                                     tmp_path: Any) -> None:
    """The README's script, with --limit 2 for 100: every metric once."""
    readme = (Path(__file__).resolve().parents[3] / 'README.rst').read_text()
    block = readme.split('a time::\n\n', 1)[1].split('\n\n', 1)[0]
    assert 'more results: --marker' in block
    script = block.replace('--limit 100', '--limit 2')
    env = {**base._base_env(None), 'OS_AUTH_TYPE': 'admin_token',
           'OS_ENDPOINT': sandbox.endpoint, 'OS_TOKEN': tenant,
           'PATH': f'{base.BIN_DIR}:{base._base_env(None)["PATH"]}'}
    result = subprocess.run(['bash', '-c', script], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result
    full = lib.value_lines(lib.osc(tenant, 'metric', 'list', '-f',
                                   'value').stdout)
    assert sorted(lib.value_lines(result.stdout)) == sorted(full)
    assert len(full) == 7

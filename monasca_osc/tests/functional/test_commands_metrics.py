"""``openstack monitoring metric|measurement|statistics ...`` end to end.

In-process ``openstack`` (``base.run_openstack``; the ``*_binary`` test runs
the real binary), no-Keystone sandbox; every test (or module fixture) has
its own tenant, so the expected listings are exact.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from monasca_osc.tests.functional import base
from monasca_osc.tests.functional import commands_lib as lib
from monasca_osc.tests.functional.commands_lib import osc, osc_json

HOUR_MS = 3600 * 1000


@pytest.fixture
def tenant() -> str:
    return lib.new_tenant()


@pytest.fixture(scope='module')
def endpoint(sandbox: Any) -> str:
    return sandbox.endpoint


def test_metric_measurement_statistics_binary(tenant: str) -> None:
    """Smoke test of the group: a write, a read and an error through the
    real ``openstack`` binary; the other listings in-process."""
    def real(*args: str) -> Any:
        return osc_json(tenant, *args, binary=True)

    def here(*args: str) -> Any:
        return osc_json(tenant, *args)

    created = real('metric', 'create', 'smoke.cpu', '--value', '1.5',
                   '--dimension', 'hostname=h', '--time',
                   '2024-01-02T03:04:05.000Z')
    assert created == {'name': 'smoke.cpu', 'dimensions': {'hostname': 'h'},
                       'timestamp': '2024-01-02T03:04:05.000Z',
                       'value': 1.5, 'value_meta': {}}
    assert real('metric', 'list') == [
        {'Name': 'smoke.cpu', 'Dimensions': {'hostname': 'h'}}]
    assert here('metric', 'name', 'list') == [{'Name': 'smoke.cpu'}]
    rows = here('measurement', 'list', '--name', 'smoke.cpu', '--start',
                '2024-01-02T03:00:00Z')
    assert [(r['Timestamp'], r['Value']) for r in rows] == [
        ('2024-01-02T03:04:05.000Z', 1.5)]
    assert here('statistics', 'list', '--name', 'smoke.cpu', '--statistic',
                'avg,count', '--period', '3600', '--start',
                '2024-01-02T03:00:00Z') == [
        {'Name': 'smoke.cpu', 'Dimensions': {'hostname': 'h'},
         'Timestamp': '2024-01-02T03:00:00Z', 'Avg': 1.5, 'Count': 1}]
    bad = osc(tenant, 'metric', 'create', 'bad name', '--value', '1',
              check=False, binary=True)
    assert bad.returncode == 1 and bad.stdout == ''
    assert bad.stderr.count('\n') == 1 and 'bad name' in bad.stderr


# --------------------------------------------------------------------------
# metric create
# --------------------------------------------------------------------------

def test_metric_create_all_options_round_trip(tenant: str) -> None:
    created = osc_json(
        tenant, 'metric', 'create', 'mc.cpu', '--value', '42.5',
        '--dimension', 'hostname=web1', '--dimension',
        'service=api,region=r 1', '--value-meta', 'unit=percent',
        '--time', '2024-01-02T03:04:05.678Z')
    assert created == {
        'name': 'mc.cpu',
        'dimensions': {'hostname': 'web1', 'service': 'api',
                       'region': 'r 1'},
        'timestamp': '2024-01-02T03:04:05.678Z', 'value': 42.5,
        'value_meta': {'unit': 'percent'}}

    listed = osc_json(tenant, 'metric', 'list')
    assert listed == [{'Name': 'mc.cpu', 'Dimensions': {
        'hostname': 'web1', 'region': 'r 1', 'service': 'api'}}]

    rows = osc_json(tenant, 'measurement', 'list', '--name', 'mc.cpu',
                    '--start', '2024-01-02T03:00:00Z')
    assert rows == [{
        'Name': 'mc.cpu',
        'Dimensions': {'hostname': 'web1', 'region': 'r 1',
                       'service': 'api'},
        'Timestamp': '2024-01-02T03:04:05.678Z', 'Value': 42.5,
        'Value Meta': {'unit': 'percent'}}]


def test_metric_create_defaults_to_now_and_text_output(tenant: str) -> None:
    before = lib.iso_ms(lib.now_ms() - 5000)
    result = osc(tenant, 'metric', 'create', 'mc.now', '--value', '7',
                 '-f', 'value', '-c', 'timestamp', '-c', 'value')
    after = lib.iso_ms(lib.now_ms())
    timestamp, value = lib.value_lines(result.stdout)
    # ISO 8601 like every other command (same width: text order is time
    # order).
    assert len(timestamp) == len(after) and before <= timestamp <= after
    assert float(value) == 7.0

    rows = osc_json(tenant, 'measurement', 'list', '--name', 'mc.now',
                    '--start', '-10m')
    assert [(r['Value'], r['Dimensions']) for r in rows] == [(7.0, {})]
    assert rows[0]['Timestamp'] == timestamp
    table = osc(tenant, 'metric', 'create', 'mc.now', '--value', '8',
                '--time', '2024-01-02T03:04:05.6Z').stdout
    assert '| timestamp  | 2024-01-02T03:04:05.600Z |' in table, table


def test_metric_create_rejects_bad_input_in_one_line(tenant: str) -> None:
    result = osc(tenant, 'metric', 'create', 'bad name', '--value', '1',
                 check=False)
    lib.assert_one_line_error(result, 'bad name')
    result = osc(tenant, 'metric', 'create', 'mc.x', '--value', '1',
                 '--dimension', '_hidden=1', check=False)
    lib.assert_one_line_error(result, '_hidden')
    assert osc_json(tenant, 'metric', 'list') == []


def test_non_admin_project_option_is_silently_ignored(tenant: str) -> None:
    other = lib.new_tenant()
    osc(tenant, 'metric', 'create', 'mc.proj', '--value', '1',
        '--project', other)
    # Written to the caller's own project, not to the other one...
    assert osc_json(other, 'metric', 'list') == []
    # ...and reading "another" project shows the caller's own data.
    assert osc_json(tenant, 'metric', 'list', '--project', other) == [
        {'Name': 'mc.proj', 'Dimensions': {}}]


# --------------------------------------------------------------------------
# metric list / name list / dimension name list / dimension value list
# --------------------------------------------------------------------------

@pytest.fixture(scope='module')
def catalog(endpoint: str) -> str:
    """A tenant with a few metrics of known names and dimensions."""
    tenant = lib.new_tenant()
    now = lib.now_ms()
    lib.post_metrics(endpoint, tenant, [
        lib.metric('ml.a', 1, {'hostname': 'h1', 'service': 'api'}, now),
        lib.metric('ml.a', 2, {'hostname': 'h2', 'service': 'db'}, now),
        lib.metric('ml.b', 3, {'hostname': 'h1'}, now),
        lib.metric('ml.c', 4, None, now),
        lib.metric('ml.old', 5, {'zone': 'z1'}, now - 48 * HOUR_MS),
    ])
    return tenant


ALL_METRICS = [
    {'Name': 'ml.a', 'Dimensions': {'hostname': 'h1', 'service': 'api'}},
    {'Name': 'ml.a', 'Dimensions': {'hostname': 'h2', 'service': 'db'}},
    {'Name': 'ml.b', 'Dimensions': {'hostname': 'h1'}},
    {'Name': 'ml.c', 'Dimensions': {}},
    {'Name': 'ml.old', 'Dimensions': {'zone': 'z1'}},
]


@pytest.mark.parametrize('args,expected', [
    ((), ALL_METRICS),
    (('--name', 'ml.a'), ALL_METRICS[:2]),
    (('--dimension', 'hostname=h1'), [ALL_METRICS[0], ALL_METRICS[2]]),
    (('--dimension', 'hostname=h1|h2', '--dimension', 'service'),
     ALL_METRICS[:2]),
    (('--dimension', 'hostname,service=db'), [ALL_METRICS[1]]),
    (('--start', '-1d'), ALL_METRICS[:4]),
    (('--start', '-3d', '--end', '-1d'), ALL_METRICS[4:]),
    (('--name', 'ml.nothing'), []),
], ids=['all', 'name', 'dimension', 'multi-value-and-key-only',
        'comma-pairs', 'start', 'start-end', 'no-match'])
def test_metric_list_filters(catalog: str, args: tuple,
                             expected: list) -> None:
    assert osc_json(catalog, 'metric', 'list', *args) == expected


def test_metric_list_long_has_string_ids(catalog: str) -> None:
    rows = osc_json(catalog, 'metric', 'list', '--long')
    assert [{k: r[k] for k in ('Name', 'Dimensions')} for r in rows] == \
        ALL_METRICS
    assert all(isinstance(r['ID'], str) and r['ID'] for r in rows)
    assert len({r['ID'] for r in rows}) == len(rows)


@pytest.mark.parametrize('fmt', lib.FORMATS)
def test_metric_list_output_formats(catalog: str, fmt: str) -> None:
    out = osc(catalog, 'metric', 'list', '--name', 'ml.a', '-f', fmt).stdout
    if fmt == 'json':
        assert json.loads(out) == ALL_METRICS[:2]
    elif fmt == 'yaml':
        assert lib.parse_yaml(out) == ALL_METRICS[:2]
    elif fmt == 'csv':
        lib.assert_no_repr(out)
        assert lib.parse_csv(out) == [
            {'Name': 'ml.a', 'Dimensions': 'hostname=h1,service=api'},
            {'Name': 'ml.a', 'Dimensions': 'hostname=h2,service=db'}]
    elif fmt == 'value':
        lib.assert_no_repr(out)
        assert lib.value_lines(out) == ['ml.a hostname=h1,service=api',
                                        'ml.a hostname=h2,service=db']
    else:
        assert '| Name' in out and '| Dimensions' in out
        assert 'hostname=h1, service=api' in out
        assert 'hostname=h2, service=db' in out
        assert "{'" not in out


def test_metric_list_column_selection(catalog: str) -> None:
    out = osc(catalog, 'metric', 'list', '-c', 'Dimensions', '--dimension',
              'hostname', '-f', 'csv').stdout
    assert lib.parse_csv(out) == [
        {'Dimensions': 'hostname=h1,service=api'},
        {'Dimensions': 'hostname=h2,service=db'},
        {'Dimensions': 'hostname=h1'}]


def test_metric_name_list(catalog: str) -> None:
    assert osc_json(catalog, 'metric', 'name', 'list') == [
        {'Name': n} for n in ('ml.a', 'ml.b', 'ml.c', 'ml.old')]
    out = osc(catalog, 'metric', 'name', 'list', '--dimension',
              'hostname=h1', '-f', 'value').stdout
    assert lib.value_lines(out) == ['ml.a', 'ml.b']


def test_metric_dimension_name_list(catalog: str) -> None:
    assert osc_json(catalog, 'metric', 'dimension', 'name', 'list') == [
        {'Dimension Name': n} for n in ('hostname', 'service', 'zone')]
    out = osc(catalog, 'metric', 'dimension', 'name', 'list',
              '--metric-name', 'ml.b', '-f', 'csv').stdout
    assert lib.parse_csv(out) == [{'Dimension Name': 'hostname'}]
    # ml.old (zone) has no measurement in the last day.
    out = osc(catalog, 'metric', 'dimension', 'name', 'list', '--start',
              '-1d', '-f', 'value').stdout
    assert lib.value_lines(out) == ['hostname', 'service']


def test_metric_dimension_value_list(catalog: str) -> None:
    assert osc_json(catalog, 'metric', 'dimension', 'value', 'list',
                    '--dimension-name', 'hostname') == [
        {'Dimension Value': 'h1'}, {'Dimension Value': 'h2'}]
    out = osc(catalog, 'metric', 'dimension', 'value', 'list',
              '--dimension-name', 'service', '--metric-name', 'ml.a',
              '-f', 'yaml').stdout
    assert lib.parse_yaml(out) == [{'Dimension Value': 'api'},
                                   {'Dimension Value': 'db'}]


def test_metric_dimension_value_list_needs_a_name(catalog: str) -> None:
    result = osc(catalog, 'metric', 'dimension', 'value', 'list',
                 check=False)
    assert result.returncode == 2, str(result)
    assert '--dimension-name' in result.stderr


# --------------------------------------------------------------------------
# measurement list / statistics list
# --------------------------------------------------------------------------

T0 = 1699999980000  # 2023-11-14T22:13:00Z, a multiple of 60 s


@pytest.fixture(scope='module')
def series(endpoint: str) -> str:
    """Two metrics of one name: 3 points on h1, 2 on h2, in one hour."""
    tenant = lib.new_tenant()
    lib.post_metrics(endpoint, tenant, [
        lib.metric('mm.x', 1, {'hostname': 'h1', 'app': 'a'}, T0,
                   {'note': 'first'}),
        lib.metric('mm.x', 2, {'hostname': 'h1', 'app': 'a'}, T0 + 10000),
        lib.metric('mm.x', 3, {'hostname': 'h1', 'app': 'a'}, T0 + 20000),
        lib.metric('mm.x', 10, {'hostname': 'h2', 'app': 'a'}, T0 + 60000),
        lib.metric('mm.x', 20.5, {'hostname': 'h2', 'app': 'a'},
                   T0 + 70000),
    ])
    return tenant


START = lib.iso_ms(T0 - 60000)
H1 = {'hostname': 'h1', 'app': 'a'}
H2 = {'hostname': 'h2', 'app': 'a'}


def _points(rows: list[dict]) -> list[tuple]:
    return [(r['Timestamp'], r['Value']) for r in rows]


def test_measurement_list_one_metric(series: str) -> None:
    rows = osc_json(series, 'measurement', 'list', '--name', 'mm.x',
                    '--start', START, '--dimension', 'hostname=h1')
    assert rows == [
        {'Name': 'mm.x', 'Dimensions': H1, 'Timestamp': lib.iso_ms(T0),
         'Value': 1.0, 'Value Meta': {'note': 'first'}},
        {'Name': 'mm.x', 'Dimensions': H1,
         'Timestamp': lib.iso_ms(T0 + 10000), 'Value': 2.0,
         'Value Meta': {}},
        {'Name': 'mm.x', 'Dimensions': H1,
         'Timestamp': lib.iso_ms(T0 + 20000), 'Value': 3.0,
         'Value Meta': {}}]
    assert all(isinstance(r['Value'], float) for r in rows)


def test_measurement_list_end_is_exclusive(series: str) -> None:
    rows = osc_json(series, 'measurement', 'list', '--name', 'mm.x',
                    '--start', START, '--end', lib.iso_ms(T0 + 20000),
                    '--dimension', 'hostname=h1')
    assert _points(rows) == [(lib.iso_ms(T0), 1.0),
                             (lib.iso_ms(T0 + 10000), 2.0)]


@pytest.mark.parametrize('command', [
    ('measurement', 'list'), ('statistics', 'list', '--statistic', 'avg')])
@pytest.mark.parametrize('formatter', ['table', 'csv', 'value', 'json'])
def test_several_metrics_say_which_options_to_use(
        series: str, command: tuple, formatter: str) -> None:
    result = osc(series, *command, '--name', 'mm.x', '--start', START,
                 '-f', formatter, check=False)
    # One line, in the CLI's words, and nothing on stdout (not even the
    # csv header) before it.
    line = lib.assert_one_line_error(
        result, "Several metrics match name 'mm.x'", '--merge-metrics',
        "--group-by '*'", '--dimension', 'HTTP 409')
    assert 'merge_metrics=True' not in line


def test_several_metrics_in_the_legacy_words(sandbox: Any,
                                             series: str) -> None:
    """monasca lists every series itself; should the API still answer its
    409 (here injected), the error names the legacy options."""
    from monasca_osc.sandbox.metrics import MULTIPLE_METRICS

    sandbox.faults(path='/v2.0/metrics/measurements', status=409,
                   count=1, body={'title': 'MultipleMetrics',
                                  'description': MULTIPLE_METRICS})
    try:
        result = base.run_monasca(
            'measurement-list', 'mm.x', START, '--merge_metrics',
            token=series, check=False)
    finally:
        sandbox.clear_faults()
    lib.assert_one_line_error(result, '--merge_metrics', "--group_by '*'",
                              '--dimensions')


def test_measurement_list_merge_metrics(series: str) -> None:
    rows = osc_json(series, 'measurement', 'list', '--name', 'mm.x',
                    '--start', START, '--merge-metrics')
    assert _points(rows) == [
        (lib.iso_ms(T0), 1.0), (lib.iso_ms(T0 + 10000), 2.0),
        (lib.iso_ms(T0 + 20000), 3.0), (lib.iso_ms(T0 + 60000), 10.0),
        (lib.iso_ms(T0 + 70000), 20.5)]
    assert {r['Name'] for r in rows} == {'mm.x'}
    assert all(r['Dimensions'] == {} for r in rows)


def test_measurement_list_group_by(series: str) -> None:
    rows = osc_json(series, 'measurement', 'list', '--name', 'mm.x',
                    '--start', START, '--group-by', 'hostname')
    assert [(r['Dimensions'], r['Value']) for r in rows] == [
        ({'hostname': 'h1'}, 1.0), ({'hostname': 'h1'}, 2.0),
        ({'hostname': 'h1'}, 3.0), ({'hostname': 'h2'}, 10.0),
        ({'hostname': 'h2'}, 20.5)]
    rows = osc_json(series, 'measurement', 'list', '--name', 'mm.x',
                    '--start', START, '--group-by', '*', '--limit', '4')
    assert [(r['Dimensions'], r['Value']) for r in rows] == [
        (H1, 1.0), (H1, 2.0), (H1, 3.0), (H2, 10.0)]


def test_measurement_list_text_formats(series: str) -> None:
    out = osc(series, 'measurement', 'list', '--name', 'mm.x', '--start',
              START, '--dimension', 'hostname=h1', '-f', 'csv').stdout
    lib.assert_no_repr(out)
    rows = lib.parse_csv(out)
    assert [r['Dimensions'] for r in rows] == ['app=a,hostname=h1'] * 3
    assert [float(r['Value']) for r in rows] == [1.0, 2.0, 3.0]
    assert json.loads(rows[0]['Value Meta']) == {'note': 'first'}
    assert rows[1]['Value Meta'] == ''
    out = osc(series, 'measurement', 'list', '--name', 'mm.x', '--start',
              START, '--dimension', 'hostname=h2', '-f', 'value', '-c',
              'Timestamp', '-c', 'Value').stdout
    assert lib.value_lines(out) == [f'{lib.iso_ms(T0 + 60000)} 10.0',
                                    f'{lib.iso_ms(T0 + 70000)} 20.5']
    out = osc(series, 'measurement', 'list', '--name', 'mm.x', '--start',
              START, '--dimension', 'hostname=h2', '-f', 'yaml').stdout
    assert [r['Value'] for r in lib.parse_yaml(out)] == [10.0, 20.5]


def test_statistics_list(series: str) -> None:
    rows = osc_json(series, 'statistics', 'list', '--name', 'mm.x',
                    '--start', START, '--dimension', 'hostname=h1',
                    '--statistic', 'avg,min,max', '--statistic', 'sum',
                    '--statistic', 'count', '--period', '60')
    assert len(rows) == 1, rows
    row = rows[0]
    assert row['Timestamp'].startswith(lib.iso_ms(T0)[:19]), row
    assert {k: row[k] for k in ('Name', 'Dimensions', 'Avg', 'Min', 'Max',
                                 'Sum', 'Count')} == {
        'Name': 'mm.x', 'Dimensions': H1, 'Avg': 2.0, 'Min': 1.0,
        'Max': 3.0, 'Sum': 6.0, 'Count': 3}
    assert isinstance(row['Count'], int)
    assert list(row) == ['Name', 'Dimensions', 'Timestamp', 'Avg', 'Min',
                         'Max', 'Sum', 'Count']


def test_statistics_list_merged_periods_csv(series: str) -> None:
    out = osc(series, 'statistics', 'list', '--name', 'mm.x', '--start',
              START, '--merge-metrics', '--statistic', 'count,max',
              '--period', '60', '-f', 'csv').stdout
    lib.assert_no_repr(out)
    rows = lib.parse_csv(out)
    assert [(int(r['Count']), float(r['Max'])) for r in rows] == [
        (3, 3.0), (2, 20.5)]
    assert rows[0]['Timestamp'].startswith(lib.iso_ms(T0)[:19])
    assert rows[1]['Timestamp'].startswith(lib.iso_ms(T0 + 60000)[:19])


def test_statistics_list_errors(series: str) -> None:
    result = osc(series, 'statistics', 'list', '--name', 'mm.x', '--start',
                 START, '--dimension', 'hostname=h1', check=False)
    lib.assert_one_line_error(result, '--statistic')
    result = osc(series, 'statistics', 'list', '--name', 'mm.x', '--start',
                 START, '--statistic', 'avg', check=False)
    lib.assert_one_line_error(result, '409', '--merge-metrics')


# --------------------------------------------------------------------------
# paging
# --------------------------------------------------------------------------

BIG = 30000
BIG_T0 = 1710000000000  # 2024-03-09T16:00:00Z


@pytest.fixture(scope='module')
def big_series(endpoint: str) -> str:
    """30,000 points of one metric, one second apart, value = index."""
    tenant = lib.new_tenant()
    count = lib.post_metrics(endpoint, tenant, (
        lib.metric('pg.big', i, {'hostname': 'big'}, BIG_T0 + i * 1000)
        for i in range(BIG)))
    assert count == BIG
    return tenant


def _big_rows(tenant: str, *args: str) -> list[dict[str, str]]:
    out = osc(tenant, 'measurement', 'list', '--name', 'pg.big', '--start',
              lib.iso_ms(BIG_T0 - 1000), *args, '-f', 'csv').stdout
    return lib.parse_csv(out)


def _assert_run(rows: list[dict[str, str]], first: int, count: int) -> None:
    assert len(rows) == count
    assert [int(float(r['Value'])) for r in rows] == \
        list(range(first, first + count))
    assert [r['Timestamp'] for r in rows] == [
        lib.iso_ms(BIG_T0 + i * 1000) for i in range(first, first + count)]


def test_measurement_paging_all_rows_in_order(big_series: str,
                                              sandbox: Any) -> None:
    sandbox.reset_requests()
    rows = _big_rows(big_series, '--page-size', '7000')
    _assert_run(rows, 0, BIG)
    assert {r['Dimensions'] for r in rows} == {'hostname=big'}
    # Five requests of at most 7,000 rows: 4 full pages and 2,000 rows.
    requests = sandbox.requests()
    assert requests['count'] == 5, requests
    assert {r['path'] for r in requests['recent']} == {
        '/v2.0/metrics/measurements'}


def test_measurement_paging_limit_and_marker(big_series: str) -> None:
    _assert_run(_big_rows(big_series, '--page-size', '7000', '--limit',
                          '12345'), 0, 12345)
    # Resume after row 19999 with its timestamp as the marker.
    marker = lib.iso_ms(BIG_T0 + 19999 * 1000)
    _assert_run(_big_rows(big_series, '--page-size', '7000', '--marker',
                          marker), 20000, BIG - 20000)
    _assert_run(_big_rows(big_series, '--page-size', '30', '--marker',
                          marker, '--limit', '100'), 20000, 100)


@pytest.mark.parametrize('command', [
    ('metric', 'list'), ('alarm', 'list'),
    ('measurement', 'list', '--name', 'x', '--start', '-1h')])
def test_page_size_above_the_maximum_is_refused_locally(
        sandbox: Any, tenant: str, command: tuple) -> None:
    sandbox.reset_requests()
    result = osc(tenant, *command, '--page-size', '10001', check=False)
    # An argparse usage error: exit 2, the usage, then the error line.
    assert result.returncode == 2, result
    assert result.stderr.strip().splitlines()[-1].endswith(
        "argument --page-size: 10001 is above the API's maximum page size "
        'of 10000'), result
    assert result.stdout == ''
    assert sandbox.request_count() == 0
    assert osc(tenant, *command, '--page-size', '10000').returncode == 0


def test_measurement_paging_default_page_size(big_series: str) -> None:
    # No --page-size: 10,000-row pages, still every row.
    out = osc(big_series, 'measurement', 'list', '--name', 'pg.big',
              '--start', lib.iso_ms(BIG_T0 - 1000), '--end',
              lib.iso_ms(BIG_T0 + 25000 * 1000), '-f', 'value', '-c',
              'Value').stdout
    values = [int(float(v)) for v in lib.value_lines(out)]
    assert values == list(range(25000))


@pytest.fixture(scope='module')
def many(endpoint: str) -> str:
    """7 metrics pgs.n0..n6 with dimensions idx=v<i> and k<i>=x."""
    tenant = lib.new_tenant()
    now = lib.now_ms()
    lib.post_metrics(endpoint, tenant, [
        lib.metric(f'pgs.n{i}', i, {'idx': f'v{i}', f'k{i}': 'x'}, now)
        for i in range(7)])
    return tenant


def test_metric_list_small_pages(many: str) -> None:
    full = osc_json(many, 'metric', 'list', '--long')
    assert [r['Name'] for r in full] == [f'pgs.n{i}' for i in range(7)]
    assert osc_json(many, 'metric', 'list', '--long', '--page-size',
                    '2') == full
    assert osc_json(many, 'metric', 'list', '--long', '--page-size', '2',
                    '--limit', '3') == full[:3]
    assert osc_json(many, 'metric', 'list', '--long', '--page-size', '2',
                    '--marker', full[2]['ID']) == full[3:]


def test_metric_name_list_small_pages(many: str) -> None:
    names = [f'pgs.n{i}' for i in range(7)]
    out = osc(many, 'metric', 'name', 'list', '--page-size', '2', '-f',
              'value').stdout
    assert lib.value_lines(out) == names
    out = osc(many, 'metric', 'name', 'list', '--page-size', '2',
              '--marker', 'pgs.n2', '--limit', '3', '-f', 'value').stdout
    assert lib.value_lines(out) == names[3:6]


def test_dimension_lists_small_pages(many: str) -> None:
    out = osc(many, 'metric', 'dimension', 'name', 'list', '--page-size',
              '3', '-f', 'value').stdout
    assert lib.value_lines(out) == ['idx'] + [f'k{i}' for i in range(7)]
    out = osc(many, 'metric', 'dimension', 'value', 'list',
              '--dimension-name', 'idx', '--page-size', '2', '--marker',
              'v1', '-f', 'value').stdout
    assert lib.value_lines(out) == [f'v{i}' for i in range(2, 7)]

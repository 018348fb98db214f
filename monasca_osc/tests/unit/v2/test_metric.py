"""``monitoring metric create/list``, names and dimensions."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from unittest import mock

from monasca_osc.common import timeutil
from monasca_osc.tests.unit.v2 import fakes
from monasca_osc.v2 import metric
from monasca_osc.v2.base import cells

UTC = dt.UTC
NOW = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
METRICS = [
    {'id': '0', 'name': 'cpu.idle_perc',
     'dimensions': {'service': 'api', 'hostname': 'web1'}},
    {'id': '1', 'name': 'cpu.idle_perc', 'dimensions': {}},
]


class TestCreateMetric(fakes.TestCommand):

    def setUp(self) -> None:
        super().setUp()
        self.api.on('POST', 'metrics', None)

    def test_parser(self) -> None:
        self.parse(metric.CreateMetric, [
            'cpu.idle_perc', '--value', '42.5', '--dimension', 'hostname=a',
            '--dimension', 'service=api,az=1', '--value-meta', 'note=x',
            '--time', '2024-05-01T10:00:00Z', '--project', 'p1'], [
            ('name', 'cpu.idle_perc'), ('value', 42.5),
            ('dimensions', ['hostname=a', 'service=api,az=1']),
            ('value_meta', ['note=x']), ('time', '2024-05-01T10:00:00Z'),
            ('tenant_id', 'p1'), ('file', None)])

    def test_parser_errors(self) -> None:
        for args in (['cpu', '--value', 'abc'], ['cpu', '--value', 'nan'],
                     ['cpu', '--value', 'inf'], ['cpu', '--value'],
                     ['cpu', '--bogus']):
            self.assert_usage_error(metric.CreateMetric, args)

    def test_create(self) -> None:
        columns, values = self.take(metric.CreateMetric, [
            'cpu.idle_perc', '--value', '-1.5', '--dimension', 'hostname=a',
            '--dimension', 'service=api', '--value-meta', 'note=hello',
            '--time', '2024-05-01T10:00:00Z', '--project', 'p1'])
        [call] = self.api.calls
        self.assertEqual(('POST', 'metrics', {'tenant_id': 'p1'}),
                         (call.method, call.path, call.params))
        self.assertEqual({'name': 'cpu.idle_perc',
                          'dimensions': {'hostname': 'a', 'service': 'api'},
                          'timestamp': 1714557600000, 'value': -1.5,
                          'value_meta': {'note': 'hello'}}, call.body)
        self.assertEqual(metric.CREATED_FIELDS, columns)
        self.assertItemEqual((
            'cpu.idle_perc',
            cells.DimensionsColumn({'hostname': 'a', 'service': 'api'}),
            '2024-05-01T10:00:00.000Z', -1.5,
            cells.ValueMetaColumn({'note': 'hello'})),
            values)
        self.assertEqual({'hostname': 'a', 'service': 'api'},
                         values[1].machine_readable())

    def test_default_time_is_now_in_ms(self) -> None:
        with mock.patch.object(timeutil, 'utcnow', return_value=NOW):
            self.take(metric.CreateMetric, ['cpu', '--value', '1'])
        body = self.api.calls[0].body
        self.assertEqual(1714564800000, body['timestamp'])
        self.assertIsInstance(body['timestamp'], int)
        self.assertEqual({'name': 'cpu', 'timestamp': 1714564800000,
                          'value': 1.0}, body)

    def test_relative_time(self) -> None:
        with mock.patch.object(timeutil, 'utcnow', return_value=NOW):
            self.take(metric.CreateMetric,
                      ['cpu', '--value', '1', '--time', '-1h'])
        self.assertEqual(1714561200000, self.api.calls[0].body['timestamp'])

    def test_invalid(self) -> None:
        cases = [
            ([], 'metric name is required'),
            (['cpu'], 'A value is required'),
            (['cpu idle', '--value', '1'], "forbidden character ' '"),
            (['cpu', '--value', '1', '--dimension', '_h=a'],
             "Dimension key _h may not start with '_'"),
            (['cpu', '--value', '1', '--dimension', 'host'],
             "Malformed dimension 'host'"),
            (['cpu', '--value', '1', '--dimension', 'host='],
             "key 'host' is empty"),
            (['cpu', '--value', '1', '--time', 'noon'], "'noon'"),
            (['cpu', '--value', '1', '--value-meta', 'k=' + 'x' * 2040],
             '2049 characters'),
            (['cpu', '--value', '1',
              *[a for i in range(17) for a in ('--value-meta', f'k{i}=v')]],
             'Too many value_meta entries 17'),
        ]
        for args, fragment in cases:
            self.assert_invalid(metric.CreateMetric, args, fragment)

    def test_json_output_keeps_dicts(self) -> None:
        out = self.output(metric.CreateMetric, [
            'cpu', '--value', '2', '--dimension', 'h=a', '--time', '0',
            '-f', 'json'])
        self.assertEqual({'name': 'cpu', 'dimensions': {'h': 'a'},
                          'timestamp': '1970-01-01T00:00:00.000Z',
                          'value': 2.0, 'value_meta': {}},
                         json.loads(out))

    def test_value_output_is_text(self) -> None:
        out = self.output(metric.CreateMetric, [
            'cpu', '--value', '2', '--dimension', 'h=a', '--dimension',
            'b=c', '--time', '0', '-f', 'value'])
        self.assertEqual(['cpu', 'b=c,h=a', '1970-01-01T00:00:00.000Z',
                          '2.0', ''],
                         out.splitlines())


class TestListMetric(fakes.TestCommand):

    def setUp(self) -> None:
        super().setUp()
        self.api.on('GET', 'metrics', fakes.page(METRICS))

    def test_parser(self) -> None:
        self.parse(metric.ListMetric, [
            '--name', 'cpu', '--dimension', 'a=1', '--dimension', 'b',
            '--start', '2024-05-01', '--end', 'now', '--project', 'p',
            '--limit', '5', '--marker', '3', '--page-size', '2', '--long'], [
            ('name', 'cpu'), ('dimensions', ['a=1', 'b']),
            ('start', '2024-05-01'), ('end', 'now'), ('tenant_id', 'p'),
            ('limit', 5), ('marker', '3'), ('page_size', 2), ('long', True)])

    def test_parser_errors(self) -> None:
        for args in (['--limit', '0'], ['--limit', 'x'],
                     ['--page-size', '-1'], ['--name'], ['extra'],
                     ['--start']):
            self.assert_usage_error(metric.ListMetric, args)

    def test_list(self) -> None:
        columns, rows = self.take(metric.ListMetric, [])
        self.assertEqual(('Name', 'Dimensions'), columns)
        self.assertListItemEqual([
            ('cpu.idle_perc', cells.DimensionsColumn(
                {'hostname': 'web1', 'service': 'api'})),
            ('cpu.idle_perc', cells.DimensionsColumn({}))], rows)
        self.assertEqual('hostname=web1, service=api',
                         rows[0][1].human_readable())
        self.assertEqual({'limit': 10000}, self.api.calls[0].params)

    def test_long(self) -> None:
        columns, rows = self.take(metric.ListMetric, ['--long'])
        self.assertEqual(('ID', 'Name', 'Dimensions'), columns)
        self.assertEqual('0', rows[0][0])

    def test_parameters(self) -> None:
        self.take(metric.ListMetric, [
            '--name', 'cpu.idle_perc', '--dimension', 'hostname=web1|web2',
            '--dimension', 'service', '--start', '2024-05-01T10:00:00Z',
            '--end', '2024-05-01T11:00:00+00:00', '--project', 'p9',
            '--limit', '7', '--marker', '3', '--page-size', '2'])
        self.assertEqual({
            'name': 'cpu.idle_perc',
            'dimensions': 'hostname:web1|web2,service',
            'start_time': '2024-05-01T10:00:00.000Z',
            'end_time': '2024-05-01T11:00:00.000Z', 'tenant_id': 'p9',
            'offset': '3', 'limit': 2}, self.api.calls[0].params)

    def test_time_range_uses_one_instant(self) -> None:
        clock = fakes.Clock(NOW)
        with mock.patch.object(timeutil, 'utcnow', clock):
            self.take(metric.ListMetric, ['--start=-1h', '--end', 'now'])
        params = self.api.calls[0].params
        self.assertEqual('2024-05-01T11:00:00.000Z', params['start_time'])
        # A second clock reading would have made this 12:00:01.
        self.assertEqual('2024-05-01T12:00:00.000Z', params['end_time'])

    def test_relative_start_with_a_space(self) -> None:
        # "--start -1h" (not only "--start=-1h") must reach the grammar.
        with mock.patch.object(timeutil, 'utcnow', return_value=NOW):
            self.take(metric.ListMetric, ['--start', '-2h30m', '--end',
                                          '-120'])
        params = self.api.calls[0].params
        self.assertEqual('2024-05-01T09:30:00.000Z', params['start_time'])
        self.assertEqual('2024-05-01T10:00:00.000Z', params['end_time'])

    def test_invalid(self) -> None:
        self.assert_invalid(metric.ListMetric, ['--name', 'a b'],
                            "Metric name 'a b'")
        self.assert_invalid(metric.ListMetric, ['--dimension', '_x=1'],
                            '_x')
        self.assert_invalid(metric.ListMetric, ['--dimension', 'a=x|'],
                            "key 'a' is empty")
        self.assert_invalid(metric.ListMetric, ['--start', 'tomorrowish'],
                            "Invalid --start time 'tomorrowish'")
        self.assert_invalid(
            metric.ListMetric, ['--start', '2024-05-02', '--end',
                                '2024-05-01'],
            '--start 2024-05-02T00:00:00.000Z must be before --end')

    def test_json_output(self) -> None:
        out = self.output(metric.ListMetric, ['-f', 'json', '--long'])
        self.assertEqual([
            {'ID': '0', 'Name': 'cpu.idle_perc',
             'Dimensions': {'hostname': 'web1', 'service': 'api'}},
            {'ID': '1', 'Name': 'cpu.idle_perc', 'Dimensions': {}}],
            json.loads(out))

    def test_csv_output(self) -> None:
        out = self.output(metric.ListMetric, ['-f', 'csv'])
        rows = list(csv.reader(io.StringIO(out)))
        self.assertEqual([['Name', 'Dimensions'],
                          ['cpu.idle_perc', 'hostname=web1,service=api'],
                          ['cpu.idle_perc', '']], rows)

    def test_value_output(self) -> None:
        out = self.output(metric.ListMetric, ['-f', 'value'])
        self.assertEqual(['cpu.idle_perc hostname=web1,service=api',
                          'cpu.idle_perc '], out.splitlines())

    def test_table_output(self) -> None:
        out = self.output(metric.ListMetric, ['-f', 'table'])
        self.assertIn('hostname=web1, service=api', out)
        self.assertIn('| Name ', out)

    def test_pages_are_followed(self) -> None:
        self.api.on('GET', 'metrics', fakes.Pages(
            fakes.page(METRICS[:1], next_offset='0'),
            fakes.page(METRICS[1:])))
        columns, rows = self.take(metric.ListMetric, ['--page-size', '1'])
        self.assertEqual(2, len(rows))
        self.assertEqual([{'limit': 1}, {'limit': 1, 'offset': '0'}],
                         [c.params for c in self.api.calls])


class TestListMetricName(fakes.TestCommand):

    def test_list(self) -> None:
        self.api.on('GET', 'metrics/names', fakes.page(
            [{'name': 'cpu'}, {'name': 'mem'}]))
        columns, rows = self.take(metric.ListMetricName, [
            '--dimension', 'hostname=a', '--project', 't', '--marker', 'c',
            '--limit', '2'], [('dimensions', ['hostname=a'])])
        self.assertEqual(('Name',), columns)
        self.assertEqual([('cpu',), ('mem',)], rows)
        self.assertEqual({'dimensions': 'hostname:a', 'tenant_id': 't',
                          'offset': 'c', 'limit': 2},
                         self.api.calls[0].params)

    def test_errors(self) -> None:
        self.assert_usage_error(metric.ListMetricName, ['--name', 'x'])
        self.assert_invalid(metric.ListMetricName, ['--dimension', '_a'],
                            '_a')


class TestListDimensionName(fakes.TestCommand):

    def test_list(self) -> None:
        self.api.on('GET', 'metrics/dimensions/names', fakes.page(
            [{'dimension_name': 'hostname'}]))
        with mock.patch.object(timeutil, 'utcnow', return_value=NOW):
            columns, rows = self.take(metric.ListDimensionName, [
                '--metric-name', 'cpu', '--start', '-1d', '--end', 'now'])
        self.assertEqual(('Dimension Name',), columns)
        self.assertEqual([('hostname',)], rows)
        self.assertEqual({'metric_name': 'cpu',
                          'start_time': '2024-04-30T12:00:00.000Z',
                          'end_time': '2024-05-01T12:00:00.000Z',
                          'limit': 10000}, self.api.calls[0].params)

    def test_no_order_check(self) -> None:
        # The API does not check start < end here; neither do we.
        self.api.on('GET', 'metrics/dimensions/names', fakes.page([]))
        self.take(metric.ListDimensionName, [
            '--start', '2024-05-02', '--end', '2024-05-01'])
        self.assertEqual(1, len(self.api.calls))

    def test_errors(self) -> None:
        self.assert_usage_error(metric.ListDimensionName, ['--dimension',
                                                           'a'])
        self.assert_invalid(metric.ListDimensionName,
                            ['--metric-name', 'a;b'], "';'")


class TestListDimensionValue(fakes.TestCommand):

    def test_list(self) -> None:
        self.api.on('GET', 'metrics/dimensions/names/values', fakes.page(
            [{'dimension_value': 'web1'}, {'dimension_value': 'web2'}]))
        columns, rows = self.take(metric.ListDimensionValue, [
            '--dimension-name', 'hostname', '--metric-name', 'cpu',
            '--project', 't'])
        self.assertEqual(('Dimension Value',), columns)
        self.assertEqual([('web1',), ('web2',)], rows)
        self.assertEqual({'dimension_name': 'hostname', 'metric_name': 'cpu',
                          'tenant_id': 't', 'limit': 10000},
                         self.api.calls[0].params)

    def test_errors(self) -> None:
        self.assert_usage_error(metric.ListDimensionValue, [])
        self.assert_usage_error(metric.ListDimensionValue,
                                ['--metric-name', 'cpu'])
        self.assert_invalid(metric.ListDimensionValue,
                            ['--dimension-name', '_x'], "_x may not start")
        self.assert_invalid(metric.ListDimensionValue,
                            ['--dimension-name', 'a', '--start', 'x'],
                            "Invalid --start time 'x'")


class TestListerSortColumn(fakes.TestCommand):
    """cliff's --sort-column on our streamed rows."""

    def setUp(self) -> None:
        super().setUp()
        self.api.on('GET', 'metrics', fakes.page([
            {'id': '0', 'name': 'b', 'dimensions': {'h': '1'}},
            {'id': '1', 'name': 'a', 'dimensions': {'h': '2'}}]))

    def test_sort_by_name(self) -> None:
        rows = json.loads(self.output(metric.ListMetric, [
            '--sort-column', 'Name', '-f', 'json']))
        self.assertEqual(['a', 'b'], [r['Name'] for r in rows])

    def test_unsortable_column_keeps_every_row(self) -> None:
        # dicts do not compare: cliff gives up sorting ("best effort"),
        # which must not lose the rows of a streamed listing.
        for fmt in ('json', 'value'):
            self.fake_stdout.content.clear()
            out = self.output(metric.ListMetric, [
                '--sort-column', 'Dimensions', '-f', fmt])
            if fmt == 'json':
                self.assertEqual(['b', 'a'],
                                 [r['Name'] for r in json.loads(out)])
            else:
                self.assertEqual(['b h=1', 'a h=2'], out.splitlines())

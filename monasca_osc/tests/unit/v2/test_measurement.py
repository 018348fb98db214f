"""``monitoring measurement list`` and ``monitoring statistics list``."""

from __future__ import annotations

import datetime as dt
import json
from unittest import mock

from monasca_osc.common import timeutil
from monasca_osc.tests.unit.v2 import fakes
from monasca_osc.v2 import measurement
from monasca_osc.v2.base import cells

NOW = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.UTC)
SERIES = {'id': '0', 'name': 'cpu', 'dimensions': {'hostname': 'a'},
          'columns': ['timestamp', 'value', 'value_meta'],
          'measurements': [['2024-05-01T10:00:00.000Z', 1.5, {}],
                           ['2024-05-01T10:01:00.000Z', 2.5,
                            {'note': 'x'}]]}
STATS = {'id': '0', 'name': 'cpu', 'dimensions': {},
         'columns': ['timestamp', 'avg', 'max'],
         'statistics': [['2024-05-01T10:00:00Z', 1.0, 2.0],
                        ['2024-05-01T10:05:00Z', 3.0, 4.0]]}
START = ['--start', '2024-05-01T10:00:00Z']


class TestListMeasurement(fakes.TestCommand):

    def setUp(self) -> None:
        super().setUp()
        self.api.on('GET', 'metrics/measurements', fakes.page([SERIES]))

    def test_parser(self) -> None:
        self.parse(measurement.ListMeasurement, [
            '--name', 'cpu', *START, '--end', 'now', '--dimension', 'h=a',
            '--group-by', 'az', '--group-by', 'svc,rack', '--project', 't',
            '--limit', '10', '--marker', '0_x', '--page-size', '5'], [
            ('name', 'cpu'), ('start', '2024-05-01T10:00:00Z'),
            ('end', 'now'), ('dimensions', ['h=a']),
            ('group_by', ['az', 'svc,rack']), ('merge_metrics', False),
            ('tenant_id', 't'), ('limit', 10), ('marker', '0_x'),
            ('page_size', 5)])

    def test_parser_errors(self) -> None:
        for args in ([*START], ['--name', 'cpu'],
                     ['--name', 'cpu', *START, '--merge-metrics',
                      '--group-by', 'a'],
                     ['--name', 'cpu', *START, '--limit', '0']):
            self.assert_usage_error(measurement.ListMeasurement, args)

    def test_rows_one_per_point(self) -> None:
        columns, rows = self.take(measurement.ListMeasurement,
                                  ['--name', 'cpu', *START])
        self.assertEqual(('Name', 'Dimensions', 'Timestamp', 'Value',
                          'Value Meta'), columns)
        self.assertListItemEqual([
            ('cpu', cells.DimensionsColumn({'hostname': 'a'}),
             '2024-05-01T10:00:00.000Z', 1.5, cells.ValueMetaColumn({})),
            ('cpu', cells.DimensionsColumn({'hostname': 'a'}),
             '2024-05-01T10:01:00.000Z', 2.5,
             cells.ValueMetaColumn({'note': 'x'}))], rows)
        self.assertEqual({'name': 'cpu',
                          'start_time': '2024-05-01T10:00:00.000Z',
                          'limit': 10000}, self.api.calls[0].params)

    def test_columns_in_any_order(self) -> None:
        series = dict(SERIES, columns=['value_meta', 'value', 'timestamp'],
                      measurements=[[{'a': 'b'}, 7, 't1']])
        self.api.on('GET', 'metrics/measurements', fakes.page([series]))
        columns, rows = self.take(measurement.ListMeasurement,
                                  ['--name', 'cpu', *START])
        self.assertEqual(('cpu', 't1', 7), (rows[0][0], rows[0][2],
                                            rows[0][3]))
        self.assertEqual({'a': 'b'}, rows[0][4].machine_readable())

    def test_merge_metrics_and_filters(self) -> None:
        self.take(measurement.ListMeasurement, [
            '--name', 'cpu', *START, '--end', '2024-05-01T11:00:00Z',
            '--dimension', 'hostname=a|b', '--merge-metrics', '--project',
            't', '--marker', '0_2024-05-01T10:00:00.000Z', '--limit', '3'])
        self.assertEqual({
            'name': 'cpu', 'start_time': '2024-05-01T10:00:00.000Z',
            'end_time': '2024-05-01T11:00:00.000Z',
            'dimensions': 'hostname:a|b', 'merge_metrics': 'true',
            'tenant_id': 't', 'offset': '0_2024-05-01T10:00:00.000Z',
            'limit': 3}, self.api.calls[0].params)

    def test_group_by(self) -> None:
        self.take(measurement.ListMeasurement, [
            '--name', 'cpu', *START, '--group-by', 'hostname',
            '--group-by', 'service, az'])
        self.assertEqual('hostname,service,az',
                         self.api.calls[0].params['group_by'])
        self.api.calls.clear()
        self.take(measurement.ListMeasurement, [
            '--name', 'cpu', *START, '--group-by', '*'])
        self.assertEqual('*', self.api.calls[0].params['group_by'])

    def test_limit_counts_rows_across_pages(self) -> None:
        first = dict(SERIES, measurements=SERIES['measurements'][:1])
        self.api.on('GET', 'metrics/measurements', fakes.Pages(
            fakes.page([first], next_offset='0_t1'),
            fakes.page([dict(SERIES, id='1')], next_offset='1_t2')))
        columns, rows = self.take(measurement.ListMeasurement, [
            '--name', 'cpu', *START, '--group-by', '*', '--limit', '3',
            '--page-size', '2'])
        self.assertEqual(3, len(rows))
        self.assertEqual([2, 2], [c.params['limit'] for c in self.api.calls])
        self.assertEqual('0_t1', self.api.calls[1].params['offset'])

    def test_time_range_uses_one_instant(self) -> None:
        with mock.patch.object(timeutil, 'utcnow', fakes.Clock(NOW)):
            self.take(measurement.ListMeasurement, [
                '--name', 'cpu', '--start=-15m', '--end=now'])
        params = self.api.calls[0].params
        self.assertEqual(('2024-05-01T11:45:00.000Z',
                          '2024-05-01T12:00:00.000Z'),
                         (params['start_time'], params['end_time']))

    def test_invalid(self) -> None:
        cases = [
            (['--name', 'cpu idle', *START], "forbidden character ' '"),
            (['--name', 'cpu', '--start', 'soon'], "'soon'"),
            (['--name', 'cpu', *START, '--end', '2024-05-01T09:00:00Z'],
             'must be before --end'),
            (['--name', 'cpu', *START, '--end', '2024-05-01T10:00:00Z'],
             'must be before --end'),
            (['--name', 'cpu', *START, '--group-by', '_x'], '_x'),
            (['--name', 'cpu', *START, '--dimension', 'a=b>c'], "'>'"),
        ]
        for args, fragment in cases:
            self.assert_invalid(measurement.ListMeasurement, args, fragment)

    def test_json_and_csv(self) -> None:
        out = self.output(measurement.ListMeasurement,
                          ['--name', 'cpu', *START, '-f', 'json'])
        rows = json.loads(out)
        self.assertEqual({'hostname': 'a'}, rows[0]['Dimensions'])
        self.assertEqual({'note': 'x'}, rows[1]['Value Meta'])
        self.assertEqual(2.5, rows[1]['Value'])
        self.fake_stdout.content.clear()
        out = self.output(measurement.ListMeasurement,
                          ['--name', 'cpu', *START, '-f', 'csv'])
        self.assertEqual(
            '"cpu","hostname=a","2024-05-01T10:01:00.000Z",2.5,'
            '"{""note"": ""x""}"', out.splitlines()[2])


class TestListStatistics(fakes.TestCommand):

    def setUp(self) -> None:
        super().setUp()
        self.api.on('GET', 'metrics/statistics', fakes.page([STATS]))

    def test_parser(self) -> None:
        self.parse(measurement.ListStatistics, [
            '--name', 'cpu', *START, '--statistic', 'avg', '--statistic',
            'max,min', '--period', '60', '--merge-metrics'], [
            ('statistics', ['avg', 'max,min']), ('period', '60'),
            ('merge_metrics', True)])

    def test_parser_errors(self) -> None:
        for args in (['--name', 'cpu', '--statistic', 'avg'],
                     ['--name', 'cpu', *START, '--period']):
            self.assert_usage_error(measurement.ListStatistics, args)

    def test_rows(self) -> None:
        columns, rows = self.take(measurement.ListStatistics, [
            '--name', 'cpu', *START, '--statistic', 'AVG,max',
            '--period', '300'])
        self.assertEqual(('Name', 'Dimensions', 'Timestamp', 'Avg', 'Max'),
                         columns)
        self.assertListItemEqual([
            ('cpu', cells.DimensionsColumn({}), '2024-05-01T10:00:00Z',
             1.0, 2.0),
            ('cpu', cells.DimensionsColumn({}), '2024-05-01T10:05:00Z',
             3.0, 4.0)], rows)
        self.assertEqual({'name': 'cpu', 'statistics': 'avg,max',
                          'period': 300,
                          'start_time': '2024-05-01T10:00:00.000Z',
                          'limit': 10000}, self.api.calls[0].params)

    def test_statistics_in_request_order(self) -> None:
        stats = dict(STATS, columns=['timestamp', 'max', 'avg'],
                     statistics=[['t', 9.0, 5.0]])
        self.api.on('GET', 'metrics/statistics', fakes.page([stats]))
        columns, rows = self.take(measurement.ListStatistics, [
            '--name', 'cpu', *START, '--statistic', 'avg',
            '--statistic', 'max', '--statistic', 'count'])
        self.assertEqual(('Avg', 'Max', 'Count'), columns[3:])
        self.assertEqual((5.0, 9.0, None), rows[0][3:])

    def test_group_by(self) -> None:
        self.take(measurement.ListStatistics, [
            '--name', 'cpu', *START, '--statistic', 'sum', '--group-by',
            'hostname'])
        self.assertEqual('hostname', self.api.calls[0].params['group_by'])

    def test_invalid(self) -> None:
        cases = [
            (['--name', 'cpu', *START], 'At least one --statistic'),
            (['--name', 'cpu', *START, '--statistic', 'median'],
             "Invalid statistic 'median'"),
            (['--name', 'cpu', *START, '--statistic', 'avg', '--period',
              '0'], '--period 0 must be a positive integer'),
            (['--name', 'cpu', *START, '--statistic', 'avg', '--period',
              '5m'], "--period '5m'"),
            (['--name', '', *START, '--statistic', 'avg'],
             'must not be empty'),
        ]
        for args, fragment in cases:
            self.assert_invalid(measurement.ListStatistics, args, fragment)

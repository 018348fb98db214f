"""``monitoring alarm list/show/set/delete/count`` and ``history list``."""

from __future__ import annotations

import datetime as dt
import json
from unittest import mock

from osc_lib import exceptions as osc_exc

from monasca_osc.common import timeutil
from monasca_osc.tests.unit.v2 import fakes
from monasca_osc.v2 import alarm
from monasca_osc.v2.base import cells

NOW = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.UTC)
ALARM_ID = 'b461d659-577b-4d63-9782-a99194d4a472'
DEF_ID = 'f9935bcc-9641-4cbf-8224-0993a947ea83'
METRICS = [{'name': 'cpu.idle_perc', 'dimensions': {'hostname': 'web1'}},
           {'name': 'up', 'dimensions': {}}]
ALARM = {'id': ALARM_ID, 'links': [],
         'alarm_definition': {'id': DEF_ID, 'name': 'cpu low',
                              'severity': 'HIGH', 'links': []},
         'metrics': METRICS, 'state': 'ALARM', 'lifecycle_state': 'OPEN',
         'link': 'http://t/1',
         'state_updated_timestamp': '2024-05-01T10:00:00Z',
         'updated_timestamp': '2024-05-01T10:00:01Z',
         'created_timestamp': '2024-04-01T00:00:00Z'}
PATH = f'alarms/{ALARM_ID}'
HISTORY = {'id': '1714557600000', 'alarm_id': ALARM_ID,
           'timestamp': '2024-05-01T10:00:00.000Z', 'old_state': 'OK',
           'new_state': 'ALARM', 'reason': 'threshold', 'reason_data': '{}',
           'metrics': [{'id': None, 'name': 'cpu', 'dimensions': {}}],
           'sub_alarms': [{'sub_alarm_state': 'ALARM'}]}


class TestListAlarm(fakes.TestCommand):

    def setUp(self) -> None:
        super().setUp()
        self.api.on('GET', 'alarms', fakes.page([ALARM]))
        self.api.on('GET', f'alarm-definitions/{DEF_ID}',
                    {'id': DEF_ID, 'name': 'cpu low'})

    def test_parser(self) -> None:
        self.parse(alarm.ListAlarm, [
            '--definition', 'cpu low', '--metric-name', 'cpu',
            '--metric-dimension', 'hostname=web1', '--state', 'alarm',
            '--severity', 'LOW', '--severity', 'HIGH',
            '--lifecycle-state', 'OPEN', '--link', 'l',
            '--state-updated-since', '-1h', '--sort', 'state:desc',
            '--limit', '3', '--marker', '6', '--long'], [
            ('definition', 'cpu low'), ('metric_name', 'cpu'),
            ('metric_dimensions', ['hostname=web1']), ('state', ['alarm']),
            ('severity', ['LOW', 'HIGH']), ('lifecycle_state', 'OPEN'),
            ('link', 'l'), ('state_updated_start_time', '-1h'),
            ('sort', ['state:desc']), ('limit', 3), ('marker', '6'),
            ('long', True)])

    def test_list(self) -> None:
        columns, rows = self.take(alarm.ListAlarm, [])
        self.assertEqual(alarm.LIST_COLUMNS, columns)
        self.assertItemEqual(
            (ALARM_ID, 'cpu low', cells.MetricsColumn(METRICS), 'HIGH',
             'ALARM', '2024-05-01T10:00:00Z'), rows[0])
        self.assertEqual('cpu.idle_perc{hostname=web1}\nup',
                         rows[0][2].human_readable())
        self.assertEqual(METRICS, rows[0][2].machine_readable())

    def test_long(self) -> None:
        columns, rows = self.take(alarm.ListAlarm, ['--long'])
        self.assertEqual(alarm.LONG_COLUMNS, columns)
        self.assertEqual(
            (ALARM_ID, DEF_ID, 'cpu low'), rows[0][:3])
        self.assertEqual(('HIGH', 'ALARM', 'OPEN', 'http://t/1',
                          '2024-05-01T10:00:00Z', '2024-05-01T10:00:01Z',
                          '2024-04-01T00:00:00Z'), rows[0][4:])

    def test_filters(self) -> None:
        with mock.patch.object(timeutil, 'utcnow', return_value=NOW):
            self.take(alarm.ListAlarm, [
                '--definition', DEF_ID, '--metric-name', 'cpu',
                '--metric-dimension', 'hostname=web1|web2',
                '--metric-dimension', 'service', '--state', 'alarm',
                '--severity', 'low', '--severity', 'HIGH|critical',
                '--lifecycle-state', 'OPEN', '--link', 'http://t/1',
                '--state-updated-since', '-90m', '--sort', 'state:desc',
                '--sort', 'alarm_id', '--marker', '6', '--limit', '3'])
        self.assertEqual(('GET', f'alarm-definitions/{DEF_ID}'),
                         (self.api.calls[0].method, self.api.calls[0].path))
        self.assertEqual({
            'alarm_definition_id': DEF_ID, 'metric_name': 'cpu',
            'metric_dimensions': 'hostname:web1|web2,service',
            'state': 'ALARM', 'severity': 'LOW|HIGH|CRITICAL',
            'lifecycle_state': 'OPEN', 'link': 'http://t/1',
            'state_updated_start_time': '2024-05-01T10:30:00.000000Z',
            'sort_by': 'state desc,alarm_id asc', 'offset': '6',
            'limit': 3}, self.api.calls[1].params)

    def test_definition_by_name(self) -> None:
        self.api.on('GET', 'alarm-definitions', fakes.page(
            [{'id': DEF_ID, 'name': 'cpu low'}]))
        self.take(alarm.ListAlarm, ['--definition', 'cpu low'])
        self.assertEqual(DEF_ID,
                         self.api.calls[-1].params['alarm_definition_id'])

    def test_invalid(self) -> None:
        cases = [
            (['--state', 'OK', '--state', 'ALARM'], 'Only one --state'),
            (['--state', 'FIRING'], "State 'FIRING'"),
            (['--severity', 'LOW|NOPE'], "'NOPE'"),
            (['--metric-name', 'a=b'], "'='"),
            (['--metric-dimension', '_k'], '_k'),
            (['--sort', 'name'], "Sort field 'name'"),
            (['--marker', 'x'], 'Offset value x must be an integer'),
            (['--state-updated-since', 'later'],
             "Invalid --state-updated-since time 'later'"),
            (['--definition', 'x', '--state', 'bad'], "'bad'"),
        ]
        for args, fragment in cases:
            self.assert_invalid(alarm.ListAlarm, args, fragment)
        self.assert_usage_error(alarm.ListAlarm, ['--limit', '0'])

    def test_json_output_keeps_metrics(self) -> None:
        rows = json.loads(self.output(alarm.ListAlarm, ['-f', 'json']))
        self.assertEqual(METRICS, rows[0]['Metrics'])

    def test_csv_output_is_text(self) -> None:
        out = self.output(alarm.ListAlarm, ['-f', 'csv', '-c', 'ID', '-c',
                                            'Metrics'])
        self.assertEqual(f'"{ALARM_ID}","cpu.idle_perc{{hostname=web1}} up"',
                         out.splitlines()[1])


class TestShowAlarm(fakes.TestCommand):

    def test_show(self) -> None:
        self.api.on('GET', PATH, ALARM)
        columns, values = self.take(alarm.ShowAlarm, [ALARM_ID])
        self.assertEqual(alarm.SHOW_FIELDS, columns)
        shown = dict(zip(columns, values, strict=True))
        self.assertEqual(DEF_ID, shown['alarm_definition_id'])
        self.assertEqual('cpu low', shown['alarm_definition_name'])
        self.assertEqual('HIGH', shown['severity'])
        self.assertEqual(METRICS, shown['metrics'].machine_readable())

    def test_errors(self) -> None:
        self.assert_usage_error(alarm.ShowAlarm, [])
        command, parsed = self.parse(alarm.ShowAlarm, ['nope'])
        from monasca_osc import exceptions as exc

        self.assertRaises(exc.NotFound, command.take_action, parsed)

    def test_json(self) -> None:
        self.api.on('GET', PATH, ALARM)
        shown = json.loads(self.output(alarm.ShowAlarm,
                                       [ALARM_ID, '-f', 'json']))
        self.assertEqual(METRICS, shown['metrics'])
        self.assertEqual('ALARM', shown['state'])


class TestSetAlarm(fakes.TestCommand):

    def setUp(self) -> None:
        super().setUp()
        self.api.on('PATCH', PATH, ALARM)
        self.api.on('PUT', PATH, ALARM)

    def test_parser(self) -> None:
        self.parse(alarm.SetAlarm, [ALARM_ID, '--state', 'ok',
                                    '--lifecycle-state', 'ACK', '--link',
                                    'x', '--replace'], [
            ('alarm', ALARM_ID), ('state', 'ok'), ('lifecycle_state', 'ACK'),
            ('link', 'x'), ('replace', True)])
        self.assert_usage_error(alarm.SetAlarm, [])
        self.assert_usage_error(alarm.SetAlarm, [ALARM_ID, '--state'])

    def test_set_patches(self) -> None:
        columns, values = self.take(alarm.SetAlarm,
                                    [ALARM_ID, '--state', 'ok'])
        self.assertEqual([('PATCH', PATH, {'state': 'OK'})],
                         [(c.method, c.path, c.body)
                          for c in self.api.calls])
        self.assertEqual(alarm.SHOW_FIELDS, columns)

    def test_set_empty_lifecycle_state(self) -> None:
        self.take(alarm.SetAlarm, [ALARM_ID, '--lifecycle-state', ''])
        self.assertEqual({'lifecycle_state': ''}, self.api.calls[0].body)

    def test_replace_puts(self) -> None:
        self.take(alarm.SetAlarm, [ALARM_ID, '--replace', '--state',
                                   'undetermined', '--lifecycle-state',
                                   'ACK', '--link', 'http://t/2'])
        self.assertEqual([('PUT', PATH, {'state': 'UNDETERMINED',
                                         'lifecycle_state': 'ACK',
                                         'link': 'http://t/2'})],
                         [(c.method, c.path, c.body)
                          for c in self.api.calls])

    def test_invalid(self) -> None:
        cases = [
            ([ALARM_ID], 'Nothing to set'),
            ([ALARM_ID, '--state', 'done'], "State 'done'"),
            ([ALARM_ID, '--replace', '--state', 'OK'],
             'missing: lifecycle_state, link'),
            ([ALARM_ID, '--link', 'x' * 513], '513 characters'),
        ]
        for args, fragment in cases:
            self.assert_invalid(alarm.SetAlarm, args, fragment)


class TestDeleteAlarm(fakes.TestCommand):

    def test_delete_several(self) -> None:
        self.api.on('DELETE', PATH, None)
        self.api.on('DELETE', 'alarms/other', None)
        command, parsed = self.parse(alarm.DeleteAlarm,
                                     [ALARM_ID, 'other'])
        self.assertIsNone(command.take_action(parsed))
        self.assertEqual([PATH, 'alarms/other'],
                         [c.path for c in self.api.calls])

    def test_partial_failure(self) -> None:
        self.api.on('DELETE', PATH, None)
        command, parsed = self.parse(alarm.DeleteAlarm,
                                     ['gone', ALARM_ID])
        with self.assertLogs(command.log, 'ERROR') as logs:
            error = self.assertRaises(osc_exc.CommandError,
                                      command.take_action, parsed)
        self.assertEqual('1 of 2 alarms failed to delete', str(error))
        self.assertEqual(2, len(self.api.calls))
        self.assertIn(
            "Failed to delete alarm 'gone': No alarm with ID 'gone'",
            logs.output[0])

    def test_parser(self) -> None:
        self.assert_usage_error(alarm.DeleteAlarm, [])


class TestCountAlarm(fakes.TestCommand):

    def test_count(self) -> None:
        self.api.on('GET', 'alarms/count', {
            'links': [], 'columns': ['count'], 'counts': [[4]]})
        columns, rows = self.take(alarm.CountAlarm, ['--state', 'ok'])
        self.assertEqual(('Count',), columns)
        self.assertEqual([(4,)], rows)
        self.assertEqual({'state': 'OK', 'limit': 10000},
                         self.api.calls[0].params)

    def test_group_by_paged(self) -> None:
        columns = ['count', 'alarm_definition_id', 'dimension_name']
        self.api.on('GET', 'alarms/count', fakes.Pages(
            fakes.page([], next_offset='x', columns=columns,
                       counts=[[1, 'd1', 'host'], [2, 'd1', 'svc']]),
            fakes.page([], columns=columns, counts=[[3, 'd2', 'host']])))
        names, rows = self.take(alarm.CountAlarm, [
            '--group-by', 'alarm_definition_id', '--group-by',
            'dimension_name', '--page-size', '2', '--metric-dimension',
            'host'])
        self.assertEqual(('Count', 'Alarm Definition Id', 'Dimension Name'),
                         names)
        self.assertEqual([(1, 'd1', 'host'), (2, 'd1', 'svc'),
                          (3, 'd2', 'host')], rows)
        self.assertEqual([
            {'group_by': 'alarm_definition_id,dimension_name',
             'metric_dimensions': 'host', 'limit': 2},
            {'group_by': 'alarm_definition_id,dimension_name',
             'metric_dimensions': 'host', 'limit': 2, 'offset': '2'}],
            [c.params for c in self.api.calls])

    def test_invalid(self) -> None:
        self.assert_invalid(alarm.CountAlarm, ['--group-by', 'hostname'],
                            "Group-by field 'hostname'")
        self.assert_invalid(alarm.CountAlarm, ['--marker', '-1'],
                            'must not be negative')
        self.assert_invalid(alarm.CountAlarm, ['--state', 'X'], "'X'")
        self.assert_usage_error(alarm.CountAlarm, ['--sort', 'state'])

    def test_json(self) -> None:
        self.api.on('GET', 'alarms/count', {
            'links': [], 'columns': ['count', 'state'],
            'counts': [[4, 'OK'], [1, 'ALARM']]})
        rows = json.loads(self.output(alarm.CountAlarm, [
            '--group-by', 'state', '-f', 'json']))
        self.assertEqual([{'Count': 4, 'State': 'OK'},
                          {'Count': 1, 'State': 'ALARM'}], rows)


class TestListAlarmHistory(fakes.TestCommand):

    def test_one_alarm(self) -> None:
        self.api.on('GET', f'{PATH}/state-history', fakes.page([HISTORY]))
        columns, rows = self.take(alarm.ListAlarmHistory, [
            '--alarm', ALARM_ID, '--limit', '5', '--marker', '1714557500000'])
        self.assertEqual(alarm.HISTORY_COLUMNS, columns)
        self.assertEqual([(ALARM_ID, '2024-05-01T10:00:00.000Z', 'OK',
                           'ALARM', 'threshold')], rows)
        self.assertEqual({'limit': 5, 'offset': '1714557500000'},
                         self.api.calls[0].params)

    def test_all_alarms(self) -> None:
        self.api.on('GET', 'alarms/state-history', fakes.page([HISTORY]))
        with mock.patch.object(timeutil, 'utcnow', fakes.Clock(NOW)):
            columns, rows = self.take(alarm.ListAlarmHistory, [
                '--dimension', 'hostname=web1', '--start=-1d',
                '--end', 'now', '--long'])
        self.assertEqual(alarm.HISTORY_LONG_COLUMNS, columns)
        self.assertEqual({'dimensions': 'hostname:web1',
                          'start_time': '2024-04-30T12:00:00.000Z',
                          'end_time': '2024-05-01T12:00:00.000Z',
                          'limit': 10000}, self.api.calls[0].params)
        self.assertEqual(HISTORY['metrics'], rows[0][5].machine_readable())
        self.assertEqual('{}', rows[0][6])
        self.assertEqual('[{"sub_alarm_state": "ALARM"}]',
                         rows[0][7].human_readable())

    def test_invalid(self) -> None:
        self.assert_invalid(alarm.ListAlarmHistory, [
            '--alarm', ALARM_ID, '--start', '-1h'],
            'not with --alarm')
        self.assert_invalid(alarm.ListAlarmHistory, ['--dimension', '_x'],
                            '_x')
        self.assert_invalid(alarm.ListAlarmHistory, ['--end', 'never'],
                            "Invalid --end time 'never'")

"""--follow, --plot, --sparkline, alarm wait and alarm check, in-process
on the stub adapter (real managers, no HTTP, no sleeping)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any
from unittest import mock

from monasca_osc import exceptions as exc
from monasca_osc.common import validation
from monasca_osc.tests.unit.v2 import fakes
from monasca_osc.v2 import alarm, alarm_live, measurement

GOLDEN = Path(__file__).parents[1] / 'live' / 'golden'
START = ['--start', '2024-05-01T10:00:00Z']


def series(points: list[tuple[str, float]], host: str = 'web1') -> dict:
    return {'id': '0', 'name': 'cpu', 'dimensions': {'hostname': host},
            'columns': ['timestamp', 'value', 'value_meta'],
            'measurements': [[t, v, {}] for t, v in points]}


def ts(minute: int, second: int = 0) -> str:
    return f'2024-05-01T10:{minute:02d}:{second:02d}.000Z'


class Interrupt:
    """A time.sleep that lets ``polls`` polls happen, then Ctrl-C."""

    def __init__(self, polls: int) -> None:
        self.polls = polls
        self.sleeps: list[float] = []
        self.now = 1000.0

    def __call__(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if len(self.sleeps) > self.polls:
            raise KeyboardInterrupt

    def monotonic(self) -> float:
        return self.now


class LiveTest(fakes.TestCommand):

    def setUp(self) -> None:
        super().setUp()
        self.out = io.StringIO()
        self.app.stdout = self.out
        self.app.stderr = io.StringIO()

    def run_cmd(self, cls: type, args: list[str]) -> Any:
        command, parsed = self.parse(cls, args)
        return command.run(parsed)

    def assert_refused(self, cls: type, args: list[str], fragment: str
                       ) -> None:
        command, parsed = self.parse(cls, args)
        error = self.assertRaises(validation.ValidationError, command.run,
                                  parsed)
        self.assertIn(fragment, str(error))
        self.assertNotIn('\n', str(error))
        self.assertEqual([], self.api.calls)


class TestFollow(LiveTest):

    def follow(self, cls: type, args: list[str], polls: int) -> Interrupt:
        sleep = Interrupt(polls)
        with mock.patch('time.sleep', sleep), \
                mock.patch('time.monotonic', sleep.monotonic):
            self.assertRaises(KeyboardInterrupt, self.run_cmd, cls, args)
        return sleep

    def test_measurements_json_lines_each_point_once(self) -> None:
        # The server's answers to the first fetch and four polls: points
        # repeat (overlapping windows) and one arrives late.
        self.api.on('GET', 'metrics/measurements', fakes.Pages(
            fakes.page([series([(ts(0), 1.0), (ts(1), 2.0)])]),
            fakes.page([series([(ts(0), 1.0), (ts(1), 2.0)])]),
            fakes.page([series([(ts(0), 1.0), (ts(1), 2.0), (ts(2), 3.0)])]),
            fakes.page([series([(ts(1), 2.0), (ts(1, 30), 9.0),
                                (ts(2), 3.0)])]),
            fakes.page([])))
        sleep = self.follow(measurement.ListMeasurement, [
            '--name', 'cpu', *START, '--follow', '--interval', '0.5',
            '-f', 'json'], polls=4)
        rows = [json.loads(line) for line in self.out.getvalue().splitlines()]
        self.assertEqual([(ts(0), 1.0), (ts(1), 2.0), (ts(2), 3.0),
                          (ts(1, 30), 9.0)],
                         [(r['Timestamp'], r['Value']) for r in rows])
        self.assertEqual({'hostname': 'web1'}, rows[0]['Dimensions'])
        self.assertEqual([0.5] * 5, sleep.sleeps)
        starts = [c.params['start_time'] for c in self.api.calls]
        # --start, then the newest point minus the 60 s overlap (clamped
        # to --start), moving with the server's timestamps only.
        self.assertEqual(['2024-05-01T10:00:00.000Z',
                          '2024-05-01T10:00:00.000Z',
                          '2024-05-01T10:00:00.000Z',
                          '2024-05-01T10:01:00.000Z',
                          '2024-05-01T10:01:00.000Z'], starts)

    def test_history_csv_rows_as_they_come(self) -> None:
        entry = {'id': '1714557600000', 'alarm_id': 'a1',
                 'timestamp': '2024-05-01T10:00:00.000Z', 'old_state': 'OK',
                 'new_state': 'ALARM', 'reason': 'r', 'metrics': [],
                 'reason_data': '{}', 'sub_alarms': []}
        later = dict(entry, id='1714557660000', old_state='ALARM',
                     new_state='OK', timestamp='2024-05-01T10:01:00.000Z')
        self.api.on('GET', 'alarms/state-history', fakes.Pages(
            fakes.page([entry]), fakes.page([entry, later]),
            fakes.page([later])))
        self.follow(alarm.ListAlarmHistory, ['--follow', '-f', 'csv'],
                    polls=2)
        self.assertEqual([
            '"Alarm ID","Timestamp","Old State","New State","Reason"',
            '"a1","2024-05-01T10:00:00.000Z","OK","ALARM","r"',
            '"a1","2024-05-01T10:01:00.000Z","ALARM","OK","r"'],
            self.out.getvalue().splitlines())
        self.assertEqual([None, '2024-05-01T09:59:00.000Z',
                          '2024-05-01T10:00:00.000Z'],
                         [c.params.get('start_time') for c in self.api.calls])

    def test_one_alarm_history_polls_by_offset(self) -> None:
        entry = {'id': '1714557600000', 'alarm_id': 'a1',
                 'timestamp': '2024-05-01T10:00:00Z', 'old_state': 'OK',
                 'new_state': 'ALARM', 'reason': 'r'}
        self.api.on('GET', 'alarms/a1/state-history', fakes.page([entry]))
        self.follow(alarm.ListAlarmHistory,
                    ['--alarm', 'a1', '--follow', '-f', 'value'], polls=1)
        self.assertEqual('a1 2024-05-01T10:00:00Z OK ALARM r\n',
                         self.out.getvalue())
        self.assertEqual([None, str(1714557600000 - 60_000 - 1)],
                         [c.params.get('offset') for c in self.api.calls])

    def test_transient_failure_is_reported_and_followed_on(self) -> None:
        self.api.on('GET', 'metrics/measurements', fakes.Pages(
            fakes.page([series([(ts(0), 1.0)])]),
            exc.ServiceUnavailable('Service Unavailable (HTTP 503)'),
            fakes.page([series([(ts(0), 1.0), (ts(1), 2.0)])])))
        self.follow(measurement.ListMeasurement, [
            '--name', 'cpu', *START, '--follow', '-f', 'value',
            '-c', 'Value'], polls=2)
        self.assertEqual('1.0\n2.0\n', self.out.getvalue())
        self.assertIn('Poll failed, trying again in 5s: Service '
                      'Unavailable', self.app.stderr.getvalue())

    def test_table_streams(self) -> None:
        self.api.on('GET', 'metrics/measurements',
                    fakes.page([series([(ts(0), 1.0)])]))
        self.follow(measurement.ListMeasurement,
                    ['--name', 'cpu', *START, '--follow'], polls=0)
        self.assertEqual(
            ['Name  Dimensions     Timestamp                 Value  '
             'Value Meta', '----  -------------  ------------------------  '
             '-----  ----------',
             'cpu   hostname=web1  2024-05-01T10:00:00.000Z  1.0'],
            self.out.getvalue().splitlines())

    def test_refused_combinations(self) -> None:
        base = ['--name', 'cpu', *START]
        for args, fragment in (
                (['--follow', '--end', 'now'], '--end'),
                (['--follow', '--limit', '5'], '--limit'),
                (['--follow', '--marker', 'x'], '--marker'),
                (['--follow', '-f', 'yaml'], 'not yaml'),
                (['--follow', '--plot'], '--plot'),
                (['--interval', '2'], 'with --follow only'),
                (['--plot', '-f', 'json'], '-f json'),
                (['--threshold-from', 'd'], 'with --plot only'),
                (['--height', '9'], 'with --plot only'),
                (['--width', '50'], 'with --plot or --sparkline'),
                (['--plot', '--width', '20'], 'at least 30'),
                (['--follow', '--testcase'], '--testcase cannot be combined'),
                (['--plot', '--testcase', '1m'], 'with --plot')):
            self.assert_refused(measurement.ListMeasurement,
                                base + args, fragment)

    def test_usage_errors(self) -> None:
        base = ['--name', 'cpu', *START]
        for args in (['--follow', '--interval', '0'],
                     ['--follow', '--interval', 'x'],
                     ['--follow', '--overlap', '-5m'],
                     ['--plot', '--width', '0']):
            self.assert_usage_error(measurement.ListMeasurement, base + args)


class TestPlot(LiveTest):

    def setUp(self) -> None:
        super().setUp()
        points = [(ts(i), float(40 + (i * 7) % 50)) for i in range(30)]
        self.api.on('GET', 'metrics/measurements', fakes.page(
            [series(points, 'web1'),
             series([(t, v / 2) for t, v in points if not
                     '10:10' <= t[11:16] < '10:18'], 'web2')]))

    def test_golden_command_chart_with_threshold(self) -> None:
        self.api.on('GET', 'alarm-definitions', fakes.page([{
            'id': 'd1', 'name': 'cpu-high', 'severity': 'HIGH',
            'expression': 'avg(cpu{hostname=web1}) > 80 times 3'}]))
        self.assertEqual(0, self.run_cmd(measurement.ListMeasurement, [
            '--name', 'cpu', *START, '--group-by', 'hostname', '--plot',
            '--width', '70', '--height', '10',
            '--threshold-from', 'cpu-high']))
        golden = GOLDEN / 'command-measurements.txt'
        if os.environ.get('MONASCA_OSC_REGEN_GOLDEN'):
            golden.write_text(self.out.getvalue(), encoding='utf-8')
        self.assertEqual(golden.read_text(encoding='utf-8'),
                         self.out.getvalue())
        self.assertNotIn('\x1b[', self.out.getvalue())   # not a TTY

    def test_size_from_the_terminal(self) -> None:
        with mock.patch.dict('os.environ', {'COLUMNS': '50', 'LINES': '20'}):
            self.run_cmd(measurement.ListMeasurement,
                         ['--name', 'cpu', *START, '--plot'])
        lines = self.out.getvalue().splitlines()
        self.assertEqual(50, max(len(line) for line in lines))
        # 20 lines: title, 12 plot rows, 3 axis lines, 2 legend lines...
        self.assertEqual(20 - 2, len(lines))

    def test_colour_on_a_tty_unless_no_color(self) -> None:
        self.out.isatty = lambda: True  # type: ignore[method-assign]
        with mock.patch.dict('os.environ', {'TERM': 'xterm'}):
            self.run_cmd(measurement.ListMeasurement,
                         ['--name', 'cpu', *START, '--plot'])
        self.assertIn('\x1b[34m', self.out.getvalue())
        self.out.seek(0)
        self.out.truncate()
        with mock.patch.dict('os.environ', {'NO_COLOR': '1'}):
            self.run_cmd(measurement.ListMeasurement,
                         ['--name', 'cpu', *START, '--plot'])
        self.assertNotIn('\x1b[', self.out.getvalue())

    def test_definition_without_the_metric(self) -> None:
        self.api.on('GET', 'alarm-definitions', fakes.page([{
            'id': 'd1', 'name': 'mem', 'expression': 'avg(mem) > 80'}]))
        command, parsed = self.parse(measurement.ListMeasurement, [
            '--name', 'cpu', *START, '--plot', '--threshold-from', 'mem'])
        error = self.assertRaises(validation.ValidationError, command.run,
                                  parsed)
        self.assertIn("'mem' has no threshold on metric cpu", str(error))

    def test_no_data(self) -> None:
        self.api.on('GET', 'metrics/measurements', fakes.page([]))
        self.assertEqual(0, self.run_cmd(measurement.ListMeasurement,
                                         ['--name', 'cpu', *START,
                                          '--plot']))
        self.assertEqual('No data to plot for cpu in this time range\n',
                         self.out.getvalue())


STATS = {'id': '0', 'name': 'cpu', 'dimensions': {'hostname': 'web1'},
         'columns': ['timestamp', 'avg', 'max'],
         'statistics': [['2024-05-01T10:00:00Z', 1.0, 2.0],
                        ['2024-05-01T10:05:00Z', 3.0, 4.0],
                        ['2024-05-01T10:15:00Z', 2.0, 8.0]]}


class TestStatistics(LiveTest):

    def setUp(self) -> None:
        super().setUp()
        self.api.on('GET', 'metrics/statistics', fakes.page([STATS]))

    def test_sparkline_rows(self) -> None:
        self.run_cmd(measurement.ListStatistics, [
            '--name', 'cpu', *START, '--statistic', 'avg,max', '--sparkline',
            '-f', 'json'])
        self.assertEqual([
            {'Name': 'cpu', 'Dimensions': {'hostname': 'web1'},
             'Statistic': 'avg', 'Min': 1.0, 'Max': 3.0, 'Last': 2.0,
             'Sparkline': '▁█ ▅'},
            {'Name': 'cpu', 'Dimensions': {'hostname': 'web1'},
             'Statistic': 'max', 'Min': 2.0, 'Max': 8.0, 'Last': 8.0,
             'Sparkline': '▁▃ █'}], json.loads(self.out.getvalue()))

    def test_sparkline_table_and_width(self) -> None:
        self.run_cmd(measurement.ListStatistics, [
            '--name', 'cpu', *START, '--statistic', 'avg', '--sparkline',
            '--width', '3', '-f', 'value', '-c', 'Sparkline'])
        # Four periods (one empty) averaged into three characters.
        self.assertEqual('▁█▅\n', self.out.getvalue())

    def test_plot_statistics_gap_of_a_missing_period(self) -> None:
        self.run_cmd(measurement.ListStatistics, [
            '--name', 'cpu', *START, '--statistic', 'avg', '--plot',
            '--width', '40', '--height', '5'])
        lines = self.out.getvalue().splitlines()
        self.assertEqual('cpu (avg per 300s period)', lines[0])
        self.assertEqual(' ⣿ cpu hostname=web1 avg', lines[-1])

    def test_plot_and_sparkline_together(self) -> None:
        self.assert_refused(measurement.ListStatistics, [
            '--name', 'cpu', *START, '--statistic', 'avg', '--plot',
            '--sparkline'], 'cannot be combined')


def alarm_item(state: str, severity: str = 'HIGH', ident: str = 'a1'
               ) -> dict[str, Any]:
    return {'id': ident, 'state': state,
            'metrics': [{'name': 'cpu', 'dimensions': {'hostname': 'h1'}}],
            'alarm_definition': {'id': 'd1', 'name': 'cpu-high',
                                 'severity': severity}}


class TestCheck(LiveTest):

    def check(self, args: list[str]) -> tuple[int, str]:
        code = self.run_cmd(alarm_live.CheckAlarm, args)
        return code, self.out.getvalue()

    def test_each_exit_code(self) -> None:
        for items, code in (([alarm_item('OK')], 0),
                            ([alarm_item('ALARM', 'MEDIUM')], 1),
                            ([alarm_item('ALARM', 'CRITICAL')], 2),
                            ([alarm_item('UNDETERMINED')], 3)):
            self.out.seek(0)
            self.out.truncate()
            self.api.on('GET', 'alarms', fakes.page(items))
            got, out = self.check([])
            self.assertEqual(code, got, out)
            self.assertEqual(1, len(out.splitlines()))

    def test_filters_go_to_the_api(self) -> None:
        self.api.on('GET', 'alarm-definitions', fakes.page([{
            'id': 'd1', 'name': 'cpu-high'}]))
        self.api.on('GET', 'alarms', fakes.page([alarm_item('OK')]))
        self.assertEqual((0, 'MONASCA OK - 1 alarm, none in ALARM | ALARM=0 '
                             'OK=1 UNDETERMINED=0\n'),
                         self.check(['--definition', 'cpu-high',
                                     '--dimension', 'hostname=h1',
                                     '--severity', 'HIGH',
                                     '--severity', 'CRITICAL']))
        params = self.requests('GET')[-1].params
        self.assertEqual(('d1', 'hostname:h1', 'HIGH|CRITICAL'),
                         (params['alarm_definition_id'],
                          params['metric_dimensions'], params['severity']))

    def test_api_failure_is_unknown(self) -> None:
        self.api.on('GET', 'alarms', exc.Unauthorized(
            'Unauthorized (HTTP 401 on GET /v2.0/alarms)'))
        self.assertEqual(
            (3, 'MONASCA UNKNOWN - Unauthorized (HTTP 401 on GET '
                '/v2.0/alarms)\n'), self.check([]))

    def test_bad_value_is_unknown_and_sends_nothing(self) -> None:
        code, out = self.check(['--severity', 'SEVERE'])
        self.assertEqual(3, code)
        self.assertTrue(out.startswith('MONASCA UNKNOWN - '), out)
        self.assertIn('SEVERE', out)
        self.assertEqual([], self.api.calls)

    def test_usage_error_exits_3_not_2(self) -> None:
        parser = self.cmd(alarm_live.CheckAlarm).get_parser(
            'openstack monitoring alarm check')
        with mock.patch('sys.stderr'):
            error = self.assertRaises(SystemExit, parser.parse_args,
                                      ['--bogus'])
        self.assertEqual(3, error.code)
        self.assertEqual('MONASCA UNKNOWN - openstack monitoring alarm '
                         'check: unrecognized arguments: --bogus\n',
                         self.out.getvalue())

    def test_authentication_failure_is_unknown(self) -> None:
        prepare = mock.Mock(side_effect=RuntimeError('The request you have '
                                                     'made requires '
                                                     'authentication.'))
        self.app.prepare_to_run_command = prepare
        self.assertEqual(
            (3, 'MONASCA UNKNOWN - The request you have made requires '
                'authentication.\n'), self.check([]))
        self.assertTrue(prepare.call_args.args[0].auth_required)
        self.assertFalse(alarm_live.CheckAlarm.auth_required)
        self.assertEqual([], self.api.calls)


class TestWait(LiveTest):

    def wait(self, args: list[str], states: list[str],
             clock_step: float = 1.0) -> tuple[Any, list[float]]:
        answers = fakes.Pages(*(alarm_item(s) for s in states))
        self.api.on('GET', 'alarms/a1', answers)
        now = [100.0]
        sleeps: list[float] = []

        def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            now[0] += seconds

        with mock.patch('time.sleep', sleep), \
                mock.patch('time.monotonic', lambda: now[0]):
            try:
                result = self.run_cmd(alarm_live.WaitAlarm, args)
            except Exception as err:  # noqa: BLE001 - returned to assert
                result = err
        return result, sleeps

    def test_returns_0_as_soon_as_the_state_is_reached(self) -> None:
        result, sleeps = self.wait(['a1', '--state', 'OK', '--interval',
                                    '2'], ['ALARM', 'ALARM', 'OK'])
        self.assertEqual(0, result)
        self.assertEqual([2.0, 2.0], sleeps)
        self.assertEqual('Alarm a1 is OK\n', self.out.getvalue())

    def test_timeout_says_where_it_was_left(self) -> None:
        result, sleeps = self.wait(['a1', '--state', 'OK', '--timeout',
                                    '5s', '--interval', '2'],
                                   ['ALARM'] * 5)
        self.assertEqual('Timed out after 5s: alarm a1 is ALARM',
                         str(result))
        self.assertEqual([2.0, 2.0, 1.0], sleeps)

    def test_definition_with_match(self) -> None:
        self.api.on('GET', 'alarm-definitions', fakes.page([{
            'id': 'd1', 'name': 'cpu-high'}]))
        self.api.on('GET', 'alarms', fakes.Pages(
            fakes.page([alarm_item('ALARM'), alarm_item('OK', ident='a2')]),
            fakes.page([alarm_item('OK'), alarm_item('OK', ident='a2')])))
        with mock.patch('time.sleep'):
            self.assertEqual(0, self.run_cmd(alarm_live.WaitAlarm, [
                '--definition', 'cpu-high', '--match', 'hostname=h1',
                '--state', 'ok']))
        self.assertEqual("All 2 alarms of definition 'cpu-high' matching "
                         "hostname=h1 are OK\n", self.out.getvalue())
        self.assertEqual('hostname:h1',
                         self.requests('GET')[-1].params['metric_dimensions'])

    def test_invalid(self) -> None:
        for args, fragment in ((['--state', 'OK'], 'alarm ID or '
                                '--definition'),
                               (['a1', '--definition', 'd', '--state', 'OK'],
                                'not both'),
                               (['a1', '--state', 'FINE'], 'FINE')):
            command, parsed = self.parse(alarm_live.WaitAlarm, args)
            error = self.assertRaises(validation.ValidationError,
                                      command.run, parsed)
            self.assertIn(fragment, str(error))
        self.assertEqual([], self.api.calls)
        for args in (['a1'], ['a1', '--state', 'OK', '--timeout', '0'],
                     ['a1', '--state', 'OK', '--timeout', 'soon']):
            self.assert_usage_error(alarm_live.WaitAlarm, args)

"""``alarm definition test|backtest|explain`` and ``alarm explain`` on the
real managers over a stub adapter: exit codes, rows, what is requested.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
import tempfile

from monasca_osc.alarmtools import replay
from monasca_osc.tests.unit.v2 import fakes
from monasca_osc.v2 import alarm_explain, alarm_test

T0 = 1_714_557_600_000          # 2024-05-01T10:00:00Z
DEF_ID = 'd-1'
ALARM_ID = 'a-1'
DEFINITION = {'id': DEF_ID, 'name': 'cpu-high', 'match_by': ['hostname'],
              'expression': 'avg(cpu{service=web}) < 10 times 3',
              'actions_enabled': True, 'alarm_actions': ['n-1'],
              'ok_actions': [], 'undetermined_actions': [],
              'severity': 'LOW'}
CASE = '''\
definitions:
  - name: cpu-high
    expression: avg(cpu{service=web}) < 10 times 3
    match_by: [hostname]
series:
  - {name: cpu, dimensions: {hostname: web1, service: web}, values: 50 5x5}
tests:
  - {at: 6m, alarms: [{match: {hostname: web1}, state: %s}]}
'''


def _series(host: str, values: list[float], start: int = T0) -> dict:
    return {'id': '0', 'name': 'cpu', 'dimensions': {'hostname': host},
            'columns': ['timestamp', 'value', 'value_meta'],
            'measurements': [[replay.iso(start + i * 60_000 + 5_000), v, {}]
                             for i, v in enumerate(values)]}


class _Command(fakes.TestCommand):
    """The commands write warnings and failures to app.stderr."""

    def setUp(self) -> None:
        super().setUp()
        self.stderr = io.StringIO()
        self.app.stderr = self.stderr


class TestAlarmDefinitionTest(_Command):

    def _file(self, text: str) -> str:
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(lambda: [p.unlink() for p in folder.iterdir()]
                        and folder.rmdir())
        path = folder / 'case.yaml'
        path.write_text(text)
        return str(path)

    def _run(self, *args: str) -> int:
        command, parsed = self.parse(alarm_test.TestAlarmDefinition,
                                     list(args))
        return command.run(parsed)

    def test_pass_fail_and_invalid_exit_codes(self) -> None:
        self.assertEqual(0, self._run(self._file(CASE % 'ALARM')))
        self.assertEqual(1, self._run(self._file(CASE % 'OK')))
        self.assertIn('expected OK, got ALARM',
                      self.stderr.getvalue())
        self.assertEqual(2, self._run(self._file(CASE % 'RED')))
        self.assertIn("case.yaml:8: state 'RED' is not one of",
                      self.stderr.getvalue())
        # In-process: nothing goes to the API.
        self.assertEqual([], self.api.calls)

    def test_json_rows(self) -> None:
        command, parsed = self.parse(alarm_test.TestAlarmDefinition,
                                     [self._file(CASE % 'OK'), '-f', 'json'])
        columns, rows = command.take_action(parsed)
        (row,) = list(rows)
        data = dict(zip(columns, row, strict=True))
        self.assertEqual(('OK', 'ALARM', 'FAIL'),
                         (data['Expected'], data['Actual'], data['Result']))
        detail = data['Explanation'].machine_readable()
        self.assertEqual('ALARM', detail['state'])
        self.assertEqual([5.0, 5.0, 5.0], [
            w['value'] for w in detail['expression']['windows']])


class TestBacktest(_Command):

    def setUp(self) -> None:
        super().setUp()
        self.api.on('GET', f'alarm-definitions/{DEF_ID}', DEFINITION)
        low = [50.0] * 5 + [5.0] * 10 + [50.0] * 10
        self.api.on('GET', 'metrics/measurements', fakes.page(
            [_series('web1', low), _series('web2', [50.0] * 25)]))

    def _args(self, *extra: str) -> list[str]:
        return [DEF_ID, '--start', replay.iso(T0),
                '--end', replay.iso(T0 + 30 * 60_000), *extra]

    def test_transitions_one_query_grouped_by_match_by(self) -> None:
        columns, rows = self.take(alarm_test.BacktestAlarmDefinition,
                                  self._args())
        self.assertEqual(alarm_test.BACKTEST_COLUMNS, columns)
        states = [(r[1].machine_readable(), r[2], r[3]) for r in rows]
        self.assertIn(({'hostname': 'web1'}, 'OK', 'ALARM'), states)
        self.assertNotIn(({'hostname': 'web2'}, 'OK', 'ALARM'), states)
        (query,) = self.requests('GET')[1:]
        self.assertEqual('metrics/measurements', query.path)
        self.assertEqual({'cpu', 'service:web', 'hostname'},
                         {query.params['name'], query.params['dimensions'],
                          query.params['group_by']})

    def test_summary_and_gates(self) -> None:
        columns, rows = self.take(alarm_test.BacktestAlarmDefinition,
                                  self._args('--summary'))
        by_host = {r[0].machine_readable()['hostname']: r for r in rows}
        self.assertEqual(alarm_test.SUMMARY_COLUMNS, columns)
        self.assertGreater(by_host['web1'][2], 10.0)
        self.assertEqual(0.0, by_host['web2'][2])
        command, parsed = self.parse(
            alarm_test.BacktestAlarmDefinition,
            self._args('--max-transitions', '1', '-f', 'value'))
        self.assertEqual(1, command.run(parsed))
        self.assertIn('more than --max-transitions 1',
                      self.stderr.getvalue())

    def test_metrics_lacking_a_match_by_key_are_warned_about(self) -> None:
        keyless = dict(_series('x', [50.0] * 5), dimensions={})
        self.api.on('GET', 'metrics/measurements', fakes.page([keyless]))
        command, parsed = self.parse(alarm_test.BacktestAlarmDefinition,
                                     self._args('-f', 'value'))
        self.assertEqual(0, command.run(parsed))
        self.assertIn('warning: metrics lacking the match_by key hostname '
                      'were replayed as an alarm of their own',
                      self.stderr.getvalue())

    def test_bad_fraction_is_a_usage_error(self) -> None:
        self.assert_usage_error(alarm_test.BacktestAlarmDefinition,
                                self._args('--max-alarm-fraction', '150%'))


class TestExplain(_Command):

    def setUp(self) -> None:
        super().setUp()
        now_minute = (T0 + 10 * 60_000)
        self.alarm = {
            'id': ALARM_ID, 'state': 'ALARM',
            'alarm_definition': {'id': DEF_ID, 'name': 'cpu-high'},
            'metrics': [{'name': 'cpu', 'dimensions': {
                'hostname': 'web1', 'service': 'web'}}],
            'created_timestamp': replay.iso(T0)}
        self.api.on('GET', f'alarms/{ALARM_ID}', self.alarm)
        self.api.on('GET', f'alarm-definitions/{DEF_ID}', DEFINITION)
        self.api.on('GET', 'notification-methods/n-1',
                    {'id': 'n-1', 'name': 'pager', 'type': 'WEBHOOK'})
        series = _series('web1', [5.0] * 12)
        series['dimensions']['service'] = 'web'
        self.api.on('GET', 'metrics/measurements', fakes.page([series]))
        self.at = replay.iso(now_minute)

    def _explain(self, *extra: str) -> tuple[int, dict]:
        command, parsed = self.parse(
            alarm_explain.ExplainAlarm,
            [ALARM_ID, '--at', self.at, '-f', 'json', *extra])
        self.api.on('GET', f'alarms/{ALARM_ID}/state-history', fakes.page(
            [{'timestamp': replay.iso(T0 + 4 * 60_000), 'old_state': 'OK',
              'new_state': self.stored, 'reason': 'r', 'sub_alarms': []}]))
        code = command.run(parsed)
        return code, json.loads(self.fake_stdout.make_string())

    def test_agreeing_state_exit_0_with_windows_and_actions(self) -> None:
        self.stored = 'ALARM'
        code, data = self._explain()
        self.assertEqual(0, code)
        self.assertEqual(('ALARM', 'ALARM', True), (
            data['state'], data['stored_state'], data['agrees']))
        self.assertEqual([5.0, 5.0, 5.0], [
            w['value'] for w in data['expression']['windows']])
        self.assertEqual([{'id': 'n-1', 'name': 'pager', 'type': 'WEBHOOK'}],
                         data['actions']['notifications'])
        self.assertEqual('ALARM', data['history_entry']['new_state'])

    def test_disagreeing_state_exit_1(self) -> None:
        self.stored = 'OK'
        code, data = self._explain()
        self.assertEqual(1, code)
        self.assertFalse(data['agrees'])

    def test_definition_explain_near_misses(self) -> None:
        self.api.on('GET', 'alarm-definitions', fakes.page([DEFINITION]))
        self.api.on('GET', 'metrics', lambda params, body: fakes.page(
            [{'name': 'cpu', 'dimensions': d} for d in (
                {'hostname': 'web1', 'service': 'web'},
                {'hostname': 'db1', 'service': 'db'},
                {'service': 'web'})
             if 'start_time' not in params or d.get('hostname') != 'web1'
             ]))
        command, parsed = self.parse(alarm_explain.ExplainAlarmDefinition,
                                     ['cpu-high', '-f', 'json'])
        self.assertEqual(0, command.run(parsed))
        data = json.loads(self.fake_stdout.make_string())
        reasons = sorted((m['reason'], m['metric']['dimensions'].get(
            'hostname', '')) for m in data['near_misses'])
        self.assertEqual([('dimension_mismatch', 'db1'),
                          ('missing_match_by_key', ''),
                          ('no_data', 'web1')], reasons)
        self.assertEqual(3, data['metrics'])

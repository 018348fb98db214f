"""``monitoring config export|diff|apply`` on the stub adapter.

The commands' own logic: exit codes, what is printed, which requests are
sent in which order. (The declarative model has its own unit tests; the
functional tests run the commands against the sandbox.)
"""

from __future__ import annotations

import io
from pathlib import Path
import tempfile
import textwrap
from unittest import mock

from monasca_osc import exceptions as exc
from monasca_osc.tests.unit.v2 import fakes
from monasca_osc.v2 import declarative as decl

MAIL = {'id': 'm1', 'name': 'ops', 'type': 'EMAIL',
        'address': 'ops@example.com', 'period': 0}
CPU = {'id': 'd1', 'name': 'cpu', 'description': '',
       'expression': 'max(cpu) > 90', 'deterministic': False,
       'match_by': ['hostname'], 'severity': 'HIGH', 'actions_enabled': True,
       'alarm_actions': ['m1'], 'ok_actions': [], 'undetermined_actions': []}
FILE = '''\
notification_methods:
- {name: ops, type: EMAIL, address: ops@example.com}
alarm_definitions:
- name: cpu
  expression: max(cpu) > 90
  match_by: [hostname]
  severity: HIGH
  alarm_actions: [ops]
'''


class _Base(fakes.TestCommand):

    def setUp(self) -> None:
        super().setUp()
        self.app.stderr = io.StringIO()
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(__import__('shutil').rmtree, self.tmp, True)

    def project(self, methods: list[dict], definitions: list[dict]) -> None:
        self.api.on('GET', 'notification-methods', fakes.page(methods))
        self.api.on('GET', 'alarm-definitions', fakes.page(definitions))
        self.api.on('GET', 'notification-methods/types', {'elements': [
            {'type': 'EMAIL'}, {'type': 'WEBHOOK'}]})
        self.api.on('GET', 'alarms/count', {
            'links': [], 'columns': ['count'], 'counts': [[2]]})

    def file(self, text: str) -> str:
        path = self.tmp / 'c.yaml'
        path.write_text(textwrap.dedent(text))
        return str(path)

    def run_command(self, cls: type, args: list[str]) -> int:
        command, parsed = self.parse(cls, args)
        return command.run(parsed)

    def writes(self) -> list[tuple[str, str]]:
        return [(c.method, c.path) for c in self.api.calls
                if c.method != 'GET']


class TestExportConfig(_Base):

    def test_export_names_actions_and_is_sorted(self) -> None:
        self.project([MAIL], [CPU])
        text = self.output(decl.ExportConfig, [])
        self.assertEqual(
            'notification_methods:\n- name: ops\n  type: EMAIL\n'
            '  address: ops@example.com\n  period: 0\nalarm_definitions:\n'
            "- name: cpu\n  description: ''\n  expression: max(cpu) > 90\n"
            '  match_by: [hostname]\n  severity: HIGH\n'
            '  actions_enabled: true\n  alarm_actions: [ops]\n'
            '  ok_actions: []\n  undetermined_actions: []\n', text)
        self.assertEqual([], self.writes())

    def test_filters_take_several_names(self) -> None:
        self.project([MAIL, dict(MAIL, id='m2', name='other')], [CPU])
        text = self.output(decl.ExportConfig, [
            '--notification-method', 'ops', 'oth*', '--definition', 'cpu'])
        self.assertEqual(2, text.count('type: EMAIL'))
        self.assertIn('- name: cpu', text)

    def test_output_file(self) -> None:
        self.project([MAIL], [])
        out = self.tmp / 'out.yaml'
        self.assertEqual('', self.output(decl.ExportConfig,
                                         ['--output', str(out)]))
        self.assertIn('name: ops', out.read_text())


class TestDiffConfig(_Base):

    def test_changes_exit_1_and_plan_rows(self) -> None:
        self.project([MAIL], [dict(CPU, severity='LOW')])
        command, parsed = self.parse(decl.DiffConfig, [self.file(FILE)])
        columns, rows = command.take_action(parsed)
        self.assertEqual(decl.PLAN_COLUMNS, columns)
        ((action, kind, name, changes, note),) = rows
        self.assertEqual(('update', 'alarm definition', 'cpu', ''),
                         (action, kind, name, note))
        self.assertEqual('severity: LOW -> HIGH', changes.human_readable())
        self.assertEqual({'severity': {'from': 'LOW', 'to': 'HIGH'}},
                         changes.machine_readable())
        self.assertEqual(1, self.run_command(decl.DiffConfig,
                                             [self.file(FILE)]))
        self.assertEqual([], self.writes())

    def test_no_changes_exit_0(self) -> None:
        self.project([MAIL], [CPU])
        self.assertEqual(0, self.run_command(decl.DiffConfig,
                                             [self.file(FILE)]))
        self.assertIn('No changes', self.app.stderr.getvalue())

    def test_any_error_exits_2_with_one_line(self) -> None:
        self.api.on('GET', 'notification-methods', exc.ServiceUnavailable(
            'Service Unavailable', http_status=503))
        with mock.patch.object(decl.DiffConfig, 'log') as log:
            self.assertEqual(2, self.run_command(decl.DiffConfig,
                                                 [self.file(FILE)]))
        self.assertIn('Service Unavailable', str(log.error.call_args))
        self.assertEqual(2, self.run_command(
            decl.DiffConfig, [self.file('alarm_definitions: 3\n')]))

    def test_prune_usage(self) -> None:
        with mock.patch('sys.stderr'):
            for args in (['--prune'], ['--prune-scope', 'x']):
                error = self.assertRaises(
                    SystemExit, self.run_command, decl.DiffConfig,
                    [self.file(FILE), *args])
                self.assertEqual(2, error.code)
        self.assertEqual([], self.api.calls)


class TestApplyConfig(_Base):

    def test_create_in_order(self) -> None:
        self.project([], [])
        self.api.on('POST', 'notification-methods', MAIL)
        self.api.on('POST', 'alarm-definitions', CPU)
        self.assertEqual(0, self.run_command(decl.ApplyConfig,
                                             [self.file(FILE)]))
        self.assertEqual([('POST', 'notification-methods'),
                          ('POST', 'alarm-definitions')], self.writes())
        self.assertEqual(['m1'], self.api.calls[-1].body['alarm_actions'])
        self.assertEqual(
            "created notification method 'ops'\n"
            "created alarm definition 'cpu'\n"
            'Applied 2 change(s): 2 created.\n',
            self.fake_stdout.make_string())

    def test_dry_run_sends_nothing(self) -> None:
        self.project([], [])
        self.assertEqual(0, self.run_command(
            decl.ApplyConfig, [self.file(FILE), '--dry-run']))
        self.assertEqual([], self.writes())
        self.assertIn("would create alarm definition 'cpu'",
                      self.fake_stdout.make_string())

    def test_failure_reports_what_was_and_was_not_applied(self) -> None:
        self.project([], [])
        self.api.on('POST', 'notification-methods', MAIL)
        self.api.on('POST', 'alarm-definitions', exc.ServerError(
            'Internal Server Error', http_status=500))
        self.assertEqual(1, self.run_command(decl.ApplyConfig,
                                             [self.file(FILE)]))
        err = self.app.stderr.getvalue().splitlines()
        self.assertEqual([
            "failed: create alarm definition 'cpu': Internal Server Error",
            'Apply stopped: 1 of 2 change(s) applied, 1 failed, 0 not '
            'applied. Fix the cause and run apply again: it continues from '
            'the current state.'], err)

    def test_replace_refused_without_allow_replace(self) -> None:
        from monasca_osc.common.validation import ValidationError

        self.project([MAIL], [dict(CPU, match_by=['service'])])
        command, parsed = self.parse(decl.ApplyConfig, [self.file(FILE)])
        error = self.assertRaises(ValidationError, command.run, parsed)
        self.assertIn("Refusing to replace alarm definition(s) 'cpu' "
                      '(match_by changes)', str(error))
        self.assertEqual([], self.writes())

    def test_replace_deletes_then_creates(self) -> None:
        self.project([MAIL], [dict(CPU, match_by=['service'])])
        self.api.on('DELETE', 'alarm-definitions/d1', None)
        self.api.on('POST', 'alarm-definitions', dict(CPU, id='d2'))
        self.assertEqual(0, self.run_command(
            decl.ApplyConfig, [self.file(FILE), '--allow-replace']))
        self.assertEqual([('DELETE', 'alarm-definitions/d1'),
                          ('POST', 'alarm-definitions')], self.writes())
        (count,) = [c for c in self.api.calls if c.path == 'alarms/count']
        self.assertEqual('d1', count.params['alarm_definition_id'])



    def test_replace_whose_create_fails_says_the_old_one_is_gone(self) -> None:
        self.project([MAIL], [dict(CPU, match_by=['service'])])
        self.api.on('DELETE', 'alarm-definitions/d1', None)
        self.api.on('POST', 'alarm-definitions', exc.Conflict(
            'Conflict', http_status=409))
        self.assertEqual(1, self.run_command(
            decl.ApplyConfig, [self.file(FILE), '--allow-replace']))
        self.assertEqual(
            "failed: replace alarm definition 'cpu' (match_by changes; its "
            'alarms and their history are deleted): the old definition was '
            'deleted, but creating the new one failed: Conflict',
            self.app.stderr.getvalue().splitlines()[0])

    def test_ctrl_c_reports_then_exits_as_interrupted(self) -> None:
        self.project([], [])
        self.api.on('POST', 'notification-methods', KeyboardInterrupt())
        command, parsed = self.parse(decl.ApplyConfig, [self.file(FILE)])
        self.assertRaises(KeyboardInterrupt, command.run, parsed)
        self.assertEqual([
            "failed: create notification method 'ops': interrupted",
            "not applied: create alarm definition 'cpu'",
            'Apply stopped: 0 of 2 change(s) applied, 1 failed, 1 not '
            'applied. Fix the cause and run apply again: it continues from '
            'the current state.'], self.app.stderr.getvalue().splitlines())

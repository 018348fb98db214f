"""``monitoring alarm definition create/list/show/set/delete``."""

from __future__ import annotations

import json

from osc_lib import exceptions as osc_exc

from monasca_osc import exceptions as exc
from monasca_osc.tests.unit.v2 import fakes
from monasca_osc.v2 import alarm_definition as ad
from monasca_osc.v2.base import cells

EXPR = 'avg(cpu.idle_perc{hostname=web1}, 120) < 10 times 3'
DEF_ID = 'f9935bcc-9641-4cbf-8224-0993a947ea83'
NM_ID = '35cc6f1c-3a29-49fb-a6fc-d9d97d190508'
DEFINITION = {'id': DEF_ID, 'links': [], 'name': 'cpu low',
              'description': 'd', 'expression': EXPR, 'deterministic': False,
              'match_by': ['hostname'], 'severity': 'HIGH',
              'actions_enabled': True, 'alarm_actions': [NM_ID],
              'ok_actions': [], 'undetermined_actions': []}
METHOD = {'id': NM_ID, 'name': 'ops', 'type': 'EMAIL', 'address': 'a@b',
          'period': 0}
PATH = f'alarm-definitions/{DEF_ID}'


class TestCreateAlarmDefinition(fakes.TestCommand):

    def setUp(self) -> None:
        super().setUp()
        self.api.on('POST', 'alarm-definitions', DEFINITION)
        self.api.on('GET', 'notification-methods', fakes.page([METHOD]))
        self.api.on('GET', f'notification-methods/{NM_ID}', METHOD)

    def test_parser(self) -> None:
        self.parse(ad.CreateAlarmDefinition, [
            'cpu low', '--expression', EXPR, '--description', 'd',
            '--severity', 'high', '--match-by', 'hostname', '--match-by',
            'service,az', '--alarm-action', 'ops', '--ok-action', NM_ID], [
            ('name', 'cpu low'), ('expression', EXPR), ('description', 'd'),
            ('severity', 'high'), ('match_by', ['hostname', 'service,az']),
            ('alarm_actions', ['ops']), ('ok_actions', [NM_ID]),
            ('undetermined_actions', None)])

    def test_parser_errors(self) -> None:
        for args in ([], ['x'], ['--expression', EXPR],
                     ['x', '--expression', EXPR, '--no-ok-actions'],
                     ['x', '--expression', EXPR, '--replace']):
            self.assert_usage_error(ad.CreateAlarmDefinition, args)

    def test_create(self) -> None:
        columns, values = self.take(ad.CreateAlarmDefinition, [
            'cpu low', '--expression', EXPR, '--description', 'd',
            '--severity', 'high', '--match-by', 'hostname', '--match-by',
            'service, az', '--alarm-action', 'ops', '--ok-action', NM_ID])
        post = self.requests('POST')[0]
        self.assertEqual({
            'name': 'cpu low', 'expression': EXPR, 'description': 'd',
            'severity': 'HIGH', 'match_by': ['hostname', 'service', 'az'],
            'alarm_actions': [NM_ID], 'ok_actions': [NM_ID]}, post.body)
        self.assertEqual(ad.SHOW_FIELDS, columns)
        shown = dict(zip(columns, values, strict=True))
        self.assertEqual(DEF_ID, shown['id'])
        self.assertIsInstance(shown['match_by'], cells.ListColumn)
        self.assertEqual(['hostname'], shown['match_by'].machine_readable())
        self.assertEqual(NM_ID, shown['alarm_actions'].human_readable())

    def test_minimal_body(self) -> None:
        self.take(ad.CreateAlarmDefinition, ['n', '--expression', EXPR])
        self.assertEqual([('POST', 'alarm-definitions',
                           {'name': 'n', 'expression': EXPR})],
                         [(c.method, c.path, c.body)
                          for c in self.api.calls])

    def test_action_by_name_is_resolved(self) -> None:
        self.take(ad.CreateAlarmDefinition, [
            'n', '--expression', EXPR, '--undetermined-action', 'ops'])
        self.assertEqual(
            [('GET', 'notification-methods/ops'),
             ('GET', 'notification-methods'), ('POST', 'alarm-definitions')],
            [(c.method, c.path) for c in self.api.calls])
        self.assertEqual([NM_ID],
                         self.api.calls[-1].body['undetermined_actions'])

    def test_unknown_action_is_an_error_before_create(self) -> None:
        command, parsed = self.parse(ad.CreateAlarmDefinition, [
            'n', '--expression', EXPR, '--alarm-action', 'nobody'])
        self.assertRaises(exc.NotFound, command.take_action, parsed)
        self.assertEqual([], self.requests('POST'))

    def test_invalid(self) -> None:
        cases = [
            (['n', '--expression', 'avg(cpu) = 1'],
             'Invalid alarm expression'),
            (['n', '--expression', 'avg(cpu, 90) > 1'], 'multiple of 60'),
            (['n', '--expression', EXPR, '--severity', 'urgent'],
             "'urgent'"),
            (['n', '--expression', EXPR, '--match-by', '_x'],
             'invalid characters in dimension key _x'),
            # checked before the notification names are looked up
            (['x' * 256, '--expression', EXPR, '--alarm-action', 'ops'],
             '256 characters'),
            (['n', '--expression', EXPR, '--description', 'd' * 256,
              '--ok-action', 'ops'], '256 characters'),
        ]
        for args, fragment in cases:
            self.assert_invalid(ad.CreateAlarmDefinition, args, fragment)

    def test_json_output(self) -> None:
        out = self.output(ad.CreateAlarmDefinition,
                          ['n', '--expression', EXPR, '-f', 'json'])
        shown = json.loads(out)
        self.assertEqual(['hostname'], shown['match_by'])
        self.assertEqual([NM_ID], shown['alarm_actions'])
        self.assertIs(True, shown['actions_enabled'])
        self.assertIs(False, shown['deterministic'])

    def test_value_output(self) -> None:
        out = self.output(ad.CreateAlarmDefinition,
                          ['n', '--expression', EXPR, '-f', 'value', '-c',
                           'match_by', '-c', 'actions_enabled', '-c',
                           'ok_actions'])
        self.assertEqual(['hostname', 'true', ''], out.splitlines())


class TestListAlarmDefinition(fakes.TestCommand):

    def setUp(self) -> None:
        super().setUp()
        self.api.on('GET', 'alarm-definitions', fakes.page([DEFINITION]))

    def test_list(self) -> None:
        columns, rows = self.take(ad.ListAlarmDefinition, [])
        self.assertEqual(ad.LIST_COLUMNS, columns)
        self.assertItemEqual(
            (DEF_ID, 'cpu low', EXPR, 'HIGH',
             cells.ListColumn(['hostname']), True), rows[0])

    def test_long(self) -> None:
        columns, rows = self.take(ad.ListAlarmDefinition, ['--long'])
        self.assertEqual(ad.LONG_COLUMNS, columns)
        self.assertEqual(len(ad.LONG_COLUMNS), len(rows[0]))
        self.assertEqual([NM_ID], rows[0][8].machine_readable())

    def test_filters(self) -> None:
        self.take(ad.ListAlarmDefinition, [
            '--name', 'cpu low', '--dimension', 'hostname=web1',
            '--severity', 'low', '--severity', 'HIGH|critical', '--sort',
            'name:desc', '--sort', 'id', '--marker', '10', '--limit', '5'],
            [('severity', ['low', 'HIGH|critical']),
             ('sort', ['name:desc', 'id'])])
        self.assertEqual({'name': 'cpu low', 'dimensions': 'hostname:web1',
                          'severity': 'LOW|HIGH|CRITICAL',
                          'sort_by': 'name desc,id asc', 'offset': '10',
                          'limit': 5}, self.api.calls[0].params)

    def test_invalid(self) -> None:
        self.assert_invalid(ad.ListAlarmDefinition, ['--severity', 'x'],
                            "'x'")
        self.assert_invalid(ad.ListAlarmDefinition, ['--sort', 'bogus'],
                            "'bogus'")
        self.assert_invalid(ad.ListAlarmDefinition, ['--sort', 'name:up'],
                            "'up'")
        self.assert_invalid(ad.ListAlarmDefinition, ['--marker', 'abc'],
                            'Offset value abc must be an integer')
        self.assert_usage_error(ad.ListAlarmDefinition, ['--limit', '-3'])

    def test_json_keeps_lists(self) -> None:
        rows = json.loads(self.output(ad.ListAlarmDefinition,
                                      ['-f', 'json']))
        self.assertEqual(['hostname'], rows[0]['Match By'])
        self.assertIs(True, rows[0]['Actions Enabled'])


class TestShowAlarmDefinition(fakes.TestCommand):

    def test_by_id(self) -> None:
        self.api.on('GET', PATH, DEFINITION)
        columns, values = self.take(ad.ShowAlarmDefinition, [DEF_ID])
        self.assertEqual(ad.SHOW_FIELDS, columns)
        self.assertEqual(DEF_ID, values[0])
        self.assertEqual(1, len(self.api.calls))

    def test_by_name(self) -> None:
        self.api.on('GET', 'alarm-definitions', fakes.page([DEFINITION]))
        columns, values = self.take(ad.ShowAlarmDefinition, ['cpu low'])
        self.assertEqual(DEF_ID, values[0])
        self.assertEqual(('GET', 'alarm-definitions/cpu%20low'),
                         (self.api.calls[0].method, self.api.calls[0].path))
        self.assertEqual({'name': 'cpu low', 'limit': 10000},
                         self.api.calls[1].params)

    def test_not_found_and_not_unique(self) -> None:
        self.api.on('GET', 'alarm-definitions', fakes.page([]))
        command, parsed = self.parse(ad.ShowAlarmDefinition, ['ghost'])
        error = self.assertRaises(exc.NotFound, command.take_action, parsed)
        self.assertEqual("No alarm definition with name or ID 'ghost'",
                         str(error))
        self.api.on('GET', 'alarm-definitions', fakes.page(
            [DEFINITION, dict(DEFINITION, id='other')]))
        command, parsed = self.parse(ad.ShowAlarmDefinition, ['cpu low'])
        self.assertRaises(exc.NotUnique, command.take_action, parsed)

    def test_parser_errors(self) -> None:
        self.assert_usage_error(ad.ShowAlarmDefinition, [])
        self.assert_usage_error(ad.ShowAlarmDefinition, ['a', 'b'])


class TestSetAlarmDefinition(fakes.TestCommand):

    def setUp(self) -> None:
        super().setUp()
        self.api.on('GET', PATH, DEFINITION)
        self.api.on('PATCH', PATH, DEFINITION)
        self.api.on('PUT', PATH, DEFINITION)
        self.api.on('GET', 'notification-methods', fakes.page([METHOD]))
        self.api.on('GET', f'notification-methods/{NM_ID}', METHOD)

    def test_parser(self) -> None:
        self.parse(ad.SetAlarmDefinition, [
            DEF_ID, '--name', 'n', '--disable-actions', '--no-ok-actions',
            '--alarm-action', 'ops'], [
            ('definition', DEF_ID), ('name', 'n'),
            ('actions_enabled', False), ('no_ok_actions', True),
            ('alarm_actions', ['ops']), ('replace', False)])
        self.assert_usage_error(ad.SetAlarmDefinition, [
            DEF_ID, '--enable-actions', '--disable-actions'])
        self.assert_usage_error(ad.SetAlarmDefinition, [])

    def test_set_patches_only_given_fields(self) -> None:
        self.take(ad.SetAlarmDefinition, [
            DEF_ID, '--severity', 'critical', '--disable-actions',
            '--no-ok-actions', '--alarm-action', 'ops'])
        patch = self.requests('PATCH')[0]
        self.assertEqual(PATH, patch.path)
        self.assertEqual({'severity': 'CRITICAL', 'actions_enabled': False,
                          'ok_actions': [], 'alarm_actions': [NM_ID]},
                         patch.body)
        self.assertEqual([], self.requests('PUT'))

    def test_set_expression(self) -> None:
        new = EXPR.replace('< 10', '< 5')
        self.take(ad.SetAlarmDefinition, [DEF_ID, '--expression', new,
                                          '--name', 'renamed'])
        self.assertEqual({'expression': new, 'name': 'renamed'},
                         self.requests('PATCH')[0].body)

    def test_replace_puts_every_field(self) -> None:
        self.take(ad.SetAlarmDefinition, [
            DEF_ID, '--replace', '--name', 'n', '--expression', EXPR,
            '--ok-action', NM_ID])
        put = self.requests('PUT')[0]
        self.assertEqual(PATH, put.path)
        self.assertEqual({
            'name': 'n', 'expression': EXPR, 'description': '',
            'match_by': ['hostname'], 'severity': 'LOW',
            'alarm_actions': [], 'ok_actions': [NM_ID],
            'undetermined_actions': [], 'actions_enabled': True}, put.body)
        self.assertEqual([], self.requests('PATCH'))

    def test_replace_with_everything(self) -> None:
        self.api.on('GET', 'alarm-definitions', fakes.page([DEFINITION]))
        self.take(ad.SetAlarmDefinition, [
            'cpu low', '--replace', '--name', 'n', '--expression', EXPR,
            '--description', 'x', '--severity', 'medium',
            '--disable-actions', '--match-by', 'hostname'])
        put = self.requests('PUT')[0]
        self.assertEqual(PATH, put.path)
        self.assertEqual({
            'name': 'n', 'expression': EXPR, 'description': 'x',
            'match_by': ['hostname'], 'severity': 'MEDIUM',
            'alarm_actions': [], 'ok_actions': [],
            'undetermined_actions': [], 'actions_enabled': False}, put.body)

    def test_invalid(self) -> None:
        cases = [
            ([DEF_ID], 'Nothing to set'),
            ([DEF_ID, '--replace', '--name', 'n'],
             '--replace needs --expression'),
            ([DEF_ID, '--replace'], '--replace needs --name and '
                                    '--expression'),
            ([DEF_ID, '--match-by', 'hostname'],
             '--match-by can only be given with --replace'),
            ([DEF_ID, '--severity', 'bad'], "'bad'"),
            ([DEF_ID, '--expression', 'max(x) >'],
             'Invalid alarm expression'),
            ([DEF_ID, '--name', 'n' * 256, '--alarm-action', 'ops'],
             '256 characters'),
            ([DEF_ID, '--replace', '--name', 'n', '--expression', EXPR,
              '--match-by', '_h'], 'invalid characters in dimension key'),
        ]
        for args, fragment in cases:
            self.assert_invalid(ad.SetAlarmDefinition, args, fragment)

    def test_json_output(self) -> None:
        out = self.output(ad.SetAlarmDefinition,
                          [DEF_ID, '--enable-actions', '-f', 'json'])
        self.assertEqual(['hostname'], json.loads(out)['match_by'])
        self.assertEqual({'actions_enabled': True},
                         self.requests('PATCH')[0].body)


class TestDeleteAlarmDefinition(fakes.TestCommand):

    def test_delete_several(self) -> None:
        self.api.on('GET', PATH, DEFINITION)
        self.api.on('DELETE', PATH, None)
        self.api.on('GET', 'alarm-definitions', fakes.page([DEFINITION]))
        command, parsed = self.parse(ad.DeleteAlarmDefinition,
                                     [DEF_ID, 'cpu low'],
                                     [('items', [DEF_ID, 'cpu low'])])
        self.assertIsNone(command.take_action(parsed))
        self.assertEqual(2, len(self.requests('DELETE')))

    def test_partial_failure(self) -> None:
        self.api.on('GET', PATH, DEFINITION)
        self.api.on('DELETE', PATH, None)
        self.api.on('GET', 'alarm-definitions', fakes.page([]))
        command, parsed = self.parse(ad.DeleteAlarmDefinition,
                                     ['ghost', DEF_ID, 'phantom'])
        with self.assertLogs(command.log, 'ERROR') as logs:
            error = self.assertRaises(osc_exc.CommandError,
                                      command.take_action, parsed)
        self.assertEqual('2 of 3 alarm definitions failed to delete',
                         str(error))
        self.assertEqual(1, len(self.requests('DELETE')))
        self.assertEqual(2, len(logs.output))
        self.assertIn("Failed to delete alarm definition 'ghost': No alarm "
                      "definition with name or ID 'ghost'", logs.output[0])

    def test_parser_errors(self) -> None:
        self.assert_usage_error(ad.DeleteAlarmDefinition, [])

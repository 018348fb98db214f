"""``monitoring notification method ...`` and ``version``/``health``."""

from __future__ import annotations

import json

from osc_lib import exceptions as osc_exc

from monasca_osc import exceptions as exc
from monasca_osc.tests.unit.v2 import fakes
from monasca_osc.v2 import notification as nm
from monasca_osc.v2 import version

NM_ID = '35cc6f1c-3a29-49fb-a6fc-d9d97d190508'
METHOD = {'id': NM_ID, 'name': 'ops', 'type': 'EMAIL',
          'address': 'ops@example.com', 'period': 0, 'links': []}
HOOK = {'id': 'h1', 'name': 'hook', 'type': 'WEBHOOK',
        'address': 'https://h.example/x', 'period': 60, 'links': []}
PATH = f'notification-methods/{NM_ID}'


class TestCreateNotificationMethod(fakes.TestCommand):

    def test_create(self) -> None:
        self.api.on('POST', 'notification-methods', METHOD)
        columns, values = self.take(nm.CreateNotificationMethod, [
            'ops', '--type', 'email', '--address', 'ops@example.com'], [
            ('name', 'ops'), ('type', 'email'),
            ('address', 'ops@example.com'), ('period', None)])
        self.assertEqual({'name': 'ops', 'type': 'EMAIL',
                          'address': 'ops@example.com'},
                         self.api.calls[0].body)
        self.assertEqual(nm.SHOW_FIELDS, columns)
        self.assertEqual((NM_ID, 'ops', 'EMAIL', 'ops@example.com', 0),
                         values)

    def test_period(self) -> None:
        self.api.on('POST', 'notification-methods', HOOK)
        self.take(nm.CreateNotificationMethod, [
            'hook', '--type', 'WEBHOOK', '--address', 'https://h.example/x',
            '--period', '60'])
        self.assertEqual(60, self.api.calls[0].body['period'])

    def test_parser_errors(self) -> None:
        for args in ([], ['n'], ['n', '--type', 'EMAIL'],
                     ['n', '--address', 'a@b'],
                     ['--type', 'EMAIL', '--address', 'a@b']):
            self.assert_usage_error(nm.CreateNotificationMethod, args)

    def test_invalid(self) -> None:
        cases = [
            (['n', '--type', 'EMAIL', '--address', 'nobody'],
             'Address nobody is not of correct format'),
            (['n', '--type', 'WEBHOOK', '--address', 'ftp://x'],
             'not an http or https URL'),
            (['n', '--type', 'EMAIL', '--address', 'a@b',
              '--period=-30'], 'Period -30 must not be negative'),
            (['n', '--type', 'EMAIL', '--address', 'a@b', '--period', 'x'],
             "Period 'x' must be an integer"),
            (['n' * 251, '--type', 'EMAIL', '--address', 'a@b'], '251'),
        ]
        for args, fragment in cases:
            self.assert_invalid(nm.CreateNotificationMethod, args, fragment)

    def test_json(self) -> None:
        self.api.on('POST', 'notification-methods', METHOD)
        shown = json.loads(self.output(nm.CreateNotificationMethod, [
            'ops', '--type', 'email', '--address', 'ops@example.com', '-f',
            'json']))
        self.assertEqual({'id': NM_ID, 'name': 'ops', 'type': 'EMAIL',
                          'address': 'ops@example.com', 'period': 0}, shown)


class TestListNotificationMethod(fakes.TestCommand):

    def test_list(self) -> None:
        self.api.on('GET', 'notification-methods', fakes.Pages(
            fakes.page([METHOD], next_offset=NM_ID), fakes.page([HOOK])))
        columns, rows = self.take(nm.ListNotificationMethod, [
            '--sort', 'name:desc', '--sort', 'type', '--page-size', '1'])
        self.assertEqual(('ID', 'Name', 'Type', 'Address', 'Period'),
                         columns)
        self.assertEqual([(NM_ID, 'ops', 'EMAIL', 'ops@example.com', 0),
                          ('h1', 'hook', 'WEBHOOK', 'https://h.example/x',
                           60)], rows)
        # The UUID in the next link is never sent back as an offset.
        self.assertEqual([
            {'sort_by': 'name desc,type asc', 'limit': 1},
            {'sort_by': 'name desc,type asc', 'limit': 1, 'offset': '1'}],
            [c.params for c in self.api.calls])

    def test_marker(self) -> None:
        self.api.on('GET', 'notification-methods', fakes.page([]))
        self.take(nm.ListNotificationMethod, ['--marker', '4', '--limit',
                                              '2'])
        self.assertEqual({'offset': '4', 'limit': 2},
                         self.api.calls[0].params)

    def test_invalid(self) -> None:
        self.assert_invalid(nm.ListNotificationMethod, ['--sort', 'period'],
                            "Sort field 'period'")
        self.assert_invalid(nm.ListNotificationMethod, ['--marker', NM_ID],
                            'must be an integer')
        self.assert_usage_error(nm.ListNotificationMethod, ['--name', 'x'])


class TestShowNotificationMethod(fakes.TestCommand):

    def test_by_id(self) -> None:
        self.api.on('GET', PATH, METHOD)
        columns, values = self.take(nm.ShowNotificationMethod, [NM_ID])
        self.assertEqual((NM_ID, 'ops', 'EMAIL', 'ops@example.com', 0),
                         values)
        self.assertEqual(1, len(self.api.calls))

    def test_by_name(self) -> None:
        self.api.on('GET', 'notification-methods', fakes.page([HOOK,
                                                               METHOD]))
        columns, values = self.take(nm.ShowNotificationMethod, ['ops'])
        self.assertEqual(NM_ID, values[0])
        self.assertEqual(['notification-methods/ops',
                          'notification-methods'],
                         [c.path for c in self.api.calls])

    def test_not_unique(self) -> None:
        self.api.on('GET', 'notification-methods', fakes.page(
            [METHOD, dict(METHOD, id='2')]))
        command, parsed = self.parse(nm.ShowNotificationMethod, ['ops'])
        error = self.assertRaises(exc.NotUnique, command.take_action, parsed)
        self.assertIn("More than one notification method is named 'ops'",
                      str(error))


class TestSetNotificationMethod(fakes.TestCommand):

    def setUp(self) -> None:
        super().setUp()
        self.api.on('GET', PATH, METHOD)
        self.api.on('PATCH', PATH, METHOD)
        self.api.on('PUT', PATH, METHOD)
        self.api.on('GET', 'notification-methods', fakes.page([METHOD]))

    def test_set_patches(self) -> None:
        self.take(nm.SetNotificationMethod, ['ops', '--name', 'ops2',
                                             '--period', '60'])
        patch = self.requests('PATCH')[0]
        self.assertEqual(PATH, patch.path)
        self.assertEqual({'name': 'ops2', 'period': 60}, patch.body)
        self.assertEqual([], self.requests('PUT'))

    def test_set_address_checks_the_stored_type(self) -> None:
        command, parsed = self.parse(nm.SetNotificationMethod,
                                     [NM_ID, '--address', 'not-email'])
        from monasca_osc.common.validation import ValidationError

        self.assertRaises(ValidationError, command.take_action, parsed)
        self.assertEqual([], self.requests('PATCH'))

    def test_replace_puts(self) -> None:
        self.take(nm.SetNotificationMethod, [
            NM_ID, '--replace', '--name', 'ops', '--type', 'webhook',
            '--address', 'http://h/x', '--period', '0'])
        put = self.requests('PUT')[0]
        self.assertEqual(PATH, put.path)
        self.assertEqual({'name': 'ops', 'type': 'WEBHOOK',
                          'address': 'http://h/x', 'period': 0}, put.body)
        self.assertEqual([], self.requests('PATCH'))

    def test_invalid(self) -> None:
        cases = [
            ([NM_ID], 'Nothing to set'),
            ([NM_ID, '--replace', '--name', 'n'],
             '--replace needs --type, --address, --period'),
            # Checked before the name is looked up (nothing is sent).
            (['ops', '--period', 'x'], "Period 'x' must be an integer"),
            (['ops', '--replace', '--name', 'n' * 300, '--type', 'EMAIL',
              '--address', 'a@b.c', '--period', '0'], 'the limit is 250'),
        ]
        for args, fragment in cases:
            self.assert_invalid(nm.SetNotificationMethod, args, fragment)
        self.assert_usage_error(nm.SetNotificationMethod, [])


class TestDeleteNotificationMethod(fakes.TestCommand):

    def test_partial_failure(self) -> None:
        self.api.on('GET', PATH, METHOD)
        self.api.on('DELETE', PATH, None)
        self.api.on('GET', 'notification-methods', fakes.page([METHOD]))
        command, parsed = self.parse(nm.DeleteNotificationMethod,
                                     ['ops', 'ghost', NM_ID])
        with self.assertLogs(command.log, 'ERROR') as logs:
            error = self.assertRaises(osc_exc.CommandError,
                                      command.take_action, parsed)
        self.assertEqual('1 of 3 notification methods failed to delete',
                         str(error))
        self.assertEqual(2, len(self.requests('DELETE')))
        self.assertIn("'ghost'", logs.output[0])

    def test_all_ok(self) -> None:
        self.api.on('GET', PATH, METHOD)
        self.api.on('DELETE', PATH, None)
        command, parsed = self.parse(nm.DeleteNotificationMethod, [NM_ID])
        self.assertIsNone(command.take_action(parsed))
        self.assertEqual(['GET', 'DELETE'],
                         [c.method for c in self.api.calls])

    def test_parser(self) -> None:
        self.assert_usage_error(nm.DeleteNotificationMethod, [])


class TestListNotificationMethodType(fakes.TestCommand):

    def test_list(self) -> None:
        self.api.on('GET', 'notification-methods/types', fakes.page(
            [{'type': 'EMAIL'}, {'type': 'WEBHOOK'}]))
        columns, rows = self.take(nm.ListNotificationMethodType, [])
        self.assertEqual(('Type',), columns)
        self.assertEqual([('EMAIL',), ('WEBHOOK',)], rows)

    def test_parser(self) -> None:
        self.assert_usage_error(nm.ListNotificationMethodType, ['x'])


class TestVersion(fakes.TestCommand):
    VERSION = {'id': 'v2.0', 'status': 'CURRENT',
               'updated': '2013-03-06T00:00:00.000Z', 'links': []}

    def test_list(self) -> None:
        self.api.on('GET', '/', fakes.page([self.VERSION]))
        columns, rows = self.take(version.ListVersion, [])
        self.assertEqual(('ID', 'Status', 'Updated'), columns)
        self.assertEqual([('v2.0', 'CURRENT', '2013-03-06T00:00:00.000Z')],
                         rows)

    def test_show(self) -> None:
        self.api.on('GET', fakes.SERVER + 'v2.0', self.VERSION)
        columns, values = self.take(version.ShowVersion, [])
        self.assertEqual(('id', 'status', 'updated'), columns)
        self.assertEqual(('v2.0', 'CURRENT', '2013-03-06T00:00:00.000Z'),
                         values)

    def test_parser(self) -> None:
        self.assert_usage_error(version.ShowVersion, ['a', 'b'])
        self.assert_usage_error(version.ListVersion, ['--all'])

    def test_health_ok(self) -> None:
        self.api.health = (200, {'kafka': 'OK', 'metrics_database': 'OK'})
        command, parsed = self.parse(version.ShowHealth, ['-f', 'json'])
        self.assertEqual(0, command.run(parsed))
        self.assertEqual({'kafka': 'OK', 'metrics_database': 'OK',
                          'status': 200},
                         json.loads(self.fake_stdout.make_string()))

    def test_health_unhealthy_exits_1(self) -> None:
        self.api.health = (503, {'kafka': 'down'})
        command, parsed = self.parse(version.ShowHealth, ['-f', 'value'])
        with self.assertLogs(command.log, 'ERROR'):
            self.assertEqual(1, command.run(parsed))
        self.assertEqual(['down', '503'],
                         self.fake_stdout.make_string().splitlines())

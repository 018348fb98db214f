"""``openstack monitoring notification method ...`` commands."""

from __future__ import annotations

import argparse
import functools
from typing import Any

from monasca_osc.common import validation
from monasca_osc.v2.base import arguments, commands, options

LIST_COLUMNS = ('ID', 'Name', 'Type', 'Address', 'Period')
SHOW_FIELDS = ('id', 'name', 'type', 'address', 'period')


class _ShowMethod(commands.ShowOne):
    show_fields = SHOW_FIELDS


def _add_fields(parser: argparse.ArgumentParser, required: bool) -> None:
    parser.add_argument(
        '--type', metavar='<type>', required=required,
        help='Notification type, e.g. EMAIL, WEBHOOK, PAGERDUTY (see '
             '"notification method type list")' +
             (' (required)' if required else ''))
    parser.add_argument(
        '--address', metavar='<address>', required=required,
        help='E-mail address, webhook URL or service key' +
             (' (required)' if required else ''))
    parser.add_argument(
        '--period', metavar='<seconds>',
        help='Re-notification period in seconds: 0 (default) or a period '
             'the server allows (60 by default)')


class CreateNotificationMethod(_ShowMethod):
    """Create a notification method"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('name', metavar='<name>',
                            help='Name of the notification method')
        _add_fields(parser, required=True)
        return parser

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.notifications.create(
            name=parsed_args.name, type=parsed_args.type,
            address=parsed_args.address, period=parsed_args.period)


class ListNotificationMethod(commands.Lister):
    """List notification methods"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        options.add_sort_option(parser, validation.NOTIFICATION_SORT_FIELDS)
        options.add_paging_options(parser, 'offset')
        return parser

    list_columns = LIST_COLUMNS
    column_fields = {c: c.lower() for c in LIST_COLUMNS}

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.notifications.iter_list(
            sort_by=arguments.sort_by(parsed_args),
            **arguments.paging_kwargs(parsed_args))


class ShowNotificationMethod(_ShowMethod):
    """Show a notification method"""

    argument_table = (options.arg('method', metavar='<notification-method>',
                                  help='Notification method (name or ID)'),)

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.notifications.find(parsed_args.method)


def _method_id(manager: Any, name_or_id: str) -> str:
    return manager.find(name_or_id)['id']


class SetNotificationMethod(_ShowMethod):
    """Set notification method properties (or replace with --replace)"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('method', metavar='<notification-method>',
                            help='Notification method to change (name or '
                                 'ID)')
        parser.add_argument('--name', metavar='<name>', help='New name')
        _add_fields(parser, required=False)
        parser.add_argument(
            '--replace', action='store_true', default=False,
            help='Replace the whole method (HTTP PUT): --name, --type, '
                 '--address and --period are then all required')
        return parser

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        fields = {'name': parsed_args.name, 'type': parsed_args.type,
                  'address': parsed_args.address,
                  'period': parsed_args.period}
        manager = self.client.notifications
        # Looked up by the manager once the fields passed its checks.
        method_id = functools.partial(_method_id, manager, parsed_args.method)
        if parsed_args.replace:
            missing = [f'--{k}' for k, v in fields.items() if v is None]
            if missing:
                raise validation.ValidationError(
                    f'--replace needs {", ".join(missing)}')
            return manager.update(method_id, **fields)
        if all(v is None for v in fields.values()):
            raise validation.ValidationError(
                'Nothing to set: give --name, --type, --address or --period')
        return manager.patch(method_id, **fields)


class DeleteNotificationMethod(commands.Command):
    """Delete notification method(s)"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('methods', metavar='<notification-method>',
                            nargs='+',
                            help='Notification method(s) to delete (name or '
                                 'ID)')
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        manager = self.client.notifications

        def delete(item: str) -> None:
            manager.delete(manager.find(item)['id'])

        commands.delete_each(parsed_args.methods, 'notification method',
                             delete, self.log)


class ListNotificationMethodType(commands.Lister):
    """List the notification types the server supports"""

    list_columns = ('Type',)
    column_fields = {'Type': 'type'}

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.notificationtypes.list()

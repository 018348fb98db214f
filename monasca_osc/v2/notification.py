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


def _fields(required: bool) -> tuple[options.Arg, ...]:
    """--type, --address and --period (create: the first two required)."""
    when_required = ' (required)' if required else ''
    return (
        options.arg('--type', metavar='<type>', required=required,
                    help='Notification type, e.g. EMAIL, WEBHOOK, PAGERDUTY '
                         '(see "notification method type list")'
                         + when_required),
        options.arg('--address', metavar='<address>', required=required,
                    help='E-mail address, webhook URL or service key'
                         + when_required),
        options.arg('--period', metavar='<seconds>',
                    help='Re-notification period in seconds: 0 (default) or '
                         'a period the server allows (60 by default)'),
    )


class CreateNotificationMethod(_ShowMethod):
    """Create a notification method"""

    argument_table = (options.arg('name', metavar='<name>',
                                  help='Name of the notification method'),
                      *_fields(required=True))

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.notifications.create(
            name=parsed_args.name, type=parsed_args.type,
            address=parsed_args.address, period=parsed_args.period)


class ListNotificationMethod(commands.Lister):
    """List notification methods"""

    argument_table = (options.sort(validation.NOTIFICATION_SORT_FIELDS),
                      *options.paging())
    columns = commands.ListColumns(
        LIST_COLUMNS, {c: c.lower() for c in LIST_COLUMNS})

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.notifications.iter_list(
            **arguments.listing_kwargs(parsed_args))


class ShowNotificationMethod(_ShowMethod):
    """Show a notification method"""

    argument_table = (options.name_or_id('method', '<notification-method>',
                                         'Notification method'),)

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.notifications.find(parsed_args.method)


def _method_id(manager: Any, name_or_id: str) -> str:
    return manager.find(name_or_id)['id']


class SetNotificationMethod(_ShowMethod):
    """Set notification method properties (or replace with --replace)"""

    argument_table = (
        options.name_or_id('method', '<notification-method>',
                           'Notification method to change'),
        options.arg('--name', metavar='<name>', help='New name'),
        *_fields(required=False),
        options.switch('--replace', 'Replace the whole method (HTTP PUT): '
                       '--name, --type, --address and --period are then all '
                       'required'),
    )

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


class DeleteNotificationMethod(commands.DeleteByName):
    """Delete notification method(s)"""

    manager_name = 'notifications'
    what = 'notification method'
    metavar = '<notification-method>'


class ListNotificationMethodType(commands.Lister):
    """List the notification types the server supports"""

    columns = commands.ListColumns(('Type',), {'Type': 'type'})

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.notificationtypes.list()

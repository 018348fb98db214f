"""Legacy notification-* commands."""

from __future__ import annotations

import argparse

from monasca_osc.legacy import base
from monasca_osc.v2 import notification as v2

TYPE_HELP = ('The notification type. See monasca notification-type-list '
             'for supported types.')
ADDRESS_HELP = ('A valid EMAIL Address, URL, PAGERDUTY service key, or the '
                'address another notification type takes.')
PERIOD_HELP = ('The notification period in seconds: 0 (no re-notification) '
               'or a period the server allows (60 by default).')



class NotificationCreate(base.LegacyShow, v2.CreateNotificationMethod):
    """Create notification."""

    legacy_format = 'json'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.CreateNotificationMethod)
        parser.add_argument('name', metavar='<NOTIFICATION_NAME>',
                            help='Name of the notification to create.')
        parser.add_argument('type', metavar='<TYPE>', help=TYPE_HELP)
        parser.add_argument('address', metavar='<ADDRESS>',
                            help=ADDRESS_HELP)
        parser.add_argument('--period', metavar='<PERIOD>', type=int,
                            help=PERIOD_HELP)
        return parser


class NotificationList(base.LegacyList, v2.ListNotificationMethod):
    """List notifications for this tenant."""

    legacy_columns = tuple((name, name, None) for name in
                           ('name', 'id', 'type', 'address', 'period'))

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.ListNotificationMethod)
        parser.add_argument(
            '--sort-by', metavar='<SORT BY FIELDS>', dest='sort',
            action=base.SortBy, default=[],
            help='Fields to sort by as a comma separated list. Valid values '
                 'are id, name, type, address, created_at, updated_at. '
                 'Fields may be followed by "asc" or "desc", ex '
                 '"address desc".')
        base.add_paging(parser)
        parser.set_defaults(page_size=None)
        return parser


class NotificationShow(base.LegacyShow, v2.ShowNotificationMethod):
    """Describe the notification."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.ShowNotificationMethod)
        parser.add_argument('method', metavar='<NOTIFICATION_ID>',
                            help='The ID of the notification.')
        return parser


class NotificationUpdate(base.LegacyShow, v2.SetNotificationMethod):
    """Update notification."""

    legacy_format = 'json'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.SetNotificationMethod)
        parser.add_argument('method', metavar='<NOTIFICATION_ID>',
                            help='The ID of the notification.')
        parser.add_argument('name', metavar='<NOTIFICATION_NAME>',
                            help='Name for this notification.')
        parser.add_argument('type', metavar='<TYPE>', help=TYPE_HELP)
        parser.add_argument('address', metavar='<ADDRESS>',
                            help=ADDRESS_HELP)
        parser.add_argument('period', metavar='<PERIOD>', type=int,
                            help=PERIOD_HELP)
        parser.set_defaults(replace=True)
        return parser


class NotificationPatch(base.LegacyShow, v2.SetNotificationMethod):
    """Patch notification."""

    legacy_format = 'json'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.SetNotificationMethod)
        parser.add_argument('method', metavar='<NOTIFICATION_ID>',
                            help='The ID of the notification.')
        parser.add_argument('--name', metavar='<NOTIFICATION_NAME>',
                            help='Name for this notification.')
        parser.add_argument('--type', metavar='<TYPE>', help=TYPE_HELP)
        parser.add_argument('--address', metavar='<ADDRESS>',
                            help=ADDRESS_HELP)
        parser.add_argument('--period', metavar='<PERIOD>', type=int,
                            help=PERIOD_HELP)
        parser.set_defaults(replace=False)
        return parser


class NotificationDelete(base.LegacyCommand, v2.DeleteNotificationMethod):
    """Delete notification."""

    success_message = 'Successfully deleted notification'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.DeleteNotificationMethod)
        parser.add_argument('methods', metavar='<NOTIFICATION_ID>', nargs=1,
                            help='The ID of the notification.')
        return parser


class NotificationTypeList(base.LegacyList, v2.ListNotificationMethodType):
    """List notification types supported by monasca."""

    legacy_columns = (('types', 'type', None),)

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        return self.legacy_parser(prog_name, v2.ListNotificationMethodType)

"""Legacy notification-* commands."""

from __future__ import annotations

from monasca_osc.legacy import base, syntax
from monasca_osc.v2 import notification as v2

TYPE_HELP = ('The notification type. See monasca notification-type-list '
             'for supported types.')
ADDRESS_HELP = ('A valid EMAIL Address, URL, PAGERDUTY service key, or the '
                'address another notification type takes.')
PERIOD_HELP = ('The notification period in seconds: 0 (no re-notification) '
               'or a period the server allows (60 by default).')

METHOD_ID = syntax.arg('method', metavar='<NOTIFICATION_ID>',
                       help='The ID of the notification.')
NAME = syntax.Field('name', '<NOTIFICATION_NAME>',
                    'Name for this notification.')
TYPE = syntax.Field('type', '<TYPE>', TYPE_HELP)
ADDRESS = syntax.Field('address', '<ADDRESS>', ADDRESS_HELP)
PERIOD = syntax.Field('period', '<PERIOD>', PERIOD_HELP, {'type': int})
FIELDS = (NAME, TYPE, ADDRESS, PERIOD)


class NotificationCreate(base.LegacyShow, v2.CreateNotificationMethod):
    """Create notification."""

    legacy_format = 'json'
    legacy_arguments = (
        NAME.positional(help='Name of the notification to create.'),
        TYPE.positional(), ADDRESS.positional(), PERIOD.option())


class NotificationList(base.LegacyList, v2.ListNotificationMethod):
    """List notifications for this tenant."""

    legacy_arguments = (syntax.sort_by('id, name, type, address, created_at, '
                                       'updated_at', 'address desc'),
                        *syntax.paging())
    legacy_defaults = {'page_size': None}
    legacy_columns = tuple((name, name, None) for name in
                           ('name', 'id', 'type', 'address', 'period'))


class NotificationShow(base.LegacyShow, v2.ShowNotificationMethod):
    """Describe the notification."""

    legacy_arguments = (METHOD_ID,)


NotificationUpdate, NotificationPatch = base.update_and_patch(
    __name__, 'Notification', base.LegacyShow, v2.SetNotificationMethod,
    METHOD_ID, FIELDS, 'notification')
NotificationDelete = base.delete_command(
    __name__, 'NotificationDelete', v2.DeleteNotificationMethod,
    'Delete notification.', 'notification', 'items', '<NOTIFICATION_ID>')


class NotificationTypeList(base.LegacyList, v2.ListNotificationMethodType):
    """List notification types supported by monasca."""

    legacy_columns = (('types', 'type', None),)

"""Legacy alarm-* commands (alarms, counts and state history)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from monasca_osc.legacy import base, syntax
from monasca_osc.v2 import alarm as v2

STATE_HELP = 'ALARM_STATE is one of [UNDETERMINED, ALARM, OK].'
LIST_COLUMNS: base.Columns = (
    ('id', 'id', None),
    ('alarm_definition_id', 'alarm_definition_id', None),
    ('alarm_definition_name', 'alarm_definition_name', None),
    ('metric_name', 'metrics', base.MetricNames),
    ('metric_dimensions', 'metrics', base.MetricDimensions),
    ('severity', 'severity', None),
    ('state', 'state', None),
    # null is an empty cell, not Python's "None".
    ('lifecycle_state', 'lifecycle_state', base.Text),
    ('link', 'link', base.Text),
    ('state_updated_timestamp', 'state_updated_timestamp', None),
    ('updated_timestamp', 'updated_timestamp', None),
    ('created_timestamp', 'created_timestamp', None),
)
HISTORY_COLUMNS: base.Columns = (
    ('alarm_id', 'alarm_id', None),
    ('new_state', 'new_state', None),
    ('old_state', 'old_state', None),
    ('reason', 'reason', None),
    ('reason_data', 'reason_data', base.Text),
    ('metric_name', 'metrics', base.MetricNames),
    ('metric_dimensions', 'metrics', base.MetricDimensions),
    ('timestamp', 'timestamp', None),
)


ALARM_ID = syntax.arg('alarm', metavar='<ALARM_ID>',
                      help='The ID of the alarm.')
STATE = syntax.Field('state', '<ALARM_STATE>', STATE_HELP)
LIFECYCLE_STATE = syntax.Field('lifecycle_state', '<LIFECYCLE_STATE>',
                               'The lifecycle state of the alarm.')
LINK = syntax.Field('link', '<LINK>', 'A link to an external resource with '
                    'information about the alarm.')
FIELDS = (STATE, LIFECYCLE_STATE, LINK)
# alarm-list and alarm-count
FILTERS = (
    syntax.arg('--alarm-definition-id', metavar='<ALARM_DEFINITION_ID>',
               dest='definition', help='The ID of the alarm definition.'),
    syntax.arg('--metric-name', metavar='<METRIC_NAME>',
               help='Name of the metric.'),
    syntax.dimensions('--metric-dimensions', 'metric_dimensions'),
    syntax.arg('--state', metavar='<ALARM_STATE>', action='append',
               default=[], help=STATE_HELP),
    syntax.arg('--severity', metavar='<SEVERITY>', action='append',
               default=[], help='Severity is one of [LOW, MEDIUM, HIGH, '
               'CRITICAL]; LOW|HIGH matches either.'),
    syntax.arg('--state-updated-start-time',
               metavar='<UTC_STATE_UPDATED_START>',
               dest='state_updated_start_time',
               help='Return all alarms whose state was updated on or after '
                    'the time specified (ISO 8601, or -N minutes ago).'),
    LIFECYCLE_STATE.option(),
    syntax.arg('--link', metavar='<LINK>', help='The link to external data '
               'associated with the alarm.'),
)


class AlarmList(base.LegacyList, v2.ListAlarm):
    """List alarms for this tenant."""

    legacy_arguments = (*FILTERS, syntax.sort_by(
        'alarm_id, alarm_definition_id, alarm_definition_name, state, '
        'severity, lifecycle_state, link, state_updated_timestamp, '
        'updated_timestamp, created_timestamp', 'severity desc'),
        *syntax.paging())
    legacy_defaults = {'long': True, 'page_size': None}
    legacy_columns = LIST_COLUMNS


class _Show(base.LegacyShow):
    raw_fields = ('lifecycle_state', 'link')


class AlarmShow(_Show, v2.ShowAlarm):
    """Describe the alarm."""

    legacy_arguments = (ALARM_ID,)


AlarmUpdate, AlarmPatch = base.update_and_patch(
    __name__, 'Alarm', _Show, v2.SetAlarm, ALARM_ID, FIELDS, 'the alarm state')
AlarmDelete = base.delete_command(
    __name__, 'AlarmDelete', v2.DeleteAlarm, 'Delete the alarm.', 'alarm',
    'alarms', '<ALARM_ID>')


class AlarmCount(base.LegacyCommand, v2.CountAlarm):
    """Count alarms."""

    legacy_arguments = (*FILTERS, syntax.arg(
        '--group-by', metavar='<GROUP_BY>', dest='group_by', action='append',
        default=[], help='Comma separated list of one or more fields to '
        'group the results by. Group by is one or more of '
        '[alarm_definition_id, name, state, severity, link, lifecycle_state, '
        'metric_name, dimension_name, dimension_value].'), *syntax.paging())
    legacy_defaults = {'page_size': None}

    def shape(self, parsed_args: argparse.Namespace,
              result: Mapping[str, Any]) -> tuple:
        # The API's own column names (v2 title-cases them).
        return tuple(result['columns']), (tuple(row)
                                          for row in result['counts'])


class AlarmHistory(base.LegacyList, v2.ListAlarmHistory):
    """Alarm state transition history."""

    legacy_arguments = (syntax.arg('alarm', metavar='<ALARM_ID>',
                                   help='ID of the alarm.'),
                        *syntax.paging('history'))
    legacy_defaults = {'dimensions': [], 'start': None, 'end': None,
                       'long': True, 'page_size': None}
    legacy_columns = HISTORY_COLUMNS


class AlarmHistoryList(base.LegacyList, v2.ListAlarmHistory):
    """List alarms state history."""

    legacy_arguments = (
        syntax.dimensions(), *syntax.time_range(),
        *syntax.paging('history'),
    )
    legacy_defaults = {'alarm': None, 'long': True, 'page_size': None}
    legacy_columns = HISTORY_COLUMNS

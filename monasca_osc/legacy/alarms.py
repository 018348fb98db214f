"""Legacy alarm-* commands (alarms, counts and state history)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from monasca_osc.legacy import base
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


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--alarm-definition-id', metavar='<ALARM_DEFINITION_ID>',
        dest='definition', help='The ID of the alarm definition.')
    parser.add_argument('--metric-name', metavar='<METRIC_NAME>',
                        help='Name of the metric.')
    base.add_dimensions(parser, flag='--metric-dimensions',
                        dest='metric_dimensions')
    parser.add_argument('--state', metavar='<ALARM_STATE>', action='append',
                        default=[], help=STATE_HELP)
    parser.add_argument(
        '--severity', metavar='<SEVERITY>', action='append', default=[],
        help='Severity is one of [LOW, MEDIUM, HIGH, CRITICAL]; LOW|HIGH '
             'matches either.')
    parser.add_argument(
        '--state-updated-start-time', metavar='<UTC_STATE_UPDATED_START>',
        dest='state_updated_start_time',
        help='Return all alarms whose state was updated on or after the '
             'time specified (ISO 8601, or -N minutes ago).')
    parser.add_argument('--lifecycle-state', metavar='<LIFECYCLE_STATE>',
                        help='The lifecycle state of the alarm.')
    parser.add_argument('--link', metavar='<LINK>',
                        help='The link to external data associated with the '
                             'alarm.')



class AlarmList(base.LegacyList, v2.ListAlarm):
    """List alarms for this tenant."""

    legacy_columns = LIST_COLUMNS

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.ListAlarm)
        _add_filters(parser)
        parser.add_argument(
            '--sort-by', metavar='<SORT BY FIELDS>', dest='sort',
            action=base.SortBy, default=[],
            help='Fields to sort by as a comma separated list. Valid values '
                 'are alarm_id, alarm_definition_id, alarm_definition_name, '
                 'state, severity, lifecycle_state, link, '
                 'state_updated_timestamp, updated_timestamp, '
                 'created_timestamp. Fields may be followed by "asc" or '
                 '"desc", ex "severity desc".')
        base.add_paging(parser)
        parser.set_defaults(long=True, page_size=None)
        return parser


class _Show(base.LegacyShow):
    raw_fields = ('lifecycle_state', 'link')


class AlarmShow(_Show, v2.ShowAlarm):
    """Describe the alarm."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.ShowAlarm)
        parser.add_argument('alarm', metavar='<ALARM_ID>',
                            help='The ID of the alarm.')
        return parser


class AlarmUpdate(_Show, v2.SetAlarm):
    """Update the alarm state."""

    legacy_format = 'json'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.SetAlarm)
        parser.add_argument('alarm', metavar='<ALARM_ID>',
                            help='The ID of the alarm.')
        parser.add_argument('state', metavar='<ALARM_STATE>',
                            help=STATE_HELP)
        parser.add_argument('lifecycle_state', metavar='<LIFECYCLE_STATE>',
                            help='The lifecycle state of the alarm.')
        parser.add_argument('link', metavar='<LINK>',
                            help='A link to an external resource with '
                                 'information about the alarm.')
        parser.set_defaults(replace=True)
        return parser


class AlarmPatch(_Show, v2.SetAlarm):
    """Patch the alarm state."""

    legacy_format = 'json'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.SetAlarm)
        parser.add_argument('alarm', metavar='<ALARM_ID>',
                            help='The ID of the alarm.')
        parser.add_argument('--state', metavar='<ALARM_STATE>',
                            help=STATE_HELP)
        parser.add_argument('--lifecycle-state', metavar='<LIFECYCLE_STATE>',
                            help='The lifecycle state of the alarm.')
        parser.add_argument('--link', metavar='<LINK>',
                            help='A link to an external resource with '
                                 'information about the alarm.')
        parser.set_defaults(replace=False)
        return parser


class AlarmDelete(base.LegacyCommand, v2.DeleteAlarm):
    """Delete the alarm."""

    success_message = 'Successfully deleted alarm'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.DeleteAlarm)
        parser.add_argument('alarms', metavar='<ALARM_ID>', nargs=1,
                            help='The ID of the alarm.')
        return parser


class AlarmCount(base.LegacyCommand, v2.CountAlarm):
    """Count alarms."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.CountAlarm)
        _add_filters(parser)
        parser.add_argument(
            '--group-by', metavar='<GROUP_BY>', dest='group_by',
            action='append', default=[],
            help='Comma separated list of one or more fields to group the '
                 'results by. Group by is one or more of '
                 '[alarm_definition_id, name, state, severity, link, '
                 'lifecycle_state, metric_name, dimension_name, '
                 'dimension_value].')
        base.add_paging(parser)
        parser.set_defaults(page_size=None)
        return parser

    def shape(self, parsed_args: argparse.Namespace,
              result: Mapping[str, Any]) -> tuple:
        # The API's own column names (v2 title-cases them).
        return tuple(result['columns']), (tuple(row)
                                          for row in result['counts'])


class AlarmHistory(base.LegacyList, v2.ListAlarmHistory):
    """Alarm state transition history."""

    legacy_columns = HISTORY_COLUMNS

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.ListAlarmHistory)
        parser.add_argument('alarm', metavar='<ALARM_ID>',
                            help='ID of the alarm.')
        base.add_paging(parser, 'history')
        parser.set_defaults(dimensions=[], start=None, end=None, long=True,
                            page_size=None)
        return parser


class AlarmHistoryList(base.LegacyList, v2.ListAlarmHistory):
    """List alarms state history."""

    legacy_columns = HISTORY_COLUMNS

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.ListAlarmHistory)
        base.add_dimensions(parser)
        parser.add_argument(
            '--starttime', metavar='<UTC_START_TIME>', dest='start',
            help='measurements >= UTC time. format: 2014-01-01T00:00:00Z, or '
                 '-N for N minutes ago.')
        parser.add_argument('--endtime', metavar='<UTC_END_TIME>',
                            dest='end', help='measurements <= UTC time. '
                            'format: 2014-01-01T00:00:00Z.')
        base.add_paging(parser, 'history')
        parser.set_defaults(alarm=None, long=True, page_size=None)
        return parser

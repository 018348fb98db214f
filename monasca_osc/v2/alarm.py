"""``openstack monitoring alarm ...`` commands (alarms, counts, history)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
import functools
from typing import Any

from monasca_osc.common import validation
from monasca_osc.v2 import live
from monasca_osc.v2.base import arguments, cells, commands, options

LIST_COLUMNS = ('ID', 'Definition', 'Metrics', 'Severity', 'State',
                'State Updated')
LONG_COLUMNS = ('ID', 'Definition ID', 'Definition', 'Metrics', 'Severity',
                'State', 'Lifecycle State', 'Link', 'State Updated',
                'Updated', 'Created')
SHOW_FIELDS = ('id', 'alarm_definition_id', 'alarm_definition_name',
               'severity', 'state', 'lifecycle_state', 'link', 'metrics',
               'state_updated_timestamp', 'updated_timestamp',
               'created_timestamp')
HISTORY_COLUMNS = ('Alarm ID', 'Timestamp', 'Old State', 'New State',
                   'Reason')
HISTORY_LONG_COLUMNS = HISTORY_COLUMNS + ('Metrics', 'Reason Data',
                                          'Sub Alarms')
FORMATTERS = {'metrics': cells.MetricsColumn,
              'sub_alarms': cells.JSONColumn}


def flatten(alarm: Mapping[str, Any]) -> dict[str, Any]:
    """Lift the definition's id, name and severity to the top level."""
    definition = alarm.get('alarm_definition') or {}
    flat = dict(alarm)
    flat['alarm_definition_id'] = definition.get('id')
    flat['alarm_definition_name'] = definition.get('name')
    flat['severity'] = definition.get('severity')
    return flat


_LIST_FIELDS = {'ID': 'id', 'Definition ID': 'alarm_definition_id',
                'Definition': 'alarm_definition_name', 'Metrics': 'metrics',
                'Severity': 'severity', 'State': 'state',
                'Lifecycle State': 'lifecycle_state', 'Link': 'link',
                'State Updated': 'state_updated_timestamp',
                'Updated': 'updated_timestamp',
                'Created': 'created_timestamp'}


HISTORY_FIELDS = {c: c.lower().replace(' ', '_')
                  for c in HISTORY_LONG_COLUMNS}


class _ShowAlarm(commands.ShowOne):
    show_fields = SHOW_FIELDS
    field_formatters = FORMATTERS
    view = staticmethod(flatten)


# The filters of alarm list and alarm count (read by ``filter_kwargs``).
FILTER_ARGUMENTS = (
    options.arg('--definition', metavar='<definition>',
                help='Only alarms of this alarm definition (name or ID)'),
    options.arg('--metric-name', metavar='<name>',
                help='Only alarms on a metric with this name'),
    options.dimension_filter(
        flag='--metric-dimension', dest='metric_dimensions',
        help_prefix='Only alarms with a metric that has this dimension'),
    options.repeatable(
        '--state', '<state>',
        help='Only alarms in this state: OK, ALARM or UNDETERMINED'),
    options.repeatable(
        '--severity', '<severity>',
        help='Only alarms of this severity; repeat option or use LOW|HIGH'),
    options.arg('--lifecycle-state', metavar='<text>',
                help='Only alarms with this lifecycle state'),
    options.arg('--link', metavar='<url>', help='Only alarms with this link'),
    options.arg('--state-updated-since', metavar='<time>',
                dest='state_updated_start_time',
                help='Only alarms whose state changed at or after this time'),
)


def filter_kwargs(client: Any, parsed_args: argparse.Namespace
                  ) -> dict[str, Any]:
    if len(parsed_args.state) > 1:
        raise validation.ValidationError(
            'Only one --state can be given (the API takes one)')
    state = parsed_args.state[0] if parsed_args.state else None
    since = None
    if parsed_args.state_updated_start_time is not None:
        since = arguments.TimeRange(parsed_args.state_updated_start_time, None,
                                    start_name='--state-updated-since').start
    definition = None
    if parsed_args.definition is not None:
        # Looked up by the manager once the other filters passed its checks.
        definition = functools.partial(definition_id, client,
                                       parsed_args.definition)
    return {'alarm_definition_id': definition,
            'metric_name': parsed_args.metric_name,
            'metric_dimensions': parsed_args.metric_dimensions,
            'state': state,
            'severity': '|'.join(parsed_args.severity) or None,
            'lifecycle_state': parsed_args.lifecycle_state,
            'link': parsed_args.link, 'state_updated_start_time': since}


def definition_id(client: Any, name_or_id: str) -> str:
    return client.alarm_definitions.find(name_or_id)['id']


class ListAlarm(commands.Lister):
    """List alarms"""

    argument_table = (*FILTER_ARGUMENTS,
                      options.sort(validation.ALARM_SORT_FIELDS),
                      *options.paging(), options.LONG)
    columns = commands.ListColumns(LIST_COLUMNS, _LIST_FIELDS, LONG_COLUMNS,
                                   FORMATTERS)
    view = staticmethod(flatten)

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.alarms.iter_list(
            **filter_kwargs(self.client, parsed_args),
            **arguments.listing_kwargs(parsed_args))


ALARM_ID = options.arg('alarm', metavar='<alarm-id>', help='Alarm ID')


class ShowAlarm(_ShowAlarm):
    """Show an alarm"""

    argument_table = (ALARM_ID,)

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.alarms.get(parsed_args.alarm)


class SetAlarm(_ShowAlarm):
    """Set alarm state, lifecycle state or link (or replace with --replace)"""

    argument_table = (
        ALARM_ID,
        options.arg('--state', metavar='<state>',
                    help='New state: OK, ALARM or UNDETERMINED'),
        options.arg('--lifecycle-state', metavar='<text>',
                    help='New lifecycle state (at most 50 characters)'),
        options.arg('--link', metavar='<url>',
                    help='New link (at most 512 characters)'),
        options.switch('--replace', 'Replace state, lifecycle state and '
                       'link together (HTTP PUT); all three are then '
                       'required'),
    )

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        fields = {'state': parsed_args.state,
                  'lifecycle_state': parsed_args.lifecycle_state,
                  'link': parsed_args.link}
        if parsed_args.replace:
            return self.client.alarms.update(parsed_args.alarm, **fields)
        if all(v is None for v in fields.values()):
            raise validation.ValidationError(
                'Nothing to set: give --state, --lifecycle-state or --link')
        return self.client.alarms.patch(parsed_args.alarm, **fields)


class DeleteAlarm(commands.Command):
    """Delete alarm(s)"""

    argument_table = (options.arg('alarms', metavar='<alarm-id>', nargs='+',
                                  help='Alarm(s) to delete'),)

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        commands.delete_each(parsed_args.alarms, 'alarm',
                             self.client.alarms.delete, self.log)


class CountAlarm(commands.Lister):
    """Count alarms, optionally grouped"""

    argument_table = (
        *FILTER_ARGUMENTS,
        options.repeatable(
            '--group-by', '<field>',
            help='Count per value of this field; repeat option or give a '
                 'comma-separated list. Fields: '
                 + ', '.join(validation.ALARM_COUNT_GROUP_BY_FIELDS)),
        *options.paging(),
    )

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.alarms.count(
            group_by=arguments.items(parsed_args.group_by),
            **filter_kwargs(self.client, parsed_args),
            **arguments.paging_kwargs(parsed_args))

    def shape(self, parsed_args: argparse.Namespace,
              result: Mapping[str, Any]) -> tuple:
        columns = tuple(c.replace('_', ' ').title()
                        for c in result['columns'])
        return columns, (tuple(row) for row in result['counts'])


class ListAlarmHistory(live.LiveLister, commands.Lister):
    """List alarm state transitions, of one alarm or of all alarms"""

    marker_kind = 'history'
    argument_table = (
        options.arg('--alarm', metavar='<alarm-id>',
                    help='Only the history of this alarm'),
        options.dimension_filter(help_prefix='Only alarms with a metric that '
                                 'has this dimension (all alarms only)'),
        *options.time_range(start_help='Only transitions at or after',
                            end_help='Only transitions at or before'),
        *options.paging('history'),
        options.LONG,
    )

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        live.add_follow_options(parser, 'transitions')
        return parser

    columns = commands.ListColumns(HISTORY_COLUMNS, HISTORY_FIELDS,
                                   HISTORY_LONG_COLUMNS, FORMATTERS)

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        paging = arguments.paging_kwargs(parsed_args)
        if parsed_args.alarm:
            if parsed_args.dimensions or parsed_args.start or \
                    parsed_args.end:
                raise validation.ValidationError(
                    '--dimension, --start and --end apply to the history of '
                    'all alarms, not with --alarm')
        if getattr(parsed_args, 'follow', False):  # not in legacy parsers
            return live.follow_history(self, parsed_args)
        if parsed_args.alarm:
            return self.client.alarms.iter_history(
                alarm_id=parsed_args.alarm, **paging)
        times = arguments.TimeRange(parsed_args.start, parsed_args.end,
                                    check_order=False)
        return self.client.alarms.iter_history_list(
            dimensions=parsed_args.dimensions, start_time=times.start_iso,
            end_time=times.end_iso, **paging)

"""Legacy alarm-definition-* commands."""

from __future__ import annotations

import argparse

from monasca_osc.legacy import base
from monasca_osc.v2 import alarm_definition as v2

SEVERITY_HELP = 'Severity is one of [LOW, MEDIUM, HIGH, CRITICAL].'
ACTIONS = (('alarm', 'ALARM'), ('ok', 'OK'),
           ('undetermined', 'UNDETERMINED'))



def _no_clearing(parser: argparse.ArgumentParser) -> None:
    # v2 options the legacy syntax expresses differently.
    parser.set_defaults(**{f'no_{kind}_actions': False
                           for kind, _ in ACTIONS})


class AlarmDefinitionCreate(base.LegacyShow, v2.CreateAlarmDefinition):
    """Create an alarm definition."""

    legacy_format = 'json'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.CreateAlarmDefinition)
        parser.add_argument('name', metavar='<ALARM_DEFINITION_NAME>',
                            help='Name of the alarm definition to create.')
        parser.add_argument('expression', metavar='<EXPRESSION>',
                            help='The alarm expression to evaluate. Quoted.')
        parser.add_argument('--description', metavar='<DESCRIPTION>',
                            help='Description of the alarm.')
        parser.add_argument('--severity', metavar='<SEVERITY>',
                            help=SEVERITY_HELP)
        parser.add_argument(
            '--match-by', metavar='<MATCH_BY_DIMENSION_KEY1,...>',
            dest='match_by', action='append', default=[],
            help='The metric dimensions to use to create unique alarms. One '
                 'or more dimension key names separated by a comma.')
        for kind, state in ACTIONS:
            parser.add_argument(
                f'--{kind}-actions', metavar='<NOTIFICATION-ID>',
                dest=f'{kind}_actions', action='append', default=None,
                help=f'The notification method to use when an alarm state '
                     f'is {state}. This param may be specified multiple '
                     f'times, or take a comma-separated list.')
        return parser


class AlarmDefinitionList(base.LegacyList, v2.ListAlarmDefinition):
    """List alarm definitions for this tenant."""

    dimension_option = '--dimensions'
    legacy_columns = (('name', 'name', None), ('id', 'id', None),
                      ('expression', 'expression', None),
                      ('match_by', 'match_by', base.Stacked),
                      ('actions_enabled', 'actions_enabled', None))

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.ListAlarmDefinition)
        parser.add_argument('--name', metavar='<ALARM_DEFINITION_NAME>',
                            help='Name of the alarm definition.')
        parser.add_argument(
            '--dimensions', metavar='<KEY1=VALUE1,KEY2=VALUE2...>',
            action='append', default=[],
            help='Exact key=value pairs, all in one sub-expression of the '
                 'definition (a bare KEY or V1|V2 is refused: the API would '
                 'match nothing). Can be repeated, or give several pairs '
                 'separated by commas.')
        parser.add_argument(
            '--severity', metavar='<SEVERITY>', action='append', default=[],
            help='Severity is one of [LOW, MEDIUM, HIGH, CRITICAL]; '
                 'LOW|HIGH matches either.')
        parser.add_argument(
            '--sort-by', metavar='<SORT BY FIELDS>', dest='sort',
            action=base.SortBy, default=[],
            help='Fields to sort by as a comma separated list. Valid values '
                 'are id, name, severity, created_at, updated_at. Fields '
                 'may be followed by "asc" or "desc", ex "severity desc".')
        base.add_paging(parser)
        parser.set_defaults(long=False, page_size=None)
        return parser


class AlarmDefinitionShow(base.LegacyShow, v2.ShowAlarmDefinition):
    """Describe the alarm definition."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.ShowAlarmDefinition)
        parser.add_argument('definition', metavar='<ALARM_DEFINITION_ID>',
                            help='The ID of the alarm definition.')
        return parser


class AlarmDefinitionUpdate(base.LegacyShow, v2.SetAlarmDefinition):
    """Update the alarm definition."""

    legacy_format = 'json'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.SetAlarmDefinition)
        parser.add_argument('definition', metavar='<ALARM_DEFINITION_ID>',
                            help='The ID of the alarm definition.')
        parser.add_argument('name', metavar='<ALARM_DEFINITION_NAME>',
                            help='Name of the alarm definition.')
        parser.add_argument('description', metavar='<DESCRIPTION>',
                            help='Description of the alarm.')
        parser.add_argument('expression', metavar='<EXPRESSION>',
                            help='The alarm expression to evaluate. Quoted.')
        for kind, state in ACTIONS:
            parser.add_argument(
                f'{kind}_actions',
                metavar=f'<{kind.upper()}-NOTIFICATION-ID1,...>',
                type=base.csv_list,
                help=f'The notification methods to use when an alarm state '
                     f'is {state}, separated by commas ("" or [] for none).')
        parser.add_argument('actions_enabled', metavar='<ACTIONS-ENABLED>',
                            action=base.BoolValue,
                            help='The actions-enabled boolean is one of '
                                 '[true, false].')
        parser.add_argument(
            'match_by', metavar='<MATCH_BY_DIMENSION_KEY1,...>',
            type=base.csv_list,
            help='The metric dimensions used to create unique alarms (must '
                 'be the stored ones), separated by commas.')
        parser.add_argument('severity', metavar='<SEVERITY>',
                            help=SEVERITY_HELP)
        parser.set_defaults(replace=True)
        _no_clearing(parser)
        return parser


class AlarmDefinitionPatch(base.LegacyShow, v2.SetAlarmDefinition):
    """Patch the alarm definition."""

    legacy_format = 'json'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.SetAlarmDefinition)
        parser.add_argument('definition', metavar='<ALARM_DEFINITION_ID>',
                            help='The ID of the alarm definition.')
        parser.add_argument('--name', metavar='<ALARM_DEFINITION_NAME>',
                            help='Name of the alarm definition.')
        parser.add_argument('--description', metavar='<DESCRIPTION>',
                            help='Description of the alarm ("" clears it).')
        parser.add_argument('--expression', metavar='<EXPRESSION>',
                            help='The alarm expression to evaluate. Quoted.')
        for kind, state in ACTIONS:
            parser.add_argument(
                f'--{kind}-actions', metavar='<NOTIFICATION-ID>',
                dest=f'{kind}_actions', action=base.ActionsList,
                default=None,
                help=f'The notification method to use when an alarm state '
                     f'is {state}; may be repeated or comma-separated; "" '
                     f'or [] removes them all.')
        parser.add_argument('--actions-enabled', metavar='<ACTIONS-ENABLED>',
                            dest='actions_enabled', action=base.BoolValue,
                            help='The actions-enabled boolean is one of '
                                 '[true, false].')
        parser.add_argument('--severity', metavar='<SEVERITY>',
                            help=SEVERITY_HELP)
        parser.set_defaults(replace=False, match_by=None)
        _no_clearing(parser)
        return parser


class AlarmDefinitionDelete(base.LegacyCommand, v2.DeleteAlarmDefinition):
    """Delete the alarm definition."""

    success_message = 'Successfully deleted alarm definition'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, v2.DeleteAlarmDefinition)
        parser.add_argument('definitions', metavar='<ALARM_DEFINITION_ID>',
                            nargs=1, help='The ID of the alarm definition.')
        return parser

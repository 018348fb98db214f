"""Legacy alarm-definition-* commands."""

from __future__ import annotations

from typing import Any

from monasca_osc.legacy import base, syntax
from monasca_osc.v2 import alarm_definition as v2

SEVERITY_HELP = 'Severity is one of [LOW, MEDIUM, HIGH, CRITICAL].'
ACTIONS = (('alarm', 'ALARM'), ('ok', 'OK'),
           ('undetermined', 'UNDETERMINED'))


DEFINITION_ID = syntax.arg('definition', metavar='<ALARM_DEFINITION_ID>',
                           help='The ID of the alarm definition.')
NAME = syntax.Field('name', '<ALARM_DEFINITION_NAME>',
                    'Name of the alarm definition.')
DESCRIPTION = syntax.Field('description', '<DESCRIPTION>',
                           'Description of the alarm.')
EXPRESSION = syntax.Field('expression', '<EXPRESSION>',
                          'The alarm expression to evaluate. Quoted.')
SEVERITY = syntax.Field('severity', '<SEVERITY>', SEVERITY_HELP)
ACTIONS_ENABLED = syntax.Field(
    'actions_enabled', '<ACTIONS-ENABLED>',
    'The actions-enabled boolean is one of [true, false].',
    {'action': syntax.BoolValue})
# v2 options the legacy syntax expresses differently.
NO_CLEARING = {f'no_{kind}_actions': False for kind, _ in ACTIONS}


def _actions(help: str, **options: Any) -> tuple[syntax.Arg, ...]:
    """One ``--<state>-actions`` option per alarm state."""
    return tuple(syntax.arg(
        f'--{kind}-actions', metavar='<NOTIFICATION-ID>',
        dest=f'{kind}_actions', default=None,
        help=f'The notification method to use when an alarm state is '
             f'{state}{help}', **options) for kind, state in ACTIONS)


class AlarmDefinitionCreate(base.LegacyShow, v2.CreateAlarmDefinition):
    """Create an alarm definition."""

    legacy_format = 'json'
    legacy_arguments = (
        NAME.positional(help='Name of the alarm definition to create.'),
        EXPRESSION.positional(),
        DESCRIPTION.option(),
        SEVERITY.option(),
        syntax.arg('--match-by', metavar='<MATCH_BY_DIMENSION_KEY1,...>',
                   dest='match_by', action='append', default=[],
                   help='The metric dimensions to use to create unique '
                        'alarms. One or more dimension key names separated '
                        'by a comma.'),
        *_actions('. This param may be specified multiple times, or take a '
                  'comma-separated list.', action='append'),
    )


class AlarmDefinitionList(base.LegacyList, v2.ListAlarmDefinition):
    """List alarm definitions for this tenant."""

    dimension_option = '--dimensions'
    legacy_arguments = (
        NAME.option(),
        syntax.arg('--dimensions', metavar='<KEY1=VALUE1,KEY2=VALUE2...>',
                   action='append', default=[],
                   help='Exact key=value pairs, all in one sub-expression of '
                        'the definition (a bare KEY or V1|V2 is refused: the '
                        'API would match nothing). Can be repeated, or give '
                        'several pairs separated by commas.'),
        syntax.arg('--severity', metavar='<SEVERITY>', action='append',
                   default=[], help='Severity is one of [LOW, MEDIUM, HIGH, '
                   'CRITICAL]; LOW|HIGH matches either.'),
        syntax.sort_by('id, name, severity, created_at, updated_at',
                       'severity desc'),
        *syntax.paging(),
    )
    legacy_defaults = {'long': False, 'page_size': None}
    legacy_columns = (('name', 'name', None), ('id', 'id', None),
                      ('expression', 'expression', None),
                      ('match_by', 'match_by', base.Stacked),
                      ('actions_enabled', 'actions_enabled', None))


class AlarmDefinitionShow(base.LegacyShow, v2.ShowAlarmDefinition):
    """Describe the alarm definition."""

    legacy_arguments = (DEFINITION_ID,)


class AlarmDefinitionUpdate(base.LegacyShow, v2.SetAlarmDefinition):
    """Update the alarm definition."""

    legacy_format = 'json'
    legacy_arguments = (
        DEFINITION_ID, NAME.positional(), DESCRIPTION.positional(),
        EXPRESSION.positional(),
        *(syntax.arg(f'{kind}_actions',
                     metavar=f'<{kind.upper()}-NOTIFICATION-ID1,...>',
                     type=syntax.csv_list,
                     help=f'The notification methods to use when an alarm '
                          f'state is {state}, separated by commas ("" or [] '
                          f'for none).')
          for kind, state in ACTIONS),
        ACTIONS_ENABLED.positional(),
        syntax.arg('match_by', metavar='<MATCH_BY_DIMENSION_KEY1,...>',
                   type=syntax.csv_list,
                   help='The metric dimensions used to create unique alarms '
                        '(must be the stored ones), separated by commas.'),
        SEVERITY.positional(),
    )
    legacy_defaults = {'replace': True, **NO_CLEARING}


class AlarmDefinitionPatch(base.LegacyShow, v2.SetAlarmDefinition):
    """Patch the alarm definition."""

    legacy_format = 'json'
    legacy_arguments = (
        DEFINITION_ID, NAME.option(),
        DESCRIPTION.option(help='Description of the alarm ("" clears it).'),
        EXPRESSION.option(),
        *_actions('; may be repeated or comma-separated; "" or [] removes '
                  'them all.', action=syntax.ActionsList),
        ACTIONS_ENABLED.option(),
        SEVERITY.option(),
    )
    legacy_defaults = {'replace': False, 'match_by': None, **NO_CLEARING}


AlarmDefinitionDelete = base.delete_command(
    __name__, 'AlarmDefinitionDelete', v2.DeleteAlarmDefinition,
    'Delete the alarm definition.', 'alarm definition', 'items',
    '<ALARM_DEFINITION_ID>')

"""``openstack monitoring alarm definition ...`` commands."""

from __future__ import annotations

import argparse
import functools
from typing import Any

from monasca_osc.common import dimensions as dims
from monasca_osc.common import validation
from monasca_osc.v2.base import arguments, cells, commands, options

LIST_COLUMNS = ('ID', 'Name', 'Expression', 'Severity', 'Match By',
                'Actions Enabled')
LONG_COLUMNS = LIST_COLUMNS + ('Deterministic', 'Description',
                               'Alarm Actions', 'OK Actions',
                               'Undetermined Actions')
FIELDS = {'ID': 'id', 'Name': 'name', 'Expression': 'expression',
          'Severity': 'severity', 'Match By': 'match_by',
          'Actions Enabled': 'actions_enabled',
          'Deterministic': 'deterministic', 'Description': 'description',
          'Alarm Actions': 'alarm_actions', 'OK Actions': 'ok_actions',
          'Undetermined Actions': 'undetermined_actions'}
SHOW_FIELDS = ('id', 'name', 'description', 'expression', 'deterministic',
               'match_by', 'severity', 'actions_enabled', 'alarm_actions',
               'ok_actions', 'undetermined_actions')
FORMATTERS = {'match_by': cells.ListColumn,
              'alarm_actions': cells.ListColumn,
              'ok_actions': cells.ListColumn,
              'undetermined_actions': cells.ListColumn}
ACTION_KINDS = (('alarm', 'ALARM'), ('ok', 'OK'),
                ('undetermined', 'UNDETERMINED'))


class _ShowDefinition(commands.ShowOne):
    show_fields = SHOW_FIELDS
    field_formatters = FORMATTERS


def _action_arguments(settable: bool) -> tuple[options.Arg, ...]:
    """--alarm-action and its OK and UNDETERMINED twins; with
    ``settable`` (set), also the --no-*-actions that clear a list."""
    table = []
    for kind, state in ACTION_KINDS:
        table.append(options.arg(
            f'--{kind}-action', metavar='<notification>',
            dest=f'{kind}_actions', action='append', default=None,
            help=f'Notification method (name or ID) to notify when an alarm '
                 f'goes to {state}; repeat option for several'
                 + (' (replaces the list; combine with --no-'
                    f'{kind}-actions to clear it)' if settable else '')))
        if settable:
            table.append(options.switch(f'--no-{kind}-actions',
                                        f'Remove every {state} action'))
    return tuple(table)


# Create and set: the fields that are plain values.
DESCRIPTION_AND_SEVERITY = (
    options.arg('--description', metavar='<text>',
                help='Description (at most 255 characters)'),
    options.arg('--severity', metavar='<severity>',
                help='Severity: LOW (default), MEDIUM, HIGH or CRITICAL'),
)


def resolve_actions(client: Any, names_or_ids: list[str]) -> list[str]:
    """Turn notification method names into ids (ids pass through)."""
    result = []
    for item in names_or_ids:
        for one in (v for v in item.split(',') if v):
            result.append(client.notifications.find(one)['id'])
    return result


def deferred_actions(client: Any, names_or_ids: list[str] | None) -> Any:
    """The notification lookups, for the manager to run after its checks
    (see api.base.deferred)."""
    if names_or_ids is None:
        return None
    return functools.partial(resolve_actions, client, names_or_ids)


def _keys(values: list[str] | None) -> list[str]:
    """Repeated and comma-separated ``--match-by`` keys, in order."""
    return [k.strip() for arg in values or () for k in arg.split(',')
            if k.strip()]


class CreateAlarmDefinition(_ShowDefinition):
    """Create an alarm definition"""

    argument_table = (
        options.arg('name', metavar='<name>',
                    help='Name of the alarm definition'),
        options.arg('--expression', metavar='<expression>', required=True,
                    help='Threshold expression, e.g. "avg(cpu.idle_perc'
                         '{hostname=web1}, 120) < 10 times 3" (required)'),
        *DESCRIPTION_AND_SEVERITY,
        options.repeatable('--match-by', '<key>',
                           help='Dimension key to create one alarm per value '
                                'of; repeat option or give comma-separated '
                                'keys'),
        *_action_arguments(settable=False),
    )

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        actions = {f'{kind}_actions': deferred_actions(
            self.client, getattr(parsed_args, f'{kind}_actions'))
            for kind, _ in ACTION_KINDS}
        return self.client.alarm_definitions.create(
            name=parsed_args.name, expression=parsed_args.expression,
            description=parsed_args.description,
            severity=parsed_args.severity,
            match_by=_keys(parsed_args.match_by) or None, **actions)


class ListAlarmDefinition(commands.Lister):
    """List alarm definitions"""

    dimension_option = '--dimension'

    argument_table = (
        options.arg('--name', metavar='<name>',
                    help='Only the definition with this name'),
        options.repeatable(
            '--dimension', '<key=value>', dest='dimensions',
            help='Only definitions with one sub-expression whose dimensions '
                 'include this exact key=value pair (a bare key or v1|v2 is '
                 'refused: the API would match nothing); repeat option for '
                 'several pairs, which must all be in that sub-expression'),
        options.repeatable(
            '--severity', '<severity>',
            help='Only definitions of this severity; repeat option or use '
                 'LOW|HIGH for several'),
        options.sort(validation.ALARM_DEFINITION_SORT_FIELDS),
        *options.paging(),
        options.LONG,
    )

    columns = commands.ListColumns(LIST_COLUMNS, FIELDS, LONG_COLUMNS,
                                   FORMATTERS)

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.alarm_definitions.iter_list(
            name=parsed_args.name,
            # Only exact pairs, said with the option's name (a conversion).
            dimensions=dims.parse_exact_dimension_filter(
                parsed_args.dimensions, self.dimension_option),
            severity='|'.join(parsed_args.severity) or None,
            **arguments.listing_kwargs(parsed_args))


class ShowAlarmDefinition(_ShowDefinition):
    """Show an alarm definition"""

    argument_table = (options.name_or_id('definition', '<definition>',
                                         'Alarm definition'),)

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.alarm_definitions.find(parsed_args.definition)


class SetAlarmDefinition(_ShowDefinition):
    """Set alarm definition properties (or replace it with --replace)"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        options.add_arguments(parser, (
            options.name_or_id('definition', '<definition>',
                               'Alarm definition to change'),
            options.arg('--name', metavar='<name>', help='New name'),
            options.arg('--expression', metavar='<expression>',
                        help='New expression; functions, operators, '
                             'thresholds, periods and times may change, the '
                             'metrics may not'),
            *DESCRIPTION_AND_SEVERITY))
        enabled = parser.add_mutually_exclusive_group()
        enabled.add_argument('--enable-actions', dest='actions_enabled',
                             action='store_const', const=True, default=None,
                             help='Send notifications on state changes')
        enabled.add_argument('--disable-actions', dest='actions_enabled',
                             action='store_const', const=False,
                             help='Stop sending notifications')
        options.add_arguments(parser, (
            *_action_arguments(settable=True),
            options.arg('--match-by', metavar='<key>', action='append',
                        default=None,
                        help='With --replace: the match_by keys, which must '
                             'equal the stored ones'),
            options.switch('--replace', 'Replace the whole definition (HTTP '
                           'PUT): fields not given are reset to their '
                           'defaults (empty description, LOW, no actions, '
                           'actions enabled); --name and --expression are '
                           'required')))
        return parser

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        manager = self.client.alarm_definitions
        fields: dict[str, Any] = {
            'name': parsed_args.name, 'expression': parsed_args.expression,
            'description': parsed_args.description,
            'severity': parsed_args.severity,
            'actions_enabled': parsed_args.actions_enabled}
        if parsed_args.replace:
            missing = [f'--{k}' for k in ('name', 'expression')
                       if fields[k] is None]
            if missing:
                raise validation.ValidationError(
                    f'--replace needs {" and ".join(missing)}')
        elif parsed_args.match_by is not None:
            raise validation.ValidationError(
                '--match-by can only be given with --replace (the API does '
                'not allow changing it)')
        elif all(v is None for v in fields.values()) and not any(
                getattr(parsed_args, f'{kind}_actions') is not None
                or getattr(parsed_args, f'no_{kind}_actions')
                for kind, _ in ACTION_KINDS):
            raise validation.ValidationError(
                'Nothing to set: give at least one option')
        for kind, _ in ACTION_KINDS:
            given = getattr(parsed_args, f'{kind}_actions')
            cleared = getattr(parsed_args, f'no_{kind}_actions')
            if given is not None:
                fields[f'{kind}_actions'] = deferred_actions(self.client,
                                                             given)
            elif cleared or parsed_args.replace:
                fields[f'{kind}_actions'] = []
        # The lookups (notification names, this definition) are deferred:
        # the manager runs them once the values have passed its checks.
        definition = functools.cache(
            functools.partial(manager.find, parsed_args.definition))

        def definition_id() -> str:
            return definition()['id']

        def stored_match_by() -> list[str]:
            return definition().get('match_by') or []

        if parsed_args.replace:
            fields['match_by'] = stored_match_by \
                if parsed_args.match_by is None \
                else _keys(parsed_args.match_by)
            fields['description'] = fields['description'] or ''
            fields['severity'] = fields['severity'] or 'LOW'
            if fields['actions_enabled'] is None:
                fields['actions_enabled'] = True
            return manager.update(definition_id, **fields)
        body = {k: v for k, v in fields.items() if v is not None}
        return manager.patch(definition_id, **body)


class DeleteAlarmDefinition(commands.DeleteByName):
    """Delete alarm definition(s) and their alarms"""

    manager_name = 'alarm_definitions'
    what = 'alarm definition'
    metavar = '<definition>'

"""``openstack monitoring config export|diff|apply`` (configuration as code).

Thin commands over ``monasca_osc.declarative`` (imported inside the
commands, with yaml and the REST layer, to keep start-up light). Exit
codes: export and apply 0/1; diff 0 (nothing to do), 1 (changes), 2 (any
error), like diff(1). Usage errors exit 2 with argparse's message.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from monasca_osc.v2.base import cells, commands, options

PLAN_COLUMNS = ('Action', 'Type', 'Name', 'Changes', 'Note')


class ChangesColumn(cells.JSONColumn):
    """``{"severity": {"from": "LOW", "to": "HIGH"}}`` -> one line each."""

    def human_readable(self) -> str:
        return '\n'.join(
            f'{key}: {_text(d["to"])}' if d['from'] is None  # a create
            else f'{key}: {_text(d["from"])} -> {_text(d["to"])}'
            for key, d in (self._value or {}).items())

    def text_readable(self) -> str:
        return '; '.join(self.human_readable().splitlines())


def _text(value: Any) -> str:
    if value is None:
        return '-'
    if isinstance(value, list):
        return '[' + ', '.join(str(v) for v in value) + ']'
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


# diff and apply: the files, their variables, what they own.
PLAN_ARGUMENTS = (
    options.arg('files', metavar='<file>', nargs='+',
                help='YAML file(s) with notification_methods and '
                     'alarm_definitions (as "config export" writes them; - '
                     'for stdin); objects of several files are merged'),
    options.repeatable('--var', '<name=value>',
                       help='Value of ${name} in the files; repeat option '
                            'for several (wins over --var-file and the '
                            'environment)'),
    options.repeatable('--var-file', '<file>',
                       help='File of name=value lines (# comments) giving '
                            '${name} values; repeat option for several, '
                            'later ones win (over the environment)'),
    options.switch('--prune', 'Also delete objects in --prune-scope that the '
                   'files do not define'),
    options.repeatable('--prune-scope', '<glob>',
                       help='Names (shell glob, e.g. "team-a-*") of the '
                            'notification methods and alarm definitions the '
                            'files own; needed by --prune; repeat option for '
                            'several'),
)


class _PlanCommand:
    """What diff and apply share: files, variables, the plan."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        self._parser = parser  # for check_usage
        return parser

    def check_usage(self, parsed_args: argparse.Namespace) -> None:
        if parsed_args.prune and not parsed_args.prune_scope:
            self._parser.error('--prune needs --prune-scope <glob> (the '
                               'names the files own)')
        if parsed_args.prune_scope and not parsed_args.prune:
            self._parser.error('--prune-scope is only used with --prune')

    def make_plan(self, parsed_args: argparse.Namespace) -> tuple:
        from monasca_osc.declarative import load, plan, variables

        values = variables.collect(os.environ, parsed_args.var_file,
                                   parsed_args.var)
        desired = load.load(parsed_args.files, values)
        # Only now, with every file valid, is anything sent (reads).
        state = plan.State.read(self.client)
        scopes = parsed_args.prune_scope if parsed_args.prune else None
        the_plan = plan.make_plan(desired, state, scopes)
        if any(c.kind == 'notification method' and 'type' in c.fields
               for c in the_plan.pending):
            plan.check_types(the_plan, (
                t.get('type', '') for t in
                self.client.notificationtypes.list()))
        plan.count_alarms(the_plan, self.client)
        return the_plan, state


class ExportConfig(commands.Command):
    """Export notification methods and alarm definitions as YAML"""

    _epilog = (
        'The document "config diff" and "config apply" read: sorted by '
        'name, fixed key order, actions by notification method name.')

    argument_table = (
        options.arg('--output', metavar='<file>',
                    help='Write to this file (default: standard output)'),
        options.arg('--definition', metavar='<name-or-glob>',
                    action='extend', nargs='+',
                    help='Export only these alarm definitions (and the '
                         'methods they use, unless --notification-method is '
                         'given); several may follow the option, or repeat '
                         'it'),
        options.arg('--notification-method', metavar='<name-or-glob>',
                    dest='methods', action='extend', nargs='+',
                    help='Export only these notification methods; several '
                         'may follow the option, or repeat it'),
    )

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        from monasca_osc.declarative import export, plan

        state = plan.State.read(self.client)
        text = export.dump(export.build(state, parsed_args.definition,
                                        parsed_args.methods))
        if parsed_args.output is None:
            self.app.stdout.write(text)
            return 0
        _write_file(parsed_args.output, text)
        return 0


def _print(stream: Any, line: str) -> None:
    """One line, shown at once (apply reports progress as it goes)."""
    stream.write(line + '\n')
    flush = getattr(stream, 'flush', None)
    if flush is not None:
        flush()


def _write_file(path: str, text: str) -> None:
    """Written next to the target, then renamed: never half a file."""
    from monasca_osc.common.validation import ValidationError

    temp = f'{path}.tmp-{os.getpid()}'
    try:
        with open(temp, 'w', encoding='utf-8') as handle:
            handle.write(text)
        os.replace(temp, path)
    except OSError as err:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise ValidationError(
            f'Cannot write {path}: {err.strerror or err}') from None


class DiffConfig(_PlanCommand, commands.Lister):
    """Show what "config apply" would change"""

    _epilog = (
        'One row per object to create, update (with the changed fields), '
        'replace or delete (with --prune); unchanged ones with --all. Exit '
        'status: 0 when the project matches the files, 1 when it does not, '
        '2 on any error.')

    argument_table = (*PLAN_ARGUMENTS,
                      options.switch('--all', 'Also list unchanged objects'))

    def run(self, parsed_args: argparse.Namespace) -> int:
        self.check_usage(parsed_args)
        self._pending = 0
        try:
            super().run(parsed_args)
        except Exception as err:  # noqa: BLE001 - diff(1): trouble is 2
            if getattr(self.app_args, 'debug', False):
                self.log.exception(err)
            else:
                self.log.error(err)
            return 2
        return 1 if self._pending else 0

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        the_plan, _ = self.make_plan(parsed_args)
        self._pending = len(the_plan.pending)
        self.app.stderr.write(the_plan.summary() + '\n')
        rows = [(c.action, c.kind, c.name, ChangesColumn(c.shown_fields()),
                 c.note)
                for c in the_plan.changes
                if parsed_args.all or c.action != 'unchanged']
        return PLAN_COLUMNS, rows

    def produce_output(self, parsed_args: argparse.Namespace,
                       column_names: Any, data: Any) -> int:
        if not data and parsed_args.formatter == 'table':
            return 0    # the summary line says it; no empty table
        return super().produce_output(parsed_args, column_names, data)


class ApplyConfig(_PlanCommand, commands.Command):
    """Make the project's notification methods and alarm definitions match
    the files"""

    _epilog = (
        'Every file is checked before anything is sent. Notification '
        'methods are created and updated first, alarm definitions next, '
        'deletions last. The first failure stops the run and the output '
        'lists what was and was not applied (exit 1); running apply again '
        'continues from there.')

    argument_table = (
        *PLAN_ARGUMENTS,
        options.switch('--dry-run', 'Print what would be done; send no '
                       'change'),
        options.switch('--allow-replace', 'Allow replacing (deleting and '
                       'creating again) alarm definitions whose match_by or '
                       'sub-expression metrics change, which deletes their '
                       'alarms and alarm history'),
    )

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        from monasca_osc.common.validation import ValidationError
        from monasca_osc.declarative import apply

        self.check_usage(parsed_args)
        the_plan, state = self.make_plan(parsed_args)
        replaces = [c for c in the_plan.pending if c.action == 'replace']
        if replaces and not parsed_args.allow_replace:
            names = ', '.join(repr(c.name) for c in replaces)
            raise ValidationError(
                f'Refusing to replace alarm definition(s) {names} '
                f'({replaces[0].reason}): replacing deletes a definition '
                f'with its alarms and their history; give --allow-replace '
                f'(nothing was changed)')
        out = self.app.stdout
        if parsed_args.dry_run:
            for change in the_plan.pending:
                out.write(apply.describe(change, f'would {change.action}')
                          + '\n')
            out.write(f'{the_plan.summary()} Dry run: nothing was '
                      f'changed.\n')
            return 0
        if not the_plan.pending:
            out.write(the_plan.summary() + '\n')
            return 0
        outcome = apply.Applier(self.client, state).run(
            the_plan, lambda c: _print(out, apply.describe(c)))
        return self._report(outcome, len(the_plan.pending))

    def _report(self, outcome: Any, total: int) -> int:
        from monasca_osc.declarative import apply

        out, err = self.app.stdout, self.app.stderr
        if outcome.failed is None:
            counts = {}
            for change in outcome.applied:
                verb = apply.DONE[change.action]
                counts[verb] = counts.get(verb, 0) + 1
            out.write(f'Applied {total} change(s): ' + ', '.join(
                f'{n} {verb}' for verb, n in counts.items()) + '.\n')
            return 0
        change, error = outcome.failed
        reason = 'interrupted' if isinstance(error, KeyboardInterrupt) \
            else str(error)
        err.write(f'failed: {apply.describe(change, change.action)}: '
                  f'{reason}\n')
        for skipped in outcome.not_applied:
            err.write(f'not applied: '
                      f'{apply.describe(skipped, skipped.action)}\n')
        err.write(f'Apply stopped: {len(outcome.applied)} of {total} '
                  f'change(s) applied, 1 failed, '
                  f'{len(outcome.not_applied)} not applied. Fix the cause '
                  f'and run apply again: it continues from the current '
                  f'state.\n')
        if isinstance(error, KeyboardInterrupt):
            raise error
        return 1

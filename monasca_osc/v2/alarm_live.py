"""``openstack monitoring alarm wait`` and ``alarm check``.

wait
    Polls ``GET /alarms/{id}`` (or ``GET /alarms`` filtered by definition
    and metric dimensions) every ``--interval`` seconds, checking once right
    away; exits 0 as soon as the alarm, or every matching alarm (at least
    one), is in ``--state``; 1 at ``--timeout`` with one line saying where
    they were left. Transient API failures are reported and polled again
    (the REST layer has retried them already); others end the wait (1).

check
    A Nagios/Icinga plugin: one ``GET /alarms`` listing, one status line
    with perfdata on stdout, exit 0/1/2/3 (``monasca_osc.live.alarms``).
    Whatever goes wrong (bad arguments, authentication, the API, a bug)
    is UNKNOWN (3) with the reason, as plugins must: argparse's usage
    errors are turned into 3, and the command authenticates inside
    ``run`` (``auth_required`` is off so OSC does not do it earlier, where
    a failure would exit 1).

Imported at start-up: standard library, cliff/osc_lib and common only.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from monasca_osc.common import argtypes, validation
from monasca_osc.v2 import live
from monasca_osc.v2.base import arguments, commands, options


class WaitAlarm(commands.Command):
    """Wait until an alarm, or every alarm of a definition, is in a state"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        options.add_arguments(parser, (
            options.arg('alarm', metavar='<alarm-id>', nargs='?',
                        help='The alarm to wait for (or --definition)'),
            options.arg('--definition', metavar='<alarm-definition>',
                        help='Wait for every alarm of this alarm definition '
                             '(name or ID); there must be at least one'),
            options.repeatable(
                '--match', '<key=value>',
                help='With --definition, only its alarms on metrics with '
                     'this dimension (its match_by values); repeat option '
                     'for several'),
            options.arg('--state', metavar='<state>', required=True,
                        help='The state to wait for: OK, ALARM or '
                             'UNDETERMINED'),
            options.arg('--timeout', metavar='<duration>',
                        type=argtypes.duration,
                        help='Give up (exit 1) after this long: 30s, 10m, '
                             '1h, or seconds (default: wait until '
                             'interrupted)')))
        live.add_interval_option(parser, 'Seconds between checks')
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        from osc_lib import exceptions

        from monasca_osc.live import alarms as logic

        state = validation.validate_state(parsed_args.state)
        poll, what, one = self._poller(parsed_args)
        interval = parsed_args.interval or 5.0
        deadline = None if parsed_args.timeout is None else \
            time.monotonic() + parsed_args.timeout
        transient = live.transient_errors()
        summary = 'no answer from the API yet'
        while True:
            try:
                done, summary = logic.wait_summary(poll(), state, what, one)
            except transient as err:
                self.app.stderr.write(f'Check failed, trying again: {err}\n')
                done = False
            if done:
                self.app.stdout.write(summary[0].upper() + summary[1:] + '\n')
                return 0
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise exceptions.CommandError(
                        f'Timed out after {_duration(parsed_args.timeout)}: '
                        f'{summary}')
                time.sleep(min(interval, left))
            else:
                time.sleep(interval)

    def _poller(self, parsed_args: argparse.Namespace) -> tuple:
        """(function returning the alarms, their description, one?)."""
        alarms = self.client.alarms
        if parsed_args.alarm is not None:
            if parsed_args.definition is not None or parsed_args.match:
                raise validation.ValidationError(
                    'Give an alarm ID or --definition (with --match), not '
                    'both')
            alarm_id = parsed_args.alarm
            return (lambda: [alarms.get(alarm_id)], f'alarm {alarm_id}',
                    True)
        if parsed_args.definition is None:
            raise validation.ValidationError(
                'Give the alarm ID or --definition to wait for')
        match = arguments.dimension_filter(parsed_args.match)
        definition = self.client.alarm_definitions.find(
            parsed_args.definition)
        what = f"of definition '{definition.get('name')}'"
        if parsed_args.match:
            what += ' matching ' + ','.join(parsed_args.match)
        return (lambda: alarms.list(alarm_definition_id=definition['id'],
                                    metric_dimensions=match), what, False)


def _duration(seconds: float) -> str:
    """90 -> ``1m30s``: a duration as the options write them."""
    whole = int(seconds)
    if whole != seconds or not whole:
        return f'{seconds:g}s'
    out = ''
    for unit, size in (('h', 3600), ('m', 60), ('s', 1)):
        if whole >= size:
            out += f'{whole // size}{unit}'
            whole %= size
    return out


class CheckAlarm(commands.Command):
    """Check alarm states as a Nagios/Icinga plugin (exit 0, 1, 2 or 3)"""

    # OSC would authenticate before run() and exit 1 on failure; run()
    # authenticates itself so that a failure is UNKNOWN.
    auth_required = False

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        options.add_arguments(parser, (
            options.arg('--definition', metavar='<alarm-definition>',
                        help='Only the alarms of this alarm definition (name '
                             'or ID)'),
            options.dimension_filter(help_prefix='Only alarms with a metric '
                                     'that has this dimension'),
            options.repeatable(
                '--severity', '<severity>',
                help='Only alarms of this severity (LOW, MEDIUM, HIGH, '
                     'CRITICAL); repeat option or use LOW|HIGH'),
            options.switch('--undetermined-ok', 'UNDETERMINED alarms do not '
                           'make the check UNKNOWN')))

        def error(message: str) -> None:
            # Nagios reads the first line of stdout and treats exit 2 as
            # CRITICAL: a usage error is UNKNOWN (3), reported there.
            from monasca_osc.live import alarms as logic

            parser.print_usage(self.app.stderr)
            self.app.stdout.write(logic.status_line(
                logic.UNKNOWN, f'{parser.prog}: {message}') + '\n')
            self.app.stdout.flush()
            raise SystemExit(logic.UNKNOWN)

        parser.error = error  # type: ignore[method-assign]
        return parser

    def run(self, parsed_args: argparse.Namespace) -> int:
        from monasca_osc.live import alarms as logic

        try:
            commands.check_utf8(parsed_args)
            self._authenticate()
            code, line = self.take_action(parsed_args)
        except Exception as err:  # noqa: BLE001 - a plugin reports anything
            self.log.debug('check failed', exc_info=True)
            code, line = logic.UNKNOWN, logic.status_line(
                logic.UNKNOWN, str(err) or type(err).__name__)
        self.app.stdout.write(line + '\n')
        return code

    def _authenticate(self) -> None:
        """What OSC does before a command that needs authentication."""
        prepare = getattr(self.app, 'prepare_to_run_command', None)
        if prepare is not None and getattr(self.app, 'client_manager', None):
            prepare(_NeedsAuth(self))

    def take_action(self, parsed_args: argparse.Namespace) -> tuple:
        from monasca_osc.live import alarms as logic

        severity = None
        if parsed_args.severity:
            severity = '|'.join(validation.parse_severity_filter(
                '|'.join(parsed_args.severity)))
        dimensions = arguments.dimension_filter(parsed_args.dimensions)
        definition = None
        if parsed_args.definition is not None:
            definition = self.client.alarm_definitions.find(
                parsed_args.definition)['id']
        found = self.client.alarms.list(
            alarm_definition_id=definition, metric_dimensions=dimensions,
            severity=severity)
        return logic.check_status(found, parsed_args.undetermined_ok)


class _NeedsAuth:
    """The command as OSC's prepare_to_run_command sees it, with auth on."""

    auth_required = True

    def __init__(self, command: Any) -> None:
        self.cmd_name = getattr(command, 'cmd_name', None)
        if hasattr(command, 'required_scope'):
            self.required_scope = command.required_scope


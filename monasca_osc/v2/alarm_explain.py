"""``alarm explain <alarm>`` and ``alarm definition explain <definition>``.

Thin commands: ``monasca_osc.alarmtools.inspect`` fetches and asks the
engine (imported inside ``take_action``). Output is a text tree, or with
``-f json`` the structure documented in
``doc/source/reference/alarm-explain.rst``. ``alarm explain`` exits 1 when
the state the windows decide differs from the stored one.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from monasca_osc.common import timeutil
from monasca_osc.v2.base import arguments, commands, options

FORMAT = options.arg(
    '-f', '--format', dest='formatter', choices=('text', 'json'),
    default='text',
    help='text: a tree (default); json: the documented structure')


def _write(stdout: Any, formatter: str, data: Any, lines: list[str]) -> None:
    if formatter == 'json':
        stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + '\n')
    else:
        stdout.write(''.join(line + '\n' for line in lines))


class ExplainAlarm(commands.Command):
    """Explain an alarm's state: expression tree, windows, actions"""

    argument_table = (
        options.arg('alarm', metavar='<alarm-id>', help='Alarm ID'),
        options.arg('--at', metavar='<time>',
                    help='Explain the state at this time (the stored state '
                         'is then the state-history entry in force): '
                         f'{timeutil.TIME_HELP}'),
        FORMAT,
    )

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        from monasca_osc.alarmtools import explain, inspect

        at_ms = None
        if parsed_args.at is not None:
            at_ms = timeutil.to_epoch_ms(
                timeutil.parse_time(parsed_args.at, what='--at time'))
        data = inspect.explain_alarm(self.client, parsed_args.alarm, at_ms)
        _write(self.app.stdout, parsed_args.formatter, data,
               explain.render(data))
        return 1 if data['agrees'] is False else 0


class ExplainAlarmDefinition(commands.Command):
    """Show which metrics feed an alarm definition, its alarms, near misses
    """

    argument_table = (
        options.arg('definition', metavar='<definition>',
                    help='Alarm definition name or ID'),
        *options.time_range(start_help='Range in which metrics must have '
                            'data (default: -1h)',
                            end_help='End of that range (default: now)'),
        FORMAT,
    )

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        from monasca_osc.alarmtools import inspect

        times = arguments.TimeRange(parsed_args.start or '-1h',
                                    parsed_args.end or 'now')
        data = inspect.explain_definition(
            self.client, parsed_args.definition,
            timeutil.to_epoch_ms(times.start),
            timeutil.to_epoch_ms(times.end))
        _write(self.app.stdout, parsed_args.formatter, data,
               inspect.render_definition(data))
        return 0

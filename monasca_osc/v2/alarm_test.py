"""``alarm definition test FILE...`` and ``alarm definition backtest``.

Thin commands: ``monasca_osc.alarmtools`` loads test files and streams
measurements, ``monasca_osc.alarming`` decides every state; both are
imported inside ``take_action`` (start-up cost).

Exit codes: ``test`` 0 all expectations hold, 1 one failed (or a warning
with ``--strict``), 2 a file, expression or series is invalid (one
``FILE:LINE: problem`` line each); ``backtest`` 0, or 1 when a gate
(``--max-transitions``, ``--max-alarm-fraction``) is exceeded or the
API fails.
"""

from __future__ import annotations

import argparse
from typing import Any

from monasca_osc.common import argtypes
from monasca_osc.v2.base import arguments, cells, commands, options

TEST_COLUMNS = ('File', 'Line', 'Test', 'At', 'Definition', 'Alarm',
                'Expected', 'Actual', 'Result')
TEST_JSON_COLUMNS = TEST_COLUMNS + ('Expected Actions', 'Actual Actions',
                                    'Explanation')
BACKTEST_COLUMNS = ('Time', 'Alarm', 'Old State', 'New State', 'Reason')
SUMMARY_COLUMNS = ('Alarm', 'Transitions', 'ALARM %', 'First ALARM',
                   'Final State')
COMPARE_COLUMNS = ('Time', 'Alarm', 'Replay', 'Stored', 'Agrees')
EXIT_INVALID = 2


class TestAlarmDefinition(commands.Lister):
    """Test alarm definitions on synthetic series from YAML files (no server)
    """

    __test__ = False  # not a pytest class

    argument_table = (
        options.arg('files', metavar='<file>', nargs='+',
                    help='Test file (YAML: interval, definitions or '
                         'definitions_from, series, tests); see the README'),
        options.arg('--junit', metavar='<file>',
                    help='Also write the results as JUnit XML to this file'),
        options.switch('--strict', 'Fail (exit 1) on warnings too: an '
                       'expectation after the last sample, a series that '
                       'feeds no definition, a series lacking a match_by '
                       'key'),
    )

    def run(self, parsed_args: argparse.Namespace) -> int:
        self._exit = 0
        self._invalid: list[str] = []
        code = super().run(parsed_args)
        return code or self._exit

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        import time

        from monasca_osc.alarmtools import junit, runner, testfile

        loaded, errors = [], []
        for path in parsed_args.files:
            try:
                loaded.append(testfile.load(path))
            except testfile.TestFileError as err:
                errors.append((path, str(err)))
        warnings = [w for f in loaded for w in f.warnings]
        for line in warnings:
            self.app.stderr.write(line + '\n')
        if errors:
            for _, message in errors:
                self.app.stderr.write(message + '\n')
            if parsed_args.junit:
                junit.write(parsed_args.junit, [], errors)
            self._exit = EXIT_INVALID
            return TEST_COLUMNS, []
        results, seconds = [], {}
        for one in loaded:
            began = time.monotonic()
            results.extend(runner.run(one))
            seconds[one.path] = time.monotonic() - began
        if parsed_args.junit:
            junit.write(parsed_args.junit, results, (), seconds)
        failed = [r for r in results if not r.passed]
        for result in failed:
            self.app.stderr.write(
                f'FAIL {result.file}:{result.expectation.line} '
                f'{result.title}: {result.summary}\n'
                + ''.join(f'  {line}\n'
                          for line in result.explanation.splitlines()))
        self.app.stderr.write(
            f'{len(results)} expectation{"s" if len(results) != 1 else ""} '
            f'in {len(loaded)} file{"s" if len(loaded) != 1 else ""}: '
            f'{len(results) - len(failed)} passed, {len(failed)} failed'
            + (f', {len(warnings)} warnings' if warnings else '') + '\n')
        if failed or (parsed_args.strict and warnings):
            self._exit = 1
        as_json = parsed_args.formatter in ('json', 'yaml')
        columns = TEST_JSON_COLUMNS if as_json else TEST_COLUMNS
        return columns, (_test_row(r, as_json) for r in results)


def _test_row(result: Any, as_json: bool) -> tuple:
    row = (result.file, result.expectation.line, result.test.index,
           result.test.at_text, result.test.definition,
           cells.DimensionsColumn(result.alarm
                                  if result.alarm is not None
                                  else result.expectation.match),
           result.expectation.state, result.actual,
           'pass' if result.passed else 'FAIL')
    if as_json:
        row += (result.expectation.actions, result.actual_actions,
                cells.JSONColumn(result.detail))
    return row


def _fraction(text: str) -> float:
    """``0.05`` or ``5%`` -> 0.05 (argparse type, exit 2 when bad)."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith('%') else float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a fraction (0.05 or 5%)") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not between 0 and 1 (0% and 100%)")
    return value


# Backtest's gates, for CI: exit 1 when the replay goes beyond one.
GATES = (
    options.arg('--max-transitions', metavar='<n>',
                type=argtypes.non_negative_int,
                help='Exit 1 when the replay has more transitions in total'),
    options.arg('--max-alarm-fraction', metavar='<fraction>', type=_fraction,
                help='Exit 1 when an alarm spends a larger fraction of the '
                     'range in ALARM (0.05 or 5%%)'),
)


class BacktestAlarmDefinition(commands.Lister):
    """Replay an alarm definition over real measurement history"""

    argument_table = (
        options.arg('definition', metavar='<definition>',
                    help='Alarm definition name or ID (with --file: its name '
                         'in the file)'),
        options.arg('--file', metavar='<file>',
                    help='Take the definition from this YAML file (a test '
                         'file or a definitions list) instead of the API'),
        *options.time_range(start_required=True,
                            start_help='Replay from this time',
                            end_help='Replay until this time (default: now)'),
        options.switch('--summary', 'One row per alarm: transitions, time in '
                       'ALARM, first ALARM, final state'),
        *GATES,
        options.switch('--compare-history', "Set the replay beside the "
                       "stored state history of the deployed definition's "
                       "alarms"),
        options.switch('--no-progress', 'No progress line on a terminal'),
        *options.project(),
        options.arg('--page-size', metavar='<num>', type=options.positive_int,
                    help='Measurements per API request, at most 10000 '
                         '(default: 10000)'),
    )

    def run(self, parsed_args: argparse.Namespace) -> int:
        self._exit = 0
        code = super().run(parsed_args)
        return code or self._exit

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        from monasca_osc.alarmtools import backtest

        times = arguments.TimeRange(parsed_args.start,
                                    parsed_args.end or 'now')
        definition = backtest.find_definition(
            self.client, parsed_args.definition, parsed_args.file)
        show_progress = not parsed_args.no_progress and \
            getattr(self.app.stderr, 'isatty', lambda: False)()
        job = backtest.Backtest(
            self.client, definition, times.start, times.end,
            tenant_id=parsed_args.tenant_id, page_size=parsed_args.page_size,
            progress=self.app.stderr if show_progress else None)
        if parsed_args.compare_history:
            rows = _match_cell(job.compare_rows(), 1)
            columns = COMPARE_COLUMNS
        elif parsed_args.summary:
            rows = _match_cell(job.summary_rows(), 0)
            columns = SUMMARY_COLUMNS
        else:
            rows = _match_cell(job.transition_rows(), 1)
            columns = BACKTEST_COLUMNS
        gated = parsed_args.max_transitions is not None or \
            parsed_args.max_alarm_fraction is not None

        def finish(rows: Any) -> Any:
            yield from rows
            job.finish_progress()
            for line in job.warnings:
                self.app.stderr.write(line + '\n')
            if gated:
                failures = job.gate(parsed_args.max_transitions,
                                    parsed_args.max_alarm_fraction)
                for line in failures:
                    self.app.stderr.write(line + '\n')
                if failures:
                    self._exit = 1

        return columns, finish(rows)


def _match_cell(rows: Any, at: int) -> Any:
    """The alarm's match_by values as a dimensions cell."""
    for row in rows:
        yield (*row[:at], cells.DimensionsColumn(row[at]), *row[at + 1:])



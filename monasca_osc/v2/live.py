"""``--follow``, ``--plot`` and ``--sparkline`` for the list commands.

The list commands add these options with ``add_follow_options`` /
``add_plot_options`` and put ``LiveLister`` before ``commands.Lister`` in
their bases. The flow stays "fetch, then shape, then output":

* ``--follow``: the command's take_action returns the rows of
  ``follow_rows`` (``measurement.follow_measurements``,
  ``follow_history``: a first fetch, then polls that never end, see
  ``monasca_osc.live.follow``); ``LiveLister`` prints them as they come
  (``monasca_osc.live.stream``) instead of handing them to cliff, whose
  formatters wait for the end of the list.
* ``--plot``/``--sparkline``: take_action is unchanged; ``LiveLister``
  turns the finished rows into a chart (``monasca_osc.live.plot``) or into
  one sparkline row per series.

Option conflicts are refused in ``run``, before anything is sent.
Imported by command modules at start-up: standard library, cliff/osc_lib
and ``monasca_osc.common`` only; everything else is imported when used.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from monasca_osc.common import argtypes, timeutil, validation
from monasca_osc.v2.base import arguments, cells, options

SPARKLINE_COLUMNS = ('Name', 'Dimensions', 'Statistic', 'Min', 'Max',
                     'Last', 'Sparkline')
SPARKLINE_WIDTH = 60


# -- options -----------------------------------------------------------------
def add_follow_options(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        '--follow', action='store_true', default=False,
        help=f'After the {what} that match, keep polling and print each new '
             f'one once, in order, until interrupted (Ctrl-C, exit 130). '
             f'-f json prints JSON Lines; table, csv and value print rows as '
             f'they come')
    add_interval_option(parser, 'Seconds between polls with --follow')
    parser.add_argument(
        '--overlap', metavar='<duration>', type=argtypes.duration,
        help=f'With --follow, re-read this far behind the newest {what} seen '
             f'on every poll, so that {what} arriving late (lagging clocks, '
             f'slow backends) are still printed, once (default: 60s or '
             f'three intervals, whichever is longer)')


def add_interval_option(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument(
        '--interval', metavar='<seconds>', type=argtypes.seconds,
        default=None, help=f'{text} (default: 5)')


def add_plot_options(parser: argparse.ArgumentParser,
                     sparkline: bool = False) -> None:
    parser.add_argument(
        '--plot', action='store_true', default=False,
        help='Draw a line chart in the terminal instead of the table: one '
             'line per series, with a legend; colour on a terminal (unless '
             'NO_COLOR is set)')
    parser.add_argument(
        '--width', metavar='<columns>', type=options.positive_int,
        help='Chart width (default: the terminal\'s, or $COLUMNS)'
             + ('; with --sparkline, the longest sparkline (default: 60)'
                if sparkline else ''))
    parser.add_argument(
        '--height', metavar='<rows>', type=options.positive_int,
        help='Chart height in rows, axes and legend not included (default: '
             'fits the terminal, or $LINES)')
    parser.add_argument(
        '--threshold-from', metavar='<alarm-definition>',
        help='With --plot, draw the thresholds this alarm definition (name '
             'or ID) sets on the metric')
    if sparkline:
        parser.add_argument(
            '--sparkline', action='store_true', default=False,
            help='One row per series and statistic, with its minimum, '
                 'maximum, last value and a sparkline of every period (a '
                 'space for a period without data)')


def _interval(parsed_args: argparse.Namespace) -> float:
    from monasca_osc.live import follow

    return parsed_args.interval or follow.DEFAULT_INTERVAL


def check_options(parsed_args: argparse.Namespace) -> None:
    """Refuse option combinations that cannot work, before any request."""
    given = vars(parsed_args)
    follow = given.get('follow')
    plot = given.get('plot')
    sparkline = given.get('sparkline')
    if follow:
        for option, dest in (('--end', 'end'), ('--limit', 'limit'),
                             ('--marker', 'marker'),
                             ('--sort-column', 'sort_columns'),
                             ('--plot', 'plot')):
            if given.get(dest):
                raise validation.ValidationError(
                    f'--follow cannot be combined with {option}: a followed '
                    f'listing has no end')
        if given.get('formatter') not in (None, 'table', 'json', 'csv',
                                          'value'):
            raise validation.ValidationError(
                f'--follow prints -f table, json, csv or value, not '
                f'{given.get("formatter")}')
    elif given.get('interval') is not None or given.get('overlap'):
        raise validation.ValidationError(
            '--interval and --overlap apply with --follow only')
    if given.get('testcase') is not None and (follow or plot):
        raise validation.ValidationError(
            f'--testcase cannot be combined with '
            f'{"--follow" if follow else "--plot"}')
    if plot and sparkline:
        raise validation.ValidationError(
            '--plot and --sparkline cannot be combined')
    if plot and given.get('formatter') not in (None, 'table'):
        raise validation.ValidationError(
            f'--plot draws a chart; it cannot be combined with '
            f'-f {given.get("formatter")}')
    if not plot:
        for option, dest in (('--threshold-from', 'threshold_from'),
                             ('--height', 'height')):
            if given.get(dest):
                raise validation.ValidationError(
                    f'{option} applies with --plot only')
        if given.get('width') and not sparkline:
            raise validation.ValidationError(
                '--width applies with --plot or --sparkline only')
    if plot and given.get('width') is not None:
        _check_width(given['width'])


def _check_width(width: int) -> None:
    from monasca_osc.live import plot

    if width < plot.MIN_WIDTH:
        raise validation.ValidationError(
            f'--width {width} is too narrow for a chart (at least '
            f'{plot.MIN_WIDTH})')


# -- output -----------------------------------------------------------------
class LiveLister:
    """Mixin (before ``commands.Lister``): follow, plot, sparkline output."""

    def run(self, parsed_args: argparse.Namespace) -> int:
        check_options(parsed_args)
        return super().run(parsed_args)

    def rows_as_text(self, parsed_args: argparse.Namespace) -> bool:
        if _live(parsed_args):
            return False     # these outputs need the native cells
        return super().rows_as_text(parsed_args)

    def rows_as_runs(self, parsed_args: argparse.Namespace) -> bool:
        return not _live(parsed_args) and super().rows_as_runs(parsed_args)

    def produce_output(self, parsed_args: argparse.Namespace,
                       column_names: Sequence[str], data: Any) -> int:
        if getattr(parsed_args, 'follow', False):
            from monasca_osc.live import stream

            columns, rows = self._selected(parsed_args, column_names, data)
            return stream.write_rows(
                self.app.stdout, parsed_args.formatter, columns, rows,
                text=cells.as_text, machine=machine,
                quoting=self.formatter.QUOTE_MODES[parsed_args.quote_mode]
                if parsed_args.formatter == 'csv' else 0)
        if getattr(parsed_args, 'plot', False):
            return self._plot(parsed_args, data)
        if getattr(parsed_args, 'sparkline', False):
            column_names, data = SPARKLINE_COLUMNS, sparkline_rows(
                parsed_args, data)
        return super().produce_output(parsed_args, column_names, data)

    def _plot(self, parsed_args: argparse.Namespace, data: Any) -> int:
        from monasca_osc.live import plot, series

        thresholds = []
        if parsed_args.threshold_from:
            definition = self.client.alarm_definitions.find(
                parsed_args.threshold_from)
            try:
                thresholds = series.thresholds(definition, parsed_args.name)
            except ValueError as err:
                raise validation.ValidationError(str(err)) from None
        statistics = _statistics(parsed_args)
        lines = series.from_rows(
            _native_rows(data), statistics,
            period=_period(parsed_args) if statistics else None)
        stdout = self.app.stdout
        if not any(p[1] is not None for s in lines for p in s.points):
            stdout.write(f'No data to plot for {parsed_args.name} in this '
                         f'time range\n')
            return 0
        width, height = chart_size(parsed_args,
                                   len(lines) + len(thresholds))
        title = parsed_args.name
        if statistics:
            title += (f' ({", ".join(statistics)} per '
                      f'{_period(parsed_args)}s period)')
        for line in plot.render(lines, width=width, height=height,
                                colour=use_colour(stdout),
                                thresholds=thresholds, title=title):
            stdout.write(line + '\n')
        return 0


def _live(parsed_args: argparse.Namespace) -> bool:
    return any(getattr(parsed_args, name, False)
               for name in ('follow', 'plot', 'sparkline'))


def machine(cell: Any) -> Any:
    """A cell's machine-readable value (the cell itself if plain)."""
    from cliff import columns

    if isinstance(cell, columns.FormattableColumn):
        return cell.machine_readable()
    return cell


def _native_rows(data: Any) -> Iterator[tuple]:
    """Rows with the dimensions cell as a dict."""
    for row in data:
        yield (row[0], machine(row[1]), *row[2:])


def _statistics(parsed_args: argparse.Namespace) -> list[str]:
    values = getattr(parsed_args, 'statistics', None)
    if not values:
        return []
    return validation.parse_statistics(','.join(values))


def _period(parsed_args: argparse.Namespace) -> int:
    if parsed_args.period is None:
        return 300
    return int(validation.validate_period(parsed_args.period, '--period'))


def chart_size(parsed_args: argparse.Namespace, legend_lines: int
               ) -> tuple[int, int]:
    """--width/--height, else the terminal's size ($COLUMNS/$LINES first)."""
    import shutil

    from monasca_osc.live import plot

    size = shutil.get_terminal_size((80, 24))
    width = parsed_args.width or max(plot.MIN_WIDTH, size.columns)
    # Title, two axis lines, the time range and the legend fit under it.
    height = parsed_args.height or max(5, min(25, size.lines - 6
                                              - legend_lines))
    return width, max(plot.MIN_HEIGHT, height)


def use_colour(stdout: Any) -> bool:
    import os

    isatty = getattr(stdout, 'isatty', None)
    return bool(isatty and isatty()) and not os.environ.get('NO_COLOR') \
        and os.environ.get('TERM') != 'dumb'


def sparkline_rows(parsed_args: argparse.Namespace, data: Any
                   ) -> Iterator[tuple]:
    """One row per series and statistic, periods without data as spaces."""
    from monasca_osc.live import plot

    statistics = _statistics(parsed_args)
    period = _period(parsed_args)
    series: dict[tuple, dict[str, Any]] = {}
    for row in _native_rows(data):
        name, dims = row[0], row[1] or {}
        stamp = timeutil.parse_iso(str(row[2])).timestamp()
        entry = series.setdefault(
            (name, tuple(sorted(dims.items()))),
            {'name': name, 'dimensions': dims, 'points': []})
        entry['points'].append((stamp, row[3:]))
    width = parsed_args.width or SPARKLINE_WIDTH
    for entry in series.values():
        points = sorted(entry['points'], key=lambda p: p[0])
        first = points[0][0]
        slots = int((points[-1][0] - first) // period) + 1
        for index, statistic in enumerate(statistics):
            values: list[float | None] = [None] * slots
            for stamp, stats in points:
                value = stats[index]
                if isinstance(value, (int, float)) and \
                        not isinstance(value, bool):
                    values[int((stamp - first) // period)] = value
            present = [v for v in values if v is not None]
            yield (entry['name'], cells.DimensionsColumn(entry['dimensions']),
                   statistic, min(present, default=None),
                   max(present, default=None),
                   present[-1] if present else None,
                   plot.sparkline(values, width))


# -- follow -----------------------------------------------------------------
def transient_errors() -> tuple[type[BaseException], ...]:
    """Failures a poll reports and tries again (the REST layer has already
    retried them): the server or the network, not the request."""
    from monasca_osc import exceptions as exc

    return (exc.ConnectionFailed, exc.Timeout, exc.ServerError,
            exc.TooManyRequests)


def follow_rows(cmd: Any, parsed_args: argparse.Namespace,
                fetch: Callable[[int | None], Any],
                key: Callable[[Any], Any], stamp: Callable[[Any], int],
                start_ms: int | None) -> Iterator:
    """``fetch(since_ms)``'s rows, then every new one, polled at the
    command's ``--interval``; ``key`` tells rows seen before."""
    from monasca_osc.live import follow

    def warn(message: str) -> None:
        cmd.app.stderr.write(message + '\n')
        cmd.app.stderr.flush()

    overlap = parsed_args.overlap
    return follow.follow(
        fetch, key=key, stamp=stamp, start_ms=start_ms,
        interval=_interval(parsed_args),
        overlap_ms=None if overlap is None else int(overlap * 1000),
        transient=transient_errors(), warn=warn)


def epoch_ms(text: Any) -> int:
    """An ISO 8601 time as epoch milliseconds."""
    return timeutil.to_epoch_ms(timeutil.parse_iso(str(text)))


def iso_or_none(ms: int | None) -> str | None:
    """Epoch milliseconds as ISO 8601 (None stays None)."""
    if ms is None:
        return None
    import datetime as dt

    return timeutil.format_iso(dt.datetime.fromtimestamp(ms / 1000,
                                                         timeutil.UTC))


def follow_history(cmd: Any, parsed_args: argparse.Namespace
                   ) -> Iterator[dict]:
    """State-history entries: the first listing, then every new one."""
    alarms = cmd.client.alarms
    if parsed_args.alarm:
        def fetch(since: int | None) -> Any:
            # This endpoint takes only an offset: entries strictly after.
            return alarms.iter_history(
                alarm_id=parsed_args.alarm,
                offset=None if since is None else str(since - 1))
        start_ms = None
    else:
        times = arguments.TimeRange(parsed_args.start, None)
        dimensions = arguments.dimension_filter(parsed_args.dimensions)
        start_ms = None if times.start is None else \
            timeutil.to_epoch_ms(times.start)

        def fetch(since: int | None) -> Any:
            return alarms.iter_history_list(
                dimensions=dimensions, start_time=iso_or_none(since))

    def stamp(entry: dict) -> int:
        ident = str(entry.get('id') or '')
        if ident.isdigit():
            return int(ident)
        return epoch_ms(entry.get('timestamp'))

    def key(entry: dict) -> tuple:
        return (entry.get('alarm_id'), entry.get('id'),
                entry.get('timestamp'), entry.get('old_state'),
                entry.get('new_state'))

    return follow_rows(cmd, parsed_args, fetch, key, stamp, start_ms)

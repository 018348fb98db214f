"""``openstack monitoring measurement list`` and ``statistics list``.

Both print long format, one row per point, so ``-f csv`` and ``-f value``
are usable from scripts; rows are streamed page by page.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from monasca_osc import exceptions
from monasca_osc.common import validation
from monasca_osc.v2 import live
from monasca_osc.v2.base import arguments, cells, commands, options, output

MEASUREMENT_COLUMNS = ('Name', 'Dimensions', 'Timestamp', 'Value',
                       'Value Meta')


def _add_series_options(parser: argparse.ArgumentParser,
                        marker: str) -> None:
    """The series query of measurement and statistics lists."""
    options.add_arguments(parser, (
        options.arg('--name', metavar='<name>', required=True,
                    help='Metric name (required)'),
        options.dimension_filter(),
        *options.time_range(start_required=True)))
    options.add_arguments(parser.add_mutually_exclusive_group(), (
        options.switch('--merge-metrics', 'Merge all metrics matching name '
                       'and dimensions into one series (otherwise they must '
                       'match exactly one metric)'),
        options.repeatable(
            '--group-by', '<key>',
            help='Return one series per distinct value combination of these '
                 'dimension keys ("*" for every metric); repeat option or '
                 'give comma-separated keys')))
    options.add_arguments(parser, (*options.project(),
                                   *options.paging(marker)))


def series_kwargs(parsed_args: argparse.Namespace) -> dict[str, Any]:
    """Query arguments shared by measurements and statistics."""
    times = arguments.TimeRange(parsed_args.start, parsed_args.end)
    return {
        'name': parsed_args.name, 'dimensions': parsed_args.dimensions,
        'start_time': times.start_iso, 'end_time': times.end_iso,
        'merge_metrics': parsed_args.merge_metrics or None,
        'group_by': arguments.items(parsed_args.group_by),
        'tenant_id': parsed_args.tenant_id,
        **arguments.paging_kwargs(parsed_args),
    }


def is_multiple_metrics(err: exceptions.MonascaError) -> bool:
    """The API's 409: name and dimensions match several metrics."""
    return isinstance(err, exceptions.Conflict) and (
        err.title == 'MultipleMetrics'
        or 'merge_metrics' in (err.description or ''))


def explain_multiple_metrics(elements: Iterable[Any], name: str,
                             options: tuple[str, str, str]
                             ) -> Iterator[Any]:
    """``elements``, with the API's 409 for several matching metrics said
    in the CLI's words: ``options`` are its dimension filter, merge and
    group-by options."""
    try:
        yield from elements
    except exceptions.Conflict as err:
        if not is_multiple_metrics(err):
            raise
        dimension, merge, group_by = options
        raise exceptions.Conflict(
            f'Several metrics match name {name!r} and the dimensions '
            f'given: add {dimension} filters to match one, give {merge} '
            f'to merge them into one series, or {group_by} for one series '
            f'per metric (HTTP 409)', title=err.title,
            description=err.description, request_id=err.request_id,
            method=err.method, url=err.url) from None


def measurement_positions(element: Mapping[str, Any]
                          ) -> tuple[int, int, int | None]:
    """Where timestamp, value and value_meta sit in a series' points.

    The server names the order in ``columns``; value_meta may be absent.
    """
    columns = element.get('columns') or ['timestamp', 'value', 'value_meta']
    ts_at = columns.index('timestamp') if 'timestamp' in columns else 0
    value_at = columns.index('value') if 'value' in columns else 1
    meta_at = columns.index('value_meta') if 'value_meta' in columns \
        else None
    return ts_at, value_at, meta_at


def statistics_points(element: Mapping[str, Any], statistics: list[str]
                      ) -> Iterator[tuple]:
    """A series' periods as (timestamp, *statistics) in request order."""
    columns = element.get('columns') or ['timestamp', *statistics]
    index = {c: i for i, c in enumerate(columns)}
    ts_at = index.get('timestamp', 0)
    for point in element.get('statistics') or ():
        yield (point[ts_at], *(point[index[s]] if s in index else None
                               for s in statistics))


def measurement_rows(elements: Iterable[Mapping[str, Any]],
                     text: bool = False) -> Iterator[tuple]:
    """One row per point, whatever the column order the server sent.

    With ``text`` the cells are already the csv/value text (dimensions
    rendered once per series, not once per point): the fast path for long
    listings.
    """
    for element in elements:
        ts_at, value_at, meta_at = measurement_positions(element)
        name = element.get('name')
        dimensions: Any = cells.DimensionsColumn(element.get('dimensions'))
        if text:
            dimensions = dimensions.text_readable()
        for point in element.get('measurements') or ():
            meta = point[meta_at] if meta_at is not None and \
                meta_at < len(point) else None
            value = point[value_at]
            if text:
                # Texts and numbers print as they are: as_text only for
                # the rare other cell (a boolean, null).
                stamp = point[ts_at]
                yield (name, dimensions,
                       stamp if type(stamp) is str else cells.as_text(stamp),
                       value if type(value) in _NUMBERS
                       else cells.as_text(value),
                       _meta_text(meta) if meta else '')
            else:
                yield (name, dimensions, point[ts_at], value,
                       cells.ValueMetaColumn(meta) if meta else _NO_META)


def measurement_runs(elements: Iterable[Mapping[str, Any]],
                     text: bool = False) -> Iterator[Any]:
    """``measurement_rows``, with each series whose points are in the
    usual order (timestamp, value[, value_meta]) as one
    ``output.PointRun``: only for the writers that read runs
    (``commands.Lister.rows_as_runs``)."""
    for element in elements:
        points = element.get('measurements') or ()
        if measurement_positions(element) not in _USUAL_ORDER or \
                type(points) is not list:
            yield from measurement_rows((element,), text)
            continue
        dimensions: Any = cells.DimensionsColumn(element.get('dimensions'))
        yield output.PointRun(
            (element.get('name'),
             dimensions.text_readable() if text else dimensions),
            points, '' if text else _NO_META,
            lambda element=element: measurement_rows((element,), text))


_USUAL_ORDER = ((0, 1, 2), (0, 1, None))
_NUMBERS = (float, int)
# One shared cell for the usual point without value_meta (formatters only
# read cells, and the JSON encoder reuses the text of a repeated cell).
_NO_META = cells.ValueMetaColumn({})


def _meta_text(meta: Any) -> str:
    if not meta:
        return ''
    return cells.ValueMetaColumn(meta).text_readable()


def statistics_rows(elements: Iterable[Mapping[str, Any]],
                    statistics: list[str], text: bool = False
                    ) -> Iterator[tuple]:
    for element in elements:
        name = element.get('name')
        dimensions: Any = cells.DimensionsColumn(element.get('dimensions'))
        if text:
            dimensions = dimensions.text_readable()
        for timestamp, *values in statistics_points(element, statistics):
            if text:
                values = [cells.as_text(v) for v in values]
            yield (name, dimensions, timestamp, *values)


def requested_statistics(parsed_args: argparse.Namespace) -> list[str]:
    """``--statistic avg,MAX --statistic count`` -> ['avg', 'max', 'count']
    (the column names; ``fetch`` had the manager check them)."""
    return validation.parse_statistics(','.join(parsed_args.statistics))


def follow_measurements(cmd: Any, parsed_args: argparse.Namespace
                        ) -> Iterator[tuple]:
    """measurement list rows: the first listing, then every new point."""
    query = series_kwargs(parsed_args)
    metrics = cmd.client.metrics

    def fetch(since: int | None) -> Iterator[tuple]:
        return measurement_rows(metrics.iter_measurements(
            **{**query, 'start_time': live.iso_or_none(since)}))

    def key(row: tuple) -> tuple:
        return (row[0], tuple(sorted(live.machine(row[1]).items())), row[2],
                repr(row[3]), repr(sorted(live.machine(row[4]).items())))

    return live.follow_rows(cmd, parsed_args, fetch, key,
                            lambda row: live.epoch_ms(row[2]),
                            live.epoch_ms(query['start_time']))


class _SeriesLister(live.LiveLister, commands.Lister):
    # How the 409 for several matching metrics names the options.
    series_options = ('--dimension', '--merge-metrics', "--group-by '*'")

    def explained(self, elements: Iterable[Any],
                  parsed_args: argparse.Namespace) -> Iterator[Any]:
        return explain_multiple_metrics(elements, parsed_args.name,
                                        self.series_options)


class ListMeasurement(_SeriesLister):
    """List measurements of a metric, one row per point"""

    marker_kind = 'measurement'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        _add_series_options(parser, self.marker_kind)
        parser.add_argument(
            '--testcase', metavar='<interval>', nargs='?', const='auto',
            help='Write the measurements as the series: block of an '
                 '"alarm definition test" file instead of rows, on a grid '
                 'of <interval> (30s, 1m; default: their most common '
                 'spacing)')
        live.add_follow_options(parser, 'points')
        live.add_plot_options(parser)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        if getattr(parsed_args, 'follow', False):  # not in legacy parsers
            # A live loop of its own: rows, not one fetch to shape.
            return MEASUREMENT_COLUMNS, follow_measurements(self,
                                                             parsed_args)
        return super().take_action(parsed_args)

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.explained(self.client.metrics.iter_measurements(
            **series_kwargs(parsed_args)), parsed_args)

    def shape(self, parsed_args: argparse.Namespace,
              elements: Iterable[Mapping[str, Any]]) -> tuple:
        if getattr(parsed_args, 'testcase', None) is not None:
            from monasca_osc.alarmtools import testcase

            testcase.write_for_command(self.app.stdout, elements,
                                       parsed_args.testcase)
            parsed_args.formatter = 'value'
            return (), ()
        text = self.rows_as_text(parsed_args)
        rows = measurement_runs if self.rows_as_runs(parsed_args) \
            else measurement_rows
        return MEASUREMENT_COLUMNS, rows(elements, text)


class ListStatistics(_SeriesLister):
    """List statistics of a metric over periods, one row per period"""

    marker_kind = 'statistics'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        options.add_arguments(parser, (
            options.repeatable('--statistic', '<avg|min|max|sum|count>',
                               dest='statistics',
                               help='Statistic to compute; repeat option or '
                                    'give a comma-separated list (required)'),
            options.arg('--period', metavar='<seconds>', default=None,
                        help='Length of each period in seconds (default: '
                             '300); periods are aligned to multiples of the '
                             'period since the epoch, not to --start')))
        _add_series_options(parser, self.marker_kind)
        live.add_plot_options(parser, sparkline=True)
        return parser

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        if not parsed_args.statistics:
            raise validation.ValidationError(
                'At least one --statistic is required (avg, min, max, sum, '
                'count)')
        period = None
        if parsed_args.period is not None:
            # Option text to seconds, naming the option (a conversion).
            period = validation.validate_period(parsed_args.period,
                                                '--period')
        return self.explained(self.client.metrics.iter_statistics(
            statistics=arguments.items(parsed_args.statistics), period=period,
            **series_kwargs(parsed_args)), parsed_args)

    def shape(self, parsed_args: argparse.Namespace,
              elements: Iterable[Mapping[str, Any]]) -> tuple:
        statistics = requested_statistics(parsed_args)
        columns = ('Name', 'Dimensions', 'Timestamp',
                   *(s.capitalize() for s in statistics))
        text = self.rows_as_text(parsed_args)
        return columns, statistics_rows(elements, statistics, text)

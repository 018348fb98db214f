"""Legacy metric, measurement, statistics and dimension commands."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
import json
import logging
from typing import Any

from monasca_osc import exceptions as exc
from monasca_osc.api.metrics import merge_series
from monasca_osc.legacy import base, syntax
from monasca_osc.v2 import measurement, metric

LOG = logging.getLogger(__name__)
START_HELP = ('measurements >= UTC time. format: 2014-01-01T00:00:00Z, or '
              '-N for N minutes ago (also -15m, -2h, -7d, now-1h)')
END_HELP = 'measurements <= UTC time. format: 2014-01-01T00:00:00Z'


def _json_body(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f'invalid JSON body: {err}') from None


def _one_item(text: str) -> list[str]:
    """v2 takes repeated ``--statistic``; legacy one comma-separated text."""
    return [text]


def series_arguments(marker: str) -> tuple[syntax.Arg, ...]:
    """measurement-list and metric-statistics share these options."""
    return (
        syntax.dimensions(),
        syntax.arg('--endtime', metavar='<UTC_END_TIME>', dest='end',
                   help=END_HELP),
        *syntax.paging(marker),
        syntax.arg('--merge_metrics', '--merge-metrics', dest='merge_metrics',
                   action='store_true', default=False,
                   help='Merge multiple metrics into a single result.'),
        syntax.arg('--group_by', '--group-by', metavar='<KEY1,KEY2,...>',
                   dest='group_by', action='append', default=[],
                   help="Select which keys to use for grouping. A '*' groups "
                        'by all keys.'),
        syntax.TENANT,
    )


START = syntax.arg('start', metavar='<UTC_START_TIME>', help=START_HELP)
# dimension-name-list and dimension-value-list
DIMENSION_LIST_OPTIONS = (
    syntax.arg('--metric-name', metavar='<METRIC_NAME>', dest='metric_name',
               help='Only dimensions of metrics with this name (the API '
                    'takes one name; the last one given wins).'),
    *syntax.time_range(start_help='Only metrics with measurements since '
                       'this time (ISO 8601, or -N minutes ago).',
                       end_help='and before this time.'),
    *syntax.paging('name'),
    syntax.TENANT,
)


class _SeriesCommand(base.LegacyCommand):
    """Shared by measurement-list and metric-statistics: one row per
    series, its points stacked in the cells (the legacy table)."""

    series_options = ('--dimensions', '--merge_metrics', "--group_by '*'")

    points_key = 'measurements'
    legacy_defaults = {'page_size': None}

    def fetch(self, parsed_args: argparse.Namespace) -> list[dict]:
        """The v2 fetch, read whole, retried with every series grouped
        when the name and dimensions match several metrics.

        The legacy client listed every matching series; the API now
        answers 409 unless grouping is asked for, and grouping by every
        key gives the legacy result.
        """
        try:
            return merge_series(super().fetch(parsed_args))
        except exc.Conflict:
            if parsed_args.merge_metrics or parsed_args.group_by:
                raise
            LOG.debug('several metrics match; retrying with group_by=*')
            parsed_args.group_by = ['*']
            return merge_series(super().fetch(parsed_args))

    def series(self, elements: list[dict]) -> Iterator[dict]:
        """The series that have points (the legacy client showed no
        empty ones)."""
        return (e for e in elements if e.get(self.points_key))


class MetricCreate(base.LegacyCommand, metric.CreateMetric):
    """Create metric."""

    success_message = 'Successfully created metric'
    legacy_arguments = (
        syntax.arg('name', metavar='<METRIC_NAME>',
                   help='Name of the metric to create.'),
        syntax.arg('value', metavar='<METRIC_VALUE>',
                   type=metric._finite_float, help='Metric value.'),
        syntax.arg('--dimensions', metavar='<KEY1=VALUE1,KEY2=VALUE2...>',
                   action='append', default=[],
                   help='key value pair used to create a metric dimension. '
                        'This can be specified multiple times, or once with '
                        'parameters separated by a comma; write a comma '
                        'inside a value as \\, (or separate the pairs with '
                        ';).'),
        syntax.arg('--value-meta', metavar='<KEY1=VALUE1,KEY2=VALUE2...>',
                   dest='value_meta', action='append', default=[],
                   help='key value pair for extra information about a '
                        'value. Same syntax as --dimensions.'),
        syntax.arg('--time', metavar='<UNIX_TIMESTAMP>',
                   type=syntax.epoch_ms,
                   help='Metric timestamp in milliseconds. Default: current '
                        'timestamp (taken when the command runs).'),
        syntax.arg('--project-id', metavar='<CROSS_PROJECT_ID>',
                   dest='tenant_id',
                   help='The Project ID to create metric on behalf of. '
                        'Requires monitoring-delegate role in keystone.'),
        # The other commands spell it --tenant-id.
        syntax.arg('--tenant-id', dest='tenant_id', help=argparse.SUPPRESS),
    )


class MetricCreateRaw(base.LegacyCommand, metric.CreateMetric):
    """Create metric from raw json body."""

    success_message = 'Successfully created metric'
    legacy_arguments = (syntax.arg(
        'jsonbody', metavar='<JSON_BODY>', type=_json_body,
        help='The raw JSON body in single quotes: one metric object or an '
             'array of them. See api doc.'),)

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        # The raw body goes to the manager as the legacy client sent it
        # (an object or an array; a "tenant_id" key becomes the query).
        body = parsed_args.jsonbody
        self.client.metrics.create(jsonbody=body)
        return body

    def shape(self, parsed_args: argparse.Namespace, body: Any) -> tuple:
        metrics = body if isinstance(body, list) else [body]
        return ('count', 'metrics'), (len(metrics), base.JSONValue(metrics))


class MetricList(base.LegacyList, metric.ListMetric):
    """List metrics for this tenant."""

    legacy_arguments = (
        syntax.arg('--name', metavar='<METRIC_NAME>',
                   help='Name of the metric to list.'),
        syntax.dimensions(),
        *syntax.time_range('metrics with measurements'),
        *syntax.paging('metric'),
        syntax.TENANT,
    )
    legacy_defaults = {'long': False, 'page_size': None}
    legacy_columns = (('name', 'name', None),
                      ('dimensions', 'dimensions', base.Dimensions))


class MetricNameList(base.LegacyCommand, metric.ListMetricName):
    """List names of metrics."""

    legacy_arguments = (syntax.dimensions(), *syntax.paging('name'),
                        syntax.TENANT)
    legacy_defaults = {'page_size': None}


class DimensionNameList(base.LegacyList, metric.ListDimensionName):
    """List names of metric dimensions."""

    legacy_arguments = DIMENSION_LIST_OPTIONS
    legacy_defaults = {'page_size': None}
    legacy_columns = (('Dimension Names', 'dimension_name', None),)


class DimensionValueList(base.LegacyList, metric.ListDimensionValue):
    """List values of a metric dimension."""

    legacy_arguments = (
        syntax.arg('dimension_name', metavar='<DIMENSION_NAME>',
                   help='Name of the dimension to list the values of.'),
        *DIMENSION_LIST_OPTIONS,
    )
    legacy_defaults = {'page_size': None}
    legacy_columns = (('Dimension Values', 'dimension_value', None),)


class MeasurementList(_SeriesCommand, measurement.ListMeasurement):
    """List measurements for the specified metric."""

    legacy_arguments = (
        syntax.arg('name', metavar='<METRIC_NAME>',
                   help='Name of the metric to list measurements.'),
        START,
        *series_arguments('measurement'),
    )

    def shape(self, parsed_args: argparse.Namespace,
              elements: list[dict]) -> tuple:
        columns = ('name', 'dimensions', 'timestamp', 'value', 'value_meta')
        return columns, [_measurement_row(e) for e in self.series(elements)]


class MetricStatistics(_SeriesCommand, measurement.ListStatistics):
    """List measurement statistics for the specified metric."""

    points_key = 'statistics'

    legacy_arguments = (
        syntax.arg('name', metavar='<METRIC_NAME>',
                   help='Name of the metric to report measurement '
                        'statistics.'),
        syntax.arg('statistics', metavar='<STATISTICS>', type=_one_item,
                   help='Statistics is one or more (separated by commas) of '
                        '[AVG, MIN, MAX, COUNT, SUM].'),
        START,
        syntax.arg('--period', metavar='<PERIOD>',
                   help='number of seconds per interval (default is 300)'),
        *series_arguments('statistics'),
    )

    def shape(self, parsed_args: argparse.Namespace,
              elements: list[dict]) -> tuple:
        statistics = measurement.requested_statistics(parsed_args)
        rows = []
        for element in self.series(elements):
            stacks = zip(*measurement.statistics_points(element, statistics),
                         strict=True)
            times, *values = stacks
            rows.append((element.get('name'),
                         base.Dimensions(element.get('dimensions')),
                         base.Stacked(times),
                         *(base.Stacked(v, base.format_number)
                           for v in values)))
        return ('name', 'dimensions', 'timestamp', *statistics), rows


def _measurement_row(element: dict) -> tuple:
    ts_at, value_at, meta_at = measurement.measurement_positions(element)
    points = element['measurements']
    metas = [(p[meta_at] if meta_at is not None and meta_at < len(p)
              else None) or {} for p in points]
    return (element.get('name'), base.Dimensions(element.get('dimensions')),
            base.Stacked([p[ts_at] for p in points]),
            base.Stacked([p[value_at] for p in points], base.format_number),
            base.Stacked(metas, base.format_value_meta))

"""Legacy metric, measurement, statistics and dimension commands."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
import json
import logging
from typing import Any

from monasca_osc import exceptions as exc
from monasca_osc.api.metrics import merge_series
from monasca_osc.legacy import base
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


def _add_tenant(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--tenant-id', metavar='<TENANT_ID>', dest='tenant_id',
        help='Retrieve data for the specified tenant/project id (needs the '
             'delegate role).')


def _add_series_options(parser: argparse.ArgumentParser,
                        marker: str) -> None:
    """measurement-list and metric-statistics share these options."""
    base.add_dimensions(parser)
    parser.add_argument('--endtime', metavar='<UTC_END_TIME>', dest='end',
                        help=END_HELP)
    base.add_paging(parser, marker)
    parser.add_argument(
        '--merge_metrics', '--merge-metrics', dest='merge_metrics',
        action='store_true', default=False,
        help='Merge multiple metrics into a single result.')
    parser.add_argument(
        '--group_by', '--group-by', metavar='<KEY1,KEY2,...>',
        dest='group_by', action='append', default=[],
        help='Select which keys to use for grouping. A \'*\' groups by '
             'all keys.')
    _add_tenant(parser)
    parser.set_defaults(page_size=None)


class _SeriesCommand(base.LegacyCommand):
    """Shared by measurement-list and metric-statistics: one row per
    series, its points stacked in the cells (the legacy table)."""

    series_options = ('--dimensions', '--merge_metrics', "--group_by '*'")

    points_key = 'measurements'

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

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, metric.CreateMetric)
        parser.add_argument('name', metavar='<METRIC_NAME>',
                            help='Name of the metric to create.')
        parser.add_argument('value', metavar='<METRIC_VALUE>',
                            type=metric._finite_float, help='Metric value.')
        parser.add_argument(
            '--dimensions', metavar='<KEY1=VALUE1,KEY2=VALUE2...>',
            action='append', default=[],
            help='key value pair used to create a metric dimension. This '
                 'can be specified multiple times, or once with parameters '
                 'separated by a comma; write a comma inside a value as \\, '
                 '(or separate the pairs with ;).')
        parser.add_argument(
            '--value-meta', metavar='<KEY1=VALUE1,KEY2=VALUE2...>',
            dest='value_meta', action='append', default=[],
            help='key value pair for extra information about a value. Same '
                 'syntax as --dimensions.')
        parser.add_argument(
            '--time', metavar='<UNIX_TIMESTAMP>', type=base.epoch_ms,
            help='Metric timestamp in milliseconds. Default: current '
                 'timestamp (taken when the command runs).')
        parser.add_argument(
            '--project-id', metavar='<CROSS_PROJECT_ID>', dest='tenant_id',
            help='The Project ID to create metric on behalf of. Requires '
                 'monitoring-delegate role in keystone.')
        # The other commands spell it --tenant-id.
        parser.add_argument('--tenant-id', dest='tenant_id',
                            help=argparse.SUPPRESS)
        return parser


class MetricCreateRaw(base.LegacyCommand, metric.CreateMetric):
    """Create metric from raw json body."""

    success_message = 'Successfully created metric'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, metric.CreateMetric)
        parser.add_argument(
            'jsonbody', metavar='<JSON_BODY>', type=_json_body,
            help='The raw JSON body in single quotes: one metric object or '
                 'an array of them. See api doc.')
        return parser

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

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, metric.ListMetric)
        parser.add_argument('--name', metavar='<METRIC_NAME>',
                            help='Name of the metric to list.')
        base.add_dimensions(parser)
        parser.add_argument(
            '--starttime', metavar='<UTC_START_TIME>', dest='start',
            help='metrics with measurements >= UTC time. format: '
                 '2014-01-01T00:00:00Z, or -N for N minutes ago.')
        parser.add_argument(
            '--endtime', metavar='<UTC_END_TIME>', dest='end',
            help='metrics with measurements <= UTC time. format: '
                 '2014-01-01T00:00:00Z.')
        base.add_paging(parser, 'metric')
        _add_tenant(parser)
        parser.set_defaults(long=False, page_size=None)
        return parser

    legacy_columns = (('name', 'name', None),
                      ('dimensions', 'dimensions', base.Dimensions))


class MetricNameList(base.LegacyCommand, metric.ListMetricName):
    """List names of metrics."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, metric.ListMetricName)
        base.add_dimensions(parser)
        base.add_paging(parser, 'name')
        _add_tenant(parser)
        parser.set_defaults(page_size=None)
        return parser


def _add_dimension_list_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--metric-name', metavar='<METRIC_NAME>', dest='metric_name',
        help='Only dimensions of metrics with this name (the API takes one '
             'name; the last one given wins).')
    parser.add_argument('--starttime', metavar='<UTC_START_TIME>',
                        dest='start',
                        help='Only metrics with measurements since this '
                             'time (ISO 8601, or -N minutes ago).')
    parser.add_argument('--endtime', metavar='<UTC_END_TIME>', dest='end',
                        help='and before this time.')
    base.add_paging(parser, 'name')
    _add_tenant(parser)
    parser.set_defaults(page_size=None)


class DimensionNameList(base.LegacyList, metric.ListDimensionName):
    """List names of metric dimensions."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, metric.ListDimensionName)
        _add_dimension_list_options(parser)
        return parser

    legacy_columns = (('Dimension Names', 'dimension_name', None),)


class DimensionValueList(base.LegacyList, metric.ListDimensionValue):
    """List values of a metric dimension."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, metric.ListDimensionValue)
        parser.add_argument('dimension_name', metavar='<DIMENSION_NAME>',
                            help='Name of the dimension to list the values '
                                 'of.')
        _add_dimension_list_options(parser)
        return parser

    legacy_columns = (('Dimension Values', 'dimension_value', None),)


class MeasurementList(_SeriesCommand, measurement.ListMeasurement):
    """List measurements for the specified metric."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, measurement.ListMeasurement)
        parser.add_argument('name', metavar='<METRIC_NAME>',
                            help='Name of the metric to list measurements.')
        parser.add_argument('start', metavar='<UTC_START_TIME>',
                            help=START_HELP)
        _add_series_options(parser, self.marker_kind)
        return parser

    def shape(self, parsed_args: argparse.Namespace,
              elements: list[dict]) -> tuple:
        columns = ('name', 'dimensions', 'timestamp', 'value', 'value_meta')
        return columns, [_measurement_row(e) for e in self.series(elements)]


class MetricStatistics(_SeriesCommand, measurement.ListStatistics):
    """List measurement statistics for the specified metric."""

    points_key = 'statistics'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.legacy_parser(prog_name, measurement.ListStatistics)
        parser.add_argument(
            'name', metavar='<METRIC_NAME>',
            help='Name of the metric to report measurement statistics.')
        parser.add_argument(
            'statistics', metavar='<STATISTICS>', type=lambda s: [s],
            help='Statistics is one or more (separated by commas) of '
                 '[AVG, MIN, MAX, COUNT, SUM].')
        parser.add_argument('start', metavar='<UTC_START_TIME>',
                            help=START_HELP)
        parser.add_argument(
            '--period', metavar='<PERIOD>',
            help='number of seconds per interval (default is 300)')
        _add_series_options(parser, self.marker_kind)
        return parser

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

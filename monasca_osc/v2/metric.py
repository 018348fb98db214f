"""``openstack monitoring metric ...`` commands."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from monasca_osc.common import dimensions as dims
from monasca_osc.common import timeutil, validation
from monasca_osc.v2.base import arguments, cells, commands, options

METRIC_COLUMNS = ('Name', 'Dimensions')
METRIC_LONG_COLUMNS = ('ID', 'Name', 'Dimensions')
METRIC_FIELDS = {'ID': 'id', 'Name': 'name', 'Dimensions': 'dimensions'}
METRIC_FORMATTERS = {'dimensions': cells.DimensionsColumn}
CREATED_FIELDS = ('name', 'dimensions', 'timestamp', 'value', 'value_meta')
CREATED_FORMATTERS = {'dimensions': cells.DimensionsColumn,
                      'value_meta': cells.ValueMetaColumn}


def _finite_float(text: str) -> float:
    try:
        value = float(text)
        validation.validate_value(value)
    except (ValueError, validation.ValidationError):
        raise argparse.ArgumentTypeError(
            f'metric value {text!r} is not a finite number') from None
    return value


class CreateMetric(commands.ShowOne):
    """Create (post) a metric measurement, or many from a file"""

    show_fields = CREATED_FIELDS
    field_formatters = CREATED_FORMATTERS
    # With --file: the ingest.command.BulkResult of this run.
    _bulk: Any = None

    argument_table = (
        options.arg('name', metavar='<name>', nargs='?',
                    help='Metric name (required unless --file)'),
        options.arg('--value', metavar='<number>', type=_finite_float,
                    help='Measured value (required unless --file)'),
        options.repeatable(
            '--dimension', '<key=value>', dest='dimensions',
            help='Dimension of the metric; repeat option for several '
                 '(write a literal comma as \\,)'),
        options.repeatable(
            '--value-meta', '<key=value>', dest='value_meta',
            help='Value metadata entry; repeat option for several (at most '
                 '16 entries, 2048 characters as JSON)'),
        options.arg('--time', metavar='<time>', dest='time',
                    help=f'Time of the measurement (default: now): '
                         f'{timeutil.TIME_HELP}'),
        *options.project('post'),
    )

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        self._add_bulk_options(parser)
        return parser

    def _add_bulk_options(self, parser: argparse.ArgumentParser) -> None:
        from monasca_osc.ingest import options

        options.add_bulk_options(parser)

    def build_metric(self, parsed_args: argparse.Namespace) -> dict[str, Any]:
        if parsed_args.name is None:
            raise validation.ValidationError(
                'A metric name is required (or --file for bulk ingest)')
        if parsed_args.value is None:
            raise validation.ValidationError(
                'A value is required: --value <number>')
        metric: dict[str, Any] = {'name': parsed_args.name}
        dimensions = dims.parse_dimensions(parsed_args.dimensions)
        if dimensions:
            metric['dimensions'] = dimensions
        if parsed_args.time is not None:
            when = timeutil.parse_time(parsed_args.time, what='--time')
            metric['timestamp'] = timeutil.to_epoch_ms(when)
        else:
            # Taken now, at run time, as integer milliseconds.
            metric['timestamp'] = timeutil.now_ms()
        metric['value'] = parsed_args.value
        value_meta = dims.parse_key_values(parsed_args.value_meta,
                                           'value_meta entry')
        if value_meta:
            metric['value_meta'] = value_meta
        return validation.validate_metric(metric)

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        if getattr(parsed_args, 'file', None) is not None:
            if not parsed_args.file:
                raise validation.ValidationError(
                    'Empty --file: give a path, or - for stdin')
            from monasca_osc.ingest import command as ingest

            app = self.app
            self._bulk = ingest.run(parsed_args, lambda: self.client,
                                    stdout=app.stdout, stderr=app.stderr)
            return self._bulk.columns, self._bulk.values
        return super().take_action(parsed_args)

    def fetch(self, parsed_args: argparse.Namespace) -> dict[str, Any]:
        """Post one metric; returns the metric as sent."""
        from monasca_osc.ingest import options

        stray = options.bulk_options_given(parsed_args)
        if stray:
            raise validation.ValidationError(
                f'{", ".join(stray)}: only with --file (bulk ingest)')
        metric = self.build_metric(parsed_args)
        self.client.metrics.create(tenant_id=parsed_args.tenant_id,
                                   **metric)
        return metric

    def view(self, metric: Mapping[str, Any]) -> dict[str, Any]:
        shown = dict(metric)
        shown.setdefault('dimensions', {})
        shown.setdefault('value_meta', {})
        # Sent as epoch milliseconds (what the API stores); shown in the
        # ISO 8601 form every other command prints, in every format, so the
        # line can be compared with `measurement list` output.
        shown['timestamp'] = timeutil.format_epoch_ms(
            metric['timestamp'])
        return shown

    def produce_output(self, parsed_args: argparse.Namespace,
                       column_names: Any, data: Any) -> int:
        bulk = self._bulk
        if bulk is None:
            return super().produce_output(parsed_args, column_names, data)
        # A dry run's output is the payload it printed: no table after it.
        if not bulk.report.dry_run:
            super().produce_output(parsed_args, column_names, data)
        if bulk.failure:
            from monasca_osc import exceptions

            raise exceptions.BatchFailed(bulk.failure)
        return 0


class ListMetric(commands.Lister):
    """List metrics (name and dimensions) of the project"""

    marker_kind = 'metric'
    argument_table = (
        options.arg('--name', metavar='<name>',
                    help='Only metrics with this name'),
        options.dimension_filter(),
        *options.time_range(start_help='Only metrics with measurements '
                            'since', end_help='and before (needs --start)'),
        *options.project(),
        *options.paging('metric'),
        options.LONG,
    )

    columns = commands.ListColumns(METRIC_COLUMNS, METRIC_FIELDS,
                                   METRIC_LONG_COLUMNS, METRIC_FORMATTERS)

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        times = arguments.TimeRange(parsed_args.start, parsed_args.end)
        return self.client.metrics.iter_list(
            name=parsed_args.name, dimensions=parsed_args.dimensions,
            start_time=times.start_iso, end_time=times.end_iso,
            tenant_id=parsed_args.tenant_id,
            **arguments.paging_kwargs(parsed_args))


class ListMetricName(commands.Lister):
    """List the distinct metric names of the project"""

    marker_kind = 'name'
    argument_table = (
        options.dimension_filter(
            help_prefix='Only names of metrics with this dimension'),
        *options.project(),
        *options.paging('name'),
    )

    columns = commands.ListColumns(('Name',), {'Name': 'name'})

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.metrics.iter_names(
            dimensions=parsed_args.dimensions,
            tenant_id=parsed_args.tenant_id,
            **arguments.paging_kwargs(parsed_args))


def _dimension_filters(what: str) -> tuple[options.Arg, ...]:
    """The filters shared by dimension name and value lists (``what``
    they list, for the help)."""
    return (
        options.arg('--metric-name', metavar='<name>',
                    help=f'Only {what} of metrics with this name'),
        *options.time_range(start_help=f'Only {what} of metrics with '
                            'measurements since', end_help='and before'),
        *options.project(),
        *options.paging('name'),
    )


def _dimension_query(parsed_args: argparse.Namespace) -> dict[str, Any]:
    """The values of ``_dimension_filters`` as manager arguments."""
    times = arguments.TimeRange(parsed_args.start, parsed_args.end,
                                check_order=False)
    return {'metric_name': parsed_args.metric_name,
            'start_time': times.start_iso, 'end_time': times.end_iso,
            'tenant_id': parsed_args.tenant_id,
            **arguments.paging_kwargs(parsed_args)}


class ListDimensionName(commands.Lister):
    """List the dimension names (keys) used by metrics"""

    marker_kind = 'name'
    argument_table = _dimension_filters('dimensions')
    columns = commands.ListColumns(('Dimension Name',),
                                   {'Dimension Name': 'dimension_name'})

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.metrics.iter_dimension_names(
            **_dimension_query(parsed_args))


class ListDimensionValue(commands.Lister):
    """List the values of one dimension across metrics"""

    marker_kind = 'name'
    argument_table = (
        options.arg('--dimension-name', metavar='<key>', required=True,
                    help='Dimension name (key) whose values to list '
                         '(required)'),
        *_dimension_filters('values'),
    )
    columns = commands.ListColumns(('Dimension Value',),
                                   {'Dimension Value': 'dimension_value'})

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.metrics.iter_dimension_values(
            dimension_name=parsed_args.dimension_name,
            **_dimension_query(parsed_args))

"""Metric endpoints: POST/GET /v2.0/metrics and their sub-resources."""

from __future__ import annotations

import heapq
import itertools
import json
import re
from typing import Any

from monasca_osc.common import validation
from monasca_osc.common.validation import ValidationError
from monasca_osc.sandbox import web
from monasca_osc.sandbox.context import AppContext
from monasca_osc.sandbox.query import (
    Select,
    as_filter,
    collection,
    query_dimensions,
    tenant_for,
    time_range_sql,
    validate_query_dimensions,
    validate_query_name,
)
from monasca_osc.sandbox.store import dimension_filter_sql, measurement_item
from monasca_osc.sandbox.web import ApiError, Request, Response, unprocessable

MULTIPLE_METRICS = (
    'Found multiple metrics matching metric name and dimensions. Please '
    'refine your search criteria using a unique metric name or additional '
    'dimensions. Alternatively, you may specify \'merge_metrics=True\' as a '
    'query parameter to combine all metrics matching search criteria into a '
    'single series.')
_STATS_OFFSET = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$')


# -- POST /v2.0/metrics -------------------------------------------------------

def post_metrics(app: AppContext, req: Request) -> Response:
    req.require_json_content_type()
    app.authorize(req, 'api:metrics:post')
    body = req.json()
    metrics = body if isinstance(body, list) else [body]
    for metric in metrics:
        try:
            validation.validate_metric(metric)
        except ValidationError as exc:
            if isinstance(metric, dict):
                for key in ('name', 'timestamp', 'value'):
                    if key not in metric:
                        # Upstream reports the KeyError text.
                        raise unprocessable(repr(key)) from None
            raise unprocessable(str(exc)) from None
    if metrics:
        tenant = tenant_for(app, req)
        touched = app.store.insert_metrics(tenant, metrics)
        app.evaluator.on_metrics(tenant, touched)
    return web.no_content()


# -- GET /v2.0/metrics --------------------------------------------------------

def _with_data_in(select: Select, start: float | None,
                  end: float | None) -> None:
    """Only series with a measurement in the time range."""
    rng, more = time_range_sql(start, end)
    select.add(' AND EXISTS (SELECT 1 FROM measurements m '
               f'WHERE m.series_id = s.id{rng})', *more)


def list_metrics(app: AppContext, req: Request) -> Response:
    app.authorize(req, 'api:metrics:get')
    tenant = tenant_for(app, req)
    name = validate_query_name(req, required=False)
    dims = query_dimensions(req)
    validate_query_dimensions(dims)
    offset = req.first('offset')
    start = web.query_time(req, 'start_time')
    end = web.query_time(req, 'end_time')
    web.check_start_end(start, end)
    limit = req.limit()
    first_id = 0
    if offset is not None:
        try:
            first_id = int(offset) + 1
        except ValueError:
            raise web.repository_error(
                f"invalid literal for int() with base 10: '{offset}'"
            ) from None
    select = Select('SELECT s.name, s.dims FROM series s WHERE s.tenant = ?',
                    tenant)
    select.where('s.name = ?', name or None)
    where, more = dimension_filter_sql(as_filter(dims))
    select.add(where, *more)
    if start is not None:
        # Influx keeps only metrics with data in range; a lone end_time is
        # ignored.
        _with_data_in(select, start, end)
    select.add(' ORDER BY s.name, s.dims_key LIMIT ? OFFSET ?', limit + 1,
               max(first_id, 0))
    with app.store.read() as conn:
        rows = select.execute(conn).fetchall()
    elements = [{'id': str(first_id + i), 'name': row[0],
                 'dimensions': json.loads(row[1])}
                for i, row in enumerate(rows)]
    next_offset = None
    if len(elements) > limit:
        next_offset = elements[limit - 1]['id'] if limit else str(first_id)
        elements = elements[:limit]
    return collection(req, elements, next_offset)


# -- names, dimension names and values ----------------------------------------

def _paged_values(req: Request, values: list[str], limit: int, key: str
                  ) -> Response:
    next_offset = None
    if len(values) > limit:
        next_offset = values[limit - 1] if limit else ''
        values = values[:limit]
    elements = [{key: value} for value in values]
    return collection(req, elements, next_offset)


def list_names(app: AppContext, req: Request) -> Response:
    app.authorize(req, 'api:metrics:get')
    tenant = tenant_for(app, req)
    dims = query_dimensions(req)
    validate_query_dimensions(dims)
    offset = req.first('offset')
    limit = req.limit()
    select = Select('SELECT DISTINCT s.name FROM series s WHERE s.tenant = ?',
                    tenant)
    where, more = dimension_filter_sql(as_filter(dims))
    select.add(where, *more)
    # Case-sensitive, unlike upstream which lower-cases the offset.
    select.where('s.name > ?', offset)
    select.add(' ORDER BY s.name LIMIT ?', limit + 1)
    with app.store.read() as conn:
        values = [row[0] for row in select.execute(conn)]
    return _paged_values(req, values, limit, 'name')


def _dimension_query(app: AppContext, req: Request, rule: str,
                     column: str, key: str,
                     dimension_name: str | None = None) -> Response:
    app.authorize(req, rule)
    tenant = tenant_for(app, req)
    metric_name = req.first('metric_name')
    if dimension_name is None and column == 'd.value':
        dimension_name = req.first('dimension_name')
        if dimension_name is None:
            raise unprocessable('Missing dimension_name')
    offset = req.first('offset')
    start = web.query_time(req, 'start_time')
    end = web.query_time(req, 'end_time')
    limit = req.limit()
    select = Select(f'SELECT DISTINCT {column} FROM series_dims d '
                    'JOIN series s ON s.id = d.series_id WHERE s.tenant = ?',
                    tenant)
    select.where('s.name = ?', metric_name)
    select.where('d.key = ?', dimension_name)
    if start is not None or end is not None:
        _with_data_in(select, start, end)
    select.where(f'{column} > ?', offset)
    if column == 'd.key':
        select.add(f" AND {column} NOT LIKE '\\_%' ESCAPE '\\'")
    select.add(f' ORDER BY {column} LIMIT ?', limit + 1)
    with app.store.read() as conn:
        values = [row[0] for row in select.execute(conn)]
    return _paged_values(req, values, limit, key)


def list_dimension_names(app: AppContext, req: Request) -> Response:
    return _dimension_query(app, req, 'api:metrics:dimension:names',
                            'd.key', 'dimension_name')


def list_dimension_values(app: AppContext, req: Request) -> Response:
    return _dimension_query(app, req, 'api:metrics:dimension:values',
                            'd.value', 'dimension_value')


# -- measurements and statistics ----------------------------------------------

class _Group:
    __slots__ = ('id', 'dims', 'series')

    def __init__(self, gid: int, dims: dict[str, str]) -> None:
        self.id = gid
        self.dims = dims
        self.series: list[int] = []


def _merge_flag(req: Request) -> bool:
    value = req.first('merge_metrics')
    # Upstream: true when the lower-cased value is a substring of "true".
    return value is not None and value.lower() in 'true'


def _group_by(req: Request) -> list[str] | None:
    values = req.all('group_by')
    if not values:
        return None
    keys: list[str] = []
    for value in values:
        keys.extend(item.strip() for item in value.split(',') if item.strip())
    return keys


def _resolve_groups(app: AppContext, tenant: str, name: str,
                    dims: dict[str, str], merge: bool,
                    group_by: list[str] | None) -> list[_Group]:
    where, args = dimension_filter_sql(as_filter(dims))
    with app.store.read() as conn:
        rows = conn.execute(
            'SELECT s.id, s.dims, s.dims_key FROM series s '
            f'WHERE s.tenant = ? AND s.name = ?{where} ORDER BY s.dims_key',
            [tenant, name] + args).fetchall()
    if not rows:
        return []
    if group_by:
        everything = '*' in group_by
        buckets: dict[str, _Group] = {}
        for sid, dims_json, key in rows:
            series_dims = json.loads(dims_json)
            if everything:
                group_dims = series_dims
            else:
                group_dims = {k: series_dims[k] for k in group_by
                              if k in series_dims}
                key = ','.join(f'{k}={group_dims[k]}'
                               for k in sorted(group_dims))
            group = buckets.get(key)
            if group is None:
                group = buckets[key] = _Group(0, group_dims)
            group.series.append(sid)
        groups = [buckets[k] for k in sorted(buckets)]
        for index, group in enumerate(groups):
            group.id = index
        return groups
    if merge:
        group = _Group(0, dict(dims))
        group.series = [row[0] for row in rows]
        return [group]
    if len(rows) > 1:
        raise ApiError(409, 'MultipleMetrics', MULTIPLE_METRICS)
    group = _Group(0, json.loads(rows[0][1]))
    group.series = [rows[0][0]]
    return [group]


def _split_offset(offset: str | None) -> tuple[int | None, str | None]:
    if offset is None:
        return None, None
    if '_' in offset:
        head, _, tail = offset.partition('_')
        try:
            return int(head), tail
        except ValueError:
            raise web.repository_error(
                f"invalid literal for int() with base 10: '{head}'") from None
    return None, offset


def _series_clause(series: list[int]) -> tuple[str, list[int]]:
    if len(series) == 1:
        return 'series_id = ?', series
    return f'series_id IN ({",".join("?" * len(series))})', series


def _common_query(app: AppContext, req: Request, statistics: bool):
    app.authorize(req, 'api:metrics:get')
    tenant = tenant_for(app, req)
    name = validate_query_name(req, required=True)
    dims = query_dimensions(req)
    validate_query_dimensions(dims)
    start = web.query_time(req, 'start_time', required=True,
                           missing='Missing start time')
    end = web.query_time(req, 'end_time')
    web.check_start_end(start, end)
    stats = period = None
    if statistics:
        stats = _statistics_param(req)
        period = _period_param(req)
    offset = req.first('offset')
    merge = _merge_flag(req)
    group_by = _group_by(req)
    limit = req.limit()
    return tenant, name, dims, start, end, stats, period, offset, merge, \
        group_by, limit


def _statistics_param(req: Request) -> list[str]:
    values = req.all('statistics')
    if not values:
        raise unprocessable('Missing statistics')
    stats = values if len(values) > 1 else values[0].split(',')
    stats = [item.lower() for item in stats]
    if not all(item in validation.STATISTICS for item in stats):
        raise unprocessable('Invalid statistic')
    return stats


def _period_param(req: Request) -> int:
    value = req.first('period')
    if value is None:
        return 300
    try:
        period = int(value)
    except ValueError:
        raise unprocessable('Period must be a valid integer') from None
    if period < 0:
        raise unprocessable('Period must be a positive integer')
    return period


def _envelope(req: Request, elements: list[str], next_offset: str | None
              ) -> Response:
    links = [req.self_link()]
    if next_offset is not None:
        links.append(req.next_link(next_offset))
    body = ('{"links": ' + json.dumps(links, ensure_ascii=False)
            + ', "elements": [' + ', '.join(elements) + ']}')
    return web.raw_json_response(body)


def _element_head(group: _Group, name: str, columns: list[str],
                  element_id: int | None = None) -> str:
    eid = group.id if element_id is None else element_id
    return (f'{{"id": "{eid}", '
            f'"name": {json.dumps(name, ensure_ascii=False)}, '
            f'"dimensions": {json.dumps(group.dims, ensure_ascii=False)}, '
            f'"columns": {json.dumps(columns)}, ')


_MERGE_IN_PYTHON = 64


def _measurement_rows(conn, series: list[int], start: float,
                      end: float | None, after: int | None,
                      limit: int) -> list[tuple]:
    """Up to ``limit`` rows of the series, merged in time order."""
    if 1 < len(series) <= _MERGE_IN_PYTHON:
        # A range scan per series and a k-way merge beat sorting every row
        # of a long merged range in SQL.
        parts = [_measurement_rows(conn, [sid], start, end, after, limit)
                 for sid in series]
        return list(itertools.islice(
            heapq.merge(*parts, key=lambda row: row[0]), limit))
    clause, args = _series_clause(series)
    # value and value_meta only for rows stored without their rendered item.
    # One lower bound: given both "ts >= start" and "ts > offset", SQLite
    # starts the range scan at start and filters up to the offset, so each
    # page of a long series re-read every row before it (quadratic paging).
    lower = int(start * 1000)
    if after is not None:
        lower = max(lower, after + 1)   # timestamps are integers (ms)
    select = Select(
        'SELECT ts, item, CASE WHEN item IS NULL THEN value END, '
        'CASE WHEN item IS NULL THEN value_meta END FROM measurements '
        f'WHERE {clause}', *args)
    select.where('ts >= ?', lower)
    select.where('ts < ?', None if end is None else int(end * 1000))
    select.add(' ORDER BY ts LIMIT ?', limit)
    return select.execute(conn).fetchall()


def list_measurements(app: AppContext, req: Request) -> Response:
    (tenant, name, dims, start, end, _, _, offset, merge, group_by,
     limit) = _common_query(app, req, statistics=False)
    groups = _resolve_groups(app, tenant, name, dims, merge, group_by)
    offset_id, offset_text = _split_offset(offset)
    offset_ms = None
    if offset_text is not None:
        try:
            offset_ms = web.parse_offset_time(offset_text)
        except (ValueError, OverflowError):
            raise web.repository_error(
                f'invalid offset timestamp {offset_text!r}') from None
    remaining = limit
    elements: list[str] = []
    next_offset = None
    fmt = web.format_ms
    with app.store.read() as conn:
        for group in groups:
            if offset_id is not None and group.id < offset_id:
                continue
            after = offset_ms if offset_ms is not None and (
                offset_id is None or group.id == offset_id) else None
            rows = _measurement_rows(conn, group.series, start, end, after,
                                     max(remaining, 1))
            if not rows:
                continue
            if remaining == 0:
                next_offset = f'{group.id}_{fmt(rows[0][0])}'
                break
            body = ', '.join([
                item or measurement_item(ts, value, meta)
                for ts, item, value, meta in rows])
            elements.append(
                _element_head(group, name,
                              ['timestamp', 'value', 'value_meta'])
                + '"measurements": [' + body + ']}')
            if len(rows) >= remaining:
                # Upstream's ">= remaining" rule: a full page always has a
                # next link, even when nothing follows.
                next_offset = f'{group.id}_{fmt(rows[-1][0])}'
                break
            remaining -= len(rows)
    return _envelope(req, elements, next_offset)


_AGGREGATES = {'avg': 'AVG(value)', 'min': 'MIN(value)',
               'max': 'MAX(value)', 'sum': 'SUM(value)',
               'count': 'COUNT(value)'}


def list_statistics(app: AppContext, req: Request) -> Response:
    (tenant, name, dims, start, end, stats, period, offset, merge,
     group_by, limit) = _common_query(app, req, statistics=True)
    groups = _resolve_groups(app, tenant, name, dims, merge, group_by)
    if period == 0:
        raise web.repository_error(
            'error parsing query: group by time requires a duration > 0')
    offset_id, offset_text = _split_offset(offset)
    offset_s = None
    if offset_text is not None:
        if not _STATS_OFFSET.match(offset_text):
            raise web.repository_error(
                f"time data '{offset_text}' does not match format "
                "'%Y-%m-%dT%H:%M:%SZ'")
        offset_s = int(web.parse_iso(offset_text))
    period_ms = period * 1000
    columns = ['timestamp'] + stats
    aggregates = ', '.join(_AGGREGATES[s] for s in stats)
    remaining = limit
    elements: list[str] = []
    next_offset = None
    with app.store.read() as conn:
        for group in groups:
            if offset_id is not None and group.id < offset_id:
                continue
            clause, args = _series_clause(group.series)
            lower = int(start * 1000)
            after = offset_s is not None and (offset_id is None
                                              or group.id == offset_id)
            if after:
                # Buckets after the offset's hold only timestamps from the
                # next multiple of the period on: the scan starts there
                # instead of grouping every earlier row again on each page.
                lower = max(lower,
                            (offset_s * 1000 // period_ms + 1) * period_ms)
            select = Select(
                f'SELECT ts - ((ts % {period_ms}) + {period_ms}) '
                f'% {period_ms} AS bucket, {aggregates} FROM measurements '
                f'WHERE {clause}', *args)
            select.where('ts >= ?', lower)
            select.where('ts < ?', None if end is None else int(end * 1000))
            select.add(' GROUP BY bucket')
            if after:
                select.add(' HAVING bucket > ?', offset_s * 1000)
            select.add(' ORDER BY bucket LIMIT ?', max(remaining, 1))
            rows = select.execute(conn).fetchall()
            if not rows:
                continue
            if remaining == 0:
                next_offset = web.format_seconds(rows[0][0] // 1000)
                break
            out = []
            for row in rows:
                item: list[Any] = [web.format_seconds(row[0] // 1000)]
                for stat, value in zip(stats, row[1:], strict=False):
                    item.append(int(value) if stat == 'count'
                                else float(value))
                out.append(item)
            elements.append(
                # InfluxDB numbers each response's elements from 0; the
                # next link's <ordinal>_<timestamp> keeps paging exact.
                _element_head(group, name, columns, len(elements))
                + '"statistics": '
                + json.dumps(out) + '}')
            if len(rows) >= remaining:
                last = out[-1][0]
                next_offset = f'{group.id}_{last}' if group_by else last
                break
            remaining -= len(rows)
    return _envelope(req, elements, next_offset)

"""Metrics, measurements, statistics, names and dimensions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from monasca_osc.api.base import (
    Manager,
    bool_param,
    dimension_param,
    time_param,
)
from monasca_osc.common import validation


def _points(element: Mapping[str, Any]) -> int:
    return len(element.get('measurements') or element.get('statistics') or ())


def merge_series(elements: Iterable[Mapping[str, Any]]) -> list[dict]:
    """Join a series that continues across pages into one element.

    Consecutive elements with the same name and dimensions are one series:
    ids are not compared, as InfluxDB numbers the statistics of each page
    from 0 (the continued series is ``0`` on the next page).
    """
    merged: list[dict] = []
    for element in elements:
        key = 'measurements' if 'measurements' in element else 'statistics'
        last = merged[-1] if merged else None
        if last is not None and \
                last.get('name') == element.get('name') and \
                last.get('dimensions') == element.get('dimensions') and \
                key in last:
            last[key].extend(element.get(key) or [])
            continue
        copy = dict(element)
        copy[key] = list(element.get(key) or [])
        merged.append(copy)
    return merged


class MetricsManager(Manager):
    """``/v2.0/metrics`` and its sub-resources."""

    def create(self, jsonbody: Any = None, tenant_id: str | None = None,
               **fields: Any) -> None:
        """POST one metric (fields) or a raw body (a metric or a list)."""
        body = jsonbody if jsonbody is not None else fields
        if isinstance(body, Mapping) and 'jsonbody' in body:
            body = body['jsonbody']
        if isinstance(body, Mapping) and 'tenant_id' in body:
            body = dict(body)
            tenant_id = tenant_id or body.pop('tenant_id')
        if isinstance(body, list):
            for metric in body:
                validation.validate_metric(metric)
        else:
            validation.validate_metric(body)
        self.adapter.post_json('metrics', body,
                               params={'tenant_id': tenant_id},
                               idempotent=True)

    def create_many(self, metrics: list[Mapping[str, Any]],
                    tenant_id: str | None = None,
                    data: bytes | None = None) -> None:
        """POST a batch (already validated by the caller)."""
        self.adapter.call('POST', 'metrics', params={'tenant_id': tenant_id},
                          body=None if data is not None else list(metrics),
                          data=data, idempotent=True)

    def _list_params(self, name: Any, dimensions: Any, start_time: Any,
                     end_time: Any, tenant_id: Any) -> dict[str, Any]:
        if name is not None:
            validation.validate_metric_name(name)
        return {'name': name, 'dimensions': dimension_param(dimensions),
                'start_time': time_param(start_time, 'start time'),
                'end_time': time_param(end_time, 'end time'),
                'tenant_id': tenant_id}

    def iter_list(self, name: str | None = None, dimensions: Any = None,
                  start_time: Any = None, end_time: Any = None,
                  offset: Any = None, limit: Any = None,
                  tenant_id: str | None = None,
                  page_size: int | None = None) -> Iterator[dict]:
        params = self._list_params(name, dimensions, start_time, end_time,
                                   tenant_id)
        return self._iter('metrics', params, offset=offset, limit=limit,
                          page_size=page_size)

    def list(self, **kwargs: Any) -> list[dict]:
        return list(self.iter_list(**kwargs))

    def iter_names(self, dimensions: Any = None, offset: Any = None,
                   limit: Any = None, tenant_id: str | None = None,
                   page_size: int | None = None) -> Iterator[dict]:
        params = {'dimensions': dimension_param(dimensions),
                  'tenant_id': tenant_id}
        return self._iter('metrics/names', params, offset=offset,
                          limit=limit, page_size=page_size)

    def list_names(self, **kwargs: Any) -> list[dict]:
        return list(self.iter_names(**kwargs))

    def iter_dimension_names(self, metric_name: Any = None,
                             start_time: Any = None, end_time: Any = None,
                             offset: Any = None, limit: Any = None,
                             tenant_id: str | None = None,
                             page_size: int | None = None) -> Iterator[dict]:
        params = {'metric_name': _metric_name(metric_name),
                  'start_time': time_param(start_time, 'start time'),
                  'end_time': time_param(end_time, 'end time'),
                  'tenant_id': tenant_id}
        return self._iter('metrics/dimensions/names', params, offset=offset,
                          limit=limit, page_size=page_size)

    def list_dimension_names(self, **kwargs: Any) -> list[dict]:
        return list(self.iter_dimension_names(**kwargs))

    def iter_dimension_values(self, dimension_name: str,
                              metric_name: Any = None,
                              start_time: Any = None, end_time: Any = None,
                              offset: Any = None, limit: Any = None,
                              tenant_id: str | None = None,
                              page_size: int | None = None
                              ) -> Iterator[dict]:
        validation.validate_dimension_key(dimension_name)
        params = {'dimension_name': dimension_name,
                  'metric_name': _metric_name(metric_name),
                  'start_time': time_param(start_time, 'start time'),
                  'end_time': time_param(end_time, 'end time'),
                  'tenant_id': tenant_id}
        return self._iter('metrics/dimensions/names/values', params,
                          offset=offset, limit=limit, page_size=page_size)

    def list_dimension_values(self, **kwargs: Any) -> list[dict]:
        return list(self.iter_dimension_values(**kwargs))

    def _series_params(self, name: Any, start_time: Any, dimensions: Any,
                       end_time: Any, merge_metrics: Any, group_by: Any,
                       tenant_id: Any) -> dict[str, Any]:
        if name is None:
            raise validation.ValidationError('A metric name is required')
        validation.validate_metric_name(name)
        if start_time in (None, ''):
            raise validation.ValidationError('A start time is required')
        return {'name': name, 'dimensions': dimension_param(dimensions),
                'start_time': time_param(start_time, 'start time'),
                'end_time': time_param(end_time, 'end time'),
                'merge_metrics': bool_param(merge_metrics),
                'group_by': None if group_by in (None, '', []) else ','.join(
                    validation.parse_measurement_group_by(group_by)),
                'tenant_id': tenant_id}

    def iter_measurements(self, name: str | None = None,
                          start_time: Any = None, dimensions: Any = None,
                          end_time: Any = None, merge_metrics: Any = None,
                          group_by: Any = None, offset: Any = None,
                          limit: Any = None, tenant_id: str | None = None,
                          page_size: int | None = None) -> Iterator[dict]:
        """Yield series elements page by page (a series may continue)."""
        params = self._series_params(name, start_time, dimensions, end_time,
                                     merge_metrics, group_by, tenant_id)
        return self._iter('metrics/measurements', params, offset=offset,
                          limit=limit, page_size=page_size, weight=_points)

    def list_measurements(self, **kwargs: Any) -> list[dict]:
        return merge_series(self.iter_measurements(**kwargs))

    def iter_statistics(self, name: str | None = None,
                        statistics: Any = None, start_time: Any = None,
                        dimensions: Any = None, end_time: Any = None,
                        period: Any = None, merge_metrics: Any = None,
                        group_by: Any = None, offset: Any = None,
                        limit: Any = None, tenant_id: str | None = None,
                        page_size: int | None = None) -> Iterator[dict]:
        if statistics in (None, '', []):
            raise validation.ValidationError('Statistics are required')
        params = self._series_params(name, start_time, dimensions, end_time,
                                     merge_metrics, group_by, tenant_id)
        params['statistics'] = ','.join(
            validation.parse_statistics(statistics))
        if period not in (None, ''):
            params['period'] = validation.validate_period(period)
        return self._iter('metrics/statistics', params, offset=offset,
                          limit=limit, page_size=page_size, weight=_points)

    def list_statistics(self, **kwargs: Any) -> list[dict]:
        return merge_series(self.iter_statistics(**kwargs))


def _metric_name(value: Any) -> Any:
    """One metric name, checked (the legacy CLI let users repeat it)."""
    if isinstance(value, (list, tuple)):
        if len(value) > 1:
            raise validation.ValidationError(
                f'Only one metric name can be given, not {len(value)}')
        value = value[0] if value else None
    if value is not None:
        validation.validate_metric_name(value)
    return value

"""Alarms, alarm counts and state history: ``/v2.0/alarms``."""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from typing import Any

from monasca_osc import exceptions as exc
from monasca_osc.api import pager
from monasca_osc.api.alarm_definitions import (
    _offset,
    _require_id,
    _severity_filter,
    _sort,
)
from monasca_osc.api.base import (
    Manager,
    deferred,
    dimension_param,
    time_param,
)
from monasca_osc.common import validation

PATH = 'alarms'


def _state_filter(value: Any) -> str | None:
    # An empty state is refused, not read as "any state".
    if value is None:
        return None
    return validation.validate_state(value)


def state_updated_param(value: Any) -> str | None:
    """The API parses this one strictly as %Y-%m-%dT%H:%M:%S.%fZ."""
    text = time_param(value, 'state updated start time')
    if text is None:
        return None
    return text[:-1] + '000Z' if len(text) == 24 else text


@contextlib.contextmanager
def _alarm_must_exist(alarm_id: Any) -> Iterator[None]:
    """A 404 says which alarm, as definitions and notification methods do
    (the API's own text is a bare "404 Not Found")."""
    try:
        yield
    except exc.NotFound as err:
        raise exc.NotFound(f'No alarm with ID {alarm_id!r}',
                           http_status=404, request_id=err.request_id,
                           method=err.method, url=err.url) from None


class AlarmsManager(Manager):

    def _filters(self, alarm_definition_id: Any = None,
                 metric_name: Any = None, metric_dimensions: Any = None,
                 state: Any = None, severity: Any = None,
                 lifecycle_state: Any = None, link: Any = None,
                 state_updated_start_time: Any = None) -> dict[str, Any]:
        if metric_name is not None:
            validation.validate_metric_name(metric_name)
        params = {
            'metric_name': metric_name,
            'metric_dimensions': dimension_param(metric_dimensions),
            'state': _state_filter(state),
            'severity': _severity_filter(severity),
            'lifecycle_state': lifecycle_state, 'link': link,
            'state_updated_start_time': state_updated_param(
                state_updated_start_time),
        }
        # Last: it may be a lookup (see base.deferred).
        params['alarm_definition_id'] = deferred(alarm_definition_id)
        return params

    def iter_list(self, sort_by: Any = None, offset: Any = None,
                  limit: Any = None, page_size: int | None = None,
                  **filters: Any) -> Iterator[dict]:
        offset = _offset(offset)
        sort_by = _sort(sort_by, validation.ALARM_SORT_FIELDS)
        params = self._filters(**filters)
        params['sort_by'] = sort_by
        return self._iter(PATH, params, offset=offset, limit=limit,
                          page_size=page_size)

    def list(self, **kwargs: Any) -> list[dict]:
        return list(self.iter_list(**kwargs))

    def get(self, alarm_id: str | None = None) -> dict:
        path = f'{PATH}/{_require_id(alarm_id)}'
        with _alarm_must_exist(alarm_id):
            return self.adapter.get_json(path)

    def update(self, alarm_id: str | None = None, state: Any = None,
               lifecycle_state: Any = None, link: Any = None) -> dict:
        """PUT: state, lifecycle_state and link are all required."""
        path = f'{PATH}/{_require_id(alarm_id)}'
        missing = [n for n, v in (('state', state),
                                  ('lifecycle_state', lifecycle_state),
                                  ('link', link)) if v in (None, '')]
        if missing:
            raise validation.ValidationError(
                f'A full alarm update needs state, lifecycle_state and '
                f'link; missing: {", ".join(missing)}')
        body = {'state': validation.validate_state(state),
                'lifecycle_state': validation.validate_lifecycle_state(
                    lifecycle_state),
                'link': validation.validate_link(link)}
        with _alarm_must_exist(alarm_id):
            return self.adapter.put_json(path, body)

    def patch(self, alarm_id: str | None = None, state: Any = None,
              lifecycle_state: Any = None, link: Any = None) -> dict:
        path = f'{PATH}/{_require_id(alarm_id)}'
        body: dict[str, Any] = {}
        if state is not None:
            body['state'] = validation.validate_state(state)
        if lifecycle_state is not None:
            body['lifecycle_state'] = validation.validate_lifecycle_state(
                lifecycle_state)
        if link is not None:
            body['link'] = validation.validate_link(link)
        with _alarm_must_exist(alarm_id):
            return self.adapter.patch_json(path, body)

    def delete(self, alarm_id: str | None = None) -> None:
        path = f'{PATH}/{_require_id(alarm_id)}'
        with _alarm_must_exist(alarm_id):
            self.adapter.delete_path(path)

    def count(self, group_by: Any = None, offset: Any = None,
              limit: Any = None, page_size: int | None = None,
              **filters: Any) -> dict:
        """``{"columns": [...], "counts": [[...], ...]}`` across pages."""
        offset = _offset(offset)
        if group_by not in (None, '', []):
            group_by = ','.join(validation.parse_alarm_count_group_by(
                group_by))
        params = self._filters(**filters)
        if group_by not in (None, '', []):
            params['group_by'] = group_by
        columns: list[str] = ['count']

        def remember(body: Any) -> None:
            columns[:] = body.get('columns') or columns

        counts = list(pager.iterate_pages(
            self.adapter, f'{PATH}/count', params,
            limit=None if limit in (None, '') else
            validation.validate_limit(limit),
            marker=None if offset in (None, '') else str(offset),
            page_size=page_size, count_offsets=True, elements_key='counts',
            on_page=remember))
        return {'columns': columns, 'counts': counts}

    def iter_history(self, alarm_id: str | None = None, offset: Any = None,
                     limit: Any = None, page_size: int | None = None
                     ) -> Iterator[dict]:
        path = f'{PATH}/{_require_id(alarm_id)}'
        return self._iter(f'{path}/state-history', {},
                          offset=offset, limit=limit, page_size=page_size)

    def history(self, **kwargs: Any) -> list[dict]:
        return list(self.iter_history(**kwargs))

    def iter_history_list(self, dimensions: Any = None,
                          start_time: Any = None, end_time: Any = None,
                          offset: Any = None, limit: Any = None,
                          page_size: int | None = None) -> Iterator[dict]:
        params = {'dimensions': dimension_param(dimensions),
                  'start_time': time_param(start_time, 'start time'),
                  'end_time': time_param(end_time, 'end time')}
        return self._iter(f'{PATH}/state-history', params, offset=offset,
                          limit=limit, page_size=page_size)

    def history_list(self, **kwargs: Any) -> list[dict]:
        return list(self.iter_history_list(**kwargs))

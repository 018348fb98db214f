"""Shared pieces of the resource managers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
import datetime as _dt
from typing import Any
from urllib.parse import quote

from monasca_osc import exceptions as exc
from monasca_osc.api import pager
from monasca_osc.common import dimensions as dims
from monasca_osc.common import timeutil, validation


def time_param(value: Any, what: str = 'time',
               now: _dt.datetime | None = None) -> str | None:
    """A time for a query string: datetime, epoch number or grammar text."""
    if value is None or value == '':
        return None
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timeutil.UTC)
        return timeutil.format_iso(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return timeutil.to_api(str(value), now=now, what=what)


def path_segment(value: str) -> str:
    """Percent-encode an ID so it stays one segment of the URL path.

    Without this ``#x`` or ``a?b`` would cut the path, and ``..`` or
    ``../other/id`` would be resolved by the HTTP stack into another
    resource (``DELETE /v2.0/alarms/../notification-methods/<id>``).
    A dot-only ID cannot be escaped (requests decodes ``%2E`` again and
    proxies resolve the dots), and no resource has one: it is refused.
    """
    if not value.strip('.'):
        raise validation.ValidationError(f'Invalid ID {value!r}')
    return quote(value, safe='')


def dimension_param(value: Any) -> str | None:
    """Dimension filter for a query: dict (legacy), list of args, or text."""
    if value is None or value == '' or value == {}:
        return None
    if isinstance(value, str):
        # Already in the API's syntax: still refused before any request.
        dims.validate_dimension_filter(dims.decode_dimension_filter(value))
        return value
    if isinstance(value, Mapping):
        for key, item in value.items():
            validation.validate_dimension_key(key)
            items = item if isinstance(item, (list, tuple)) else (
                [] if item in (None, '') else str(item).split('|'))
            for one in items:
                validation.validate_dimension_value(key, one)
        return dims.encode_dimension_filter(value)
    return dims.encode_dimension_filter(dims.parse_dimension_filter(value))


def bool_param(value: Any) -> str | None:
    if value is None or value is False:
        return None
    if isinstance(value, str):
        return 'true' if value.lower() in ('1', 'true', 'yes', 'on') else None
    return 'true' if value else None


def csv_param(value: Any) -> str | None:
    if value is None or value == '':
        return None
    if isinstance(value, str):
        return value
    return ','.join(str(v) for v in value)


def collection(body: Any, what: str) -> list[Any]:
    """The elements of a one-page collection body (versions, types)."""
    if not isinstance(body, Mapping):
        raise exc.InvalidResponse(
            f'{what} returned {type(body).__name__}, not a collection')
    return list(body.get('elements') or [])


def deferred(value: Any) -> Any:
    """A value, or a zero-argument callable that returns it.

    A manager calls it after its own checks, just before its request: the
    commands pass a name-to-ID lookup this way, so bad input is refused
    before that lookup is sent too.
    """
    return value() if callable(value) else value


def limit_param(value: Any) -> int | None:
    if value is None or value == '':
        return None
    return validation.validate_limit(value)


class Manager:
    """Base class: one manager per API resource, sharing one adapter."""

    def __init__(self, adapter: Any):
        self.adapter = adapter

    def _iter(self, path: str, params: Mapping[str, Any], *,
              offset: Any = None, limit: Any = None,
              page_size: int | None = None, **kwargs: Any) -> Iterator[Any]:
        return pager.iterate_pages(
            self.adapter, path, params, limit=limit_param(limit),
            marker=None if offset in (None, '') else str(offset),
            page_size=page_size, **kwargs)

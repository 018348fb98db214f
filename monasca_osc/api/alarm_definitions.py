"""Alarm definitions: ``/v2.0/alarm-definitions``."""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import re
from typing import Any

from monasca_osc import exceptions as exc
from monasca_osc.api.base import (
    Manager,
    csv_param,
    deferred,
    dimension_param,
    path_segment,
)
from monasca_osc.common import validation

PATH = 'alarm-definitions'
FIELDS = ('name', 'description', 'expression', 'match_by', 'severity',
          'alarm_actions', 'ok_actions', 'undetermined_actions',
          'actions_enabled')


def check_expression(expression: Any) -> str:
    """Parse the expression locally so a typo never reaches the server."""
    from monasca_osc.common import expression as expr

    if not isinstance(expression, str) or not expression.strip():
        raise validation.ValidationError('The expression must not be empty')
    try:
        expr.parse(expression)
    except expr.ExpressionError as err:
        raise validation.ValidationError(
            f'Invalid alarm expression: {err}') from None
    return expression


def _action_list(value: Any, what: str) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [v for v in value.split(',') if v] \
            if value not in ('', '[]') else []
    return validation.validate_action_ids(value, what)


def _checked(key: str, value: Any) -> Any:
    if key == 'name':
        return validation.validate_alarm_definition_name(value)
    if key == 'expression':
        return check_expression(value)
    if key == 'description':
        return validation.validate_description(value)
    if key == 'severity':
        return validation.validate_severity(value)
    if key == 'match_by':
        if isinstance(value, str):
            value = [v.strip() for v in value.split(',') if v.strip()]
        return validation.validate_match_by(value)
    if key in ('alarm_actions', 'ok_actions', 'undetermined_actions'):
        return _action_list(value, key.split('_')[0].upper() + ' action')
    if key == 'actions_enabled' and not isinstance(value, bool):
        raise validation.ValidationError(
            f'actions_enabled must be true or false, not {value!r}')
    return value


def _validated(fields: dict[str, Any], partial: bool) -> dict[str, Any]:
    """The checked body; deferred values (lookups, see base.deferred) are
    fetched and checked once every plain value has passed."""
    body: dict[str, Any] = {}
    for key, value in fields.items():
        if value is not None and not callable(value):
            body[key] = _checked(key, value)
    for key, value in fields.items():
        if callable(value):
            value = value()
            if value is not None:
                body[key] = _checked(key, value)
    body = {k: body[k] for k in fields if k in body}
    if not partial:
        missing = [k for k in ('name', 'expression') if k not in body]
        if missing:
            raise validation.ValidationError(
                f'Missing required field(s): {", ".join(missing)}')
    return body


class AlarmDefinitionsManager(Manager):

    def create(self, name: str | None = None, expression: str | None = None,
               description: str | None = None, severity: str | None = None,
               match_by: Any = None, alarm_actions: Any = None,
               ok_actions: Any = None, undetermined_actions: Any = None,
               **extra: Any) -> dict:
        body = _validated(dict(
            name=name, expression=expression, description=description,
            severity=severity, match_by=match_by,
            alarm_actions=alarm_actions, ok_actions=ok_actions,
            undetermined_actions=undetermined_actions), partial=False)
        return self.adapter.post_json(PATH, body)

    def get(self, alarm_id: str | None = None, **kwargs: Any) -> dict:
        alarm_id = alarm_id or kwargs.get('alarm_definition_id')
        path = f'{PATH}/{_require_id(alarm_id)}'
        return self.adapter.get_json(path)

    def iter_list(self, name: str | None = None, dimensions: Any = None,
                  severity: Any = None, sort_by: Any = None,
                  offset: Any = None, limit: Any = None,
                  page_size: int | None = None) -> Iterator[dict]:
        offset = _offset(offset)
        params = {'name': name, 'dimensions': dimension_param(dimensions),
                  'severity': _severity_filter(severity),
                  'sort_by': _sort(sort_by,
                                   validation.ALARM_DEFINITION_SORT_FIELDS)}
        return self._iter(PATH, params, offset=offset, limit=limit,
                          page_size=page_size)

    def list(self, **kwargs: Any) -> list[dict]:
        return list(self.iter_list(**kwargs))

    def update(self, alarm_id: Any = None, **fields: Any) -> dict:
        """PUT: replace the whole definition; every field is required."""
        alarm_id = alarm_id or fields.pop('alarm_definition_id', None)
        body = _validated({k: fields.get(k) for k in FIELDS}, partial=False)
        missing = [k for k in FIELDS if k not in body]
        if missing:
            raise validation.ValidationError(
                f'A full update needs every field; missing: '
                f'{", ".join(missing)}')
        path = f'{PATH}/{_require_id(deferred(alarm_id))}'
        with _unchangeable_explained():
            return self.adapter.put_json(path, body)

    def patch(self, alarm_id: Any = None, **fields: Any) -> dict:
        alarm_id = alarm_id or fields.pop('alarm_definition_id', None)
        unknown = set(fields) - set(FIELDS)
        if unknown:
            raise validation.ValidationError(
                f'Unknown alarm definition field(s): '
                f'{", ".join(sorted(unknown))}')
        body = _validated(fields, partial=True)
        path = f'{PATH}/{_require_id(deferred(alarm_id))}'
        with _unchangeable_explained():
            return self.adapter.patch_json(path, body)

    def delete(self, alarm_id: str | None = None, **kwargs: Any) -> None:
        alarm_id = alarm_id or kwargs.get('alarm_definition_id')
        path = f'{PATH}/{_require_id(alarm_id)}'
        self.adapter.delete_path(path)

    def find(self, name_or_id: str) -> dict:
        """Resolve a name or an id to one definition."""
        return find_by_name_or_id(
            self, name_or_id, 'alarm definition',
            lambda: self.iter_list(name=name_or_id))


# The API's refusals (422 InvalidUpdateException) of a change it cannot
# make in place: "number of subexpressions must not change", "metrics in
# subexpression must not change", "match_by must not change".
_UNCHANGEABLE = re.compile(r'(subexpression|match_by).* must not change')


@contextlib.contextmanager
def _unchangeable_explained() -> Iterator[None]:
    """Say what to do when the API refuses to change a definition's
    sub-expression metrics, their number or its match_by."""
    try:
        yield
    except exc.UnprocessableEntity as err:
        found = _UNCHANGEABLE.search(err.description or '')
        if not found:
            raise
        what = ('its match_by' if found.group(1) == 'match_by' else
                'the metrics of its sub-expressions or their number')
        raise exc.UnprocessableEntity(
            f'The API cannot change {what} in place ({err.description}); '
            f'delete the alarm definition and create it again (this '
            f'deletes its alarms and their history)', http_status=422,
            title=err.title, description=err.description,
            request_id=err.request_id, method=err.method,
            url=err.url) from None


def find_by_name_or_id(manager: Any, name_or_id: str, what: str,
                       candidates: Any) -> dict:
    # '.' and '..' can only be names (see path_segment).
    if not name_or_id or name_or_id.strip('.'):
        try:
            return manager.get(name_or_id)
        except exc.NotFound:
            pass
    matches = [item for item in candidates()
               if item.get('name') == name_or_id]
    if not matches:
        raise exc.NotFound(f'No {what} with name or ID {name_or_id!r}',
                           http_status=404)
    if len(matches) > 1:
        raise exc.NotUnique(
            f'More than one {what} is named {name_or_id!r}; use the ID')
    return matches[0]


def _require_id(value: Any) -> str:
    """The ID as one path segment (``/``, ``?``, ``#``, ``..`` escaped)."""
    if not value or not isinstance(value, str):
        raise validation.ValidationError('An ID is required')
    return path_segment(value)


def _offset(value: Any) -> Any:
    """An integer offset (these resources page by position), as given."""
    if value not in (None, ''):
        validation.validate_offset_integer(value)
    return value


def _severity_filter(value: Any) -> str | None:
    if value in (None, ''):
        return None
    items = value.split('|') if isinstance(value, str) else list(value)
    return '|'.join(validation.validate_severity(v) for v in items)


def _sort(value: Any, fields: tuple[str, ...]) -> str | None:
    if value in (None, '', []):
        return None
    return validation.format_sort_by(validation.parse_sort_by(value, fields))


__all__ = ['AlarmDefinitionsManager', 'csv_param']

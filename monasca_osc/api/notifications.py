"""Notification methods and their types: ``/v2.0/notification-methods``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from monasca_osc.api.alarm_definitions import (
    _require_id,
    _sort,
    find_by_name_or_id,
)
from monasca_osc.api.base import Manager, collection, deferred
from monasca_osc.common import validation

PATH = 'notification-methods'


def _body(name: Any, type: Any, address: Any, period: Any,
          partial: bool) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if name is not None:
        body['name'] = validation.validate_notification_name(name)
    if type is not None:
        body['type'] = validation.validate_notification_type(type)
    if address is not None:
        body['address'] = validation.validate_notification_address(
            body.get('type', ''), address)
    if period is not None:
        body['period'] = validation.validate_notification_period(period)
    if not partial:
        missing = [k for k in ('name', 'type', 'address') if k not in body]
        if missing:
            raise validation.ValidationError(
                f'Missing required field(s): {", ".join(missing)}')
    return body


class NotificationsManager(Manager):

    def create(self, name: Any = None, type: Any = None, address: Any = None,
               period: Any = None) -> dict:
        return self.adapter.post_json(
            PATH, _body(name, type, address, period, partial=False))

    def get(self, notification_id: str | None = None) -> dict:
        path = f'{PATH}/{_require_id(notification_id)}'
        return self.adapter.get_json(path)

    def iter_list(self, sort_by: Any = None, offset: Any = None,
                  limit: Any = None, page_size: int | None = None
                  ) -> Iterator[dict]:
        if offset not in (None, ''):
            offset = validation.validate_offset_integer(offset)
        params = {'sort_by': _sort(sort_by,
                                   validation.NOTIFICATION_SORT_FIELDS)}
        # Upstream next links carry a UUID instead of the integer offset.
        return self._iter(PATH, params, offset=offset, limit=limit,
                          page_size=page_size, count_offsets=True)

    def list(self, **kwargs: Any) -> list[dict]:
        return list(self.iter_list(**kwargs))

    def update(self, notification_id: Any = None, name: Any = None,
               type: Any = None, address: Any = None,
               period: Any = None) -> dict:
        """PUT: name, type, address and period are all required.

        ``notification_id`` may be deferred (see base.deferred).
        """
        if period is None:
            raise validation.ValidationError(
                'A full notification method update needs a period')
        body = _body(name, type, address, period, partial=False)
        path = f'{PATH}/{_require_id(deferred(notification_id))}'
        return self.adapter.put_json(path, body)

    def patch(self, notification_id: Any = None, name: Any = None,
              type: Any = None, address: Any = None,
              period: Any = None) -> dict:
        """``notification_id`` may be deferred (see base.deferred)."""
        body = _body(name, type, address, period, partial=True)
        notification_id = deferred(notification_id)
        path = f'{PATH}/{_require_id(notification_id)}'
        if address is not None and type is None:
            # Check the address against the stored type, as the API will.
            type_for_check = self.get(notification_id).get('type', '')
            validation.validate_notification_address(type_for_check, address)
        return self.adapter.patch_json(path, body)

    def delete(self, notification_id: str | None = None) -> None:
        path = f'{PATH}/{_require_id(notification_id)}'
        self.adapter.delete_path(path)

    def find(self, name_or_id: str) -> dict:
        return find_by_name_or_id(self, name_or_id, 'notification method',
                                  self.iter_list)


class NotificationTypesManager(Manager):

    def list(self) -> list[dict]:
        return collection(self.adapter.get_json(f'{PATH}/types'),
                          f'GET {PATH}/types')

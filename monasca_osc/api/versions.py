"""API versions and the health check."""

from __future__ import annotations

from typing import Any

from keystoneauth1 import exceptions as ks_exc

from monasca_osc.api import http
from monasca_osc.api.base import Manager, collection


class VersionsManager(Manager):

    def list(self) -> list[dict]:
        return collection(self.adapter.get_json('/'), 'GET /')

    def get(self, version: str = 'v2.0') -> dict:
        return self.adapter.get_json(
            self.adapter.url_for('/') + version.strip('/'))

    def healthcheck(self) -> dict[str, Any]:
        """``{"status": <http status>, ...dependency messages}``."""
        url = self.adapter.url_for('/') + 'healthcheck'
        try:
            response = self.adapter.request(url, 'GET', raise_exc=False,
                                            authenticated=False)
        except (ks_exc.ConnectionError, ks_exc.UnknownConnectionError) as err:
            raise http._connection_error(err, 'GET', url) from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        return {'status': response.status_code, **(body or {})}

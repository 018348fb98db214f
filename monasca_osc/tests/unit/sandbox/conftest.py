"""In-process fixtures: the sandbox WSGI app and a tiny client for it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
import io
import json
from typing import Any
from urllib.parse import urlencode

import pytest

from monasca_osc.sandbox.server import SandboxApp, make_app

TENANT = 'tenant-a'


class Result:
    def __init__(self, status: int, headers: list[tuple[str, str]],
                 body: bytes, environ: dict) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.environ = environ

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f'<Result {self.status} {self.body[:300]!r}>'


class Client:
    """Calls the WSGI app directly; header-trust auth by default."""

    def __init__(self, app: SandboxApp, tenant: str = TENANT,
                 roles: str | None = 'monasca-user') -> None:
        self.app = app
        self.tenant = tenant
        self.roles = roles

    def call(self, method: str, path: str, body: Any = None,
             params: Any = None, headers: Mapping[str, str] | None = None,
             raw: bytes | None = None,
             content_type: str | None = 'application/json',
             auth: bool = True) -> Result:
        query = ''
        if '?' in path:
            path, query = path.split('?', 1)
        if params:
            extra = params if isinstance(params, str) else urlencode(params)
            query = f'{query}&{extra}' if query else extra
        data = raw if raw is not None else (
            json.dumps(body).encode() if body is not None else b'')
        environ = {
            'REQUEST_METHOD': method, 'PATH_INFO': path,
            'QUERY_STRING': query, 'SERVER_NAME': 'sandbox',
            'SERVER_PORT': '8070', 'HTTP_HOST': 'sandbox:8070',
            'wsgi.url_scheme': 'http', 'wsgi.input': io.BytesIO(data),
            'CONTENT_LENGTH': str(len(data)) if data else '',
        }
        if data and content_type:
            environ['CONTENT_TYPE'] = content_type
        if auth:
            if self.roles is not None:
                environ['HTTP_X_ROLES'] = self.roles
            environ['HTTP_X_PROJECT_ID'] = self.tenant
        for key, value in (headers or {}).items():
            name = key.upper().replace('-', '_')
            if name in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
                environ[name] = value
            else:
                environ['HTTP_' + name] = value
        captured: dict[str, Any] = {}

        def start_response(status, headers, exc_info=None):
            captured['status'] = int(status.split()[0])
            captured['headers'] = headers
            return lambda chunk: None

        body_out = b''.join(self.app(environ, start_response))
        return Result(captured['status'], captured['headers'], body_out,
                      environ)

    def get(self, path: str, params: Any = None, **kw: Any) -> Result:
        return self.call('GET', path, params=params, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Result:
        return self.call('POST', path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Result:
        return self.call('PUT', path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Result:
        return self.call('PATCH', path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Result:
        return self.call('DELETE', path, **kw)

    def as_(self, tenant: str | None = None, roles: str | None = None
            ) -> Client:
        return Client(self.app, tenant or self.tenant,
                      roles if roles is not None else self.roles)


@pytest.fixture
def app() -> Iterator[SandboxApp]:
    application = make_app(':memory:', enable_test_api=True)
    try:
        yield application
    finally:
        application.close()


@pytest.fixture
def client(app: SandboxApp) -> Client:
    return Client(app)


def metric(name: str, ts: int, value: float = 1.0,
           dims: Mapping[str, str] | None = None, **extra: Any) -> dict:
    body: dict[str, Any] = {'name': name, 'timestamp': ts, 'value': value}
    if dims is not None:
        body['dimensions'] = dict(dims)
    body.update(extra)
    return body

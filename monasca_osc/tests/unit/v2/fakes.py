"""A fake ``client_manager.monitoring``: the REAL managers on a stub adapter.

Commands therefore run their real manager code (validation, parameter
encoding, paging, name-or-ID resolution) and the test sees every request
as ``(method, path, params, body)`` without any HTTP. "No request was
made" is ``self.api.calls == []``.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime as dt
import json
from typing import Any
from unittest import mock

from osc_lib.test import base

from monasca_osc import exceptions as exc
from monasca_osc.api.monitoring_client import MonitoringClient
from monasca_osc.testing import page  # noqa: F401 - re-exported

SERVER = 'http://stub.test/'


@dataclasses.dataclass
class Call:
    method: str
    path: str
    params: dict[str, Any]
    body: Any


class Pages:
    """Successive responses of one route (one per request)."""

    def __init__(self, *responses: Any):
        self.responses = list(responses)

    def next(self) -> Any:
        return self.responses.pop(0)


class StubResponse:
    """A successful response: the JSON text of ``body`` as its content."""

    def __init__(self, body: Any) -> None:
        self.body = body
        self.content = json.dumps(body).encode('utf-8')


class StubAdapter:
    """Implements the adapter interface the managers use."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Any] = {}
        self.calls: list[Call] = []
        self.health: tuple[int, dict] = (200, {})

    def on(self, method: str, path: str, response: Any) -> None:
        """Answer ``method path`` with a body, Pages, an exception or a
        callable ``(params, body) -> body``."""
        self.routes[(method.upper(), path)] = response

    # -- adapter interface ---------------------------------------------------
    def url_for(self, path: str) -> str:
        if path in ('', '/'):
            return SERVER
        return path

    def call(self, method: str, path: str, *, params: Any = None,
             body: Any = None, idempotent: bool | None = None,
             expect_json: bool = True, data: bytes | None = None) -> Any:
        method = method.upper()
        params = {k: v for k, v in (params or {}).items()
                  if v is not None and v != ''}
        if body is not None:
            # What would go on the wire: must be JSON.
            body = json.loads(json.dumps(body, allow_nan=False))
        self.calls.append(Call(method, path, params, body))
        response = self.routes.get((method, path), _MISSING)
        if response is _MISSING:
            raise exc.NotFound(title='404 Not Found', method=method,
                               url=path)
        if isinstance(response, Pages):
            response = response.next()
        if isinstance(response, BaseException):
            raise response
        if callable(response):
            response = response(params, body)
        return copy.deepcopy(response)

    def get_json(self, path: str, params: Any = None) -> Any:
        return self.call('GET', path, params=params)

    def send(self, method: str, path: str, *, params: Any = None,
             **kwargs: Any) -> StubResponse:
        """The answer as a response whose body is still to be decoded
        (the pager reads the next offset from the raw page)."""
        return StubResponse(self.call(method, path, params=params, **kwargs))

    @staticmethod
    def decode(response: StubResponse, method: str | None = None) -> Any:
        return response.body

    def post_json(self, path: str, body: Any, params: Any = None,
                  idempotent: bool = False) -> Any:
        return self.call('POST', path, params=params, body=body)

    def put_json(self, path: str, body: Any) -> Any:
        return self.call('PUT', path, body=body)

    def patch_json(self, path: str, body: Any) -> Any:
        return self.call('PATCH', path, body=body)

    def delete_path(self, path: str) -> None:
        self.call('DELETE', path, expect_json=False)

    def request(self, url: str, method: str, **kwargs: Any) -> Any:
        self.calls.append(Call(method, url, {}, None))
        status, body = self.health
        response = mock.Mock(status_code=status)
        response.json.return_value = body
        return response


_MISSING = object()


class TestCommand(base.TestCommand):
    """TestCommand with the fake client and a few shortcuts."""

    def setUp(self) -> None:
        super().setUp()
        self.api = StubAdapter()
        self.client = MonitoringClient(adapter=self.api)
        self.app.client_manager.monitoring = self.client

    def cmd(self, cls: type) -> Any:
        return cls(self.app, None)

    def parse(self, cls: type, args: list[str],
              verify: list[tuple[str, Any]] | None = None
              ) -> tuple[Any, argparse.Namespace]:
        command = self.cmd(cls)
        return command, self.check_parser(command, args, verify or [])

    def take(self, cls: type, args: list[str],
             verify: list[tuple[str, Any]] | None = None) -> Any:
        """Parse and run take_action; list rows are materialised."""
        command, parsed = self.parse(cls, args, verify)
        result = command.take_action(parsed)
        if isinstance(result, tuple) and len(result) == 2 and \
                not isinstance(result[1], tuple):
            columns, rows = result
            return columns, [tuple(row) for row in rows]
        return result

    def output(self, cls: type, args: list[str]) -> str:
        """Run the command as cliff does and return what it printed."""
        command, parsed = self.parse(cls, args)
        self.assertEqual(0, command.run(parsed))
        return self.fake_stdout.make_string()

    def assert_usage_error(self, cls: type, args: list[str]) -> None:
        """argparse refuses the arguments: exit status 2, nothing sent."""
        parser = self.cmd(cls).get_parser('openstack monitoring')
        with mock.patch('sys.stderr'):
            error = self.assertRaises(SystemExit, parser.parse_args, args)
        self.assertEqual(2, error.code)
        self.assertRaises(base.ParserException, self.check_parser,
                          self.cmd(cls), args, [])
        self.assertEqual([], self.api.calls)

    def assert_invalid(self, cls: type, args: list[str],
                       *fragments: str) -> str:
        """ValidationError with a one-line message and no request."""
        from monasca_osc.common.validation import ValidationError

        command, parsed = self.parse(cls, args)
        error = self.assertRaises(ValidationError, _run_all,
                                  command, parsed)
        text = str(error)
        self.assertNotIn('\n', text)
        for fragment in fragments:
            self.assertIn(fragment, text)
        self.assertEqual([], self.api.calls)
        return text

    def requests(self, method: str | None = None) -> list[Call]:
        return [c for c in self.api.calls
                if method is None or c.method == method]


def _run_all(command: Any, parsed: argparse.Namespace) -> Any:
    result = command.take_action(parsed)
    if isinstance(result, tuple) and len(result) == 2:
        list(result[1])  # listers stream: validation may be lazy
    return result


class Clock:
    """A utcnow() that moves one second per call, to prove that a command
    resolves all of its times against a single instant."""

    def __init__(self, start: dt.datetime):
        self.now = start
        self.calls = 0

    def __call__(self) -> dt.datetime:
        value = self.now
        self.now += dt.timedelta(seconds=1)
        self.calls += 1
        return value

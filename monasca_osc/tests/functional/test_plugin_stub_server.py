"""The plugin hook end to end, independently of the sandbox.

Runs the REAL ``openstack`` binary of this interpreter's environment
against a tiny stdlib HTTP server on 127.0.0.1 that serves ``GET
/v2.0/metrics`` in two pages. This proves that OSC finds the plugin through
its entry points, that ``--os-auth-type none --os-endpoint`` reaches
``make_client``, that the pager re-issues its own request with the offset
of the next link, and that ``-f json`` keeps dimensions as objects.
"""

from __future__ import annotations

from collections.abc import Iterator
import http.server
import json
import os
from pathlib import Path
import subprocess
import sys
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

OPENSTACK = Path(sys.executable).parent / 'openstack'

PAGE_1 = [{'id': '0', 'name': 'cpu.idle_perc',
           'dimensions': {'hostname': 'web1', 'service': 'api'}},
          {'id': '1', 'name': 'cpu.idle_perc',
           'dimensions': {'hostname': 'web2'}}]
PAGE_2 = [{'id': '2', 'name': 'mem.free_mb', 'dimensions': {}}]


class StubMonasca(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(('127.0.0.1', 0), Handler)
        self.seen: list[dict[str, Any]] = []

    @property
    def base(self) -> str:
        return f'http://127.0.0.1:{self.server_address[1]}'


class Handler(http.server.BaseHTTPRequestHandler):
    server: StubMonasca

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.server.seen.append({'path': parts.path, 'query': query,
                                 'token': self.headers.get('X-Auth-Token')})
        if parts.path != '/v2.0/metrics':
            return self._send(404, {'title': '404 Not Found'})
        self_link = {'rel': 'self', 'href': self.server.base + self.path}
        if 'offset' not in query:
            # A next link as upstream builds them: values re-encoded, so it
            # must not be followed verbatim; only its offset is usable.
            nxt = (f'{self.server.base}/v2.0/metrics?offset=1'
                   f'&name=%252Fbroken&limit=2')
            body = {'links': [self_link, {'rel': 'next', 'href': nxt}],
                    'elements': PAGE_1}
        else:
            body = {'links': [self_link], 'elements': PAGE_2}
        return self._send(200, body)

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def stub() -> Iterator[StubMonasca]:
    server = StubMonasca()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('OS_', 'MONASCA_'))}
    # A fresh stevedore cache: a stale one can hide changed entry points.
    env['XDG_CACHE_HOME'] = str(tmp_path / 'cache')
    clouds = tmp_path / 'clouds.yaml'
    clouds.write_text('clouds: {}\n')
    env['OS_CLIENT_CONFIG_FILE'] = str(clouds)
    return env


def test_metric_list_through_the_real_openstack_binary(
        stub: StubMonasca, tmp_path: Path) -> None:
    assert OPENSTACK.exists(), OPENSTACK
    result = subprocess.run(
        [str(OPENSTACK), '--os-auth-type', 'none',
         '--os-endpoint', f'{stub.base}/v2.0',
         'monitoring', 'metric', 'list', '--long', '-f', 'json'],
        capture_output=True, text=True, timeout=120, env=_env(tmp_path),
        check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {'ID': '0', 'Name': 'cpu.idle_perc',
         'Dimensions': {'hostname': 'web1', 'service': 'api'}},
        {'ID': '1', 'Name': 'cpu.idle_perc',
         'Dimensions': {'hostname': 'web2'}},
        {'ID': '2', 'Name': 'mem.free_mb', 'Dimensions': {}}]
    assert [s['path'] for s in stub.seen] == ['/v2.0/metrics'] * 2
    assert stub.seen[0]['query'] == {'limit': '10000'}
    # Our own request again, plus the offset: not the next href.
    assert stub.seen[1]['query'] == {'limit': '10000', 'offset': '1'}
    assert {s['token'] for s in stub.seen} == {'notused'}

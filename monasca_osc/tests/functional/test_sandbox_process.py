"""The real server in a subprocess: HTTP, HTTPS, faults, signals, durability.

(Moved from unit/sandbox: unit tests start no process.)
"""

from __future__ import annotations

import http.client
import json
from pathlib import Path
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from monasca_osc.testing import Sandbox, free_port

HEADERS = {'X-Roles': 'monasca-user', 'X-Project-Id': 'p',
           'Content-Type': 'application/json'}


@pytest.fixture(scope='module')
def server():
    with Sandbox(eval_interval=0) as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(server: Sandbox):
    server.clear_faults()
    server.reset_requests()
    yield
    server.clear_faults()


def connect(server: Sandbox) -> http.client.HTTPConnection:
    host, port = server.url.split('//')[1].split(':')
    return http.client.HTTPConnection(host, int(port), timeout=10)


def test_listening_line_and_endpoint(server: Sandbox) -> None:
    assert server.url.startswith('http://127.0.0.1:')
    assert server.endpoint == server.url + '/v2.0'
    status, body = server._call('GET', '/healthcheck')
    assert status == 200
    assert body == {'kafka': 'OK', 'alarms_database': 'OK',
                    'metrics_database': 'OK'}


def test_keep_alive_reuses_one_connection(server: Sandbox) -> None:
    conn = connect(server)
    conn.request('POST', '/v2.0/metrics', json.dumps(
        {'name': 'ka', 'timestamp': 1, 'value': 1}), HEADERS)
    response = conn.getresponse()
    assert response.status == 204 and response.read() == b''
    sock = conn.sock
    for _ in range(3):
        conn.request('GET', '/v2.0/metrics/names', headers=HEADERS)
        response = conn.getresponse()
        assert response.status == 200
        assert json.loads(response.read())['elements']
    assert conn.sock is sock
    assert response.getheader('x-openstack-request-id').startswith('req-')
    conn.close()


def test_requests_counter(server: Sandbox) -> None:
    server.request('GET', '/v2.0/metrics')
    server.request('GET', '/')
    server._call('GET', '/healthcheck')
    snapshot = server.requests()
    assert snapshot['count'] == 2
    assert snapshot['recent'][0] == {'method': 'GET', 'path': '/v2.0/metrics',
                                     'query': ''}
    server.reset_requests()
    assert server.request_count() == 0


def test_status_fault_with_retry_after(server: Sandbox) -> None:
    server.faults(method='GET', path='/v2.0/metrics', status=503,
                  retry_after=1, count=2)
    conn = connect(server)
    for _ in range(2):
        conn.request('GET', '/v2.0/metrics/names', headers=HEADERS)
        response = conn.getresponse()
        body = json.loads(response.read())
        assert response.status == 503
        assert response.getheader('Retry-After') == '1'
        assert body['title'] == 'Service Unavailable'
    conn.request('GET', '/v2.0/metrics/names', headers=HEADERS)
    response = conn.getresponse()
    response.read()
    assert response.status == 200
    assert server.list_faults() == []
    # Faulted requests still count.
    assert server.request_count() == 3


def test_latency_only_fault(server: Sandbox) -> None:
    server.faults(latency=0.3)
    started = time.monotonic()
    status, _ = server.request('GET', '/v2.0/metrics')
    assert status == 200
    assert time.monotonic() - started >= 0.3


def test_drop_and_reset(server: Sandbox) -> None:
    for action in ('drop', 'reset'):
        server.faults(action=action)
        conn = connect(server)
        conn.request('GET', '/v2.0/metrics', headers=HEADERS)
        with pytest.raises((http.client.RemoteDisconnected,
                            ConnectionResetError, http.client.BadStatusLine)):
            conn.getresponse()
        conn.close()
    assert server.request('GET', '/v2.0/metrics')[0] == 200


def test_truncate(server: Sandbox) -> None:
    server.faults(action='truncate')
    conn = connect(server)
    conn.request('GET', '/v2.0/metrics', headers=HEADERS)
    response = conn.getresponse()
    assert response.status == 200
    with pytest.raises(http.client.IncompleteRead):
        response.read()


def test_html_and_garbage(server: Sandbox) -> None:
    server.faults({'action': 'html', 'status': 502},
                  {'action': 'garbage'})
    conn = connect(server)
    conn.request('GET', '/v2.0/metrics', headers=HEADERS)
    response = conn.getresponse()
    body = response.read()
    assert response.status == 502
    assert response.getheader('Content-Type') == 'text/html'
    assert b'<html>' in body
    conn.request('GET', '/v2.0/metrics', headers=HEADERS)
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200
    with pytest.raises(ValueError):
        json.loads(body)


def test_bad_fault_rule(server: Sandbox) -> None:
    status, body = server._call('POST', '/sandbox/faults', {'action': 'x'})
    assert status == 400


def test_port_zero_and_sigterm(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, '-m', 'monasca_osc.sandbox', '--port', '0',
         '--quiet', '--db', str(tmp_path / 'db.sqlite')],
        stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith('monasca-sandbox listening on http://')
        port = int(line.rsplit(':', 1)[1])
        assert port > 0
        with socket.create_connection(('127.0.0.1', port), timeout=5):
            pass
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()


def test_keystone_none_plugin_mode(server: Sandbox) -> None:
    # keystoneauth's "none" plugin sends X-Auth-Token: notused.
    status, _ = server._call('POST', '/v2.0/metrics', {
        'name': 'noauth', 'timestamp': 1, 'value': 1},
        {'X-Auth-Token': 'notused'})
    assert status == 204
    status, body = server._call('GET', '/v2.0/metrics/names',
                                headers={'X-Auth-Token': 'notused'})
    assert {'name': 'noauth'} in body['elements']
    status, body = server._call('GET', '/v2.0/metrics/names',
                                headers={'X-Roles': 'monasca-user',
                                         'X-Project-Id': 'notused'})
    assert {'name': 'noauth'} in body['elements']
    status, body = server._call('GET', '/v2.0/metrics')
    assert status == 401
    assert body['error']['code'] == 401


def test_kill_9_keeps_every_acknowledged_metric(tmp_path: Path) -> None:
    db = tmp_path / 'durable.db'
    sandbox = Sandbox(db=db, eval_interval=0).start()
    acknowledged: list[int] = []
    stop = threading.Event()

    def writer() -> None:
        conn = connect(sandbox)
        batch = 0
        try:
            while not stop.is_set():
                body = [{'name': 'durable', 'timestamp': batch * 100 + i,
                         'value': batch} for i in range(100)]
                conn.request('POST', '/v2.0/metrics', json.dumps(body),
                             HEADERS)
                response = conn.getresponse()
                response.read()
                if response.status == 204:
                    acknowledged.append(batch)
                batch += 1
        except (OSError, http.client.HTTPException):
            pass

    thread = threading.Thread(target=writer)
    thread.start()
    deadline = time.monotonic() + 10
    while len(acknowledged) < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    sandbox.kill()
    stop.set()
    thread.join(10)
    assert len(acknowledged) >= 20
    sandbox = Sandbox(db=db, eval_interval=0).start()
    try:
        status, doc = sandbox.request(
            'GET', '/v2.0/metrics/measurements?name=durable'
                   '&start_time=1970-01-01T00:00:00Z', tenant='p')
        assert status == 200
        values = [m[1] for m in doc['elements'][0]['measurements']]
        for batch in acknowledged:
            assert values.count(float(batch)) == 100, batch
    finally:
        sandbox.stop()


def test_free_port() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', port))


def test_https(tmp_path: Path) -> None:
    # (from unit/sandbox/test_auth.py)
    trustme = pytest.importorskip('trustme')
    ca = trustme.CA()
    cert = ca.issue_cert('127.0.0.1')
    cert_file = tmp_path / 'cert.pem'
    key_file = tmp_path / 'key.pem'
    cert.cert_chain_pems[0].write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    with Sandbox(tls=(str(cert_file), str(key_file)),
                 eval_interval=0) as server:
        assert server.url.startswith('https://127.0.0.1:')
        status, body = server.request('GET', '/v2.0')
        assert status == 200 and body['id'] == 'v2.0'

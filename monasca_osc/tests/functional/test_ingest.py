"""``openstack monitoring metric create --file`` end to end.

The real ``openstack`` binary against a sandbox of this module (fresh
in-memory database, so counts are exact); each test has its own tenant
(``--os-token``). What reached the server is checked with the statistics
API: every record has a distinct timestamp and its index as value, so
``count`` and ``sum`` over the series prove that each record is stored
exactly once and none is missing. (The sandbox, like Monasca's TSDB, keeps
one point per series and timestamp, so a re-sent identical point is
harmless and invisible there: "nothing doubled" is checked on the report
and on the server's request log.)
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import http.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import json
import os
from pathlib import Path
import signal
import subprocess
import threading
import time
from typing import Any
from urllib.parse import quote, urlsplit
import uuid

import pytest

from monasca_osc.testing import Sandbox
from monasca_osc.tests.functional import base

BASE_MS = 1_714_557_600_000  # 2024-05-01T10:00:00Z


@pytest.fixture(scope='module')
def server() -> Iterator[Sandbox]:
    with Sandbox(eval_interval=0) as sandbox:
        yield sandbox


@pytest.fixture
def tenant() -> str:
    return f'ingest-{uuid.uuid4().hex[:10]}'


def osc(server: Sandbox, tenant: str, *args: Any,
        check: bool = True, endpoint: str | None = None,
        **kwargs: Any) -> base.CommandResult:
    return base.run_openstack('monitoring', 'metric', 'create', *args,
                              endpoint=endpoint or server.endpoint,
                              token=tenant, check=check, timeout=300,
                              **kwargs)


def record(i: int, name: str, **extra: Any) -> dict:
    metric = {'name': name, 'dimensions': {'hostname': f'h{i % 7}'},
              'timestamp': BASE_MS + i, 'value': i,
              'value_meta': {'n': str(i)}}
    metric.update(extra)
    return metric


def write_jsonl(path: Path, count: int, name: str,
                replace: dict[int, str] | None = None) -> Path:
    replace = replace or {}
    with open(path, 'w') as handle:
        for i in range(count):
            handle.write(replace.get(i, json.dumps(record(i, name))))
            handle.write('\n')
    return path


def write_json_array(path: Path, count: int, name: str) -> Path:
    with open(path, 'w') as handle:
        handle.write('[\n')
        for i in range(count):
            if i:
                handle.write(',\n')
            handle.write(json.dumps(record(i, name), indent=1))
        handle.write('\n]\n')
    return path


def write_csv(path: Path, count: int, name: str) -> Path:
    with open(path, 'w') as handle:
        handle.write('name,value,timestamp,hostname,meta.n\n')
        for i in range(count):
            # Seconds with a fraction: the unit is detected by magnitude.
            seconds = (BASE_MS + i) / 1000
            handle.write(f'{name},{i},{seconds:.3f},h{i % 7},{i}\n')
    return path


def stats(server: Sandbox, tenant: str, name: str) -> dict[str, Any]:
    """count, sum, min, max of every point of ``name`` (all series)."""
    query = (f'name={quote(name)}&merge_metrics=true&period=1000000000'
             f'&start_time=2000-01-01T00:00:00Z&statistics=count,sum,min,max')
    status, body = server.request('GET', '/v2.0/metrics/statistics?' + query,
                                  tenant=tenant)
    assert status == 200, body
    rows = [row for element in body['elements']
            for row in element['statistics']]
    if not rows:
        return {'count': 0, 'sum': 0, 'min': None, 'max': None}
    assert len(rows) == 1, rows
    return dict(zip(('count', 'sum', 'min', 'max'), rows[0][1:],
                    strict=True))


def expect_all(server: Sandbox, tenant: str, name: str,
               values: set[int] | range) -> None:
    values = set(values)
    got = stats(server, tenant, name)
    assert got['count'] == len(values), got
    assert got['sum'] == float(sum(values)), got
    assert (got['min'], got['max']) == (float(min(values)),
                                        float(max(values)))


def summary_line(result: base.CommandResult) -> str:
    lines = [line for line in result.stderr.splitlines()
             if line.startswith(('Ingested ', 'Checked '))]
    assert len(lines) == 1, result
    return lines[0]


def errors_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# --------------------------------------------------------------------------
# big files in each format: 100 batches each
# --------------------------------------------------------------------------

# 100,000 records in the default batches of 1,000 (the big-file path,
# read in many 256 KiB chunks); the other formats go through the same
# batching with 20,000 records in batches of 200 (still many chunks: a
# 3 MB JSON array, an 800 KB CSV). The resume test below is the other big
# file: 300 batches, killed mid-way.
BULK = [('jsonl', 100_000, []), ('json', 20_000, ['--batch-size', '200']),
        ('csv', 20_000, ['--batch-size', '200'])]


@pytest.mark.parametrize('fmt, count, batching', BULK,
                         ids=[fmt for fmt, _, _ in BULK])
def test_big_file_in_each_format(server, tenant, tmp_path, fmt, count,
                                 batching):
    name = f'bulk.{fmt}'
    writer = {'jsonl': write_jsonl, 'json': write_json_array,
              'csv': write_csv}[fmt]
    path = writer(tmp_path / f'metrics.{fmt}', count, name)
    before = server.request_count()
    result = osc(server, tenant, '--file', str(path), *batching, '-f',
                 'json')
    report = result.json()
    assert report['format'] == fmt
    assert (report['read'], report['sent'], report['invalid'],
            report['rejected'], report['failed']) == (count, count, 0, 0, 0)
    assert report['batches'] == 100 and report['requests'] == 100
    # No retries happened, so the server saw exactly 100 requests.
    assert server.request_count() - before == 100
    assert summary_line(result).startswith(
        f'Ingested {path}: read {count}, sent {count}, invalid 0, '
        f'rejected 0, failed 0, retried 0, ')
    expect_all(server, tenant, name, range(count))
    if fmt == 'csv':
        status, body = server.request(
            'GET', f'/v2.0/metrics/measurements?name={name}&start_time='
            '2024-05-01T10:00:00Z&end_time=2024-05-01T10:00:00.010Z'
            '&dimensions=hostname:h3', tenant=tenant)
        assert body['elements'][0]['measurements'] == [
            ['2024-05-01T10:00:00.003Z', 3.0, {'n': '3'}]]


def test_stdin_defaults_and_table_output(server, tenant, tmp_path):
    lines = ''.join(json.dumps({'value': i, 'timestamp': BASE_MS + i,
                                'dimensions': {'hostname': 'own'}}) + '\n'
                    for i in range(50))
    result = osc(server, tenant, 'stdin.metric', '--file', '-',
                 '--dimension', 'region=r1', '--dimension', 'hostname=dflt',
                 '--value-meta', 'src=pipe', '--batch-size', '7',
                 input=lines)
    assert '| sent' in result.stdout and '| 50' in result.stdout
    assert summary_line(result).startswith('Ingested <stdin>: read 50, '
                                           'sent 50,')
    expect_all(server, tenant, 'stdin.metric', range(50))
    status, body = server.request(
        'GET', '/v2.0/metrics?name=stdin.metric', tenant=tenant)
    assert [e['dimensions'] for e in body['elements']] == [
        {'hostname': 'own', 'region': 'r1'}]


def test_dry_run_prints_the_payload_and_sends_nothing(server, tenant,
                                                      tmp_path):
    path = tmp_path / 'm.csv'
    path.write_text('value,timestamp,host,rc\n'
                    '1,1714557600,web1,0\n'
                    '2,2024-05-01T10:00:01.5Z,web2,\n'
                    '3,12,web3,1\n')
    before = server.request_count()
    result = osc(server, tenant, 'dry.metric', '--file', str(path),
                 '--dry-run', '--meta-column', 'rc', '--dimension-column',
                 'host=hostname', check=False)
    assert result.returncode == 1
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {'name': 'dry.metric', 'value': 1, 'timestamp': 1714557600000,
         'dimensions': {'hostname': 'web1'}, 'value_meta': {'rc': '0'}},
        {'name': 'dry.metric', 'value': 2, 'timestamp': 1714557601500,
         'dimensions': {'hostname': 'web2'}}]
    assert "line 4: Timestamp '12' (read as seconds: 1970-01-01T00:00:12."\
        "000Z) is before 2000-01-01" in result.stderr
    assert summary_line(result).startswith(
        f'Checked {path}: read 3, valid 2, invalid 1')
    assert server.request_count() == before


# --------------------------------------------------------------------------
# failures
# --------------------------------------------------------------------------

def test_transient_failures_are_retried_nothing_lost_or_doubled(
        server, tenant, tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', 20_000, 'flaky.metric')
    server.clear_faults()
    rule = {'method': 'POST', 'path': '/v2.0/metrics'}
    server.faults({**rule, 'status': 503, 'count': 2, 'retry_after': 0},
                  {**rule, 'action': 'reset', 'count': 2},
                  {**rule, 'status': 429, 'count': 1, 'retry_after': 1},
                  {**rule, 'action': 'drop', 'count': 1},
                  {**rule, 'status': 502, 'count': 1},
                  {**rule, 'status': 504, 'count': 1},
                  {**rule, 'status': 500, 'count': 1})
    server.reset_requests()
    try:
        result = osc(server, tenant, '--file', str(path), '--retries', '9',
                     '--retry-backoff', '0.01', '--batch-size', '500',
                     '-f', 'json')
    finally:
        server.clear_faults()
    report = result.json()
    assert (report['read'], report['sent'], report['failed']) == (
        20_000, 20_000, 0)
    assert report['retried'] == 9
    # Every request that reached the server is one of the report's
    # requests or one of its retries: nothing was sent twice otherwise.
    assert server.request_count() == report['requests'] + 9 == 40 + 9
    expect_all(server, tenant, 'flaky.metric', range(20_000))


def test_a_batch_that_still_fails_goes_to_the_errors_file(server, tenant,
                                                          tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', 3000, 'failing.metric')
    errors = tmp_path / 'errors.jsonl'
    server.clear_faults()
    server.faults(method='POST', path='/v2.0/metrics', status=503, count=2,
                  retry_after=0)
    try:
        result = osc(server, tenant, '--file', str(path), '--retries', '1',
                     '--batch-size', '1000', '--concurrency', '1',
                     '--errors-file', str(errors), check=False)
    finally:
        server.clear_faults()
    assert result.returncode == 1
    assert 'sent 2000, invalid 0, rejected 0, failed 1000, retried 1' in \
        summary_line(result)
    assert result.stderr.rstrip().splitlines()[-1] == (
        f'1000 of 3000 records were not ingested (1000 failed); see '
        f'{errors}')
    got = errors_of(errors)
    assert [e['line'] for e in got] == list(range(1, 1001))
    assert got[0]['record'] == record(0, 'failing.metric')
    assert got[0]['reason'].startswith('Not sent: ')
    assert 'HTTP 503' in got[0]['reason']
    expect_all(server, tenant, 'failing.metric', range(1000, 3000))
    # The errors file holds what is needed to send them later.
    retry = tmp_path / 'retry.jsonl'
    retry.write_text(''.join(json.dumps(e['record']) + '\n' for e in got))
    osc(server, tenant, '--file', str(retry))
    expect_all(server, tenant, 'failing.metric', range(3000))


class _RejectingProxy(ThreadingHTTPServer):
    """Forwards to the sandbox, but answers 422 to a metrics POST whose
    body holds a value_meta ``"tag": "poison"``, like a server-side rule
    the client cannot know about."""

    daemon_threads = True

    def __init__(self, upstream: str):
        self.upstream = urlsplit(upstream)
        self.rejected_requests = 0
        super().__init__(('127.0.0.1', 0), _ProxyHandler)

    @property
    def endpoint(self) -> str:
        return f'http://127.0.0.1:{self.server_address[1]}/v2.0'


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        if self.command == 'POST' and self.path.startswith('/v2.0/metrics') \
                and b'"poison"' in body:
            poisoned = next(m for m in json.loads(body)
                            if (m.get('value_meta') or {}).get('tag')
                            == 'poison')
            self.server.rejected_requests += 1
            self._reply(422, json.dumps({
                'title': 'Unprocessable Entity',
                'description': f'value_meta tag poison is reserved: for '
                               f'metric {poisoned["name"]}'}).encode(),
                {'Content-Type': 'application/json'})
            return
        upstream = self.server.upstream
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port,
                                          timeout=60)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ('host', 'connection')}
        conn.request(self.command, self.path, body=body or None,
                     headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        self._reply(response.status, data, {
            k: v for k, v in response.getheaders()
            if k.lower() in ('content-type', 'retry-after')})

    def _reply(self, status: int, data: bytes,
               headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _handle


@contextlib.contextmanager
def rejecting_proxy(server: Sandbox) -> Iterator[_RejectingProxy]:
    proxy = _RejectingProxy(server.url)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_records_the_server_rejects_are_bisected_out(server, tenant,
                                                     tmp_path):
    name = 'poison.metric'
    bad = {17: 'x', 2500: 'y', 2501: 'z', 9999: 'w'}
    replace = {i: json.dumps(record(i, name, value_meta={'tag': 'poison'}))
               for i in bad}
    path = write_jsonl(tmp_path / 'm.jsonl', 10_000, name, replace)
    errors = tmp_path / 'errors.jsonl'
    with rejecting_proxy(server) as proxy:
        result = osc(server, tenant, '--file', str(path), '--errors-file',
                     str(errors), '-f', 'json', check=False,
                     endpoint=proxy.endpoint)
    assert result.returncode == 1
    assert (f'4 of 10000 records were not ingested (4 rejected); see '
            f'{errors}') in result.stderr
    report = json.loads(result.stdout)
    assert (report['sent'], report['rejected']) == (9996, 4)
    # Only the bad records are set aside, each with the server's reason.
    got = errors_of(errors)
    assert sorted(e['line'] for e in got) == [18, 2501, 2502, 10000]
    for entry in got:
        assert entry['status'] == 422
        assert entry['reason'] == ('value_meta tag poison is reserved: for '
                                   'metric poison.metric')
        assert entry['record'] == record(entry['line'] - 1, name,
                                         value_meta={'tag': 'poison'})
    # Splitting is logarithmic: 3 bad batches of 1,000 need ~2 log2(1000)
    # requests per bad record, not 1,000.
    assert proxy.rejected_requests <= 4 * 11
    expect_all(server, tenant, name, set(range(10_000)) - set(bad))


# --------------------------------------------------------------------------
# the errors file, line by line
# --------------------------------------------------------------------------

def test_errors_file_is_exact_line_by_line(server, tenant, tmp_path):
    name = 'errors.metric'
    path = tmp_path / 'm.jsonl'
    good = [json.dumps(record(i, name)) for i in range(6)]
    path.write_text('\n'.join([
        good[0],
        '{"name": "errors.metric", "value": ',
        json.dumps(record(2, name, value='2')),
        '',
        json.dumps(record(3, name, timestamp=1714557600)),  # seconds: fine
        json.dumps(record(4, name, timestamp=4102444800000)),  # year 2100
        json.dumps(record(5, name, dimensions={'_hidden': 'x'})),
        good[1],
        '["not", "an", "object"]',
        json.dumps({'value': 1, 'timestamp': BASE_MS}),
        json.dumps(record(9, 'bad name')),
        good[2],
    ]) + '\n')
    errors = tmp_path / 'errors.jsonl'
    result = osc(server, tenant, '--file', str(path), '--errors-file',
                 str(errors), check=False)
    assert result.returncode == 1
    assert 'read 11, sent 4, invalid 7, rejected 0, failed 0' in \
        summary_line(result)
    assert errors_of(errors) == [
        {'line': 2, 'reason': 'Not valid JSON: Expecting value at column '
                              '35',
         'record': '{"name": "errors.metric", "value":'},
        {'line': 3, 'reason': "Metric value must be a number, not '2': for "
                              "metric errors.metric",
         'record': record(2, name, value='2')},
        {'line': 6, 'reason': 'Timestamp 4102444800000 (read as '
                              'milliseconds: 2100-01-01T00:00:00.000Z) is '
                              'more than 1 day in the future; check its '
                              'unit or give --timestamp-unit or '
                              '--allow-any-time',
         'record': record(4, name, timestamp=4102444800000)},
        {'line': 7, 'reason': "Dimension key _hidden may not start with "
                              "'_': for metric errors.metric",
         'record': record(5, name, dimensions={'_hidden': 'x'})},
        {'line': 9, 'reason': 'A metric must be a JSON object, not list '
                              "['not', 'an', 'object']",
         'record': ['not', 'an', 'object']},
        {'line': 10, 'reason': "Metric is missing the field 'name'",
         'record': {'value': 1, 'timestamp': BASE_MS}},
        {'line': 11, 'reason': "Metric name 'bad name' contains the "
                               "forbidden character ' '",
         'record': record(9, 'bad name')},
    ]
    # Lines 1, 5 (a timestamp in seconds), 8 and 12 were sent.
    expect_all(server, tenant, name, {0, 3, 1, 2})


def test_csv_errors_file_is_exact_line_by_line(server, tenant, tmp_path):
    path = tmp_path / 'm.csv'
    path.write_text('name,value,timestamp,host,meta.rc\n'
                    'csv.err,1,1714557600,a,0\n'
                    'csv.err,,1714557600,b,0\n'
                    'csv.err,x1,1714557600,c,0\n'
                    '"csv.err",4,"1714557604",d\n'
                    'csv.err,nan,1714557600,e,0\n'
                    'csv(err,6,1714557606,f,0\n'
                    '\n'
                    'csv.err,7,"2024-05-01T10:00:07Z","multi\nline host",1\n'
                    'csv.err,8,yesterday,h,0\n')
    errors = tmp_path / 'errors.jsonl'
    result = osc(server, tenant, '--file', str(path), '--errors-file',
                 str(errors), check=False)
    assert result.returncode == 1
    assert 'read 8, sent 2, invalid 6,' in summary_line(result)
    row = {'name': 'csv.err', 'timestamp': '1714557600', 'meta.rc': '0'}
    assert errors_of(errors) == [
        {'line': 3, 'reason': 'The value is empty',
         'record': {**row, 'value': '', 'host': 'b'}},
        {'line': 4, 'reason': "Metric value 'x1' is not a number",
         'record': {**row, 'value': 'x1', 'host': 'c'}},
        {'line': 5, 'reason': 'The row has 4 fields; the header has 5',
         'record': ['csv.err', '4', '1714557604', 'd']},
        {'line': 6, 'reason': 'Metric value nan is not a finite number: for '
                              'metric csv.err',
         'record': {**row, 'value': 'nan', 'host': 'e'}},
        {'line': 7, 'reason': "Metric name 'csv(err' contains the forbidden "
                              "character '('",
         'record': {**row, 'name': 'csv(err', 'value': '6',
                    'timestamp': '1714557606', 'host': 'f'}},
        {'line': 11, 'reason': "Timestamp 'yesterday' is neither a number "
                               "nor an ISO 8601 time",
         'record': {**row, 'value': '8', 'timestamp': 'yesterday',
                    'host': 'h'}},
    ]
    expect_all(server, tenant, 'csv.err', {1, 7})


# --------------------------------------------------------------------------
# resume
# --------------------------------------------------------------------------

def test_kill_9_then_resume_sends_every_record_once(server, tenant,
                                                   tmp_path):
    name = 'resume.metric'
    count = 60_000
    bad = {10: '{broken', 28_001: json.dumps(record(28_001, 'bad name')),
           59_999: '[]'}
    path = write_jsonl(tmp_path / 'm.jsonl', count, name, bad)
    errors = tmp_path / 'errors.jsonl'
    point = tmp_path / 'ingest.ckpt'
    args = ['--file', str(path), '--checkpoint', str(point),
            '--errors-file', str(errors), '--batch-size', '200',
            '--concurrency', '3']
    # Slow the server down so the kill lands mid-run.
    server.clear_faults()
    server.faults(method='POST', path='/v2.0/metrics', latency=0.02,
                  count=None)
    server.reset_requests()
    argv = [str(base.BIN_DIR / 'openstack'), '--os-auth-type',
            'admin_token', '--os-endpoint', server.endpoint, '--os-token',
            tenant, 'monitoring', 'metric', 'create', *args]
    proc = subprocess.Popen(argv, env=base._base_env(None),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        done = wait_for_progress(point, proc, at_least=16_000)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        server.clear_faults()
    assert proc.returncode == -signal.SIGKILL
    assert done < count - 8_000, 'the run finished before the kill'
    # Requests the dead client had already written may still be read by
    # the server: wait until its request log is quiet.
    first_requests = settled_request_count(server)
    state = json.loads(point.read_text())
    assert state['complete'] is False

    server.reset_requests()
    result = osc(server, tenant, *args, '-f', 'json', check=False)
    assert result.returncode == 1  # the 3 invalid records
    report = json.loads(result.stdout)
    # Counted once across both runs: read = all records, every valid one
    # sent, the invalid ones once.
    assert (report['read'], report['sent'], report['invalid'],
            report['rejected'], report['failed'], report['unsent']) == (
        count, count - 3, 3, 0, 0, 0)
    assert report['resumed'] >= done
    assert f'(resumed: {report["resumed"]} done by earlier runs)' in \
        summary_line(result)
    # The second run re-sent at most the batches in flight or not yet
    # checkpointed at the kill (~1 s of work), not the whole file.
    second_requests = server.request_count()
    # Nothing skipped, nothing missing: each value stored exactly once.
    expect_all(server, tenant, name, set(range(count)) - set(bad))
    batches = count // 200
    assert second_requests == report['requests']
    assert first_requests + second_requests < batches + 120
    assert second_requests <= batches - report['resumed'] // 200 + 1
    got = errors_of(errors)
    assert sorted(e['line'] for e in got) == [11, 28_002, 60_000]
    assert json.loads(point.read_text())['complete'] is True
    # A third run has nothing left to do.
    server.reset_requests()
    again = osc(server, tenant, *args, '-f', 'json', check=False).stdout
    assert json.loads(again)['sent'] == count - 3
    assert server.request_count() == 0


def settled_request_count(server: Sandbox) -> int:
    count = server.request_count()
    while True:
        time.sleep(0.5)
        now = server.request_count()
        if now == count:
            return count
        count = now


def wait_for_progress(point: Path, proc: subprocess.Popen,
                      at_least: int, timeout: float = 120) -> int:
    """Records the checkpoint calls done, once it is at least ``at_least``.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            state = json.loads(point.read_text())
        except (OSError, ValueError):
            state = None
        if state:
            done = sum(end - start for start, end in state['done'])
            if done >= at_least:
                return done
        time.sleep(0.05)
    raise AssertionError('no progress in the checkpoint')


def test_a_checkpoint_of_another_file_is_refused(server, tenant, tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', 100, 'ckpt.metric')
    point = tmp_path / 'c.ckpt'
    osc(server, tenant, '--file', str(path), '--checkpoint', str(point))
    write_jsonl(path, 101, 'ckpt.metric')
    before = server.request_count()
    result = osc(server, tenant, '--file', str(path), '--checkpoint',
                 str(point), check=False)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f'The checkpoint {point} was written for another '
                           f'input ({path}, jsonl, ')
    assert last.endswith('; use another --checkpoint file or delete it to '
                         'start over')
    assert server.request_count() == before


@pytest.mark.parametrize('args, message', [
    (['--value', '1'], '--value cannot be used with --file'),
    (['--checkpoint', 'x.ckpt', '--dry-run'],
     '--checkpoint cannot be used with --dry-run'),
    (['--meta-column', 'nope'], "The CSV header has no column 'nope'"),
])
def test_option_errors(server, tenant, tmp_path, args, message):
    path = tmp_path / 'm.csv'
    path.write_text('name,value\na,1\n')
    result = osc(server, tenant, '--file', str(path), *args, check=False)
    assert result.returncode == 1
    assert message in result.stderr


def test_strict_stops_at_the_first_invalid_record(server, tenant, tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', 5000, 'strict.metric',
                       {2345: '{"oops"'})
    result = osc(server, tenant, '--file', str(path), '--strict',
                 '--batch-size', '1000', check=False)
    assert result.returncode == 1
    assert 'line 2346: Not valid JSON' in result.stderr
    assert 'stopped: invalid record at line 2346 (--strict)' in \
        summary_line(result)
    expect_all(server, tenant, 'strict.metric', range(2345))


def wait_for_count(server: Sandbox, tenant: str, name: str,
                   count: int, timeout: float) -> float:
    """Seconds until the server holds ``count`` points of ``name``."""
    started = time.monotonic()
    while stats(server, tenant, name)['count'] < count:
        assert time.monotonic() - started < timeout, \
            f'{count} points of {name} not stored after {timeout}s'
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_slow_pipe_is_delivered_within_the_flush_interval(server, tenant):
    """``tail -f app.log | ... | metric create --file -``: each record is
    stored about a second after it is written (the default
    --flush-interval), while the pipe stays open; the summary is exact."""
    name = 'pipe.metric'
    proc = subprocess.Popen(
        osc_argv(server, tenant, '--file', '-', '-f', 'json'),
        env=base._base_env(None), stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        def write(i: int) -> None:
            proc.stdin.write(json.dumps(record(i, name)).encode() + b'\n')
            proc.stdin.flush()
        write(0)
        # The first one also waits for the command to start.
        wait_for_count(server, tenant, name, 1, timeout=60)
        for i in (1, 2):
            write(i)
            elapsed = wait_for_count(server, tenant, name, i + 1,
                                     timeout=10)
            # Held for the flush interval (1 s from when it was read),
            # then sent at once (~1.1 s on a quiet machine; the margin is
            # for a loaded one): not held for a full batch.
            assert 0.9 <= elapsed < 3.0, elapsed
            assert proc.poll() is None  # the pipe is still open
    except BaseException:
        proc.kill()
        proc.communicate(timeout=30)
        raise
    # Closes stdin: the end of the input.
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    report = json.loads(stdout)
    assert (report['read'], report['sent'], report['batches'],
            report['requests']) == (3, 3, 3, 3)
    assert stderr.decode().splitlines()[-1].startswith(
        'Ingested <stdin>: read 3, sent 3, invalid 0, rejected 0, failed 0')
    expect_all(server, tenant, name, range(3))


def test_stdin_with_a_checkpoint_is_refused(server, tenant, tmp_path):
    result = osc(server, tenant, '--file', '-', '--checkpoint',
                 str(tmp_path / 'c'), input='', check=False)
    assert result.returncode == 1
    assert 'cannot be used with stdin' in result.stderr


# --------------------------------------------------------------------------
# terminal and signals
# --------------------------------------------------------------------------

def osc_argv(server: Sandbox, tenant: str, *args: Any) -> list[str]:
    return [str(base.BIN_DIR / 'openstack'), '--os-auth-type', 'admin_token',
            '--os-endpoint', server.endpoint, '--os-token', tenant,
            'monitoring', 'metric', 'create', *args]


def run_with_tty_stderr(argv: list[str], timeout: float = 120
                        ) -> tuple[int, str, str]:
    """Run with stderr on a pseudo-terminal; (status, stdout, stderr)."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, env=base._base_env(None),
                            stdout=subprocess.PIPE, stderr=slave,
                            stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    stdout = proc.stdout.read().decode()
    proc.stdout.close()
    proc.wait(timeout)
    return proc.returncode, stdout, b''.join(chunks).decode()


def test_progress_bar_only_on_a_terminal(server, tenant, tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', 8_000, 'tty.metric')
    server.clear_faults()
    # 40 batches one at a time, 30 ms each: over a second, several frames
    # of the bar (it is redrawn at most every 0.2 s).
    server.faults(method='POST', path='/v2.0/metrics', latency=0.03,
                  count=None)
    try:
        status, stdout, stderr = run_with_tty_stderr(osc_argv(
            server, tenant, '--file', str(path), '--batch-size', '200',
            '--concurrency', '1', '-f', 'value', '-c', 'sent'))
        assert status == 0, stderr
        assert stdout == '8000\n'
        frames = [f for f in stderr.split('\r') if '% [' in f]
        assert len(frames) >= 3, stderr
        assert ' read ' in frames[-1] and ' sent ' in frames[-1]
        assert any('ETA ' in f for f in frames)
        # The bar is cleared before the summary line.
        assert '\x1b[K' in stderr
        assert stderr.rstrip().splitlines()[-1].lstrip('\r\x1b[K').startswith(
            f'Ingested {path}: read 8000, sent 8000')
        tenant2 = tenant + '-quiet'
        status, _, stderr = run_with_tty_stderr(osc_argv(
            server, tenant2, '--file', str(path), '--batch-size', '2000',
            '--no-progress'))
        assert status == 0 and '\r' not in stderr.replace('\r\n', '\n')
    finally:
        server.clear_faults()
    # Not a terminal (every other test): no bar either.
    result = osc(server, tenant + '-pipe', '--file', str(path))
    assert '\r' not in result.stderr and '\x1b' not in result.stderr


def test_sigterm_saves_the_checkpoint_and_a_rerun_finishes(server, tenant,
                                                          tmp_path):
    count = 24_000
    path = write_jsonl(tmp_path / 'm.jsonl', count, 'term.metric')
    point = tmp_path / 'c.ckpt'
    args = ['--file', str(path), '--checkpoint', str(point),
            '--batch-size', '200']
    server.clear_faults()
    server.faults(method='POST', path='/v2.0/metrics', latency=0.05,
                  count=None)
    proc = subprocess.Popen(osc_argv(server, tenant, *args),
                            env=base._base_env(None), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_for_progress(point, proc, at_least=2_000)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        server.clear_faults()
    assert proc.returncode == 130, stderr
    assert 'Traceback' not in stderr
    assert f'Progress saved in {point}; run the same command to continue' \
        in stderr
    state = json.loads(point.read_text())
    done = sum(end - start for start, end in state['done'])
    assert 2_000 <= done < count and state['complete'] is False
    report = osc(server, tenant, *args, '-f', 'json').json()
    assert (report['read'], report['sent'], report['resumed']) == (
        count, count, done)
    expect_all(server, tenant, 'term.metric', range(count))


@pytest.mark.keystone
def test_ingest_with_keystone_tokens_from_several_threads(
        keystone: base.KeystoneEnv, tmp_path):
    """Four sender threads share the one keystoneauth session (and token)
    of a password-authenticated cloud behind keystonemiddleware."""
    name = f'ks.ingest.{uuid.uuid4().hex[:8]}'
    path = write_jsonl(tmp_path / 'm.jsonl', 20_000, name)
    before = keystone.sandbox.request_count()
    result = base.run_openstack(
        'monitoring', 'metric', 'create', '--file', str(path),
        '--concurrency', '4', '--batch-size', '500', '-f', 'json',
        cloud='mon-user', timeout=300)
    report = result.json()
    assert (report['sent'], report['failed'], report['requests']) == (
        20_000, 0, 40)
    # keystonemiddleware may answer 503 while it validates the new token
    # for the first concurrent requests: those are retried, and nothing
    # else reached the server.
    assert report['retried'] <= 4
    assert keystone.sandbox.request_count() - before == \
        40 + report['retried']
    session = keystone.session('mon-user')
    response = session.get(
        keystone.sandbox.endpoint + '/metrics/statistics',
        params={'name': name, 'merge_metrics': 'true', 'period': 10 ** 9,
                'start_time': '2000-01-01T00:00:00Z',
                'statistics': 'count,sum'},
        headers={'Accept': 'application/json'})
    assert response.status_code == 200, response.text
    row = response.json()['elements'][0]['statistics'][0]
    assert row[1:] == [20_000, float(sum(range(20_000)))]

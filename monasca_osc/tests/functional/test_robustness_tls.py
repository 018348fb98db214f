"""HTTPS: the sandbox with a certificate from a throw-away CA (trustme).

``--os-cacert`` (and ``OS_CACERT``) make it work; an unknown CA fails with
one line that names ``--os-cacert`` and ``--insecure``; ``--insecure``
works and warns exactly once per run, however many pages are fetched.

Verification happens in the client's own ``requests`` session, so most rows
run in-process (the runner resets the warnings filters and the "warned
once" flag a fresh process starts with). One row of each test runs the real
``openstack`` binary (``BINARY``): certificates, verification and warnings
exactly as a user sees them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
import json
from pathlib import Path

import pytest

from monasca_osc.testing import Sandbox
from monasca_osc.tests.functional import base
from monasca_osc.tests.functional.corpus.cli import Run, run_cli

TENANT = base.NOAUTH_TENANT
CLIS = ('openstack', 'monasca')
METRICS = ('tls.one', 'tls.two', 'tls.three')
INSECURE_WARNING = ('Warning: TLS certificate verification is disabled '
                    '(--insecure); the server is not authenticated')


@dataclass
class TLSServer:
    sandbox: Sandbox
    ca: Path
    other_ca: Path
    definition: str

    @property
    def endpoint(self) -> str:
        return self.sandbox.endpoint


@pytest.fixture(scope='module')
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TLSServer]:
    import trustme

    work = tmp_path_factory.mktemp('tls')
    ca = trustme.CA()
    cert = ca.issue_cert('127.0.0.1', 'localhost')
    ca.cert_pem.write_to_path(str(work / 'ca.pem'))
    trustme.CA().cert_pem.write_to_path(str(work / 'other-ca.pem'))
    cert.private_key_pem.write_to_path(str(work / 'server.key'))
    cert.cert_chain_pems[0].write_to_path(str(work / 'server.pem'))
    sandbox = Sandbox(
        tls=(str(work / 'server.pem'), str(work / 'server.key')),
        eval_interval=0).start()
    try:
        assert sandbox.endpoint.startswith('https://127.0.0.1:')
        for name in METRICS:
            status, _ = sandbox.request('POST', '/v2.0/metrics', {
                'name': name, 'value': 1.0, 'timestamp': 1700000000000,
                'dimensions': {'service': 'tls'}}, tenant=TENANT)
            assert status == 204
        status, body = sandbox.request('POST', '/v2.0/alarm-definitions', {
            'name': 'tls-definition', 'expression': 'avg(tls.one) > 5'},
            tenant=TENANT)
        assert status == 201, body
        yield TLSServer(sandbox, work / 'ca.pem', work / 'other-ca.pem',
                        body['name'])
    finally:
        sandbox.stop()


# (test, cli, variant) of the rows that run the real binary.
BINARY = {('cacert', 'openstack', 'option'), ('unknown-ca', 'openstack',
                                              'system'),
          ('insecure', 'openstack', '')}


def list_metrics(cli: str, tls: TLSServer, *options: str,
                 env: dict[str, str] | None = None,
                 row: tuple[str, str] = ('', '')) -> Run:
    """A listing that takes one request per metric (plus the last page);
    ``row`` (test, variant) says whether it is one of the ``BINARY`` rows.
    """
    binary = True if (row[0], cli, row[1]) in BINARY else None
    if cli == 'openstack':
        return run_cli(cli, tls.endpoint, *options, 'monitoring', 'metric',
                       'list', '--dimension', 'service=tls', '--page-size',
                       '1', '-f', 'json', env=env, binary=binary)
    return run_cli(cli, tls.endpoint, *options, 'metric-list',
                   '--dimensions', 'service=tls', '-j', env=env,
                   binary=binary)


def names(result: Run) -> list[str]:
    rows = json.loads(result.stdout)
    return sorted(row.get('Name') or row.get('name') for row in rows)


@pytest.mark.parametrize('how', ['option', 'env'])
@pytest.mark.parametrize('cli', CLIS)
def test_cacert_verifies_the_server(tls: TLSServer, cli: str,
                                    how: str) -> None:
    if how == 'option':
        result = list_metrics(cli, tls, '--os-cacert', str(tls.ca),
                              row=('cacert', how))
    else:
        result = list_metrics(cli, tls, env={'OS_CACERT': str(tls.ca)},
                              row=('cacert', how))
    assert result.returncode == 0, result
    assert names(result) == sorted(METRICS)
    assert result.stderr == '', result


@pytest.mark.parametrize('ca', ['system', 'other'])
@pytest.mark.parametrize('cli', CLIS)
def test_unknown_ca_fails_with_one_line(tls: TLSServer, cli: str,
                                        ca: str) -> None:
    options = ('--os-cacert', str(tls.other_ca)) if ca == 'other' else ()
    before = tls.sandbox.request_count()
    result = list_metrics(cli, tls, *options, row=('unknown-ca', ca))
    assert result.returncode == 1, result
    assert result.stdout == ''
    assert 'Traceback' not in result.stderr
    assert result.lines == [
        f'TLS error talking to {tls.endpoint}/metrics: certificate '
        'verification failed; give the CA bundle with --os-cacert (or '
        '--insecure to skip verification)'], result
    # The handshake failed: no HTTP request reached the API, and a
    # certificate problem is not retried.
    assert tls.sandbox.request_count() == before


@pytest.mark.parametrize('cli', CLIS)
def test_insecure_works_and_warns_exactly_once(tls: TLSServer,
                                               cli: str) -> None:
    before = tls.sandbox.request_count()
    result = list_metrics(cli, tls, '--insecure', row=('insecure', ''))
    assert result.returncode == 0, result
    assert names(result) == sorted(METRICS)
    if cli == 'openstack':
        assert tls.sandbox.request_count() - before >= 3  # pages
    assert result.lines == [INSECURE_WARNING], result


def test_insecure_warns_once_across_lookups(tls: TLSServer) -> None:
    # show by name: a GET by id (404), then the list by name.
    before = tls.sandbox.request_count()
    result = run_cli('monasca', tls.endpoint, '--insecure',
                     'alarm-definition-show', tls.definition)
    assert result.returncode == 0, result
    assert tls.definition in result.stdout
    assert tls.sandbox.request_count() - before == 2
    assert result.lines == [INSECURE_WARNING], result


def test_each_test_keeps_a_binary_row() -> None:
    assert {test for test, _, _ in BINARY} == {'cacert', 'unknown-ca',
                                               'insecure'}

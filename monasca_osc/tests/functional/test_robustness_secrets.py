"""No secret reaches output, logs or error files, even with --debug.

Both CLIs run with ``--debug`` and with ``-v``, each time with
``--log-file``, through successes, retries, errors and bulk ingest, with
a token (no Keystone), and with a password and an application credential
secret (real Keystone). The secret must not appear in stdout, stderr, the
log file or the bulk-ingest errors file.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import secrets
from typing import Any

import pytest

from monasca_osc.tests.fixtures import SandboxServer
from monasca_osc.tests.functional import base
from monasca_osc.tests.functional.corpus.cli import Run, run

VERBOSITY = ('--debug', '-v')
CLIS = ('openstack', 'monasca')


@pytest.fixture(scope='module')
def server() -> Iterator[SandboxServer]:
    sandbox = SandboxServer(eval_interval=0).start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def secret(kind: str) -> str:
    # Distinctive, so a partial leak (a prefix in a log) is found too.
    return f'{kind}S3cr3t{secrets.token_hex(12)}'


class Transcript:
    """Everything a series of runs wrote: output, logs, errors files."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.runs: list[Run] = []
        self.files: list[Path] = []

    def log_file(self) -> Path:
        path = self.workdir / f'run-{len(self.runs)}.log'
        self.files.append(path)
        return path

    def add(self, result: Run) -> Run:
        self.runs.append(result)
        return result

    def assert_clean(self, *values: str) -> None:
        assert self.runs
        for value in values:
            for prefix in (value, value[:12], value[-12:]):
                for result in self.runs:
                    assert prefix not in result.stdout, result
                    assert prefix not in result.stderr, result
                for path in self.files:
                    if path.exists():
                        text = path.read_text(errors='replace')
                        assert prefix not in text, f'{value!r} in {path}'

    def debug_text(self) -> str:
        return '\n'.join(r.stderr for r in self.runs) + '\n'.join(
            p.read_text(errors='replace') for p in self.files if p.exists())


def openstack_token_argv(endpoint: str, token: str) -> list[str]:
    return [str(base.BIN_DIR / 'openstack'), '--os-auth-type', 'admin_token',
            '--os-endpoint', endpoint, '--os-token', token]


COMMANDS = {
    'openstack': {
        'create': ('monitoring', 'metric', 'create', 'secret.metric',
                   '--value', '1', '--dimension', 'hostname=h1'),
        'list': ('monitoring', 'metric', 'list', '--page-size', '1'),
        'missing': ('monitoring', 'alarm', 'definition', 'show', 'nope'),
        'invalid': ('monitoring', 'metric', 'create', 'bad name',
                    '--value', '1'),
    },
    'monasca': {
        'create': ('metric-create', 'secret.metric', '1', '--dimensions',
                   'hostname=h1'),
        'list': ('metric-list',),
        'missing': ('alarm-definition-show', 'nope'),
        'invalid': ('metric-create', 'bad name', '1'),
    },
}


def exercise(cli: str, sandbox: SandboxServer, transcript: Transcript,
             argv_env: Any, flag: str) -> None:
    """Success, retried read, not-found, local error, failed auth."""
    commands = COMMANDS[cli]

    def go(*args: str, expect: int) -> Run:
        argv, env = argv_env()
        result = transcript.add(run(
            [*argv, flag, '--log-file', str(transcript.log_file()), *args],
            env))
        assert result.returncode == expect, result
        return result

    go(*commands['create'], expect=0)
    sandbox.faults(path='/v2.0/metrics', status=503, retry_after=0, count=1)
    go(*commands['list'], expect=0)
    go(*commands['missing'], expect=1)
    go(*commands['invalid'], expect=1)
    sandbox.faults(path='/v2.0/metrics', status=401, count=None, body={
        'error': {'code': 401, 'title': 'Unauthorized',
                  'message': 'The request you have made requires '
                             'authentication.'}})
    try:
        go(*commands['list'], expect=1)
    finally:
        sandbox.clear_faults()


@pytest.mark.parametrize('flag', VERBOSITY)
@pytest.mark.parametrize('cli', CLIS)
def test_token_never_shown(server: SandboxServer, tmp_path: Path, cli: str,
                           flag: str) -> None:
    token = secret('token')

    def argv_env() -> tuple[list[str], dict[str, str]]:
        if cli == 'openstack':
            return openstack_token_argv(server.endpoint, token), {}
        # The legacy variable, token sent as is to MONASCA_API_URL.
        return [str(base.BIN_DIR / 'monasca')], {
            'OS_AUTH_TOKEN': token, 'MONASCA_API_URL': server.endpoint}

    transcript = Transcript(tmp_path)
    exercise(cli, server, transcript, argv_env, flag)
    transcript.assert_clean(token)
    if flag == '--debug':
        # The debug output does show the requests (so the test looks at
        # the right place), with the token hashed by keystoneauth.
        text = transcript.debug_text()
        assert 'X-Auth-Token: {SHA256}' in text
        assert '/v2.0/metrics' in text


@pytest.mark.parametrize('flag', VERBOSITY)
def test_token_not_in_bulk_ingest_errors_file(server: SandboxServer,
                                              tmp_path: Path,
                                              flag: str) -> None:
    token = secret('token')
    data = tmp_path / 'metrics.jsonl'
    good = {'name': 'ingest.secret', 'value': 1,
            'timestamp': 1700000000000, 'dimensions': {'k': 'v'}}
    data.write_text('\n'.join([
        json.dumps(good),
        json.dumps({**good, 'name': 'bad name'}),  # refused locally
        'not json at all',
        json.dumps({**good, 'value': 'NaN?'}),
    ]) + '\n')
    errors = tmp_path / 'errors.jsonl'
    transcript = Transcript(tmp_path)
    transcript.files.append(errors)
    # The server refuses every batch (422): the valid record lands in the
    # errors file with the server's reason, after the three invalid ones.
    server.faults(method='POST', path='/v2.0/metrics', status=422,
                  count=None)
    try:
        result = transcript.add(run(
            [*openstack_token_argv(server.endpoint, token), flag,
             '--log-file', str(transcript.log_file()), 'monitoring',
             'metric', 'create', '--file', str(data), '--errors-file',
             str(errors), '--no-progress'], {}))
    finally:
        server.clear_faults()
    assert result.returncode == 1, result
    lines = [json.loads(line) for line in errors.read_text().splitlines()]
    assert sorted(entry['line'] for entry in lines) == [1, 2, 3, 4], lines
    refused = [entry for entry in lines if entry['line'] == 1]
    assert refused[0]['status'] == 422, lines
    assert refused[0]['reason'].startswith('Injected by sandbox fault'), lines
    transcript.assert_clean(token)


# -- real Keystone: password and application credential ---------------------

@pytest.fixture(scope='module')
def application_credential(keystone: base.KeystoneEnv) -> dict[str, str]:
    """An application credential of mon-user, made through Keystone."""
    user = keystone.user('mon-user')
    session = keystone.session('mon-user')
    token = session.get_token()
    body = base._http_json(
        'POST', f'{keystone.auth_url}/users/{user["user_id"]}/'
        'application_credentials',
        {'application_credential': {
            'name': base.unique_name('secrets-test'),
            'secret': secret('appcred')}}, token=token)
    credential = body['application_credential']
    return {'id': credential['id'], 'secret': credential['secret']}


def keystone_exercise(cli: str, keystone: base.KeystoneEnv,
                      transcript: Transcript, env: dict[str, str],
                      flag: str) -> None:
    commands = COMMANDS[cli]
    binary = str(base.BIN_DIR / cli)
    for args, expect in ((commands['create'], 0), (commands['list'], 0),
                         (commands['missing'], 1)):
        result = transcript.add(run(
            [binary, flag, '--log-file', str(transcript.log_file()), *args],
            env))
        assert result.returncode == expect, result
    # A 401 makes keystoneauth authenticate again (the secret is sent a
    # second time) before the request is retried.
    keystone.sandbox.faults(path='/v2.0/metrics', status=401, count=1)
    try:
        result = transcript.add(run(
            [binary, flag, '--log-file', str(transcript.log_file()),
             *commands['list']], env))
    finally:
        keystone.sandbox.clear_faults()
    assert result.returncode == 0, result


@pytest.mark.keystone
@pytest.mark.xdist_group('keystone')
@pytest.mark.parametrize('flag', VERBOSITY)
@pytest.mark.parametrize('cli', CLIS)
def test_password_never_shown(keystone: base.KeystoneEnv, tmp_path: Path,
                              cli: str, flag: str) -> None:
    env = keystone.os_env('mon-user')
    transcript = Transcript(tmp_path)
    keystone_exercise(cli, keystone, transcript, env, flag)
    transcript.assert_clean(env['OS_PASSWORD'])


@pytest.mark.keystone
@pytest.mark.xdist_group('keystone')
@pytest.mark.parametrize('flag', VERBOSITY)
@pytest.mark.parametrize('cli', CLIS)
def test_application_credential_secret_never_shown(
        keystone: base.KeystoneEnv, application_credential: dict[str, str],
        tmp_path: Path, cli: str, flag: str) -> None:
    env = {'OS_AUTH_TYPE': 'v3applicationcredential',
           'OS_AUTH_URL': keystone.auth_url,
           'OS_APPLICATION_CREDENTIAL_ID': application_credential['id'],
           'OS_APPLICATION_CREDENTIAL_SECRET':
               application_credential['secret'],
           'OS_REGION_NAME': keystone.info['region'],
           'OS_IDENTITY_API_VERSION': '3'}
    transcript = Transcript(tmp_path)
    keystone_exercise(cli, keystone, transcript, env, flag)
    transcript.assert_clean(application_credential['secret'])


@pytest.mark.keystone
@pytest.mark.xdist_group('keystone')
@pytest.mark.parametrize('cli', CLIS)
def test_password_not_in_failed_auth(keystone: base.KeystoneEnv,
                                     tmp_path: Path, cli: str) -> None:
    """A wrong password is not echoed back, even with --debug."""
    env = {**keystone.os_env('mon-user'), 'OS_PASSWORD': secret('wrong')}
    transcript = Transcript(tmp_path)
    result = transcript.add(run(
        [str(base.BIN_DIR / cli), '--debug', '--log-file',
         str(transcript.log_file()), *COMMANDS[cli]['list']], env))
    assert result.returncode == 1, result
    transcript.assert_clean(env['OS_PASSWORD'])

"""No secret reaches output, logs or error files, even with --debug.

Both CLIs run with ``--debug`` and with ``-v``, each time with
``--log-file``, through successes, retries, errors and bulk ingest, with
a token (no Keystone), and with a password and an application credential
secret (real Keystone). The secret must not appear in stdout, stderr, the
log file or the bulk-ingest errors file.

Most rows run in-process (``inprocess.run`` captures stdout, stderr, the
``--log-file`` and the handlers OSC's logging set-up attaches to them); the
``capfd`` fixture also catches anything written straight to file
descriptors 1 and 2 in the meantime, and that is searched too. These rows
run the real binaries, where every byte a process writes is searched: one
row per secret kind per CLI of the matrix (``BINARY_FORM``), the
``--debug`` rows of the token, bulk-ingest and Keystone (password,
application credential, failed authentication) tests.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from pathlib import Path
import secrets
from typing import Any

import pytest

from monasca_osc.testing import Sandbox, free_port
from monasca_osc.tests.functional import base
from monasca_osc.tests.functional.corpus.cli import Run, run

VERBOSITY = ('--debug', '-v')
CLIS = ('openstack', 'monasca')


@pytest.fixture(scope='module')
def server() -> Iterator[Sandbox]:
    sandbox = Sandbox(eval_interval=0).start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def secret(kind: str) -> str:
    # Distinctive, so a partial leak (a prefix in a log) is found too.
    return f'{kind}S3cr3t{secrets.token_hex(12)}'


class Transcript:
    """Everything a series of runs wrote: output, logs, errors files."""

    def __init__(self, workdir: Path, capfd: Any = None):
        self.workdir = workdir
        self.runs: list[Run] = []
        self.files: list[Path] = []
        # What reached file descriptors 1 and 2 outside the captured
        # streams (in-process runs share the test process's descriptors).
        self.capfd = capfd
        self.fd_text = ''

    def log_file(self) -> Path:
        path = self.workdir / f'run-{len(self.runs)}.log'
        self.files.append(path)
        return path

    def add(self, result: Run) -> Run:
        self.runs.append(result)
        return result

    def assert_clean(self, *values: str) -> None:
        assert self.runs
        if self.capfd is not None:
            captured = self.capfd.readouterr()
            self.fd_text += captured.out + captured.err
        for value in values:
            for prefix in (value, value[:12], value[-12:]):
                for result in self.runs:
                    assert prefix not in result.stdout, result
                    assert prefix not in result.stderr, result
                assert prefix not in self.fd_text, self.fd_text
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


def exercise(cli: str, sandbox: Sandbox, transcript: Transcript,
             argv_env: Any, flag: str, binary: bool | None) -> None:
    """Success, retried read, not-found, local error, failed auth."""
    commands = COMMANDS[cli]

    def go(*args: str, expect: int) -> Run:
        argv, env = argv_env()
        result = transcript.add(run(
            [*argv, flag, '--log-file', str(transcript.log_file()), *args],
            env, binary=binary))
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
def test_token_never_shown(server: Sandbox, tmp_path: Path, capfd: Any,
                           cli: str, flag: str) -> None:
    token = secret('token')

    def argv_env() -> tuple[list[str], dict[str, str]]:
        if cli == 'openstack':
            return openstack_token_argv(server.endpoint, token), {}
        # The legacy variable, token sent as is to MONASCA_API_URL.
        return [str(base.BIN_DIR / 'monasca')], {
            'OS_AUTH_TOKEN': token, 'MONASCA_API_URL': server.endpoint}

    transcript = Transcript(tmp_path, capfd)
    # --debug through the real binary; -v in-process.
    exercise(cli, server, transcript, argv_env, flag,
             binary=True if flag == '--debug' else None)
    transcript.assert_clean(token)
    if flag == '--debug':
        # The debug output does show the requests (so the test looks at
        # the right place), with the token hashed by keystoneauth.
        text = transcript.debug_text()
        assert 'X-Auth-Token: {SHA256}' in text
        assert '/v2.0/metrics' in text


@pytest.mark.parametrize('flag', VERBOSITY)
def test_token_not_in_bulk_ingest_errors_file(server: Sandbox,
                                              tmp_path: Path, capfd: Any,
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
    transcript = Transcript(tmp_path, capfd)
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
             str(errors), '--no-progress'], {},
            binary=True if flag == '--debug' else None))
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
    program = str(base.BIN_DIR / cli)
    # --debug through the real binary; -v in-process.
    binary = True if flag == '--debug' else None
    for args, expect in ((commands['create'], 0), (commands['list'], 0),
                         (commands['missing'], 1)):
        result = transcript.add(run(
            [program, flag, '--log-file', str(transcript.log_file()), *args],
            env, binary=binary))
        assert result.returncode == expect, result
    # A 401 makes keystoneauth authenticate again (the secret is sent a
    # second time) before the request is retried.
    keystone.sandbox.faults(path='/v2.0/metrics', status=401, count=1)
    try:
        result = transcript.add(run(
            [program, flag, '--log-file', str(transcript.log_file()),
             *commands['list']], env, binary=binary))
    finally:
        keystone.sandbox.clear_faults()
    assert result.returncode == 0, result


@pytest.mark.keystone
@pytest.mark.xdist_group('keystone')
@pytest.mark.parametrize('flag', VERBOSITY)
@pytest.mark.parametrize('cli', CLIS)
def test_password_never_shown(keystone: base.KeystoneEnv, tmp_path: Path,
                              capfd: Any, cli: str, flag: str) -> None:
    env = keystone.os_env('mon-user')
    transcript = Transcript(tmp_path, capfd)
    keystone_exercise(cli, keystone, transcript, env, flag)
    transcript.assert_clean(env['OS_PASSWORD'])


@pytest.mark.keystone
@pytest.mark.xdist_group('keystone')
@pytest.mark.parametrize('flag', VERBOSITY)
@pytest.mark.parametrize('cli', CLIS)
def test_application_credential_secret_never_shown(
        keystone: base.KeystoneEnv, application_credential: dict[str, str],
        tmp_path: Path, capfd: Any, cli: str, flag: str) -> None:
    env = {'OS_AUTH_TYPE': 'v3applicationcredential',
           'OS_AUTH_URL': keystone.auth_url,
           'OS_APPLICATION_CREDENTIAL_ID': application_credential['id'],
           'OS_APPLICATION_CREDENTIAL_SECRET':
               application_credential['secret'],
           'OS_REGION_NAME': keystone.info['region'],
           'OS_IDENTITY_API_VERSION': '3'}
    transcript = Transcript(tmp_path, capfd)
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
         str(transcript.log_file()), *COMMANDS[cli]['list']], env,
        binary=True))
    assert result.returncode == 1, result
    transcript.assert_clean(env['OS_PASSWORD'])


# -- the matrix: every secret kind, every way of giving it --------------------
#
# Each row gives one secret of one kind in one form, with one verbosity
# flag placed before or after the credentials, to one CLI, and writes a
# log file; every byte written (stdout, stderr, log file) is searched for
# the secret. Kinds other than the token authenticate against a Keystone
# URL where nothing listens, so they fail (exit 1) quickly, after the
# command line, the options and the cloud settings have been logged.

KINDS = ('token', 'password', 'appcred', 'passcode')
FORMS = ('space', 'equals', 'env', 'clouds.yaml')
# (option, OS_* variable, clouds.yaml auth key) of each kind's secret.
SECRET_OPTION = {
    'token': ('--os-token', 'OS_TOKEN', 'token'),
    'password': ('--os-password', 'OS_PASSWORD', 'password'),
    'appcred': ('--os-application-credential-secret',
                'OS_APPLICATION_CREDENTIAL_SECRET',
                'application_credential_secret'),
    'passcode': ('--os-passcode', 'OS_PASSCODE', 'passcode'),
}


# The one form per (CLI, kind) that runs through the real binary (every
# form is covered once per CLI); the other rows run in-process.
BINARY_FORM = {
    (cli, kind): FORMS[(index + shift) % len(FORMS)]
    for cli, shift in zip(CLIS, (0, 2), strict=True)
    for index, kind in enumerate(KINDS)}


def _matrix() -> list[Any]:
    rows = []
    verbosity = ('-v', '-vv', '--debug')
    for cli in CLIS:
        for index, (kind, form) in enumerate(
                (k, f) for k in KINDS for f in FORMS):
            flag = verbosity[index % 3]
            first = index % 2 == 0
            rows.append(pytest.param(cli, kind, form, flag, first,
                                     id=f'{cli}-{kind}-{form}-{flag}'))
    return rows


def _settings(kind: str, endpoint: str, value: str) -> dict[str, str]:
    """The non-secret auth settings of a kind (clouds.yaml key names)."""
    keystone = f'http://127.0.0.1:{free_port()}/v3'
    if kind == 'token':
        return {'auth_type': 'admin_token', 'endpoint': endpoint}
    base_settings = {'auth_url': keystone, 'region_name': 'RegionOne'}
    if kind == 'password':
        return {**base_settings, 'auth_type': 'password', 'username': 'u',
                'project_name': 'p', 'user_domain_name': 'Default',
                'project_domain_name': 'Default'}
    if kind == 'appcred':
        return {**base_settings, 'auth_type': 'v3applicationcredential',
                'application_credential_id': 'appcred-id'}
    return {**base_settings, 'auth_type': 'v3totp', 'username': 'u',
            'user_domain_name': 'Default'}


def _invocation(cli: str, kind: str, form: str, endpoint: str, value: str,
                workdir: Path) -> tuple[list[str], dict[str, str]]:
    """Options and environment that give ``value`` in ``form``."""
    settings = _settings(kind, endpoint, value)
    option, variable, key = SECRET_OPTION[kind]
    env: dict[str, str] = {}
    if cli == 'monasca' and kind == 'token':
        # The legacy command sends a token as is to MONASCA_API_URL.
        settings = {'auth_type': 'admin_token', 'endpoint': endpoint}
        env['MONASCA_API_URL'] = endpoint
        variable = 'OS_AUTH_TOKEN'
    if form == 'clouds.yaml':
        auth_keys = {'auth_url', 'username', 'project_name',
                     'user_domain_name', 'project_domain_name',
                     'application_credential_id', 'endpoint'}
        auth = {k: v for k, v in settings.items() if k in auth_keys}
        auth[key] = value
        cloud = {'auth_type': settings['auth_type'], 'auth': auth}
        if 'region_name' in settings:
            cloud['region_name'] = settings['region_name']
        clouds = workdir / 'clouds.yaml'
        clouds.write_text(json.dumps({'clouds': {'secret-test': cloud}}))
        env['OS_CLIENT_CONFIG_FILE'] = str(clouds)
        return ['--os-cloud', 'secret-test'], env
    argv: list[str] = []
    # auth_type last: osc-lib's own mask turned "admin_token --os-token X"
    # into "admin_token --os*** X".
    for name, setting in sorted(settings.items(),
                                key=lambda item: item[0] == 'auth_type'):
        if cli == 'monasca' and name == 'endpoint':
            env['MONASCA_API_URL'] = setting
            continue
        argv += [f'--os-{name.replace("_", "-")}', setting]
    if form == 'space':
        argv += [option, value]
    elif form == 'equals':
        argv.append(f'{option}={value}')
    else:
        env[variable] = value
    return argv, env


COMMAND = {'openstack': ('monitoring', 'metric', 'list'),
           'monasca': ('metric-list',)}


@pytest.mark.parametrize('cli,kind,form,flag,first', _matrix())
def test_secret_matrix_never_shown(server: Sandbox, tmp_path: Path,
                                   capfd: Any, cli: str, kind: str,
                                   form: str, flag: str,
                                   first: bool) -> None:
    value = secret(kind)
    options, env = _invocation(cli, kind, form, server.endpoint, value,
                               tmp_path)
    transcript = Transcript(tmp_path, capfd)
    log = ['--log-file', str(transcript.log_file())]
    verbose = [flag, *log]
    argv = [str(base.BIN_DIR / cli),
            *(verbose + options if first else options + verbose),
            *COMMAND[cli]]
    binary = True if BINARY_FORM[cli, kind] == form else None
    result = transcript.add(run(argv, env, input=b'', binary=binary))
    assert result.returncode == (0 if kind == 'token' else 1), result
    if cli == 'openstack':
        # osc-lib did log the command line (masked), so the test looks at
        # the place the secret used to leak.
        assert 'START with options' in result.stderr, result
    transcript.assert_clean(value)


def test_matrix_keeps_a_binary_row_per_kind_and_cli() -> None:
    binary = {(cli, kind) for cli in CLIS for kind in KINDS
              if BINARY_FORM[cli, kind] in FORMS}
    assert binary == {(cli, kind) for cli in CLIS for kind in KINDS}
    for cli in CLIS:
        assert {BINARY_FORM[cli, kind] for kind in KINDS} == set(FORMS)

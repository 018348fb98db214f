"""Helpers for the functional tests: the CLIs, the sandbox, a real Keystone.

How commands run (the convention every functional test follows)
----------------------------------------------------------------
``run_openstack(...)`` and ``run_monasca(...)`` build the argv and the
environment of a real ``openstack``/``monasca`` call and return a
:class:`CommandResult` (exit code, stdout, stderr as text). By default the
command runs **in-process**: ``inprocess.run`` calls the console script's
``main`` inside the pytest process with that argv, environment and stdin,
captures stdout/stderr as the binary would write them, gives the exit code
the binary would give, and resets logging, warnings filters, signal handlers
and monasca-osc's per-process flags afterwards. The command still talks real
HTTP to the session sandbox (a subprocess on 127.0.0.1). That costs a few
milliseconds instead of a Python start-up per call.

The **real binary** (a subprocess of ``bin/openstack``/``bin/monasca``) runs
instead when

* the call says ``binary=True`` (the smoke tests of each command group:
  keep one or two per group, named ``test_*_binary``), or
* the test is marked ``@pytest.mark.binary`` (a whole module:
  ``pytestmark = pytest.mark.binary``), or
* ``MONASCA_OSC_TEST_BINARY=1`` is set (runs the whole suite the slow way,
  to check that both paths agree).

Use the binary where the process boundary is the point: signals and Ctrl-C,
raw (non-UTF-8) bytes and huge arguments in argv, import cost and start-up,
the README tour; the TLS and secrets tests keep one binary row per case (see
their docstrings). Keystone tests run in-process against the real Keystone
too; a few of them (clouds.yaml and a password, a token, the legacy
``monasca`` with ``OS_*`` variables, re-authentication) say
``binary=True``. The robustness corpus runs most rows
in-process and its non-UTF-8/huge rows plus a fixed sample through the
binaries, each of those also in-process with the same result required (see
``test_robustness_corpus.py``). ``test_inprocess_parity.py`` runs the same
commands both ways and compares stdout, stderr and exit codes byte for
byte.

Two ways to authenticate:

* no Keystone: ``run_openstack(...)`` uses ``--os-auth-type none`` (which
  sends ``X-Auth-Token: notused``, so the sandbox files everything under
  tenant ``notused``), or ``token=T`` for ``--os-auth-type admin_token``
  (``X-Auth-Token: T``: tenant ``T``);
* real Keystone (tests marked ``keystone``): ``cloud='mon-user'`` etc. with
  the ``clouds.yaml`` that ``tools/keystone_sandbox.py up`` generated.
"""

from __future__ import annotations

import atexit
from collections.abc import Callable
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any
import urllib.error
import urllib.request
import uuid

from monasca_osc.testing import free_port, stop_process, wait_for_http

REPO_ROOT = Path(__file__).resolve().parents[3]
KEYSTONE_TOOL = REPO_ROOT / 'tools' / 'keystone_sandbox.py'
BIN_DIR = Path(sys.executable).parent

# The tenant the sandbox sees for keystoneauth's ``none`` plugin, whose
# token is the constant 'notused'; run_monasca defaults to the same so both
# CLIs share data when no token is given.
NOAUTH_TENANT = 'notused'
# Users that setup writes into clouds.yaml, with their roles on their project.
KEYSTONE_CLOUDS = ('mon-user', 'mon-ro', 'mon-admin', 'mon-agent',
                   'mon-other-user')

ENV_BINARY = 'MONASCA_OSC_TEST_BINARY'
ENV_KEYSTONE_VENV = 'MONASCA_OSC_KEYSTONE_VENV'
ENV_NO_KEYSTONE = 'MONASCA_OSC_NO_KEYSTONE'
KEYSTONE_MISSING = (
    'Keystone is not installed for the functional tests: run '
    '`python tools/keystone_sandbox.py install` (or set '
    f'{ENV_KEYSTONE_VENV} to an installed venv), or set '
    f'{ENV_NO_KEYSTONE}=1 to skip the tests marked `keystone`')


@dataclass
class _Harness:
    """Session-wide state filled in by conftest's fixtures."""

    sandbox_endpoint: str | None = None
    clouds_yaml: Path | None = None
    keystone: KeystoneEnv | None = None
    # The last Keystone started this run (kept for the timing summary).
    last_keystone: KeystoneEnv | None = None
    cache_dir: Path | None = None
    # Set by conftest: starts the session sandbox on first need.
    start_sandbox: Callable[[], Any] | None = None
    # Set by conftest per test: run the real binaries by default (the test
    # is marked `binary`).
    binary: bool = False


HARNESS = _Harness()


def _cache_dir() -> Path:
    # One XDG cache for the whole run: stevedore caches entry points there,
    # which makes every `openstack` call after the first faster, while the
    # developer's own ~/.cache is never read or written.
    if HARNESS.cache_dir is None:
        path = Path(tempfile.mkdtemp(prefix='monasca-osc-xdg-'))
        atexit.register(shutil.rmtree, path, True)
        HARNESS.cache_dir = path
    return HARNESS.cache_dir


# --------------------------------------------------------------------------
# running the CLIs
# --------------------------------------------------------------------------

@dataclass
class CommandResult:
    """What a CLI run produced."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    env: dict[str, str] = field(default_factory=dict, repr=False)

    def json(self) -> Any:
        """Parse stdout as JSON (for ``-f json`` output)."""
        try:
            return json.loads(self.stdout)
        except ValueError as exc:
            raise AssertionError(
                f'stdout of {self.command_line} is not JSON ({exc}):\n'
                f'{self.stdout[:2000]}') from None

    @property
    def command_line(self) -> str:
        return ' '.join(self.args)

    def __str__(self) -> str:
        return (f'$ {self.command_line}\n-> exit {self.returncode}\n'
                f'--- stdout ---\n{self.stdout}\n--- stderr ---\n'
                f'{self.stderr}')


def _base_env(extra: dict[str, str] | None) -> dict[str, str]:
    # Drop the developer's own cloud settings so a test never talks to a
    # real cloud and behaves the same on every machine.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('OS_', 'MONASCA_'))}
    env['XDG_CACHE_HOME'] = str(_cache_dir())
    env.setdefault('PYTHONIOENCODING', 'utf-8')
    if extra:
        env.update(extra)
    return env


def use_binary(binary: bool | None = None) -> bool:
    """Whether a call runs the real binary (see the module docstring)."""
    if binary is not None:
        return binary
    return HARNESS.binary or os.environ.get(ENV_BINARY, '') not in ('', '0')


def _run(argv: list[str], env: dict[str, str], input: str | None,
         check: bool, timeout: float, binary: bool | None) -> CommandResult:
    if use_binary(binary):
        try:
            proc = subprocess.run(argv, env=env, input=input,
                                  capture_output=True, text=True,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(
                f'$ {" ".join(argv)} did not finish in {timeout}s\n'
                f'stderr so far: {exc.stderr!r}') from None
        code, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
    else:
        from monasca_osc.tests.functional import inprocess

        try:
            code, stdout, stderr = inprocess.run(argv, env, input, timeout)
        except inprocess.Timeout:
            raise AssertionError(
                f'$ {" ".join(argv)} did not finish in {timeout}s '
                f'(in-process)') from None
    result = CommandResult(argv, code, stdout, stderr, env)
    # Errors must be one line for users; a traceback is a bug even when the
    # test expects a failure. --debug legitimately prints them.
    if '--debug' not in argv:
        assert 'Traceback' not in result.stderr, (
            f'traceback on stderr:\n{result}')
    if check and result.returncode != 0:
        raise AssertionError(f'command failed:\n{result}')
    return result


def run_openstack(*args: str, cloud: str | None = None,
                  endpoint: str | None = None, token: str | None = None,
                  env: dict[str, str] | None = None, input: str | None = None,
                  check: bool = True, timeout: float = 120,
                  binary: bool | None = None) -> CommandResult:
    """Run ``openstack`` (in-process unless ``binary``: see above).

    * ``cloud='mon-user'``: ``--os-cloud`` with the generated clouds.yaml
      (needs the ``keystone`` fixture, i.e. a test marked ``keystone``);
    * ``token='T'``: ``--os-auth-type admin_token --os-endpoint E
      --os-token T`` (tenant ``T`` in the sandbox);
    * neither: ``--os-auth-type none --os-endpoint E`` (tenant
      ``NOAUTH_TENANT``).

    E is ``endpoint`` or the session sandbox's ``/v2.0`` endpoint.
    """
    argv = [str(BIN_DIR / 'openstack')]
    extra: dict[str, str] = {}
    if cloud is not None:
        if endpoint is not None or token is not None:
            raise ValueError('cloud= excludes endpoint= and token=')
        extra['OS_CLIENT_CONFIG_FILE'] = str(_clouds_yaml())
        argv += ['--os-cloud', cloud]
    else:
        endpoint = endpoint or default_endpoint()
        if token is None:
            argv += ['--os-auth-type', 'none', '--os-endpoint', endpoint]
        else:
            argv += ['--os-auth-type', 'admin_token', '--os-endpoint',
                     endpoint, '--os-token', token]
    argv += [str(a) for a in args]
    return _run(argv, _base_env({**extra, **(env or {})}), input, check,
                timeout, binary)


def run_monasca(*args: str, cloud: str | None = None,
                endpoint: str | None = None, token: str | None = None,
                env: dict[str, str] | None = None, input: str | None = None,
                check: bool = True, timeout: float = 120,
                binary: bool | None = None) -> CommandResult:
    """Run the legacy ``monasca`` (in-process unless ``binary``).

    Without ``cloud`` it uses the documented no-Keystone setup:
    ``MONASCA_API_URL`` (``endpoint`` or the session sandbox's),
    ``OS_AUTH_TOKEN`` (``token``, default ``NOAUTH_TENANT``) and
    ``OS_NO_CLIENT_AUTH=1``. With ``cloud`` it uses ``OS_CLOUD`` and the
    generated clouds.yaml; ``endpoint`` then sets ``MONASCA_API_URL``.
    """
    extra: dict[str, str] = {}
    if cloud is not None:
        if token is not None:
            raise ValueError('cloud= excludes token=')
        extra['OS_CLIENT_CONFIG_FILE'] = str(_clouds_yaml())
        extra['OS_CLOUD'] = cloud
        if endpoint is not None:
            extra['MONASCA_API_URL'] = endpoint
    else:
        extra['MONASCA_API_URL'] = endpoint or default_endpoint()
        extra['OS_AUTH_TOKEN'] = NOAUTH_TENANT if token is None else token
        extra['OS_NO_CLIENT_AUTH'] = '1'
    argv = [str(BIN_DIR / 'monasca'), *(str(a) for a in args)]
    return _run(argv, _base_env({**extra, **(env or {})}), input, check,
                timeout, binary)


def default_endpoint() -> str:
    """The no-Keystone session sandbox's ``/v2.0`` endpoint."""
    if HARNESS.sandbox_endpoint is None and HARNESS.start_sandbox:
        HARNESS.start_sandbox()
    if HARNESS.sandbox_endpoint is None:
        raise RuntimeError(
            'no sandbox is running: use the `sandbox` fixture (conftest.py '
            'in monasca_osc/tests/functional starts it for every test)')
    return HARNESS.sandbox_endpoint


def _clouds_yaml() -> Path:
    if HARNESS.clouds_yaml is None:
        raise RuntimeError(
            'no Keystone is running: mark the test with @pytest.mark.keystone')
    return HARNESS.clouds_yaml


def unique_name(prefix: str = 'test') -> str:
    """A name no other test (or earlier run) uses, for shared sandboxes."""
    return f'{prefix}-{uuid.uuid4().hex[:12]}'


# --------------------------------------------------------------------------
# Keystone
# --------------------------------------------------------------------------

def _log_tail(log: Path, lines: int = 5) -> str:
    if not log.exists():
        return ''
    tail = log.read_text(errors='replace').strip().splitlines()[-lines:]
    return f' ({log}):\n' + '\n'.join(tail) if tail else ''


def keystone_venv() -> Path | None:
    """The Keystone venv to use, or None when none is installed."""
    configured = os.environ.get(ENV_KEYSTONE_VENV)
    venv = Path(configured) if configured else REPO_ROOT / '.keystone-venv'
    if (venv / '.keystone-sandbox-installed').is_file():
        return venv
    return None


def keystone_disabled() -> bool:
    return os.environ.get(ENV_NO_KEYSTONE, '') not in ('', '0')


class KeystoneEnv:
    """A running throw-away Keystone made by tools/keystone_sandbox.py.

    ``info`` is the ``keystone.json`` that setup wrote: ``auth_url``,
    ``region``, ``monitoring_url``, ``projects`` (name -> id), ``roles``
    and ``users`` (name -> password, project, project_id, user_id, roles).
    """

    def __init__(self, venv: Path, workdir: Path, monitoring_url: str,
                 port: int | None = None) -> None:
        self.venv = venv
        self.workdir = workdir
        self.port = port or free_port()
        self.monitoring_url = monitoring_url
        self.proc: subprocess.Popen | None = None
        # The sandbox behind keystonemiddleware (set by conftest).
        self.sandbox: Any = None
        self.info: dict[str, Any] = {}
        self.start_seconds = 0.0

    @property
    def auth_url(self) -> str:
        return f'http://127.0.0.1:{self.port}/v3'

    @property
    def clouds_yaml(self) -> Path:
        return self.workdir / 'clouds.yaml'

    @property
    def log(self) -> Path:
        return self.workdir / 'keystone.log'

    def start(self) -> None:
        """``keystone_sandbox.py up``: set up and serve in one process;
        returns once Keystone answers (``keystone.json`` is written by
        then)."""
        start = time.monotonic()
        out = open(self.workdir / 'serve.log', 'wb')  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(
                [sys.executable, str(KEYSTONE_TOOL), 'up', '--quiet',
                 '--venv', str(self.venv), '--workdir', str(self.workdir),
                 '--port', str(self.port), '--monitoring-url',
                 self.monitoring_url],
                stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        finally:
            out.close()  # the child has its own descriptor
        try:
            wait_for_http(self.auth_url, self.proc, timeout=300,
                          what='Keystone')
        except RuntimeError as exc:
            self.stop()
            raise RuntimeError(f'{exc}{_log_tail(self.workdir / "serve.log")}'
                               ) from None
        self.info = json.loads((self.workdir / 'keystone.json').read_text())
        self.start_seconds = time.monotonic() - start

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None

    # -- data for tests -------------------------------------------------

    def user(self, name: str) -> dict[str, Any]:
        return self.info['users'][name]

    def password(self, name: str) -> str:
        return self.user(name)['password']

    def project_id(self, name: str) -> str:
        """Id of a project by name (``mon-project``, ``mon-other``...)."""
        return self.info['projects'][name]

    def os_env(self, name: str) -> dict[str, str]:
        """``OS_*`` variables that authenticate as user ``name``."""
        user = self.user(name)
        return {
            'OS_AUTH_URL': self.auth_url,
            'OS_USERNAME': name,
            'OS_PASSWORD': user['password'],
            'OS_PROJECT_NAME': user['project'],
            'OS_USER_DOMAIN_NAME': 'Default',
            'OS_PROJECT_DOMAIN_NAME': 'Default',
            'OS_IDENTITY_API_VERSION': '3',
            'OS_REGION_NAME': self.info['region'],
            'OS_AUTH_TYPE': 'password',
        }

    def session(self, name: str) -> Any:
        """A keystoneauth1 Session authenticated as user ``name``."""
        from keystoneauth1 import session
        from keystoneauth1.identity import v3

        user = self.user(name)
        auth = v3.Password(
            auth_url=self.auth_url, username=name,
            password=user['password'], project_name=user['project'],
            user_domain_name='Default', project_domain_name='Default')
        return session.Session(auth=auth)

    def set_monitoring_url(self, url: str) -> None:
        """Point the catalog's monitoring endpoints at ``url``.

        For when the sandbox's port was only known after setup.
        """
        if url == self.monitoring_url:
            return
        admin = self.user('admin')
        token = _keystone_token(self.auth_url, 'admin', admin['password'])
        endpoints = _http_json(
            'GET', f'{self.auth_url}/endpoints?service_id='
            f'{self._monitoring_service_id(token)}', token=token)
        for ep in endpoints['endpoints']:
            _http_json('PATCH', f'{self.auth_url}/endpoints/{ep["id"]}',
                       {'endpoint': {'url': url}}, token=token)
        self.monitoring_url = url
        self.info['monitoring_url'] = url

    def _monitoring_service_id(self, token: str) -> str:
        services = _http_json('GET', f'{self.auth_url}/services?type='
                              'monitoring', token=token)['services']
        return services[0]['id']


def _http_json(method: str, url: str, body: dict | None = None,
               token: str | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header('Accept', 'application/json')
    if data is not None:
        req.add_header('Content-Type', 'application/json')
    if token:
        req.add_header('X-Auth-Token', token)
    with urllib.request.urlopen(req, timeout=30) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else None


def _keystone_token(auth_url: str, user: str, password: str) -> str:
    body = {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': user, 'domain': {'id': 'default'},
            'password': password}}},
        'scope': {'system': {'all': True}}}}
    req = urllib.request.Request(
        f'{auth_url}/auth/tokens', data=json.dumps(body).encode(),
        method='POST', headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.headers['X-Subject-Token']

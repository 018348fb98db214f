#!/usr/bin/env python3
"""A throw-away real Keystone for monasca-osc's functional tests.

Stdlib only; runs with any python3 >= 3.11. Keystone itself lives in a
separate virtualenv so it never pollutes the project's environment.

Usage::

    tools/keystone_sandbox.py install [--venv DIR] [--spec SPEC]
    tools/keystone_sandbox.py setup   [--venv DIR] --workdir W --port P \\
                                      --monitoring-url URL
    tools/keystone_sandbox.py serve   [--venv DIR] --workdir W --port P
    tools/keystone_sandbox.py up      [--venv DIR] --workdir W --port P \\
                                      --monitoring-url URL

``install``
    Create DIR (default: ``$MONASCA_OSC_KEYSTONE_VENV`` or ``.keystone-venv``
    in the repository root) and pip-install Keystone into it. Idempotent.
``setup``
    Write ``W/keystone.conf`` (SQLite, fernet tokens, fast password hashing),
    initialise the database and key repositories, bootstrap the admin user
    and create the monasca roles, projects, users, the ``monasca`` service
    user and the ``monitoring`` service whose endpoints are URL. Writes
    ``W/clouds.yaml`` (clouds ``mon-user``, ``mon-ro``, ``mon-admin``,
    ``mon-agent``, ``mon-other-user``, ``admin``, ``monasca``) and
    ``W/keystone.json`` (URLs, users, passwords, ids). Any previous Keystone
    state in W is replaced; passwords are random per setup. All of it runs
    in one process inside the venv, with Keystone's own code for what
    ``keystone-manage`` ``fernet_setup``, ``credential_setup``, ``db_sync``
    and ``bootstrap`` do, and its REST API (called in-process) for the rest.
``serve``
    Serve Keystone on http://127.0.0.1:P/v3 until SIGTERM/SIGINT.
``up``
    ``setup`` then ``serve`` from the same process (what the functional
    tests use): Keystone is imported once, and the server starts with the
    users, projects and catalog already in its cache. ``keystone.json`` is
    written before the port opens.

Keystone runs with its in-memory cache (``dogpile.cache.memory``): one
server process makes every write, so the cache is always current, and a
request costs about a third of what it costs with every lookup in SQLite.

Every failure exits non-zero with one ``keystone_sandbox: error: ...`` line;
the full output of the failed step is kept in a log file it names.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
import secrets
import shutil
import signal
import subprocess
import sys
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VENV = Path(
    os.environ.get('MONASCA_OSC_KEYSTONE_VENV') or REPO_ROOT / '.keystone-venv'
)
DEFAULT_SPEC = (
    os.environ.get('MONASCA_OSC_KEYSTONE_SPEC') or 'keystone==30.0.0'
)
MARKER = '.keystone-sandbox-installed'
REGION = 'RegionOne'
DOMAIN = 'default'

MONASCA_ROLES = ('monasca-user', 'monasca-read-only-user', 'monasca-agent')
PROJECTS = ('mon-project', 'mon-other', 'service')
# user -> (project, roles). The order of roles matters only for readability.
USERS: dict[str, tuple[str, tuple[str, ...]]] = {
    'mon-user': ('mon-project', ('monasca-user',)),
    'mon-ro': ('mon-project', ('monasca-read-only-user',)),
    'mon-admin': ('mon-project', ('monasca-user', 'admin')),
    'mon-agent': ('mon-project', ('monasca-agent',)),
    'mon-other-user': ('mon-other', ('monasca-user',)),
    'monasca': ('service', ('service', 'admin')),
}
CLOUD_USERS = ('mon-user', 'mon-ro', 'mon-admin', 'mon-agent',
               'mon-other-user')

# Files and directories `setup` owns inside the workdir (wiped on re-setup).
STATE_FILES = ('keystone.conf', 'keystone.db', 'keystone.log',
               'keystone-manage.log', 'clouds.yaml', 'keystone.json')
STATE_DIRS = ('fernet-keys', 'fernet-receipts', 'credential-keys')


class SandboxError(Exception):
    """A failure reported as one line."""


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def _keystone_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env['OS_KEYSTONE_CONFIG_DIR'] = str(workdir)
    env['OS_KEYSTONE_CONFIG_FILES'] = 'keystone.conf'
    # Keystone's dependencies warn at import time (eventlet's deprecation,
    # among others): noise on a test server's console, never actionable here.
    env.setdefault('PYTHONWARNINGS', 'ignore')
    return env


def _venv_python(venv: Path) -> Path:
    return venv / 'bin' / 'python'


def _require_installed(venv: Path) -> None:
    if not (venv / MARKER).is_file() or not _venv_python(venv).exists():
        raise SandboxError(
            f'no Keystone installed in {venv}; run: '
            f'{Path(__file__).name} install --venv {venv}')


def _in_venv(venv: Path) -> bool:
    return Path(sys.prefix).resolve() == venv.resolve()


def _reexec_in_venv(venv: Path, argv: list[str], env: dict[str, str]) -> None:
    """Replace this process with the same script run by the venv python.

    Keystone can only be imported from its own venv; exec (not a child)
    keeps the pid, so SIGTERM sent by a caller reaches the server directly.
    """
    _require_installed(venv)
    py = str(_venv_python(venv))
    os.execve(py, [py, str(Path(__file__).resolve()), *argv], env)


def _run_logged(cmd: list[str], log: Path, env: dict[str, str] | None = None,
                what: str = '') -> None:
    with open(log, 'ab') as fh:
        fh.write(f'\n$ {what or cmd[0]}\n'.encode())
        fh.flush()
        rc = subprocess.call(cmd, stdout=fh, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env=env)
    if rc != 0:
        raise SandboxError(f'{what or cmd[0]} failed (exit {rc}); see {log}')


def _port_free(port: int) -> bool:
    import socket
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(('127.0.0.1', port))
        except OSError:
            return False
    return True


def _yaml_str(value: str) -> str:
    # JSON strings are valid YAML flow scalars; avoids a yaml dependency.
    return json.dumps(value)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as fh:
        fh.write(text)


# --------------------------------------------------------------------------
# install
# --------------------------------------------------------------------------

def cmd_install(args: argparse.Namespace) -> None:
    venv: Path = args.venv.resolve()
    marker = venv / MARKER
    if (marker.is_file() and marker.read_text().strip() == args.spec
            and _venv_python(venv).exists()):
        if not args.quiet:
            print(f'keystone already installed in {venv} ({args.spec})')
        return
    if not _venv_python(venv).exists():
        try:
            subprocess.run([sys.executable, '-m', 'venv', str(venv)],
                           check=True, capture_output=True)
        except subprocess.CalledProcessError as exc:
            last = (exc.stderr or b'').decode(errors='replace').strip()
            last = last.splitlines()[-1] if last else ''
            raise SandboxError(f'cannot create venv {venv}: {last}') from None
    log = venv / 'pip-install.log'
    log.write_text('')
    # wsgiref (stdlib) serves it, so Keystone's own requirements suffice.
    _run_logged([str(_venv_python(venv)), '-m', 'pip', 'install',
                 '--disable-pip-version-check', '--no-input', args.spec],
                log, what=f'pip install {args.spec}')
    check = subprocess.run(
        [str(_venv_python(venv)), '-c',
         'import keystone.server.flask, werkzeug.test'],
        check=False, capture_output=True)
    if check.returncode != 0:
        raise SandboxError(f'keystone installed in {venv} but does not import')
    marker.write_text(args.spec + '\n')
    if not args.quiet:
        print(f'keystone installed in {venv} ({args.spec})')


# --------------------------------------------------------------------------
# setup
# --------------------------------------------------------------------------

def _keystone_conf(workdir: Path) -> str:
    return f"""\
[DEFAULT]
debug = false
use_stderr = false
log_dir = {workdir}
log_file = keystone.log

[database]
connection = sqlite:///{workdir / 'keystone.db'}

[token]
provider = fernet
expiration = 14400

[fernet_tokens]
key_repository = {workdir / 'fernet-keys'}
max_active_keys = 3

[fernet_receipts]
key_repository = {workdir / 'fernet-receipts'}
max_active_keys = 3

[credential]
key_repository = {workdir / 'credential-keys'}

[identity]
# The minimum bcrypt cost: this Keystone guards nothing but tests.
password_hash_rounds = 4
# bcrypt's own limit; a larger value only makes Keystone warn on every hash.
max_password_length = 72

[cache]
# One process serves every request and makes every write (invalidations
# included), so a per-process memory cache is exact here.
enabled = true
backend = dogpile.cache.memory
"""


def _plan(workdir: Path, port: int, monitoring_url: str) -> dict[str, Any]:
    """What provisioning needs; passwords are random per setup."""
    return {'workdir': str(workdir), 'port': port,
            'monitoring_url': monitoring_url,
            'passwords': {name: secrets.token_urlsafe(18)
                          for name in ('admin', *USERS)}}


def _set_up(args: argparse.Namespace, workdir: Path) -> Any:
    """Inside the venv: replace the Keystone state in W, then do what
    ``keystone-manage`` ``fernet_setup``, ``credential_setup``, ``db_sync``
    and ``bootstrap`` do, with Keystone's own code in this one process, and
    provision. Returns the loaded WSGI application."""
    workdir.mkdir(parents=True, exist_ok=True)
    for name in STATE_FILES:
        (workdir / name).unlink(missing_ok=True)
    for name in STATE_DIRS:
        shutil.rmtree(workdir / name, ignore_errors=True)
    (workdir / 'keystone.conf').write_text(_keystone_conf(workdir))
    log = workdir / 'setup.log'
    try:
        from keystone.common import fernet_utils

        for group, directory in (('fernet_tokens', 'fernet-keys'),
                                 ('fernet_receipts', 'fernet-receipts'),
                                 ('credential', 'credential-keys')):
            keys = fernet_utils.FernetUtils(str(workdir / directory), 3,
                                            group)
            keys.create_key_directory(os.getuid(), os.getgid())
            keys.initialize_key_repository(os.getuid(), os.getgid())
        app = _load_keystone_app(workdir, db_sync=True)
        _provision(app, _plan(workdir, args.port, args.monitoring_url))
    except SandboxError:
        raise
    # Whatever Keystone raises becomes one line; the traceback goes to log.
    except Exception as exc:  # noqa: BLE001
        import traceback

        log.write_text(traceback.format_exc())
        raise SandboxError(f'setup failed: {type(exc).__name__}: '
                           f'{str(exc).splitlines()[0] if str(exc) else ""}'
                           f' (see {log})') from None
    return app


def cmd_setup(args: argparse.Namespace) -> None:
    workdir: Path = args.workdir.resolve()
    _enter_venv(args, workdir)
    _set_up(args, workdir)
    if not args.quiet:
        print(f'keystone set up in {workdir} (clouds.yaml, keystone.json)')


def _bootstrap(auth_url: str, password: str) -> dict[str, str]:
    """What ``keystone-manage bootstrap`` does, with Keystone's own
    Bootstrapper, in this process (whose Keystone application has loaded
    the backends already; a second load would be refused).

    Returns the ids of the admin user, project and roles it made."""
    from unittest import mock

    from keystone.cmd import bootstrap
    from keystone.server import backends

    with mock.patch.object(backends, 'load_backends', lambda: None):
        boot = bootstrap.Bootstrapper()
    boot.admin_username = 'admin'
    boot.admin_password = password
    boot.project_name = 'admin'
    boot.admin_role_name = 'admin'
    boot.service_name = 'keystone'
    boot.region_id = REGION
    boot.admin_url = boot.public_url = boot.internal_url = auth_url
    boot.immutable_roles = True
    boot.bootstrap()
    return {'user': boot.admin_user_id, 'project': boot.project_id,
            'admin_role': boot.admin_role_id,
            'service_role': boot.service_role_id}


def _provision(app: Any, plan: dict[str, Any]) -> None:
    """Bootstrap, then create roles/projects/users/catalog through
    Keystone's REST API (called in-process on ``app``); write
    ``keystone.json`` and ``clouds.yaml``."""
    from werkzeug.test import Client

    workdir = Path(plan['workdir'])
    auth_url = f'http://127.0.0.1:{plan["port"]}/v3'
    pw = plan['passwords']
    boot = _bootstrap(auth_url, pw['admin'])
    client = Client(app)
    base = {'base_url': f'http://127.0.0.1:{plan["port"]}'}

    def call(method: str, path: str, body: dict | None, key: str,
             token: str | None = None) -> Any:
        headers = {'Accept': 'application/json'}
        if token:
            headers['X-Auth-Token'] = token
        resp = client.open(path, method=method, json=body, headers=headers,
                           **base)
        if resp.status_code not in (200, 201, 204):
            raise SandboxError(
                f'{method} {path} -> {resp.status_code}: '
                f'{resp.get_data(as_text=True)[:300]}')
        return resp if key == '' else resp.get_json()[key]['id']

    # A system-scoped admin token passes every identity/catalog policy.
    token = call('POST', '/v3/auth/tokens', {'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': 'admin', 'domain': {'id': DOMAIN},
            'password': pw['admin']}}},
        'scope': {'system': {'all': True}}}}, '').headers['X-Subject-Token']

    def make(kind: str, body: dict) -> str:
        return call('POST', f'/v3/{kind}s', {kind: body}, kind, token)

    roles = {'admin': boot['admin_role'], 'service': boot['service_role']}
    for role in MONASCA_ROLES:
        roles[role] = make('role', {'name': role})
    projects = {'admin': boot['project']}
    for project in PROJECTS:
        projects[project] = make('project', {
            'name': project, 'domain_id': DOMAIN,
            'description': 'monasca-osc test project'})
    users = {'admin': boot['user']}
    for name, (project, user_roles) in USERS.items():
        users[name] = make('user', {
            'name': name, 'domain_id': DOMAIN, 'password': pw[name],
            'default_project_id': projects[project], 'enabled': True})
        for role in user_roles:
            call('PUT', f'/v3/projects/{projects[project]}/users/'
                 f'{users[name]}/roles/{roles[role]}', None, '', token)
    service_id = make('service', {
        'type': 'monitoring', 'name': 'monasca',
        'description': 'Monasca monitoring API (monasca-osc sandbox)'})
    for interface in ('public', 'internal', 'admin'):
        make('endpoint', {'service_id': service_id, 'interface': interface,
                          'url': plan['monitoring_url'],
                          'region_id': REGION})
    _write_outputs(workdir, auth_url, plan['monitoring_url'], pw,
                   {'roles': roles, 'projects': projects, 'users': users})


def _write_outputs(workdir: Path, auth_url: str, monitoring_url: str,
                   passwords: dict[str, str], ids: dict[str, Any]) -> None:
    users: dict[str, Any] = {}
    for name, (project, roles) in USERS.items():
        users[name] = {
            'password': passwords[name], 'project': project,
            'project_id': ids['projects'][project],
            'user_id': ids['users'][name], 'roles': list(roles),
        }
    users['admin'] = {
        'password': passwords['admin'], 'project': 'admin',
        'project_id': ids['projects']['admin'],
        'user_id': ids['users']['admin'], 'roles': ['admin'],
    }
    clouds_yaml = workdir / 'clouds.yaml'
    info = {
        'auth_url': auth_url,
        'region': REGION,
        'monitoring_url': monitoring_url,
        'clouds_yaml': str(clouds_yaml),
        'service_user': 'monasca',
        'service_project': 'service',
        'projects': ids['projects'],
        'roles': ids['roles'],
        'users': users,
    }
    _write_private(workdir / 'keystone.json', json.dumps(info, indent=2))

    lines = ['clouds:']
    for name in (*CLOUD_USERS, 'admin', 'monasca'):
        user = users[name]
        lines += [
            f'  {name}:',
            '    auth_type: password',
            '    auth:',
            f'      auth_url: {_yaml_str(auth_url)}',
            f'      username: {_yaml_str(name)}',
            f'      password: {_yaml_str(user["password"])}',
            f'      project_name: {_yaml_str(user["project"])}',
            '      user_domain_name: Default',
            '      project_domain_name: Default',
            '    identity_api_version: 3',
            f'    region_name: {REGION}',
            '    interface: public',
        ]
    _write_private(clouds_yaml, '\n'.join(lines) + '\n')


def _load_keystone_app(workdir: Path, db_sync: bool = False) -> Any:
    """Keystone's WSGI application configured from W/keystone.conf, as
    ``keystone.wsgi.api`` builds it.

    With ``db_sync``, the database is migrated first (what ``keystone-manage
    db_sync`` does) in this process, once the configuration is loaded and
    before the backends are. oslo.config parses ``sys.argv``: our own
    arguments are hidden first.
    """
    os.environ['OS_KEYSTONE_CONFIG_DIR'] = str(workdir)
    os.environ['OS_KEYSTONE_CONFIG_FILES'] = 'keystone.conf'
    sys.argv = [sys.argv[0]]
    # Only importable inside the venv.
    from keystone.common.sql import upgrades
    from keystone.server.flask import core

    return core.initialize_application(
        'public', config_files=[str(workdir / 'keystone.conf')],
        post_log_configured_function=(
            upgrades.offline_sync_database_to_version if db_sync
            else lambda: None))


# --------------------------------------------------------------------------
# serve, up
# --------------------------------------------------------------------------

def _exit_on_signals() -> None:
    def on_signal(signum: int, frame: Any) -> None:
        # Raised in the main thread (in serve_forever() once serving).
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def _serve(app: Any, port: int, quiet: bool) -> None:
    import socketserver
    from wsgiref import simple_server

    class Handler(simple_server.WSGIRequestHandler):
        def log_message(self, format: str, *a: Any) -> None:
            pass  # Keystone logs requests itself; keep the console quiet.

    class Server(socketserver.ThreadingMixIn, simple_server.WSGIServer):
        daemon_threads = True
        allow_reuse_address = True

    try:
        httpd = simple_server.make_server('127.0.0.1', port, app,
                                          server_class=Server,
                                          handler_class=Handler)
    except OSError as exc:
        raise SandboxError(
            f'cannot listen on 127.0.0.1:{port}: {exc.strerror}') from None
    if not quiet:
        print(f'keystone serving http://127.0.0.1:{port}/v3', flush=True)
    try:
        httpd.serve_forever(poll_interval=0.5)
    except SystemExit:
        pass
    finally:
        httpd.server_close()


def _enter_venv(args: argparse.Namespace, workdir: Path) -> None:
    """Outside the venv: check the port (when serving), then re-exec this
    command there."""
    venv: Path = args.venv.resolve()
    if _in_venv(venv):
        return
    _require_installed(venv)
    if args.command != 'setup' and not _port_free(args.port):
        raise SandboxError(f'port {args.port} on 127.0.0.1 is in use')
    argv = [args.command, '--venv', str(venv), '--workdir', str(workdir),
            '--port', str(args.port)]
    if args.command != 'serve':
        argv += ['--monitoring-url', args.monitoring_url]
    _reexec_in_venv(venv, argv + (['--quiet'] if args.quiet else []),
                    _keystone_env(workdir))


def cmd_serve(args: argparse.Namespace) -> None:
    workdir: Path = args.workdir.resolve()
    if not (workdir / 'keystone.conf').is_file():
        raise SandboxError(f'{workdir}/keystone.conf missing; run setup first')
    _enter_venv(args, workdir)
    _exit_on_signals()
    _serve(_load_keystone_app(workdir), args.port, args.quiet)


def cmd_up(args: argparse.Namespace) -> None:
    workdir: Path = args.workdir.resolve()
    _enter_venv(args, workdir)
    _exit_on_signals()
    _serve(_set_up(args, workdir), args.port, args.quiet)


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='keystone_sandbox.py',
        description='A local Keystone for monasca-osc functional tests.')
    sub = parser.add_subparsers(dest='command', required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument('--venv', type=Path, default=DEFAULT_VENV,
                       help=f'Keystone virtualenv (default: {DEFAULT_VENV})')
        p.add_argument('--quiet', '-q', action='store_true',
                       help='print nothing on success')

    p = sub.add_parser('install', help='create the venv and install Keystone')
    common(p)
    p.add_argument('--spec', default=DEFAULT_SPEC,
                   help='pip requirement to install '
                   f'(default: {DEFAULT_SPEC})')

    # command -> (help, takes --monitoring-url)
    for name, what, catalog in (
            ('setup', 'configure and populate a Keystone', True),
            ('serve', 'serve Keystone on 127.0.0.1:PORT', False),
            ('up', 'setup, then serve, in one process', True)):
        p = sub.add_parser(name, help=what)
        common(p)
        p.add_argument('--workdir', type=Path, required=True)
        p.add_argument('--port', type=int, default=5000)
        if catalog:
            p.add_argument('--monitoring-url', required=True,
                           help="the sandbox's /v2.0 URL for the catalog")

    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {'install': cmd_install, 'setup': cmd_setup,
                'serve': cmd_serve, 'up': cmd_up}
    try:
        handlers[args.command](args)
    except SandboxError as exc:
        print(f'keystone_sandbox: error: {exc}', file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == '__main__':
    sys.exit(main())

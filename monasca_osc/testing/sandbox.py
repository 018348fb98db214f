"""Start the sandbox in a subprocess, wait for it, stop it, read its log.

The one launcher of ``monasca-sandbox`` used by the test suite, the tour
(``monasca-osc-tour``) and the benchmarks, and meant for your own CI too::

    from monasca_osc.testing import Sandbox

    with Sandbox() as sandbox:           # a free port of 127.0.0.1
        sandbox.endpoint                 # http://127.0.0.1:PORT/v2.0
        sandbox.faults(status=503, path='/v2.0/metrics', count=2)
        sandbox.request_count()
    print(sandbox.log)                   # what it wrote (stdout and stderr)

Flow: :meth:`Sandbox.start` runs ``python -m monasca_osc.sandbox --port 0``
(or ``command``), reads its stdout until the ``listening on URL`` line,
then polls ``URL/healthcheck`` until the server answers; two daemon threads
keep draining its stdout and stderr into :attr:`Sandbox.log` (the last
:data:`LOG_LINES` lines) and into ``log_file`` when one is given, so a
chatty server never blocks on a full pipe. :meth:`Sandbox.stop` sends
SIGTERM and waits (SIGKILL after ``timeout``); :meth:`Sandbox.kill` is
SIGKILL at once. A Keystone password travels in the environment, never on
a command line that ``ps`` shows.

The helpers below ``# -- the test API`` call the sandbox's test API
(``--enable-test-api``, on by default here): fault rules, the request
counter, an evaluation on demand.

Standard library only, so that importing it costs nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
import json
import os
from pathlib import Path
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
from typing import IO, Any
import urllib.error
import urllib.request

__all__ = ['LOG_LINES', 'Sandbox', 'free_port', 'stop_process',
           'wait_for_http']

# How many of the server's last output lines Sandbox.log keeps.
LOG_LINES = 2000
_LISTENING = re.compile(r'listening on (https?://\S+)')
# The directory that holds the monasca_osc package: on the child's
# PYTHONPATH, so ``-m monasca_osc.sandbox`` works from a source tree and
# under another interpreter (``python=``) too.
_SOURCE_ROOT = str(Path(__file__).resolve().parents[2])


def free_port(host: str = '127.0.0.1') -> int:
    """A TCP port on ``host`` that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen | None = None,
                  timeout: float = 60.0, what: str | None = None) -> None:
    """Poll ``url`` until it answers with any HTTP status.

    Raises RuntimeError when ``process`` exits first or after ``timeout``
    seconds (``what`` names the server in the message).
    """
    name = what or url
    context = _no_verify() if url.startswith('https') else None
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f'{name} exited with {process.returncode} '
                               f'before it answered')
        try:
            with urllib.request.urlopen(url, timeout=2, context=context):
                return
        except urllib.error.HTTPError:
            return  # it answered, which is all we wait for
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f'{name} did not answer within {timeout}s')
        time.sleep(0.05)


def stop_process(process: subprocess.Popen, timeout: float = 10.0) -> int:
    """SIGTERM, then SIGKILL if it has not exited after ``timeout``."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def _no_verify() -> ssl.SSLContext:
    # The sandbox's certificate is the caller's own throw-away one.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class Sandbox:
    """``monasca-sandbox`` in a subprocess on a loopback port.

    * ``db``: SQLite file (default: in memory, gone when it stops);
    * ``port``: 0 (default) lets the server pick a free one;
    * ``keystone``: ``{'url', 'user', 'password', 'project',
      'user_domain', 'project_domain'}`` (or the ``keystone_*`` keyword
      arguments) to validate tokens with a real Keystone;
    * ``tls``: ``(certfile, keyfile)`` to serve HTTPS;
    * ``enable_test_api``: faults, request counter, evaluation on demand;
    * ``eval_interval``: seconds between alarm evaluations (0: none);
    * ``quiet``: log errors only;
    * ``extra_args``: more ``monasca-sandbox`` options;
    * ``python``: the interpreter to run it with (default: this one);
    * ``command``: another server instead of ``python -m
      monasca_osc.sandbox``; it gets ``--host``, ``--port`` and ``--db``
      only, and must print ``listening on http://HOST:PORT``;
    * ``env``: its environment (default: this process's);
    * ``log_file``: also append everything it prints there.
    """

    def __init__(self, db: str | os.PathLike | None = None, *,
                 port: int = 0, host: str = '127.0.0.1',
                 keystone: Mapping[str, str] | None = None,
                 keystone_url: str | None = None,
                 keystone_user: str | None = None,
                 keystone_password: str | None = None,
                 keystone_project: str | None = None,
                 tls: tuple[str, str] | None = None,
                 enable_test_api: bool = True,
                 eval_interval: float | None = None,
                 quiet: bool = True,
                 extra_args: Iterable[str] = (),
                 python: str | None = None,
                 command: Iterable[str] | None = None,
                 env: Mapping[str, str] | None = None,
                 log_file: str | os.PathLike | None = None,
                 startup_timeout: float = 30.0) -> None:
        self.db = str(db) if db is not None else None
        self.port = port
        self.host = host
        ks = dict(keystone or {})
        for key, value in (('url', keystone_url), ('user', keystone_user),
                           ('password', keystone_password),
                           ('project', keystone_project)):
            if value:
                ks[key] = value
        self.keystone = ks or None
        self.tls = tls
        self.enable_test_api = enable_test_api
        self.eval_interval = eval_interval
        self.quiet = quiet
        self.extra_args = list(extra_args)
        self.python = python or sys.executable
        self.custom_command = list(command) if command else None
        self.env = dict(env) if env is not None else None
        self.log_file = Path(log_file) if log_file else None
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.url: str | None = None
        self._lines: deque[str] = deque(maxlen=LOG_LINES)
        self._log_lock = threading.Lock()
        self._log_handle: IO[str] | None = None

    # -- lifecycle ----------------------------------------------------------
    @property
    def endpoint(self) -> str:
        """The API root, ``URL/v2.0``."""
        if self.url is None:
            raise RuntimeError('the sandbox is not running')
        return self.url + '/v2.0'

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def log(self) -> str:
        """The last :data:`LOG_LINES` lines it printed (stdout and stderr)."""
        with self._log_lock:
            return ''.join(self._lines)

    def command(self) -> list[str]:
        """The argv :meth:`start` runs."""
        if self.custom_command:
            cmd = self.custom_command + ['--host', self.host,
                                         '--port', str(self.port)]
            return cmd + (['--db', self.db] if self.db else [])
        cmd = [self.python, '-m', 'monasca_osc.sandbox', '--host', self.host,
               '--port', str(self.port), '--exit-with-parent']
        if self.quiet:
            cmd.append('--quiet')
        if self.enable_test_api:
            cmd.append('--enable-test-api')
        if self.db:
            cmd += ['--db', self.db]
        if self.eval_interval is not None:
            cmd += ['--eval-interval', str(self.eval_interval)]
        if self.tls:
            cmd += ['--cert', str(self.tls[0]), '--key', str(self.tls[1])]
        if self.keystone:
            cmd += ['--keystone-url', self.keystone['url']]
            for key in ('user', 'project', 'user_domain', 'project_domain'):
                if self.keystone.get(key):
                    cmd += [f'--keystone-{key.replace("_", "-")}',
                            self.keystone[key]]
        return cmd + self.extra_args

    def _child_env(self) -> dict[str, str]:
        env = dict(os.environ if self.env is None else self.env)
        if not self.custom_command:
            env['PYTHONPATH'] = os.pathsep.join(
                p for p in (_SOURCE_ROOT, env.get('PYTHONPATH')) if p)
        if self.keystone and self.keystone.get('password'):
            env['MONASCA_SANDBOX_KEYSTONE_PASSWORD'] = \
                self.keystone['password']
        return env

    def start(self) -> Sandbox:
        """Start it and wait until it answers; RuntimeError if it does not
        (with the end of its log)."""
        if self.process is not None and self.process.poll() is None:
            return self
        if self.log_file is not None:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            self._log_handle = open(self.log_file, 'a')  # noqa: SIM115
        self.url = None
        self.process = subprocess.Popen(
            self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=self._child_env())
        ready = threading.Event()
        found: list[str] = []
        threading.Thread(target=self._drain, daemon=True,
                         args=(self.process.stderr, None, None)).start()
        threading.Thread(target=self._drain, daemon=True,
                         args=(self.process.stdout, found, ready)).start()
        if not ready.wait(self.startup_timeout) or not found:
            self.kill()
            raise RuntimeError('monasca-sandbox did not start: '
                               + (self._tail() or 'no output'))
        self.url = found[0].rstrip('/')
        try:
            wait_for_http(self.url + '/healthcheck', self.process,
                          self.startup_timeout, what='monasca-sandbox')
        except RuntimeError as exc:
            self.kill()
            raise RuntimeError(f'{exc}: {self._tail()}') from None
        return self

    def _drain(self, stream: IO[bytes], found: list[str] | None,
               ready: threading.Event | None) -> None:
        # Read until EOF so the server never blocks on a full pipe; the
        # first "listening on URL" line on stdout says where it is.
        for raw in stream:
            line = raw.decode('utf-8', 'replace')
            if found is not None and not found:
                match = _LISTENING.search(line)
                if match:
                    found.append(match.group(1))
                    ready.set()
            with self._log_lock:
                self._lines.append(line)
                if self._log_handle is not None and \
                        not self._log_handle.closed:
                    self._log_handle.write(line)
                    self._log_handle.flush()
        if ready is not None:
            ready.set()  # EOF: it exited before it said where it listens

    def _tail(self, lines: int = 20) -> str:
        with self._log_lock:
            return ''.join(list(self._lines)[-lines:]).strip()

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, then wait; SIGKILL if it does not stop in time."""
        if self.process is None:
            return None
        code = stop_process(self.process, timeout)
        self._close()
        return code

    def kill(self) -> None:
        """SIGKILL at once (what a crash or power cut leaves behind)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close()

    def _close(self) -> None:
        process = self.process
        for pipe in (process.stdout, process.stderr) if process else ():
            try:
                pipe.close()
            except (OSError, ValueError):
                pass  # a drain thread may be reading it right now
        with self._log_lock:
            if self._log_handle is not None:
                self._log_handle.close()
                self._log_handle = None

    def restart(self) -> Sandbox:
        """Stop and start again (same database; same port when fixed)."""
        self.stop()
        return self.start()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # -- HTTP -----------------------------------------------------------
    def _call(self, method: str, path: str, body: Any = None,
              headers: Mapping[str, str] | None = None,
              timeout: float = 30.0) -> tuple[int, Any]:
        if self.url is None:
            raise RuntimeError('the sandbox is not running')
        data = None
        all_headers = {'Accept': 'application/json'}
        if body is not None:
            data = json.dumps(body).encode()
            all_headers['Content-Type'] = 'application/json'
        all_headers.update(headers or {})
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers=all_headers)
        context = _no_verify() if self.url.startswith('https') else None
        try:
            with urllib.request.urlopen(request, timeout=timeout,
                                        context=context) as response:
                raw, status = response.read(), response.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw
        return status, parsed

    def request(self, method: str, path: str, body: Any = None,
                tenant: str = 'test-project', roles: str = 'monasca-user',
                headers: Mapping[str, str] | None = None
                ) -> tuple[int, Any]:
        """An API call in header-trust mode: ``(status, parsed body)``."""
        all_headers = {'X-Roles': roles, 'X-Project-Id': tenant}
        all_headers.update(headers or {})
        return self._call(method, path, body, all_headers)

    # -- the test API (--enable-test-api) ---------------------------------
    def _test_api(self, method: str, path: str, body: Any = None) -> Any:
        status, parsed = self._call(method, path, body)
        if status >= 400:
            raise RuntimeError(f'{method} {path} gave {status}: {parsed}')
        return parsed

    def faults(self, *rules: Mapping[str, Any], **rule: Any) -> Any:
        """Install fault rules: ``faults(status=503, count=2)`` or dicts."""
        if rules and rule:
            raise TypeError('pass rule dicts or keyword arguments, not both')
        return self._test_api('POST', '/sandbox/faults',
                              rule if rule else list(rules))

    def list_faults(self) -> list[dict[str, Any]]:
        return self._test_api('GET', '/sandbox/faults')['faults']

    def clear_faults(self) -> None:
        self._test_api('DELETE', '/sandbox/faults')

    def requests(self) -> dict[str, Any]:
        """``{'count': N, 'recent': [{method, path, query}, ...]}``."""
        return self._test_api('GET', '/sandbox/requests')

    def request_count(self) -> int:
        return self.requests()['count']

    def reset_requests(self) -> None:
        self._test_api('DELETE', '/sandbox/requests')

    def evaluate(self, now_ms: int | None = None) -> dict[str, int]:
        """Evaluate every alarm definition now (or as of ``now_ms``)."""
        body = {'now': now_ms} if now_ms is not None else {}
        return self._test_api('POST', '/sandbox/evaluate', body)

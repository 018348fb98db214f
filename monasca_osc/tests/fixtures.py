"""Run the sandbox in a subprocess for tests and benchmarks.

    with SandboxServer() as server:
        server.url        # http://127.0.0.1:PORT
        server.endpoint   # http://127.0.0.1:PORT/v2.0
        server.faults(status=503, path='/v2.0/metrics', retry_after=1)
        server.request_count()

Standard library only (urllib), so it stays cheap to import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import json
import os
from pathlib import Path
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from typing import Any
import urllib.error
import urllib.request

__all__ = ['SandboxServer', 'free_port']

_READY = 'monasca-sandbox listening on '


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class SandboxServer:
    """``python -m monasca_osc.sandbox`` on 127.0.0.1 in a subprocess.

    ``keystone`` is a dict with ``url``, ``user``, ``password`` and
    optionally ``project``, ``user_domain``, ``project_domain`` (or use the
    ``keystone_*`` keyword arguments). ``tls`` is ``(certfile, keyfile)``.
    The test API is on unless ``enable_test_api=False``.
    """

    def __init__(self, db: str | os.PathLike | None = None,
                 keystone: Mapping[str, str] | None = None,
                 extra_args: Iterable[str] = (),
                 tls: tuple[str, str] | None = None, *,
                 port: int = 0, enable_test_api: bool = True,
                 eval_interval: float | None = None,
                 keystone_url: str | None = None,
                 keystone_user: str | None = None,
                 keystone_password: str | None = None,
                 keystone_project: str | None = None,
                 log_dir: str | os.PathLike | None = None,
                 startup_timeout: float = 30.0) -> None:
        self.db = str(db) if db is not None else None
        keystone = dict(keystone or {})
        if keystone_url:
            keystone.update(url=keystone_url)
            if keystone_user:
                keystone['user'] = keystone_user
            if keystone_password:
                keystone['password'] = keystone_password
            if keystone_project:
                keystone['project'] = keystone_project
        self.keystone = keystone or None
        self.extra_args = list(extra_args)
        self.tls = tls
        self.port = port
        self.enable_test_api = enable_test_api
        self.eval_interval = eval_interval
        self.log_dir = Path(log_dir) if log_dir else None
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[str] | None = None
        self.url: str | None = None
        self._stderr_lines: list[str] = []
        self._stderr_thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------
    @property
    def proc(self) -> subprocess.Popen[str] | None:
        return self.process

    @property
    def endpoint(self) -> str:
        if self.url is None:
            raise RuntimeError('the sandbox is not running')
        return self.url + '/v2.0'

    def command(self) -> list[str]:
        cmd = [sys.executable, '-m', 'monasca_osc.sandbox',
               '--host', '127.0.0.1', '--port', str(self.port), '--quiet',
               '--exit-with-parent']
        if self.enable_test_api:
            cmd.append('--enable-test-api')
        if self.db:
            cmd += ['--db', self.db]
        if self.eval_interval is not None:
            cmd += ['--eval-interval', str(self.eval_interval)]
        if self.tls:
            cmd += ['--cert', str(self.tls[0]), '--key', str(self.tls[1])]
        if self.keystone:
            ks = self.keystone
            cmd += ['--keystone-url', ks['url']]
            for key in ('user', 'project', 'user_domain', 'project_domain'):
                if ks.get(key):
                    cmd += [f'--keystone-{key.replace("_", "-")}', ks[key]]
        return cmd + self.extra_args

    def start(self) -> SandboxServer:
        if self.process is not None and self.process.poll() is None:
            return self
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])
        env['PYTHONPATH'] = os.pathsep.join(
            p for p in (root, env.get('PYTHONPATH')) if p)
        if self.keystone and self.keystone.get('password'):
            # Via the environment: never on a command line others can read.
            env['MONASCA_SANDBOX_KEYSTONE_PASSWORD'] = \
                self.keystone['password']
        self._stderr_lines = []
        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=env)
        self._stderr_thread = threading.Thread(
            target=self._drain_stderr, args=(self.process,), daemon=True)
        self._stderr_thread.start()
        line = self._read_ready_line()
        self.url = line[len(_READY):].strip()
        threading.Thread(target=self._drain_stdout, args=(self.process,),
                         daemon=True).start()
        self._wait_healthy()
        return self

    def _read_ready_line(self) -> str:
        assert self.process is not None and self.process.stdout is not None
        result: list[str] = []
        reader = threading.Thread(
            target=lambda: result.append(self.process.stdout.readline()),
            daemon=True)
        reader.start()
        reader.join(self.startup_timeout)
        line = result[0] if result else ''
        if not line.startswith(_READY):
            self.kill()
            raise RuntimeError(
                'monasca-sandbox did not start: '
                + (line.strip() or ''.join(self._stderr_lines[-20:]).strip()
                   or 'no output'))
        return line

    def _drain_stderr(self, process: subprocess.Popen[str]) -> None:
        log = None
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            log = open(self.log_dir / f'sandbox-{process.pid}.log', 'a')
        try:
            for line in process.stderr:
                self._stderr_lines.append(line)
                if len(self._stderr_lines) > 500:
                    del self._stderr_lines[:100]
                if log:
                    log.write(line)
                    log.flush()
        finally:
            if log:
                log.close()

    @staticmethod
    def _drain_stdout(process: subprocess.Popen[str]) -> None:
        for _ in process.stdout:
            pass

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                status, _ = self._call('GET', '/healthcheck')
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.kill()
                raise RuntimeError('monasca-sandbox did not become healthy: '
                                   + ''.join(self._stderr_lines[-20:]))
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, then wait; SIGKILL if it does not stop in time."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._close_pipes()
        return process.returncode

    def kill(self) -> None:
        """SIGKILL at once (durability tests)."""
        process = self.process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        self._close_pipes()

    def _close_pipes(self) -> None:
        process = self.process
        if process is None:
            return
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass

    def restart(self) -> SandboxServer:
        """Stop and start again on the same db (and port when fixed)."""
        self.stop()
        return self.start()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def stderr(self) -> str:
        return ''.join(self._stderr_lines)

    # -- HTTP helpers -------------------------------------------------------
    def _call(self, method: str, path: str, body: Any = None,
              headers: Mapping[str, str] | None = None,
              timeout: float = 30.0) -> tuple[int, Any]:
        data = None
        all_headers = {'Accept': 'application/json'}
        if body is not None:
            data = json.dumps(body).encode()
            all_headers['Content-Type'] = 'application/json'
        all_headers.update(headers or {})
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers=all_headers)
        context = None
        if self.url.startswith('https'):
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        try:
            with urllib.request.urlopen(request, timeout=timeout,
                                        context=context) as response:
                raw = response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            status = exc.code
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw
        return status, parsed

    def request(self, method: str, path: str, body: Any = None,
                tenant: str = 'test-project',
                roles: str = 'monasca-user',
                headers: Mapping[str, str] | None = None
                ) -> tuple[int, Any]:
        """An API call in header-trust mode: (status, parsed body)."""
        all_headers = {'X-Roles': roles, 'X-Project-Id': tenant}
        all_headers.update(headers or {})
        return self._call(method, path, body, all_headers)

    def _test_api(self, method: str, path: str, body: Any = None) -> Any:
        status, parsed = self._call(method, path, body)
        if status >= 400:
            raise RuntimeError(f'{method} {path} gave {status}: {parsed}')
        return parsed

    def faults(self, *rules: Mapping[str, Any], **rule: Any) -> Any:
        """Install fault rules: ``faults(status=503, count=2)`` or dicts."""
        if rules and rule:
            raise TypeError('pass rule dicts or keyword arguments, not both')
        if rule:
            return self._test_api('POST', '/sandbox/faults', rule)
        return self._test_api('POST', '/sandbox/faults', list(rules))

    def list_faults(self) -> list[dict[str, Any]]:
        return self._test_api('GET', '/sandbox/faults')['faults']

    def clear_faults(self) -> None:
        self._test_api('DELETE', '/sandbox/faults')

    def requests(self) -> dict[str, Any]:
        return self._test_api('GET', '/sandbox/requests')

    def request_count(self) -> int:
        return self.requests()['count']

    def reset_requests(self) -> None:
        self._test_api('DELETE', '/sandbox/requests')

    def evaluate(self, now_ms: int | None = None) -> dict[str, int]:
        body = {'now': now_ms} if now_ms is not None else {}
        return self._test_api('POST', '/sandbox/evaluate', body)

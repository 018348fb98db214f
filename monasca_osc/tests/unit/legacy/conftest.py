"""Fixtures of the legacy ``monasca`` tests.

``run`` runs the real ``MonascaShell`` in-process (argv, environment and
output streams are the test's); ``sandbox`` is a real sandbox server in a
subprocess, shared by the module, and ``api_env`` points ``monasca`` at it
in the documented no-Keystone mode with a tenant of the test's own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
import contextlib
import dataclasses
import io
import json
import logging
import os
from typing import Any
from unittest import mock
import uuid

import pytest

from monasca_osc import shell


@dataclasses.dataclass
class Result:
    rc: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)

    def __str__(self) -> str:
        return (f'exit {self.rc}\n--- stdout ---\n{self.stdout}\n'
                f'--- stderr ---\n{self.stderr}')


def run_shell(argv: list[str], env: Mapping[str, str] | None = None
              ) -> Result:
    """``monasca <argv>`` in-process; the environment is exactly ``env``."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(('OS_', 'MONASCA_'))}
    clean.update(env or {})
    out, err = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    with mock.patch.dict(os.environ, clean, clear=True), \
            contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            app = shell.MonascaShell(argv, stdout=out, stderr=err)
            rc = app.run(list(argv))
        except SystemExit as exit_:
            rc = exit_.code if isinstance(exit_.code, int) else 1
        finally:
            # cliff adds a console handler to the root logger on every run.
            root.handlers[:] = handlers
            root.setLevel(level)
    return Result(rc, out.getvalue(), err.getvalue())


@pytest.fixture(scope='module')
def sandbox() -> Iterator[Any]:
    from monasca_osc.tests.fixtures import SandboxServer

    server = SandboxServer(eval_interval=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def tenant() -> str:
    return f'tenant-{uuid.uuid4().hex[:12]}'


@pytest.fixture
def api_env(sandbox: Any, tenant: str) -> dict[str, str]:
    return {'MONASCA_API_URL': sandbox.endpoint + '/',
            'OS_AUTH_TOKEN': tenant, 'OS_NO_CLIENT_AUTH': '1'}


@pytest.fixture
def monasca(api_env: dict[str, str]) -> Any:
    """``monasca(*argv)`` against the sandbox; fails unless it exits 0."""
    def call(*argv: str, rc: int | None = 0,
             env: Mapping[str, str] | None = None) -> Result:
        result = run_shell(list(argv), {**api_env, **(env or {})})
        if rc is not None:
            assert result.rc == rc, str(result)
        return result
    return call

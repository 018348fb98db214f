"""Helpers of the legacy ``monasca`` unit tests.

``run_shell`` runs the real ``MonascaShell`` in-process (argv, environment
and output streams are the test's). Tests against a sandbox server are in
``functional/test_legacy_commands.py``: unit tests start no process.
"""

from __future__ import annotations

from collections.abc import Mapping
import contextlib
import dataclasses
import io
import json
import logging
import os
from typing import Any
from unittest import mock

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

"""The bad-input corpus through the real ``openstack`` and ``monasca``.

Every row of ``corpus/openstack.py`` and ``corpus/monasca.py`` runs as its
own test against the session sandbox of its pytest-xdist worker; within a
worker tests run one at a time, so the sandbox's request counter before
and after a case says exactly whether that case sent anything.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from monasca_osc.tests.functional.corpus import (
    INVALID,
    MISSING,
    REJECTED,
    USAGE,
    Case,
)
from monasca_osc.tests.functional.corpus import monasca as monasca_table
from monasca_osc.tests.functional.corpus import openstack as openstack_table
from monasca_osc.tests.functional.corpus.cli import Run, run_cli

# Every command here runs the real binaries: arguments that are not
# UTF-8 reach Python through the OS, and the corpus is the record of what
# a user typing them sees.
pytestmark = pytest.mark.binary

TABLE = ([('openstack', case) for case in openstack_table.CASES]
         + [('monasca', case) for case in monasca_table.CASES])
NOT_FOUND = re.compile(r'HTTP 404|not found|No .+ with (name or )?ID', re.I)
CLIENT_ERROR = re.compile(r'HTTP 4\d\d')


def test_corpus_is_large_and_ids_are_unique() -> None:
    ids = [f'{cli}:{case.id}' for cli, case in TABLE]
    assert len(ids) == len(set(ids)), 'duplicate case ids'
    assert len(ids) >= 200
    assert len(openstack_table.CASES) >= 100
    assert len(monasca_table.CASES) >= 100
    kinds = {case.kind for _, case in TABLE}
    assert kinds == {INVALID, USAGE, MISSING, REJECTED}
    assert any(isinstance(a, bytes) for _, c in TABLE for a in c.argv)
    assert any(len(a) >= 100_000 for _, c in TABLE for a in c.argv)


def check(case: Case, result: Run, sent: int) -> None:
    where = f'\n{result}'
    assert 'Traceback' not in result.stderr + result.stdout, where
    assert result.returncode == case.exit_status, where
    assert result.stdout.strip() == '', where
    lines = result.lines
    assert lines, where
    if case.kind == USAGE:
        line = lines[-1]
        assert 'error:' in line, where
    else:
        assert len(lines) == 1, where
        line = lines[0]
    for name in case.names:
        assert name in line, f'{name!r} not in the error line{where}'
    if case.kind == MISSING:
        assert NOT_FOUND.search(line), where
    if case.kind == REJECTED:
        assert CLIENT_ERROR.search(line), where
    if case.reaches_server:
        # An id lookup is a GET (plus a list by name); nothing is retried.
        assert 1 <= sent <= 3, f'{sent} requests{where}'
    else:
        assert sent == 0, f'{sent} request(s) reached the server{where}'


@pytest.mark.parametrize('cli,case', TABLE,
                         ids=[f'{cli}-{case.id}' for cli, case in TABLE])
def test_bad_input(sandbox: Any, cli: str, case: Case) -> None:
    before = sandbox.request_count()
    result = run_cli(cli, sandbox.endpoint, *case.argv, timeout=60)
    sent = sandbox.request_count() - before
    check(case, result, sent)

"""The bad-input corpus through ``openstack`` and ``monasca``.

Every row of ``corpus/openstack.py`` and ``corpus/monasca.py`` runs as its
own test against the session sandbox of its pytest-xdist worker; within a
worker tests run one at a time, so the sandbox's request counter before
and after a case says exactly whether that case sent anything.

Most rows run in-process (``inprocess.run``: the same ``main``, argv,
environment and output encodings as the console script). These rows run
through the real binaries (``BINARY``), because there the process boundary
is the point or is what vouches for the in-process rows:

* every row with an argument that is not UTF-8: the OS hands the bytes to
  the interpreter, which decodes them (surrogateescape);
* every row with a huge (>= 100,000 characters) argument: it crosses
  ``execve`` and the kernel's limits on one argument;
* a fixed sample of ``SAMPLE_PER_KIND`` rows of each kind per CLI (chosen
  by a hash of the row id, so the same rows every run).

Each ``BINARY`` row also runs in-process and must give the same exit code,
stdout and stderr, and both runs get every check: the parity of the two
ways on this corpus is proved on those rows, not assumed.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest

from monasca_osc.tests.functional import inprocess
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

TABLE = ([('openstack', case) for case in openstack_table.CASES]
         + [('monasca', case) for case in monasca_table.CASES])
HUGE = 100_000
SAMPLE_PER_KIND = 2


def _raw_or_huge(case: Case) -> bool:
    return any(isinstance(a, bytes) or len(a) >= HUGE for a in case.argv)


def _binary_rows() -> set[tuple[str, str]]:
    rows = {(cli, case.id) for cli, case in TABLE if _raw_or_huge(case)}
    for cli in ('openstack', 'monasca'):
        for kind in (INVALID, USAGE, MISSING, REJECTED):
            plain = sorted(
                (case.id for c, case in TABLE
                 if c == cli and case.kind == kind and
                 not _raw_or_huge(case)),
                key=lambda i: hashlib.sha256(i.encode()).hexdigest())
            rows.update((cli, i) for i in plain[:SAMPLE_PER_KIND])
    return rows


BINARY = _binary_rows()
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


def test_binary_rows_are_the_raw_the_huge_and_a_sample() -> None:
    raw = {(cli, c.id) for cli, c in TABLE
           if any(isinstance(a, bytes) for a in c.argv)}
    huge = {(cli, c.id) for cli, c in TABLE
            if any(len(a) >= HUGE for a in c.argv)}
    assert raw and huge and raw | huge <= BINARY
    kinds = {(cli, c.kind) for cli, c in TABLE if (cli, c.id) in BINARY
             and (cli, c.id) not in raw | huge}
    # Both CLIs, every kind sampled; the rest (most rows) in-process.
    assert len(kinds) == 8, kinds
    assert len(BINARY) <= len(raw | huge) + 8 * SAMPLE_PER_KIND
    assert len(TABLE) - len(BINARY) >= 0.9 * len(TABLE)


def _run(sandbox: Any, cli: str, case: Case, binary: bool | None) -> Run:
    before = sandbox.request_count()
    result = run_cli(cli, sandbox.endpoint, *case.argv, timeout=60,
                     binary=binary)
    check(case, result, sandbox.request_count() - before)
    return result


@pytest.mark.parametrize('cli,case', TABLE,
                         ids=[f'{cli}-{case.id}' for cli, case in TABLE])
def test_bad_input(sandbox: Any, cli: str, case: Case) -> None:
    if (cli, case.id) not in BINARY:
        # In-process (or the binary under MONASCA_OSC_TEST_BINARY=1).
        _run(sandbox, cli, case, binary=None)
        return
    real = _run(sandbox, cli, case, binary=True)
    here = _run(sandbox, cli, case, binary=False)
    assert inprocess.comparable(here.returncode, here.stdout,
                                here.stderr) == inprocess.comparable(
        real.returncode, real.stdout, real.stderr), \
        f'binary:\n{real}\n\nin-process:\n{here}'

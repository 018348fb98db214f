"""The bad-input corpus: malformed invocations and what they must do.

Each table (``openstack.py``, ``monasca.py``) is a list of ``Case`` rows run
by ``test_robustness_corpus.py`` against the sandbox (in-process, or
through the real binaries for the rows it lists there). A case says how
the command must fail:

* ``invalid``: exit 1, exactly one line on stderr naming the bad value, and
  no request reaches the server (the client can tell locally);
* ``usage``: exit 2 (argparse), the last stderr line names the bad value,
  no request;
* ``missing``: an unknown id; the request does reach the server and the
  one stderr line says 404/not found and names the id;
* ``rejected``: only the server can tell (e.g. an unknown notification
  type); at least one request, one line naming the value.

Arguments are ``str`` or ``bytes``; bytes reach argv as they are, so a
table can hold non-UTF-8 input.
"""

from __future__ import annotations

from dataclasses import dataclass

Arg = str | bytes

INVALID = 'invalid'
USAGE = 'usage'
MISSING = 'missing'
REJECTED = 'rejected'
EXIT_STATUS = {INVALID: 1, USAGE: 2, MISSING: 1, REJECTED: 1}

# Ids that no sandbox ever hands out (they are UUIDs or integers there).
UNKNOWN_ID = 'no-such-id-7f3a'


@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[Arg, ...]
    kind: str
    # Substrings the error line must contain (compared case-sensitively).
    names: tuple[str, ...]

    @property
    def exit_status(self) -> int:
        return EXIT_STATUS[self.kind]

    @property
    def reaches_server(self) -> bool:
        return self.kind in (MISSING, REJECTED)


def invalid(case_id: str, argv: list[Arg], *names: str) -> Case:
    return Case(case_id, tuple(argv), INVALID, names)


def usage(case_id: str, argv: list[Arg], *names: str) -> Case:
    return Case(case_id, tuple(argv), USAGE, names)


def missing(case_id: str, argv: list[Arg], *names: str) -> Case:
    return Case(case_id, tuple(argv), MISSING, names or (UNKNOWN_ID,))


def rejected(case_id: str, argv: list[Arg], *names: str) -> Case:
    return Case(case_id, tuple(argv), REJECTED, names)


def long_text(length: int, prefix: str = 'n') -> str:
    """A string of exactly ``length`` characters starting with prefix."""
    return (prefix + 'x' * length)[:length]


# Characters the API forbids in metric names (API reference §5.1) and in
# dimension keys and values (5.2).
METRIC_NAME_FORBIDDEN = '<>={}(),"\\;& '
DIMENSION_FORBIDDEN = '<>={},"\\;&'

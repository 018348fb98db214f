"""Command-line arguments as data (standard library only).

An argument is an :class:`Arg`: what ``parser.add_argument(*flags,
**options)`` takes. Commands list theirs in tables (tuples of ``Arg``)
instead of repeating ``add_argument`` calls; ``add_arguments`` adds a
table to a parser or an argument group. The two kinds of option that
recur everywhere have a builder each: ``switch`` (on/off) and
``repeatable`` (one value per use, collected in a list).

Shared by the ``openstack monitoring`` commands (``v2/base/options.py``),
the legacy ``monasca`` syntax and the bulk-ingest options of ``metric
create``, which are read at parse time and must stay cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class Arg:
    """One argument: what ``parser.add_argument(*flags, **options)`` takes."""

    flags: tuple[str, ...]
    options: Mapping[str, Any]

    def add_to(self, parser: Any) -> None:
        """Add it to an ``ArgumentParser`` or an argument group."""
        parser.add_argument(*self.flags, **self.options)


def arg(*flags: str, **options: Any) -> Arg:
    return Arg(flags, options)


def add_arguments(parser: Any, arguments: Iterable[Arg]) -> None:
    """Add a table of arguments to a parser or an argument group."""
    for argument in arguments:
        argument.add_to(parser)


def switch(flag: str, help: str) -> Arg:
    """An on/off option: ``True`` when given."""
    return arg(flag, action='store_true', default=False, help=help)


def repeatable(flag: str, metavar: str, help: str, **options: Any) -> Arg:
    """An option given once per value: the values as a list, ``[]`` when
    it is not given."""
    return arg(flag, metavar=metavar, action='append', default=[],
               help=help, **options)

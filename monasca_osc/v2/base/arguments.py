"""Parsed options -> the arguments a manager call takes.

Conversions of the command-line syntax only: the values themselves are
checked by the manager, before its request (see doc/architecture.rst).
Times are resolved here, against one instant, because relative times and
the order of --start and --end are command-line notions.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Any

from monasca_osc.common import dimensions as dims
from monasca_osc.common import timeutil


def sort_by(parsed_args: argparse.Namespace) -> list[str] | None:
    """``--sort name:desc --sort id`` -> ``['name desc', 'id']``."""
    items = []
    for item in getattr(parsed_args, 'sort', None) or ():
        field, _, direction = item.partition(':')
        items.append(f'{field} {direction}' if direction else field)
    return items or None


def dimension_filter(values: Iterable[str] | None) -> dict[str, list[str]]:
    """Repeated ``--dimension`` options as a dict, for commands that match
    dimensions themselves (a manager takes the options as they are)."""
    return dims.parse_dimension_filter(values)


def items(values: Iterable[str] | None) -> list[str] | None:
    """Repeated, comma-separated option values as one list; ``None`` when
    the option was not given. Empty items stay, for the manager to refuse
    (``--group-by ''`` is an error, not "no grouping")."""
    if not values:
        return None
    return [item for value in values for item in value.split(',')]


class TimeRange:
    """Start/end options resolved against one instant."""

    def __init__(self, start: str | None, end: str | None,
                 check_order: bool = True,
                 start_name: str = '--start', end_name: str = '--end'):
        self.now = timeutil.utcnow()
        # An empty value is an error ("Empty --start time"), not "unset".
        self.start = None if start is None else timeutil.parse_time(
            start, self.now, what=f'{start_name} time')
        self.end = None if end is None else timeutil.parse_time(
            end, self.now, what=f'{end_name} time')
        if check_order:
            timeutil.check_order(self.start, self.end, start_name, end_name)

    @property
    def start_iso(self) -> str | None:
        return None if self.start is None else timeutil.format_iso(self.start)

    @property
    def end_iso(self) -> str | None:
        return None if self.end is None else timeutil.format_iso(self.end)


def listing_kwargs(parsed_args: argparse.Namespace) -> dict[str, Any]:
    """``--sort`` and the paging options, as a sortable listing takes
    them."""
    return {'sort_by': sort_by(parsed_args), **paging_kwargs(parsed_args)}


def paging_kwargs(parsed_args: argparse.Namespace) -> dict[str, Any]:
    return {'limit': getattr(parsed_args, 'limit', None),
            'offset': getattr(parsed_args, 'marker', None),
            'page_size': getattr(parsed_args, 'page_size', None)}

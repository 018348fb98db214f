"""Parsed options -> the arguments a manager call takes.

Each conversion validates what it converts, so a bad value fails here with
one line naming the option, before anything is sent.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from typing import Any

from monasca_osc.common import dimensions as dims
from monasca_osc.common import timeutil, validation


def sort_by(parsed_args: argparse.Namespace,
            fields: Sequence[str]) -> str | None:
    """``--sort name:desc --sort id`` -> ``name desc,id asc`` (validated)."""
    items = []
    for item in getattr(parsed_args, 'sort', None) or ():
        field, _, direction = item.partition(':')
        items.append(f'{field} {direction}' if direction else field)
    if not items:
        return None
    return validation.format_sort_by(validation.parse_sort_by(items, fields))


def dimension_filter(values: Iterable[str] | None) -> dict[str, list[str]]:
    return dims.parse_dimension_filter(values)


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


def paging_kwargs(parsed_args: argparse.Namespace) -> dict[str, Any]:
    return {'limit': getattr(parsed_args, 'limit', None),
            'offset': getattr(parsed_args, 'marker', None),
            'page_size': getattr(parsed_args, 'page_size', None)}

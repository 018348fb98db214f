"""argparse types shared by the options of both CLIs (retries, timeouts,
counts, durations).

Standard library only: imported by plugin.py on every ``openstack`` run.
"""

from __future__ import annotations

import argparse


def _count(text: str) -> int | None:
    """``text`` as a whole number of 0 or more, or None."""
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value >= 0 else None


def retries(text: str | None) -> int | None:
    """A number of retries, 0 or more (empty: not given)."""
    if text in (None, ''):
        return None
    value = _count(text)
    if value is None:
        raise argparse.ArgumentTypeError(
            f'{text!r} is not a number of retries (0 or more)')
    return value


def non_negative_int(text: str) -> int:
    """A whole number of 0 or more (a count, a limit)."""
    value = _count(text)
    if value is None:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a whole number of 0 or more")
    return value


def seconds(text: str | None) -> float | None:
    """A positive, finite number of seconds (empty: not given)."""
    if text in (None, ''):
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float('inf'):
        raise argparse.ArgumentTypeError(
            f'{text!r} is not a positive number of seconds')
    return value


def duration(text: str) -> float:
    """A duration: ``30s``, ``10m``, ``1h30m`` or seconds, more than 0."""
    from monasca_osc.common import timeutil, validation

    try:
        value = timeutil.parse_duration(text)
    except validation.ValidationError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    if value <= 0:
        raise argparse.ArgumentTypeError(
            f'{text!r} is not a positive duration')
    return value

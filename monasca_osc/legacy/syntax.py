"""The legacy command-line syntax, described as data.

A legacy command lists its arguments in ``legacy_arguments``: a sequence
of ``v2.base.options.Arg`` (``add_argument``'s flags and options).
Arguments that several commands share are defined once here or at the top
of their command module. A value that an *update* command takes as a
positional argument and the matching *patch* command as an option is one
:class:`Field`, which gives both forms. ``LegacyCommand.get_parser`` builds
the parser from the table; parsed values land in the v2 command's argument
names, so the v2 ``fetch`` reads them unchanged.

Also here: the argparse types and actions of the legacy spellings
(epoch-millisecond times, ``a,b`` lists with ``[]`` for none, ``true``/
``false``, ``--sort-by 'name desc,id'``).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
import dataclasses
import datetime as _dt
from typing import Any

from monasca_osc.common import timeutil, validation
from monasca_osc.common.argtable import Arg, arg
from monasca_osc.v2.base import options


@dataclasses.dataclass(frozen=True)
class Field:
    """A value given positionally (update) or as ``--option`` (patch)."""

    dest: str
    metavar: str
    help: str
    options: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def positional(self, **overrides: Any) -> Arg:
        return Arg((self.dest,), {'metavar': self.metavar, 'help': self.help,
                                  **self.options, **overrides})

    def option(self, **overrides: Any) -> Arg:
        flag = '--' + self.dest.replace('_', '-')
        return Arg((flag,), {'metavar': self.metavar, 'dest': self.dest,
                             'help': self.help, **self.options,
                             **overrides})


def epoch_ms(text: str) -> str:
    """argparse type of ``--time``: integer epoch milliseconds.

    Returned as an exact ISO time, because the v2 time grammar reads
    small numbers as seconds and the legacy option is always ms.
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'--time {text!r} must be an integer number of milliseconds '
            f'since the epoch') from None
    epoch = _dt.datetime(1970, 1, 1, tzinfo=timeutil.UTC)
    try:
        when = epoch + _dt.timedelta(milliseconds=value)
    except OverflowError:
        raise argparse.ArgumentTypeError(
            f'--time {text!r} is out of range') from None
    return timeutil.format_iso(when)


def csv_list(text: str) -> list[str]:
    """``a,b`` -> [a, b]; legacy ``""`` and ``[]`` mean an empty list."""
    if text.strip() in ('', '[]'):
        return []
    return [item for item in text.split(',') if item.strip()]


class ActionsList(argparse.Action):
    """Repeatable notification ids: ``a,b`` and ``[]`` (= none) accepted."""

    def __call__(self, parser: argparse.ArgumentParser,
                 namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        current = list(getattr(namespace, self.dest, None) or [])
        current.extend(csv_list(values))
        setattr(namespace, self.dest, current)


class BoolValue(argparse.Action):
    """``true``/``false`` (any case); anything else is a one-line error."""

    def __call__(self, parser: argparse.ArgumentParser,
                 namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        what = option_string or str(self.metavar).strip('<>').lower()
        setattr(namespace, self.dest, parse_bool(values, what))


def parse_bool(text: str, what: str | None = None) -> bool:
    lowered = str(text).strip().lower()
    if lowered in ('true', 'false'):
        return lowered == 'true'
    raise validation.ValidationError(
        f'Invalid {what or "value"} {text!r}: must be true or false')


class SortBy(argparse.Action):
    """Legacy ``--sort-by 'name desc,id'`` into v2's ``--sort`` items."""

    def __call__(self, parser: argparse.ArgumentParser,
                 namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        items = values.split(',')
        if any(not item.strip() for item in items):
            raise validation.ValidationError(
                f'Empty field in {option_string} {values!r}')
        setattr(namespace, self.dest, items)


# -- arguments several commands share -----------------------------------------
def paging(marker: str = 'offset') -> tuple[Arg, Arg]:
    """--offset and --limit; ``marker`` is the kind of the list's offset
    (``validation.MARKER_FORMS``), checked before anything is sent."""
    return (
        arg('--offset', metavar='<OFFSET LOCATION>', dest='marker',
            help=validation.marker_help(marker).replace('--marker',
                                                        '--offset')),
        arg('--limit', metavar='<RETURN LIMIT>', type=options.positive_int,
            help='The amount of data to be returned; without --offset, pages '
                 'are fetched until this many items are found (default: '
                 'all).'))


TENANT = arg(
    '--tenant-id', metavar='<TENANT_ID>', dest='tenant_id',
    help='Retrieve data for the specified tenant/project id (needs the '
         'delegate role).')


def time_range(what: str = 'measurements', start_help: str | None = None,
               end_help: str | None = None) -> tuple[Arg, Arg]:
    """``--starttime``/``--endtime``, by default for ``what`` between."""
    return (
        arg('--starttime', metavar='<UTC_START_TIME>', dest='start',
            help=start_help or f'{what} >= UTC time. format: '
            '2014-01-01T00:00:00Z, or -N for N minutes ago.'),
        arg('--endtime', metavar='<UTC_END_TIME>', dest='end',
            help=end_help or f'{what} <= UTC time. format: '
            '2014-01-01T00:00:00Z.'))


def dimensions(flag: str = '--dimensions',
               dest: str = 'dimensions') -> Arg:
    return arg(
        flag, metavar='<KEY1=VALUE1,KEY2=VALUE2...>', dest=dest,
        action='append', default=[],
        help='key value pair used to specify a metric dimension; a bare '
             'KEY matches any value, KEY=V1|V2 any of the values. Can be '
             'repeated, or give several pairs separated by commas; write a '
             'comma inside a value as \\, (or separate the pairs with ;).')


def sort_by(fields: str, example: str) -> Arg:
    """``--sort-by`` over ``fields`` (a sentence), as v2's ``sort``."""
    return arg(
        '--sort-by', metavar='<SORT BY FIELDS>', dest='sort',
        action=SortBy, default=[],
        help=f'Fields to sort by as a comma separated list. Valid values '
             f'are {fields}. Fields may be followed by "asc" or "desc", ex '
             f'"{example}".')

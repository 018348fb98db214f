"""The options several commands share, as argument tables.

Same option, same spelling, same help everywhere; values are checked by
argparse types where that is possible (exit 2 with a clear message).

A command lists its arguments as data: ``argument_table``, a sequence of
``Arg`` (``monasca_osc.common.argtable``, whose builders are used from
here), which the base ``get_parser`` adds. The builders below return an
``Arg`` or a tuple of them, to be spread into a table.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from monasca_osc.common import timeutil, validation
from monasca_osc.common.argtable import (  # noqa: F401 - the builders
    Arg,
    add_arguments,
    arg,
    repeatable,
    switch,
)


def positive_int(text: str) -> int:
    """argparse type for counts (exit 2 with a clear message)."""
    try:
        return validation.validate_limit(text)
    except validation.ValidationError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def page_size(text: str) -> int:
    """argparse type for --page-size: 1 to the API's maximum."""
    size = positive_int(text)
    if size > validation.MAX_LIMIT:
        # The API would silently cap it: refuse it, as the help says.
        raise argparse.ArgumentTypeError(
            f"{size} is above the API's maximum page size of "
            f'{validation.MAX_LIMIT}')
    return size


def dimension_filter(flag: str = '--dimension', dest: str = 'dimensions',
                     help_prefix: str = 'Only include metrics with this '
                     'dimension') -> Arg:
    return repeatable(
        flag, '<key[=value[|value...]]>', dest=dest,
        help=f'{help_prefix}: key=value, key (any value) or key=v1|v2 '
             '(any of the values); repeat option to filter on several '
             'dimensions (comma-separated pairs are accepted too; write a '
             'literal comma as \\,)')


def time_range(start_required: bool = False,
               start_help: str = 'Start of the time range',
               end_help: str = 'End of the time range (exclusive)'
               ) -> tuple[Arg, Arg]:
    """--start and --end (``arguments.TimeRange`` resolves them)."""
    return (
        arg('--start', metavar='<time>', required=start_required,
            help=f'{start_help}: {timeutil.TIME_HELP}'
                 + (' (required)' if start_required else '')),
        arg('--end', metavar='<time>',
            help=f'{end_help}: {timeutil.TIME_HELP}'))


def paging(marker: str = 'offset') -> tuple[Arg, Arg, Arg]:
    """--limit, --marker and --page-size; ``marker`` is the kind of the
    listing's marker (``validation.MARKER_FORMS``), checked by
    ``commands.Lister`` before anything is sent."""
    return (
        arg('--limit', metavar='<num>', type=positive_int,
            help='Maximum number of rows to return in total (default: all; '
                 'pages are fetched automatically); when it stops the '
                 'listing before the end, the marker that continues it is '
                 'printed on stderr: "more results: --marker VALUE"'),
        arg('--marker', metavar='<marker>',
            help=validation.marker_help(marker)),
        arg('--page-size', metavar='<num>', type=page_size,
            help=f'Rows per API request, at most {validation.MAX_LIMIT} '
                 f'(default: {validation.MAX_LIMIT})'))


def project(action: str = 'read') -> tuple[Arg, Arg]:
    """--project (and its old spelling --tenant-id, hidden)."""
    return (
        arg('--project', metavar='<project-id>', dest='tenant_id',
            help=f'Project (tenant) ID to {action} metrics of; needs the '
                 'admin role (the API silently ignores it otherwise)'),
        arg('--tenant-id', dest='tenant_id', help=argparse.SUPPRESS))


LONG = switch('--long', 'List additional fields in output')


def name_or_id(dest: str, metavar: str, subject: str) -> Arg:
    """The positional that names one object: ``subject (name or ID)``."""
    return arg(dest, metavar=metavar, help=f'{subject} (name or ID)')


def sort(fields: Sequence[str]) -> Arg:
    return repeatable(
        '--sort', '<field>[:<asc|desc>]', dest='sort',
        help=f'Sort by this field, server side; repeat option for several '
             f'keys. Fields: {", ".join(fields)}')

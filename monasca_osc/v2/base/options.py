"""Parser builders for the options several commands share.

Same option, same spelling, same help everywhere; values are checked by
argparse types where that is possible (exit 2 with a clear message).

A command may also list its own arguments as data: ``argument_table``, a
sequence of :class:`Arg`, which the base ``get_parser`` adds.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
import dataclasses
from typing import Any

from monasca_osc.common import timeutil, validation


@dataclasses.dataclass(frozen=True)
class Arg:
    """One argument: what ``parser.add_argument(*flags, **options)`` takes."""

    flags: tuple[str, ...]
    options: Mapping[str, Any]

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(*self.flags, **self.options)


def arg(*flags: str, **options: Any) -> Arg:
    return Arg(flags, options)


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


def add_dimension_filter_option(parser: argparse.ArgumentParser,
                                flag: str = '--dimension',
                                dest: str = 'dimensions',
                                help_prefix: str = 'Only include metrics '
                                'with this dimension') -> None:
    parser.add_argument(
        flag, metavar='<key[=value[|value...]]>', dest=dest,
        action='append', default=[],
        help=f'{help_prefix}: key=value, key (any value) or key=v1|v2 '
             '(any of the values); repeat option to filter on several '
             'dimensions (comma-separated pairs are accepted too; write a '
             'literal comma as \\,)')


def add_time_options(parser: argparse.ArgumentParser, start_required: bool
                     = False, start_help: str = 'Start of the time range',
                     end_help: str = 'End of the time range (exclusive)'
                     ) -> None:
    parser.add_argument(
        '--start', metavar='<time>', required=start_required,
        help=f'{start_help}: {timeutil.TIME_HELP}'
             + (' (required)' if start_required else ''))
    parser.add_argument('--end', metavar='<time>',
                        help=f'{end_help}: {timeutil.TIME_HELP}')


def add_paging_options(parser: argparse.ArgumentParser,
                       marker: str = 'offset') -> None:
    """--limit, --marker and --page-size; ``marker`` is the kind of the
    listing's marker (``validation.MARKER_FORMS``), checked by
    ``commands.Lister`` before anything is sent."""
    parser.add_argument(
        '--limit', metavar='<num>', type=positive_int,
        help='Maximum number of rows to return in total (default: all; '
             'pages are fetched automatically); when it stops the listing '
             'before the end, the marker that continues it is printed on '
             'stderr: "more results: --marker VALUE"')
    parser.add_argument('--marker', metavar='<marker>',
                        help=validation.marker_help(marker))
    parser.add_argument(
        '--page-size', metavar='<num>', type=page_size,
        help=f'Rows per API request, at most {validation.MAX_LIMIT} '
             f'(default: {validation.MAX_LIMIT})')


def add_project_option(parser: argparse.ArgumentParser,
                       action: str = 'read') -> None:
    parser.add_argument(
        '--project', metavar='<project-id>', dest='tenant_id',
        help=f'Project (tenant) ID to {action} metrics of; needs the admin '
             'role (the API silently ignores it otherwise)')
    parser.add_argument('--tenant-id', dest='tenant_id',
                        help=argparse.SUPPRESS)


def add_long_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--long', action='store_true', default=False,
                        help='List additional fields in output')


def add_sort_option(parser: argparse.ArgumentParser,
                    fields: Sequence[str]) -> None:
    parser.add_argument(
        '--sort', metavar='<field>[:<asc|desc>]', dest='sort',
        action='append', default=[],
        help=f'Sort by this field, server side; repeat option for several '
             f'keys. Fields: {", ".join(fields)}')

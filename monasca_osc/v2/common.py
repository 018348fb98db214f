"""Shared option helpers, column formatters and base command classes.

Imported by every command module at start-up: standard library, cliff and
osc_lib only (all already loaded by OSC).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
import gc
import json
import re
from typing import Any

from cliff import columns as cliff_columns
from osc_lib.command import command

from monasca_osc.common import dimensions as dims
from monasca_osc.common import timeutil, validation

TEXT_FORMATS = ('csv', 'value', 'shell')
# Cells of these exact types print as they are (the common case: names,
# timestamps, values), without the isinstance chain of _as_text.
_PLAIN_CELLS = frozenset({str, int, float})
# After this many rows, freeze the garbage collector's view of everything
# OSC's start-up created (see Lister.produce_output).
FREEZE_GC_AFTER_ROWS = 10_000


# -- columns ---------------------------------------------------------------
class _Column(cliff_columns.FormattableColumn):
    """A column that keeps native types for json/yaml and has a text form.

    ``text_readable`` is what csv and value output print (cliff would print
    a Python repr there).
    """

    def text_readable(self) -> str:
        return self.human_readable()


class DimensionsColumn(_Column):
    """``{"hostname": "web1"}`` -> ``hostname=web1, service=api``."""

    separator = ', '

    def human_readable(self) -> str:
        return dims.format_dimensions(self._value or {}, self.separator)

    def machine_readable(self) -> Any:
        return dict(self._value or {})

    def text_readable(self) -> str:
        # One instance is shared by every point of a series: format once.
        text = self.__dict__.get('_text')
        if text is None:
            text = self._text = dims.format_dimensions(self._value or {},
                                                       ',')
        return text


class JSONColumn(_Column):
    """Nested data shown as compact JSON in tables and csv."""

    def human_readable(self) -> str:
        if self._value in (None, {}, []):
            return ''
        return json.dumps(self._value, sort_keys=True, ensure_ascii=False)

    def machine_readable(self) -> Any:
        return self._value


class ValueMetaColumn(JSONColumn):
    def machine_readable(self) -> Any:
        return dict(self._value or {})


class ListColumn(_Column):
    """``["a", "b"]`` -> ``a, b``; json keeps the list."""

    def human_readable(self) -> str:
        return ', '.join(str(v) for v in self._value or ())

    def machine_readable(self) -> Any:
        return list(self._value or ())

    def text_readable(self) -> str:
        return ','.join(str(v) for v in self._value or ())


class MetricsColumn(_Column):
    """An alarm's metrics: ``name{k=v,...}`` entries."""

    def human_readable(self) -> str:
        return '\n'.join(_metric_label(m) for m in self._value or ())

    def machine_readable(self) -> Any:
        return list(self._value or ())

    def text_readable(self) -> str:
        return ' '.join(_metric_label(m) for m in self._value or ())


def _metric_label(metric: Mapping[str, Any]) -> str:
    dimensions = dims.format_dimensions(metric.get('dimensions') or {}, ',')
    return f'{metric.get("name")}{{{dimensions}}}' if dimensions \
        else str(metric.get('name'))


def as_text(value: Any) -> Any:
    """A cell as csv/value/shell output prints it."""
    return _as_text(value)


def _as_text(value: Any) -> Any:
    if type(value) in _PLAIN_CELLS:
        return value
    if isinstance(value, _Column):
        return value.text_readable()
    if isinstance(value, cliff_columns.FormattableColumn):
        return value.human_readable()
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if value is None:
        return ''
    return value


def get_fields(item: Mapping[str, Any], fields: Sequence[str],
               formatters: Mapping[str, type] | None = None) -> tuple:
    """Pick fields out of a dict, wrapping those with a formatter."""
    formatters = formatters or {}
    row = []
    for field in fields:
        value = item.get(field)
        cls = formatters.get(field)
        row.append(cls(value) if cls is not None else value)
    return tuple(row)


# -- base commands ---------------------------------------------------------
# argparse only takes negative *numbers* as option values, so ``--start -1h``
# failed with "expected one argument". Relative times are values too.
_NEGATIVE_VALUE = re.compile(
    r'^-\d+$|^-\d*\.\d+$|^-(?:\d+\s*[smhdw])+$', re.IGNORECASE)


def accept_relative_times(parser: argparse.ArgumentParser
                          ) -> argparse.ArgumentParser:
    """Let option values like ``-15m`` or ``-1h30m`` through argparse."""
    parser._negative_number_matcher = _NEGATIVE_VALUE
    return parser


def check_utf8(parsed_args: argparse.Namespace) -> None:
    """Refuse arguments that are not valid UTF-8.

    Python hands such argv bytes over as lone surrogates; sent on they
    would fail deep inside the HTTP layer or be stored mangled.
    """
    for value in vars(parsed_args).values():
        items = value if isinstance(value, (list, tuple)) else (value,)
        for item in items:
            for text in item if isinstance(item, (list, tuple)) else (item,):
                if not isinstance(text, str):
                    continue
                try:
                    text.encode('utf-8')
                except UnicodeEncodeError:
                    shown = text.encode('utf-8', 'surrogateescape').decode(
                        'utf-8', 'backslashreplace')
                    if len(shown) > 80:
                        shown = shown[:77] + '...'
                    raise validation.ValidationError(
                        f"Argument '{shown}' is not valid UTF-8") from None


class _OutputMixin:
    def run(self, parsed_args: argparse.Namespace) -> int:
        check_utf8(parsed_args)
        return super().run(parsed_args)

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        return accept_relative_times(super().get_parser(prog_name))

    _rows_are_text = False

    def rows_as_text(self, parsed_args: argparse.Namespace) -> bool:
        """Ask for text rows: a command that builds its csv/value cells
        itself (long listings) calls this and the conversion is skipped."""
        self._rows_are_text = getattr(
            parsed_args, 'formatter', None) in TEXT_FORMATS and not \
            getattr(parsed_args, 'sort_columns', None)
        return self._rows_are_text

    def _text_rows(self, parsed_args: argparse.Namespace,
                   data: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
        if self._rows_are_text:
            return data
        if getattr(parsed_args, 'formatter', None) in TEXT_FORMATS:
            return ([_as_text(v) for v in row] for row in data)
        return data

    @property
    def client(self) -> Any:
        return self.app.client_manager.monitoring

    def present(self, item: Any, shown: tuple) -> tuple:
        """Hook: the (columns, values) a show/create/set command prints.

        ``shown`` is the command's own view of the API object ``item``; the
        legacy ``monasca`` commands override this to print the legacy view.
        """
        return shown


class Lister(_OutputMixin, command.Lister):
    """Lister whose csv/value output prints readable text, streamed."""

    def produce_output(self, parsed_args: argparse.Namespace,
                       column_names: Sequence[str],
                       data: Iterable[Sequence[Any]]) -> int:
        if getattr(parsed_args, 'sort_columns', None):
            # cliff sorts "best effort": when the sort fails (dicts do not
            # compare) it goes on with the same iterable, which a generator
            # would no longer have rows in.
            data = list(data)
        else:
            data = _freeze_gc_when_long(data)
        if self._rows_are_text and \
                getattr(parsed_args, 'formatter', None) == 'csv':
            return self._write_csv(parsed_args, column_names, data)
        if getattr(parsed_args, 'formatter', None) == 'json' and \
                not getattr(parsed_args, 'sort_columns', None):
            columns, data = self._selected(parsed_args, column_names, data)
            write_json_list(self.app.stdout, columns, data,
                            None if parsed_args.noindent else 2)
            return 0
        return super().produce_output(parsed_args, column_names,
                                      self._text_rows(parsed_args, data))

    def _write_csv(self, parsed_args: argparse.Namespace,
                   column_names: Sequence[str],
                   data: Iterable[Sequence[Any]]) -> int:
        """cliff's csv output for rows that are text already, in one
        ``writerows`` call (cliff converts cell by cell: a third of the
        client's time on a million-row listing)."""
        import csv
        import os

        columns, data = self._selected(parsed_args, column_names, data)
        writer = csv.writer(
            self.app.stdout, quoting=self.formatter.QUOTE_MODES[
                parsed_args.quote_mode],
            lineterminator=os.linesep, escapechar='\\')
        writer.writerow(columns)
        writer.writerows(data)
        return 0


    def _selected(self, parsed_args: argparse.Namespace,
                  column_names: Sequence[str], data: Iterable[Sequence[Any]]
                  ) -> tuple[Sequence[str], Iterable[Sequence[Any]]]:
        """The ``-c`` selection, as cliff applies it."""
        columns, selector = self._generate_columns_and_selector(
            parsed_args, column_names)
        if selector:
            import itertools

            data = (list(itertools.compress(row, selector)) for row in data)
        return columns, data


def write_json_list(stdout: Any, columns: Sequence[str],
                    rows: Iterable[Sequence[Any]], indent: int | None) -> None:
    """cliff's ``-f json`` list output, written row by row.

    cliff builds the whole list first (568 MiB for a million measurements);
    this prints the same text, byte for byte, in constant memory.
    """
    import json

    first = True
    for row in rows:
        item = {name: value.machine_readable()
                if isinstance(value, cliff_columns.FormattableColumn)
                else value
                for name, value in zip(columns, row, strict=False)}
        if indent is None:
            stdout.write(('[' if first else ', ') + json.dumps(item))
        else:
            # json escapes newlines inside strings, so this only indents
            # the structure, as json.dump of the whole list would.
            text = json.dumps(item, indent=indent).replace(
                '\n', '\n' + ' ' * indent)
            stdout.write(('[\n' if first else ',\n') + ' ' * indent + text)
        first = False
    if first:
        stdout.write('[]')
    else:
        stdout.write(']' if indent is None else '\n]')
    stdout.write('\n')


def _freeze_gc_when_long(rows: Iterable[Any]) -> Iterator[Any]:
    """Yield ``rows``; once the output is long, call ``gc.freeze()``.

    Paging creates millions of short-lived objects, and every full garbage
    collection would also walk the million-odd objects that OSC's start-up
    left (1,400+ modules): about a third of the client's CPU time on a
    1,000,000-row listing. Freezing moves those to a permanent generation
    that collections skip. Only in the command layer (a short-lived CLI
    process; the Python API never does this) and only for long outputs.
    """
    for count, row in enumerate(rows, 1):
        if count == FREEZE_GC_AFTER_ROWS:
            gc.freeze()
        yield row


class ShowOne(_OutputMixin, command.ShowOne):

    def produce_output(self, parsed_args: argparse.Namespace,
                       column_names: Sequence[str],
                       data: Sequence[Any]) -> int:
        if getattr(parsed_args, 'formatter', None) in TEXT_FORMATS:
            data = [_as_text(v) for v in data]
        return super().produce_output(parsed_args, column_names, data)


class Command(_OutputMixin, command.Command):
    pass


# -- options ---------------------------------------------------------------
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
                       marker_help: str = 'Start after this offset, as the '
                       'API returns it in next links (opaque)') -> None:
    parser.add_argument(
        '--limit', metavar='<num>', type=_positive_int,
        help='Maximum number of rows to return in total (default: all; '
             'pages are fetched automatically)')
    parser.add_argument('--marker', metavar='<offset>', help=marker_help)
    parser.add_argument(
        '--page-size', metavar='<num>', type=_positive_int,
        help='Rows per API request, at most 10000 (default: 10000)')


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


def _positive_int(text: str) -> int:
    try:
        return validation.validate_limit(text)
    except validation.ValidationError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def positive_int(text: str) -> int:
    """argparse type for counts (exit 2 with a clear message)."""
    return _positive_int(text)


# -- argument conversion -----------------------------------------------------
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


def delete_each(items: Sequence[str], what: str,
                delete: Callable[[str], None], log: Any) -> None:
    """Delete several items; report each failure, then "N of M failed".

    A single item fails with its own one-line error.
    """
    from osc_lib import exceptions

    if len(items) == 1:
        delete(items[0])
        return
    failed = 0
    for item in items:
        try:
            delete(item)
        except Exception as err:  # noqa: BLE001 - report and go on
            failed += 1
            log.error("Failed to delete %s '%s': %s", what, item, err)
    if failed:
        raise exceptions.CommandError(
            f'{failed} of {len(items)} {what}s failed to delete')


def stream(rows: Iterator[Any]) -> Iterator[Any]:
    """Rows are produced lazily so csv/value output streams page by page."""
    yield from rows

"""Base command classes of every ``openstack monitoring`` command.

Every command: refuses arguments that are not UTF-8 before anything is
sent, accepts relative times such as ``--start -1h`` as option values, and
prints formatter cells as readable text in csv/value/shell output. A list
command's rows may be a generator: they are streamed, never held.

List and show commands fetch, then shape: ``take_action`` is
``shape(parsed_args, fetch(parsed_args))``. ``fetch`` turns the options into
the one manager call (for create/set commands, the call that makes the
change) and returns what the API returned: an item, or an iterator of
items for listings. ``shape`` turns that into (columns, rows) or (fields,
values) and makes no request. The legacy ``monasca`` commands override
``shape`` only.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
import re
from typing import Any

from osc_lib.command import command

from monasca_osc.common import validation
from monasca_osc.common.argtable import Arg
from monasca_osc.v2.base import output
from monasca_osc.v2.base.cells import as_text, get_fields

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


# The distribution these commands come from (setup.cfg [metadata] name).
DISTRIBUTION = 'monasca-osc'


class _OutputMixin:
    # The command's own arguments, as data (see common/argtable.py).
    argument_table: Sequence[Arg] = ()

    def get_epilog(self) -> str:
        """cliff's epilog, without its scan for our distribution's name.

        To end the help with "This command is provided by the ... plugin",
        cliff maps every installed module to its distribution
        (``importlib.metadata.packages_distributions``: about 0.18 s of CPU
        on every run, help or not). The text is the same: the epilog, the
        hooks' epilogs, and the sentence unless the application is ours.
        """
        parts = [self._epilog or '']
        parts.extend(epilog for hook in self._hooks if hook.obj is not None
                     and (epilog := hook.obj.get_epilog()) is not None)
        if type(self.app).__module__.partition('.')[0] != 'monasca_osc':
            parts.append(
                f'This command is provided by the {DISTRIBUTION} plugin.')
        return '\n\n'.join(parts)

    def run(self, parsed_args: argparse.Namespace) -> int:
        check_utf8(parsed_args)
        return super().run(parsed_args)

    def base_parser(self, prog_name: str) -> argparse.ArgumentParser:
        """cliff's parser (its output options), relative times accepted."""
        return accept_relative_times(super().get_parser(prog_name))

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = self.base_parser(prog_name)
        for argument in self.argument_table:
            argument.add_to(parser)
        return parser

    _rows_are_text = False

    def rows_as_text(self, parsed_args: argparse.Namespace) -> bool:
        """Ask for text rows: a command that builds its csv/value cells
        itself (long listings) calls this and the conversion is skipped."""
        self._rows_are_text = getattr(
            parsed_args, 'formatter', None) in output.TEXT_FORMATS and not \
            getattr(parsed_args, 'sort_columns', None)
        return self._rows_are_text

    def rows_as_runs(self, parsed_args: argparse.Namespace) -> bool:
        """May the rows include ``output.PointRun`` items? Only the
        streamed csv/value/json writers read them (no ``-c``, no sorting);
        call it after ``rows_as_text``."""
        formatter = getattr(parsed_args, 'formatter', None)
        if getattr(parsed_args, 'sort_columns', None) or \
                getattr(parsed_args, 'columns', None):
            return False
        return formatter == 'json' or (
            formatter in ('csv', 'value') and self._rows_are_text)

    def _text_rows(self, parsed_args: argparse.Namespace,
                   data: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
        if self._rows_are_text:
            return data
        if getattr(parsed_args, 'formatter', None) in output.TEXT_FORMATS:
            return ([as_text(v) for v in row] for row in data)
        return data

    @property
    def client(self) -> Any:
        return self.app.client_manager.monitoring


class _FetchShape:
    """``take_action`` of list and show commands (see the module doc)."""

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return self.shape(parsed_args, self.fetch(parsed_args))

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        """Validate the options and make the manager call."""
        raise NotImplementedError

    def shape(self, parsed_args: argparse.Namespace, fetched: Any) -> Any:
        """What ``fetch`` returned, as the columns and rows to print."""
        raise NotImplementedError


@dataclass(frozen=True)
class ListColumns:
    """What a list command prints: the column names (``long`` with
    ``--long``, when given), the API field behind each column, and the
    cell class of the fields that need one (cells.py)."""

    short: Sequence[str]
    fields: Mapping[str, str]
    long: Sequence[str] = ()
    formatters: Mapping[str, type] = field(default_factory=dict)


class Lister(_OutputMixin, _FetchShape, command.Lister):
    """Lister whose csv/value output prints readable text, streamed.

    ``marker_kind``: the form of this listing's --marker
    (``validation.MARKER_FORMS``), refused before anything is sent when
    wrong; ``marker_option``: its spelling (``--offset`` in ``monasca``).
    When --limit stops the listing before the end, the marker that
    continues it is printed on stderr after the rows.

    The default ``shape`` prints the ``columns`` (a :class:`ListColumns`)
    of ``view(item)``; one row per item, lazily.
    """

    marker_kind = 'offset'
    marker_option = '--marker'
    columns: ListColumns

    def run(self, parsed_args: argparse.Namespace) -> int:
        from monasca_osc.api import pager

        marker = getattr(parsed_args, 'marker', None)
        if marker is not None:
            parsed_args.marker = validation.validate_marker(
                marker, self.marker_kind, self.marker_option)
        with pager.watch_more_results() as more:
            result = super().run(parsed_args)
        if more:
            self.app.stderr.write(
                f'more results: {self.marker_option} {more[-1]}\n')
        return result

    def view(self, item: Mapping[str, Any]) -> Mapping[str, Any]:
        """The API item as the fields are picked from (hook)."""
        return item

    def shape(self, parsed_args: argparse.Namespace,
              items: Iterable[Mapping[str, Any]]) -> tuple:
        table = self.columns
        columns = table.long if table.long and \
            getattr(parsed_args, 'long', False) else table.short
        fields = [table.fields[c] for c in columns]
        view, formatters = self.view, table.formatters
        return tuple(columns), (get_fields(view(item), fields, formatters)
                                for item in items)

    def produce_output(self, parsed_args: argparse.Namespace,
                       column_names: Sequence[str],
                       data: Iterable[Sequence[Any]]) -> int:
        # The first row (so the first request) before any output: an error
        # answered to it leaves stdout empty, not even a csv/value header.
        data = _first_row_fetched(data)
        sorting = bool(getattr(parsed_args, 'sort_columns', None))
        if sorting:
            # cliff sorts "best effort": when the sort fails (dicts do not
            # compare) it goes on with the same iterable, which a generator
            # would no longer have rows in.
            data = list(data)
        output.freeze_startup_objects()
        stream = self._streamer(parsed_args, sorting)
        if stream is not None:
            columns, data = self._selected(parsed_args, column_names, data)
            stream(columns, data)
            return 0
        return super().produce_output(parsed_args, column_names,
                                      self._text_rows(parsed_args, data))

    def _streamer(self, parsed_args: argparse.Namespace, sorting: bool
                  ) -> Callable[[Sequence[str], Iterable[Sequence[Any]]],
                                None] | None:
        """The streamed writer for this output format, when there is one
        (each prints exactly what cliff's formatter would)."""
        formatter = getattr(parsed_args, 'formatter', None)
        stdout = self.app.stdout
        if formatter == 'csv' and self._rows_are_text:
            quoting = self.formatter.QUOTE_MODES[parsed_args.quote_mode]
            return lambda columns, rows: output.write_csv(
                stdout, quoting, columns, rows)
        if formatter == 'value' and self._rows_are_text:
            return lambda columns, rows: output.write_value(stdout, rows)
        if formatter == 'json' and not sorting:
            indent = None if parsed_args.noindent else 2
            return lambda columns, rows: output.write_json_list(
                stdout, columns, rows, indent)
        if formatter == 'yaml' and not sorting:
            return lambda columns, rows: output.write_yaml_list(
                stdout, columns, rows)
        return None

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


class ShowOne(_OutputMixin, _FetchShape, command.ShowOne):
    """A command that prints one object as field/value pairs.

    The default ``shape`` prints ``show_fields`` of ``view(item)``, with
    ``field_formatters``.
    """

    show_fields: Sequence[str] = ()
    field_formatters: Mapping[str, type] = {}

    def view(self, item: Mapping[str, Any]) -> Mapping[str, Any]:
        """The API object as the fields are picked from (hook)."""
        return item

    def shape(self, parsed_args: argparse.Namespace,
              item: Mapping[str, Any]) -> tuple:
        return tuple(self.show_fields), get_fields(
            self.view(item), self.show_fields, self.field_formatters)

    def produce_output(self, parsed_args: argparse.Namespace,
                       column_names: Sequence[str],
                       data: Sequence[Any]) -> int:
        if getattr(parsed_args, 'formatter', None) in output.TEXT_FORMATS:
            data = [as_text(v) for v in data]
        return super().produce_output(parsed_args, column_names, data)


class Command(_OutputMixin, command.Command):
    pass


class DeleteByName(Command):
    """Delete the items given (names or IDs): each is looked up with the
    client's ``manager_name`` manager, then deleted by ID; failures are
    reported as ``delete_each`` says."""

    manager_name = ''   # e.g. 'notifications'
    what = ''           # e.g. 'notification method'
    metavar = ''        # e.g. '<notification-method>'

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'items', metavar=self.metavar, nargs='+',
            help=f'{self.what.capitalize()}(s) to delete (name or ID)')
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> None:
        manager = getattr(self.client, self.manager_name)

        def delete(item: str) -> None:
            manager.delete(manager.find(item)['id'])

        delete_each(parsed_args.items, self.what, delete, self.log)


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


_NO_ROW = object()


def _first_row_fetched(data: Iterable[Any]) -> Iterable[Any]:
    import itertools

    rows = iter(data)
    first = next(rows, _NO_ROW)
    return rows if first is _NO_ROW else itertools.chain((first,), rows)

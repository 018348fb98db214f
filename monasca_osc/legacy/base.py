"""What every legacy ``monasca`` command shares.

A legacy command is a subclass of the matching ``monasca_osc.v2`` command
class (so the API call, validation and paging are the OSC plugin's: its
``fetch``) with :class:`LegacyCommand` mixed in front. The legacy command
describes its syntax as data (``legacy_arguments``, ``legacy_defaults``: see
``legacy/syntax.py``) and overrides ``shape`` only, turning the API items
into the legacy columns. The mixin gives it:

* ``get_parser()``: the cliff parser *without* the v2 options, plus the
  legacy ``-j/--json`` flag and the command's ``legacy_arguments``;
* the legacy default output: a table with the legacy column names, the
  JSON response of mutating commands, or a "Successfully ..." line;
* the cliff formatters (``-f table|json|yaml|csv|value``, ``-c``), loaded
  without an entry-point scan.

``LegacyList`` shapes a listing from a table of (column, field) pairs;
``LegacyShow`` prints the whole API object as Property/Value rows.

The column classes keep native types for json/yaml and print legacy text
(multi-line cells) in tables. Imports: stdlib, cliff, v2.base and
legacy.syntax only.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Mapping, Sequence
import json
from typing import Any

from cliff import columns as cliff_columns
from cliff.formatters import table as table_formatter

from monasca_osc.common.argtable import Arg
from monasca_osc.legacy.syntax import Field
from monasca_osc.v2.base import cells

# Default of the ``formatter`` dest: "the user chose no -f/-j".
LEGACY_OUTPUT = 'legacy'
JSON_HELP = 'output raw json response (same as -f json)'


# -- columns ----------------------------------------------------------------
class _Column(cells.Column):
    def machine_readable(self) -> Any:
        return self._value


class Dimensions(_Column):
    """``{"a": "1"}`` -> one ``a:1`` line per dimension, server order."""

    separator = ':'

    def human_readable(self) -> str:
        return '\n'.join(f'{k}{self.separator}{_text(v)}'
                         for k, v in (self._value or {}).items())

    def text_readable(self) -> str:
        return ','.join(f'{k}={_text(v)}'
                        for k, v in (self._value or {}).items())

    def machine_readable(self) -> Any:
        return dict(self._value or {})


def format_number(value: Any) -> str:
    """Legacy ``{:12.3f}``; anything that is not a number prints as is."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'{value:12.3f}'
    return '' if value is None else _text(value)


def format_value_meta(meta: Any) -> str:
    if not meta:
        return ''
    if isinstance(meta, Mapping):
        return ','.join(f'{k}: {_text(v)}' for k, v in meta.items())
    return _text(meta)


class Stacked(_Column):
    """A list shown one item per line (the legacy series cells)."""

    def __init__(self, value: Sequence[Any],
                 fmt: Callable[[Any], str] | None = None):
        super().__init__(list(value))
        self._fmt = fmt or _text

    def human_readable(self) -> str:
        return '\n'.join(self._fmt(v) for v in self._value)

    def text_readable(self) -> str:
        # csv/value are for scripts: plain values, not the padded table form.
        return ' '.join('' if v is None else _text(v) for v in self._value)

    def machine_readable(self) -> Any:
        return list(self._value)


class Text(_Column):
    """Any value as text in tables (JSON for nested data), native in json."""

    def human_readable(self) -> str:
        return '' if self._value is None else _text(self._value)


class JSONValue(_Column):
    """A show-table value the way the legacy client printed it: as JSON."""

    def human_readable(self) -> str:
        return json.dumps(self._value, indent=2, ensure_ascii=False)

    def text_readable(self) -> str:
        if isinstance(self._value, str):
            return self._value
        return json.dumps(self._value, ensure_ascii=False)


class Links(_Column):
    """``href:<url>,rel:self``, one line per link."""

    def human_readable(self) -> str:
        return '\n'.join(
            ','.join(f'{k}:{link[k]}' for k in sorted(link))
            if isinstance(link, Mapping) else _text(link)
            for link in self._value or ())

    text_readable = human_readable


class KeyValueLines(_Column):
    """A nested object as ``key: value`` lines (expression_data)."""

    def human_readable(self) -> str:
        lines = []
        for key, value in (self._value or {}).items():
            if isinstance(value, Mapping):
                lines.append(f'{key}: {{')
                lines.extend(f'  {k}: {_text(v)}' for k, v in value.items())
                lines.append('}')
            else:
                lines.append(f'{key}: {_text(value)}')
        return '\n'.join(lines)

    def text_readable(self) -> str:
        return json.dumps(self._value, ensure_ascii=False)


def _text(value: Any) -> str:
    """A cell value as text: JSON for nested data, never a bytes repr."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def metric_lines(metrics: Iterable[Mapping[str, Any]]
                 ) -> tuple[list[str], list[str]]:
    """An alarm's metrics as two aligned stacks: names and dimensions.

    Every metric takes as many lines as it has dimensions (at least one),
    its name on the first of them, so the two columns never drift apart.
    """
    names: list[str] = []
    dims: list[str] = []
    for metric in metrics or ():
        items = list((metric.get('dimensions') or {}).items()) or [None]
        for index, item in enumerate(items):
            names.append(_text(metric.get('name')) if index == 0 else '')
            dims.append('' if item is None
                        else f'{item[0]}: {_text(item[1])}')
    return names, dims


class MetricNames(_Column):
    def human_readable(self) -> str:
        return '\n'.join(metric_lines(self._value)[0])

    def text_readable(self) -> str:
        return ' '.join(_text(m.get('name')) for m in self._value or ())

    def machine_readable(self) -> Any:
        return [m.get('name') for m in self._value or ()]


class MetricDimensions(_Column):
    def human_readable(self) -> str:
        return '\n'.join(metric_lines(self._value)[1])

    def text_readable(self) -> str:
        return ' '.join(
            ','.join(f'{k}={_text(v)}'
                     for k, v in (m.get('dimensions') or {}).items())
            for m in self._value or ())

    def machine_readable(self) -> Any:
        return [dict(m.get('dimensions') or {}) for m in self._value or ()]


# -- column tables ----------------------------------------------------------
# A legacy listing as data: (column name, API field, cell class or None).
Columns = Sequence[tuple[str, str, Callable[[Any], Any] | None]]


def rows(items: Iterable[Mapping[str, Any]], columns: Columns
         ) -> Iterable[tuple]:
    """One legacy row per API item, lazily."""
    for item in items:
        yield tuple(item.get(field) if cell is None else cell(item.get(field))
                    for _, field, cell in columns)


def show_item(item: Mapping[str, Any],
              raw: Iterable[str] = ()) -> tuple[tuple[str, ...], tuple]:
    """A legacy Property/Value view of an API object, sorted by property.

    ``links`` print as ``href:..,rel:..``; ``expression_data`` as
    ``key: value`` lines; fields in ``raw`` as plain text; the others as
    JSON, like the legacy client.
    """
    fields = tuple(sorted(item))
    values = []
    for field in fields:
        value = item[field]
        if field == 'links':
            values.append(Links(value or []))
        elif field == 'expression_data' and isinstance(value, Mapping):
            values.append(KeyValueLines(value))
        elif field in raw or field.endswith(('_timestamp', '_at')):
            values.append(Text(value))
        else:
            values.append(JSONValue(value))
    return fields, tuple(values)


# -- formatters -------------------------------------------------------------
class LegacyTableFormatter(table_formatter.TableFormatter):
    """cliff's table, with the legacy ``Property | Value`` header."""

    def emit_one(self, column_names: Sequence[str], data: Sequence[Any],
                 stdout: Any, parsed_args: argparse.Namespace) -> None:
        import prettytable

        table = prettytable.PrettyTable(field_names=('Property', 'Value'),
                                        print_empty=False)
        table.padding_width = 1
        table.align['Property'] = 'l'
        table.align['Value'] = 'l'
        for name, value in zip(column_names, data, strict=False):
            if isinstance(value, cliff_columns.FormattableColumn):
                value = value.human_readable()
            if isinstance(value, str):
                value = value.replace('\r\n', '\n').replace('\r', ' ')
            table.add_row((name, value))
        self._assign_max_widths(table, int(parsed_args.max_width), 16,
                                parsed_args.fit_width)
        stdout.write(table.get_string())
        stdout.write('\n')


class _Extension:
    def __init__(self, name: str, obj: Any):
        self.name = name
        self.obj = obj


class Formatters:
    """The stevedore ExtensionManager interface cliff uses, without the
    entry-point scan (the formatter set is fixed for the legacy CLI)."""

    def __init__(self, extensions: Mapping[str, _Extension]):
        self._extensions = dict(extensions)

    def names(self) -> list[str]:
        return list(self._extensions)

    def __getitem__(self, name: str) -> _Extension:
        return self._extensions[name]

    def __iter__(self) -> Any:
        return iter(list(self._extensions.values()))


def formatters(namespace: str) -> Formatters:
    from cliff.formatters import (
        commaseparated,
        json_format,
        value,
        yaml_format,
    )
    from cliff.formatters import shell as shell_format

    classes: dict[str, Any] = {
        'json': json_format.JSONFormatter,
        'table': LegacyTableFormatter,
        'value': value.ValueFormatter,
        'yaml': yaml_format.YAMLFormatter,
    }
    if namespace.endswith('.list'):
        classes['csv'] = commaseparated.CSVLister
    else:
        classes['shell'] = shell_format.ShellFormatter
    return Formatters({name: _Extension(name, classes[name]())
                       for name in sorted(classes)})


# -- the mixin ---------------------------------------------------------------
class LegacyCommand:
    """Mixed in front of a v2 command class; see the module docstring.

    ``legacy_format``: what the command prints when neither ``-f`` nor
    ``-j`` is given ('table' or 'json', the legacy output).
    ``success_message``: printed instead of any data by default (the
    legacy "Successfully created metric" lines).
    """

    legacy_format = 'table'
    success_message: str | None = None
    marker_option = '--offset'
    # The legacy syntax (see legacy/syntax.py) and the v2 arguments it
    # leaves unset.
    legacy_arguments: Sequence[Arg] = ()
    legacy_defaults: Mapping[str, Any] = {}
    _legacy_text = False

    # cliff looks up per-command hooks and the distribution of each
    # command (a scan of every installed package) for every run; the
    # legacy commands have neither, and start-up time matters here.
    def _load_hooks(self) -> None:
        self._hooks = []

    def get_epilog(self) -> str:
        return self._epilog or ''

    def _load_formatter_plugins(self) -> Formatters:
        return formatters(self.formatter_namespace)

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        """cliff's options (not the v2 command's), ``-j`` and
        ``legacy_arguments``.

        Every option of the v2 command that the legacy parser does not
        define still reaches the v2 code with its v2 default (see ``run``),
        so an option added to a v2 command never breaks its legacy twin.
        """
        self._v2_defaults = {
            action.dest: action.default
            for action in super().get_parser(prog_name)._actions
            if action.dest not in (argparse.SUPPRESS, 'help')}
        # Not the v2 command's options: this replaces its get_parser.
        parser = self.base_parser(prog_name)
        if hasattr(self, 'formatter_namespace'):
            parser.add_argument('-j', '--json', dest='formatter',
                                action='store_const', const='json',
                                help=JSON_HELP)
            parser.set_defaults(formatter=LEGACY_OUTPUT)
        else:
            # Accepted for compatibility: these commands print no data.
            parser.add_argument('-j', '--json', action='store_true',
                                dest='json', help=argparse.SUPPRESS)
        for argument in self.legacy_arguments:
            argument.add_to(parser)
        parser.set_defaults(**self.legacy_defaults)
        return parser

    _v2_defaults: dict[str, Any] = {}

    def run(self, parsed_args: argparse.Namespace) -> int:
        for dest, value in self._v2_defaults.items():
            if not hasattr(parsed_args, dest):
                setattr(parsed_args, dest, value)
        default = getattr(parsed_args, 'formatter', LEGACY_OUTPUT) \
            == LEGACY_OUTPUT
        self._legacy_text = default and self.success_message is not None
        if default and hasattr(parsed_args, 'formatter'):
            parsed_args.formatter = self.legacy_format
        result = super().run(parsed_args)
        if self._legacy_text:
            self.app.stdout.write(f'{self.success_message}\n')
        return result

    def produce_output(self, parsed_args: argparse.Namespace,
                       column_names: Sequence[str], data: Any) -> int:
        if self._legacy_text:
            return 0
        return super().produce_output(parsed_args, column_names, data)


class LegacyList(LegacyCommand):
    """A listing printed from the ``legacy_columns`` table (see ``rows``)
    of ``view(item)``."""

    legacy_columns: Columns = ()

    def shape(self, parsed_args: argparse.Namespace,
              items: Iterable[Mapping[str, Any]]) -> tuple:
        view = self.view
        return (tuple(name for name, _, _ in self.legacy_columns),
                rows((view(item) for item in items), self.legacy_columns))


class LegacyShow(LegacyCommand):
    """Show, create, update and patch commands: the whole API object, in
    the legacy Property/Value view (``raw_fields`` print as plain text)."""

    raw_fields: tuple[str, ...] = ()

    def shape(self, parsed_args: argparse.Namespace,
              item: Mapping[str, Any]) -> tuple:
        return show_item(item, raw=self.raw_fields)


# -- commands made from a table ----------------------------------------------
def update_and_patch(module: str, prefix: str, show: type, v2_class: type,
                     target: Arg, fields: Sequence[Field], what: str
                     ) -> tuple[type, type]:
    """``<x>-update`` (the target, then every field positionally: HTTP PUT)
    and ``<x>-patch`` (the fields given as options: HTTP PATCH), which
    print the API's JSON answer by default."""
    def make(verb: str, arguments: tuple[Arg, ...], replace: bool) -> type:
        return type(f'{prefix}{verb}', (show, v2_class), {
            '__module__': module, '__doc__': f'{verb} {what}.',
            'legacy_format': 'json', 'legacy_arguments': (target, *arguments),
            'legacy_defaults': {'replace': replace}})
    return (make('Update', tuple(f.positional() for f in fields), True),
            make('Patch', tuple(f.option() for f in fields), False))


def delete_command(module: str, name: str, v2_class: type, doc: str,
                   noun: str, dest: str, metavar: str) -> type:
    """``<x>-delete <ID>``: one ID, then "Successfully deleted <noun>"."""
    return type(name, (LegacyCommand, v2_class), {
        '__module__': module, '__doc__': doc,
        'success_message': f'Successfully deleted {noun}',
        'legacy_arguments': (Arg((dest,), {
            'metavar': metavar, 'nargs': 1,
            'help': f'The ID of the {noun}.'}),)})

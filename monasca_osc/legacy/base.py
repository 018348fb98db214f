"""What every legacy ``monasca`` command shares.

A legacy command is a subclass of the matching ``monasca_osc.v2`` command
class (so the API call, validation and paging are the OSC plugin's: its
``fetch``) with :class:`LegacyCommand` mixed in front. The legacy command
describes its syntax and overrides ``shape`` only, turning the API items
into the legacy columns. The mixin gives it:

* ``legacy_parser()``: the cliff parser *without* the v2 options, plus the
  legacy ``-j/--json`` flag, so the subclass only adds the legacy syntax;
* the legacy default output: a table with the legacy column names, the
  JSON response of mutating commands, or a "Successfully ..." line;
* the cliff formatters (``-f table|json|yaml|csv|value``, ``-c``), loaded
  without an entry-point scan.

``LegacyList`` shapes a listing from a table of (column, field) pairs;
``LegacyShow`` prints the whole API object as Property/Value rows.

The column classes keep native types for json/yaml and print legacy text
(multi-line cells) in tables. Imports: stdlib, cliff and v2.base only.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Mapping, Sequence
import datetime as _dt
import json
from typing import Any

from cliff import columns as cliff_columns
from cliff.formatters import table as table_formatter

from monasca_osc.common import timeutil, validation
from monasca_osc.v2.base import cells, options

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

    def legacy_parser(self, prog_name: str,
                      v2_class: type) -> argparse.ArgumentParser:
        """The parser of ``v2_class``'s base (cliff options only).

        Every option of the v2 command that the legacy parser does not
        define still reaches the v2 code with its v2 default (see ``run``),
        so an option added to a v2 command never breaks its legacy twin.
        """
        self._v2_defaults = {
            action.dest: action.default
            for action in v2_class.get_parser(self, prog_name)._actions
            if action.dest not in (argparse.SUPPRESS, 'help')}
        parser = super(v2_class, self).get_parser(prog_name)
        if hasattr(self, 'formatter_namespace'):
            parser.add_argument('-j', '--json', dest='formatter',
                                action='store_const', const='json',
                                help=JSON_HELP)
            parser.set_defaults(formatter=LEGACY_OUTPUT)
        else:
            # Accepted for compatibility: these commands print no data.
            parser.add_argument('-j', '--json', action='store_true',
                                dest='json', help=argparse.SUPPRESS)
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


# -- argument helpers --------------------------------------------------------
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


def add_paging(parser: argparse.ArgumentParser,
               marker: str = 'offset') -> None:
    """--offset and --limit; ``marker`` is the kind of the list's offset
    (``validation.MARKER_FORMS``), checked before anything is sent."""
    parser.add_argument(
        '--offset', metavar='<OFFSET LOCATION>', dest='marker',
        help=validation.marker_help(marker).replace('--marker',
                                                    '--offset'))
    parser.add_argument(
        '--limit', metavar='<RETURN LIMIT>', type=options.positive_int,
        help='The amount of data to be returned; without --offset, pages '
             'are fetched until this many items are found (default: all).')


def add_dimensions(parser: argparse.ArgumentParser, flag: str = '--dimensions',
                   dest: str = 'dimensions', what: str = 'metric') -> None:
    parser.add_argument(
        flag, metavar='<KEY1=VALUE1,KEY2=VALUE2...>', dest=dest,
        action='append', default=[],
        help=f'key value pair used to specify a {what} dimension; a bare '
             'KEY matches any value, KEY=V1|V2 any of the values. Can be '
             'repeated, or give several pairs separated by commas; write a '
             'comma inside a value as \\, (or separate the pairs with ;).')

"""The alarm-definition test file: load, validate, warn.

A file (YAML) holds ``interval`` (spacing of series values, default 1m),
optional ``start`` (the time of the first value, ISO 8601, default
2024-01-01T00:00:00Z), ``definitions`` (or ``definitions_from: other.yaml``,
a file holding the same list, or a mapping with a ``definitions`` list),
``series`` (name, dimensions, values in promtool's expanding notation; see
``series.py``) and ``tests`` (``at``, ``definition``, ``alarms``: ``match``,
``state``, optional ``actions``).

Invariants: every problem raises ``TestFileError`` whose text is one line
``FILE:LINE: problem`` (the command exits 2 with it); what loads is fully
validated (expressions parsed, values expanded, times resolved to epoch
milliseconds); doubtful but valid content becomes a warning
(``FILE:LINE: warning: ...``), never an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime as _dt
import os
from typing import Any

from monasca_osc.alarmtools import series as series_mod
from monasca_osc.common import expression as expr_mod
from monasca_osc.common import timeutil, validation

__all__ = ['TestFileError', 'TestFile', 'Definition', 'Series', 'TestCase',
           'Expectation', 'load', 'load_definitions', 'DEFAULT_START']

DEFAULT_START = '2024-01-01T00:00:00Z'
DEFAULT_INTERVAL = 60
TOP_KEYS = ('interval', 'start', 'definitions', 'definitions_from', 'series',
            'tests')
DEFINITION_KEYS = ('name', 'expression', 'match_by', 'severity',
                   'description', 'actions_enabled', 'alarm_actions',
                   'ok_actions', 'undetermined_actions', 'id')
SERIES_KEYS = ('name', 'dimensions', 'values')
TEST_KEYS = ('at', 'definition', 'alarms', 'name')
EXPECTATION_KEYS = ('match', 'state', 'actions')


class TestFileError(ValueError):
    """One line: ``FILE:LINE: problem``."""

    __test__ = False  # not a pytest class

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        where = f'{path}:{line}' if line else path
        super().__init__(f'{where}: {message}')


@dataclass
class Definition:
    name: str
    expression: str
    parsed: expr_mod.Expression
    match_by: list[str] = field(default_factory=list)
    severity: str = 'LOW'
    description: str = ''
    actions_enabled: bool = True
    alarm_actions: list[str] = field(default_factory=list)
    ok_actions: list[str] = field(default_factory=list)
    undetermined_actions: list[str] = field(default_factory=list)
    line: int = 0
    path: str = ''

    def actions_for(self, state: str) -> list[str]:
        """The notification names a transition into ``state`` sends."""
        if not self.actions_enabled:
            return []
        return list({'ALARM': self.alarm_actions, 'OK': self.ok_actions,
                     'UNDETERMINED': self.undetermined_actions}[state])

    def as_api(self) -> dict[str, Any]:
        """The definition as the API shows one (for the engine)."""
        return {'id': self.name, 'name': self.name,
                'expression': self.expression, 'match_by': self.match_by,
                'severity': self.severity, 'description': self.description,
                'actions_enabled': self.actions_enabled,
                'alarm_actions': self.alarm_actions,
                'ok_actions': self.ok_actions,
                'undetermined_actions': self.undetermined_actions,
                'deterministic': self.parsed.deterministic}


@dataclass
class Series:
    name: str
    dimensions: dict[str, str]
    points: list[tuple[int, float]]     # (epoch ms, value), time order
    line: int = 0


@dataclass
class Expectation:
    match: dict[str, str]
    state: str
    actions: list[str] | None
    line: int = 0


@dataclass
class TestCase:
    __test__ = False

    index: int
    at_ms: int
    at_text: str
    definition: str
    alarms: list[Expectation]
    line: int = 0
    name: str = ''


@dataclass
class TestFile:
    __test__ = False

    path: str
    interval: int
    start_ms: int
    definitions: list[Definition]
    series: list[Series]
    tests: list[TestCase]
    warnings: list[str] = field(default_factory=list)

    def definition(self, name: str) -> Definition:
        return next(d for d in self.definitions if d.name == name)

    def feeding(self, definition: Definition) -> list[Series]:
        """The series that feed at least one sub-expression."""
        return [s for s in self.series
                if any(sub.matches(s.name, s.dimensions)
                       for sub in definition.parsed.sub_expressions)]


# -- YAML with line numbers --------------------------------------------------
class _Map(dict):
    """A mapping that remembers the line of itself and of each value."""

    line = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}
        self.raw: dict[Any, str] = {}

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class _List(list):
    line = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[int] = []


def _yaml_load(path: str, text: str) -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader: Any, node: Any) -> _Map:
        loader.flatten_mapping(node)
        result = _Map()
        result.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value      # 'on', '01': keys are text
            if not isinstance(key, (str, int, float, bool)):
                raise TestFileError(path, key_node.start_mark.line + 1,
                                    'a mapping key must be a plain value')
            if key in result:
                raise TestFileError(path, key_node.start_mark.line + 1,
                                    f"duplicate key '{key}'")
            result[key] = loader.construct_object(value_node, deep=True)
            result.lines[key] = value_node.start_mark.line + 1
            if isinstance(value_node, yaml.ScalarNode):
                # The text as written: dimension values such as 01 or
                # true stay strings.
                result.raw[key] = value_node.value
        return result

    def sequence(loader: Any, node: Any) -> _List:
        result = _List()
        result.line = node.start_mark.line + 1
        for item in node.value:
            result.append(loader.construct_object(item, deep=True))
            result.lines.append(item.start_mark.line + 1)
        return result

    Loader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    Loader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, sequence)
    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - SafeLoader
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        problem = err.problem or err.context or 'invalid YAML'
        raise TestFileError(path, line, f'invalid YAML: {problem}') from None
    except yaml.YAMLError as err:
        raise TestFileError(path, None, f'invalid YAML: {err}') from None


def _read(path: str) -> str:
    try:
        with open(path, encoding='utf-8') as handle:
            return handle.read()
    except OSError as err:
        raise TestFileError(path, None, err.strerror or str(err)) from None
    except UnicodeDecodeError:
        raise TestFileError(path, None, 'not UTF-8 text') from None


# -- validation helpers ---------------------------------------------------
class _Checker:
    def __init__(self, path: str) -> None:
        self.path = path
        self.warnings: list[str] = []

    def fail(self, line: int | None, message: str) -> TestFileError:
        return TestFileError(self.path, line, message)

    def warn(self, line: int | None, message: str) -> None:
        where = f'{self.path}:{line}' if line else self.path
        self.warnings.append(f'{where}: warning: {message}')

    def mapping(self, value: Any, line: int, what: str) -> _Map:
        if not isinstance(value, _Map):
            raise self.fail(line, f'{what} must be a mapping')
        return value

    def keys(self, item: _Map, allowed: tuple[str, ...], what: str) -> None:
        for key in item:
            if key not in allowed:
                raise self.fail(item.line_of(key),
                                f"unknown key '{key}' in {what} (allowed: "
                                f"{', '.join(allowed)})")

    def required(self, item: _Map, key: str, what: str) -> Any:
        if item.get(key) is None:
            raise self.fail(item.line, f"{what} lacks '{key}'")
        return item[key]

    def text(self, item: _Map, key: str, what: str,
             required: bool = False) -> str | None:
        value = self.required(item, key, what) if required else item.get(key)
        if value is None:
            return None
        if isinstance(value, (_Map, _List)):
            raise self.fail(item.line_of(key), f'{what} {key} must be text')
        return item.raw.get(key, str(value))

    def names(self, item: _Map, key: str, what: str) -> list[str]:
        value = item.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(
                isinstance(v, (str, int)) for v in value):
            raise self.fail(item.line_of(key),
                            f'{what} {key} must be a list of names')
        return [str(v) for v in value]

    def dimensions(self, item: _Map, key: str, what: str) -> dict[str, str]:
        value = item.get(key)
        if value is None:
            return {}
        value = self.mapping(value, item.line_of(key), f'{what} {key}')
        result = {}
        for dim_key in value:
            dim_value = value.raw.get(dim_key, value[dim_key])
            if isinstance(dim_value, (_Map, _List)) or dim_value is None:
                raise self.fail(value.line_of(dim_key),
                                f"{what} {key}: '{dim_key}' needs a value")
            try:
                validation.validate_dimension_key(str(dim_key))
                validation.validate_dimension_value(str(dim_key),
                                                    str(dim_value))
            except validation.ValidationError as err:
                raise self.fail(value.line_of(dim_key), str(err)) from None
            result[str(dim_key)] = str(dim_value)
        return result

    def instant(self, item: _Map, key: str, start_ms: int, what: str
                ) -> tuple[int, str]:
        value = self.required(item, key, what)
        line = item.line_of(key)
        if isinstance(value, _dt.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=_dt.UTC)
            return timeutil.to_epoch_ms(value), timeutil.format_iso(value)
        seconds = series_mod.parse_duration(value)
        if seconds is not None:
            text = item.raw.get(key, str(value))
            return start_ms + seconds * 1000, text
        if isinstance(value, str):
            try:
                moment = timeutil.parse_iso(value, what=f'{what} {key}')
            except validation.ValidationError:
                pass
            else:
                return timeutil.to_epoch_ms(moment), value
        raise self.fail(line, f"{what} {key} '{value}' is neither an offset "
                              '(30s, 6m, 1h30m) nor an ISO 8601 time')


# -- the file -------------------------------------------------------------
def load(path: str) -> TestFile:
    """Load and validate one test file (``TestFileError`` on a problem)."""
    check = _Checker(path)
    top = _yaml_load(path, _read(path))
    if not isinstance(top, _Map):
        raise check.fail(getattr(top, 'line', 1) or 1,
                         'a test file is a mapping with definitions, '
                         'series and tests')
    check.keys(top, TOP_KEYS, 'the test file')
    interval = DEFAULT_INTERVAL
    if top.get('interval') is not None:
        interval = series_mod.parse_duration(top['interval'])
        if not interval:
            raise check.fail(top.line_of('interval'),
                             f"interval '{top['interval']}' is not a "
                             'duration such as 30s, 1m or 1h')
    start_ms = timeutil.to_epoch_ms(timeutil.parse_iso(DEFAULT_START))
    if top.get('start') is not None:
        if series_mod.parse_duration(top['start']) is not None:
            raise check.fail(top.line_of('start'),
                             'start must be an ISO 8601 time')
        start_ms, _ = check.instant(top, 'start', 0, 'the file')
    definitions = _definitions(check, top)
    series = _series(check, top, interval, start_ms)
    tests = _tests(check, top, start_ms, definitions)
    result = TestFile(path, interval, start_ms, definitions, series, tests)
    _warnings(check, result)
    result.warnings = check.warnings
    return result


def load_definitions(path: str) -> list[Definition]:
    """The definitions of a test file or of a ``definitions_from`` file."""
    check = _Checker(path)
    top = _yaml_load(path, _read(path))
    if isinstance(top, _Map) and ('definitions' in top
                                  or 'definitions_from' in top):
        return _definitions(check, top)
    return _definition_list(check, top, getattr(top, 'line', 1))


def _definitions(check: _Checker, top: _Map) -> list[Definition]:
    if 'definitions' in top and 'definitions_from' in top:
        raise check.fail(top.line_of('definitions_from'),
                         'give either definitions or definitions_from')
    if top.get('definitions_from') is not None:
        other = top['definitions_from']
        if not isinstance(other, str):
            raise check.fail(top.line_of('definitions_from'),
                             'definitions_from must be a file name')
        full = os.path.join(os.path.dirname(check.path), other)
        if not os.path.isfile(full):
            raise check.fail(top.line_of('definitions_from'),
                             f"definitions_from: no file '{full}'")
        return load_definitions(full)
    if top.get('definitions') is None:
        raise check.fail(top.line, 'no definitions (give definitions or '
                                   'definitions_from)')
    return _definition_list(check, top['definitions'],
                            top.line_of('definitions'))


def _definition_list(check: _Checker, items: Any, line: int
                     ) -> list[Definition]:
    if not isinstance(items, _List) or not items:
        raise check.fail(line, 'definitions must be a non-empty list')
    result: list[Definition] = []
    for item, item_line in zip(items, items.lines, strict=True):
        item = check.mapping(item, item_line, 'a definition')
        check.keys(item, DEFINITION_KEYS, 'a definition')
        name = check.text(item, 'name', 'a definition', required=True)
        what = f"definition '{name}'"
        try:
            validation.validate_alarm_definition_name(name)
        except validation.ValidationError as err:
            raise check.fail(item.line_of('name'), str(err)) from None
        if any(d.name == name for d in result):
            raise check.fail(item.line_of('name'),
                             f'a second definition named {name!r}')
        text = check.text(item, 'expression', what, required=True)
        try:
            parsed = expr_mod.parse(text)
        except expr_mod.ExpressionError as err:
            raise check.fail(item.line_of('expression'), str(err)) from None
        match_by = check.names(item, 'match_by', what)
        try:
            validation.validate_match_by(match_by)
        except validation.ValidationError as err:
            raise check.fail(item.line_of('match_by'), str(err)) from None
        severity = (check.text(item, 'severity', what) or 'LOW').upper()
        if severity not in validation.SEVERITIES:
            raise check.fail(item.line_of('severity'),
                             f"{what}: severity '{severity}' is not one of "
                             f"{', '.join(validation.SEVERITIES)}")
        enabled = item.get('actions_enabled', True)
        if not isinstance(enabled, bool):
            raise check.fail(item.line_of('actions_enabled'),
                             f'{what}: actions_enabled must be true or false')
        result.append(Definition(
            name=name, expression=text, parsed=parsed, match_by=match_by,
            severity=severity,
            description=check.text(item, 'description', what) or '',
            actions_enabled=enabled,
            alarm_actions=check.names(item, 'alarm_actions', what),
            ok_actions=check.names(item, 'ok_actions', what),
            undetermined_actions=check.names(item, 'undetermined_actions',
                                             what),
            line=item_line, path=check.path))
    return result


def _series(check: _Checker, top: _Map, interval: int, start_ms: int
            ) -> list[Series]:
    items = top.get('series')
    if items is None:
        return []
    if not isinstance(items, _List):
        raise check.fail(top.line_of('series'), 'series must be a list')
    result = []
    for item, item_line in zip(items, items.lines, strict=True):
        item = check.mapping(item, item_line, 'a series')
        check.keys(item, SERIES_KEYS, 'a series')
        name = check.text(item, 'name', 'a series', required=True)
        try:
            validation.validate_metric_name(name)
        except validation.ValidationError as err:
            raise check.fail(item.line_of('name'), str(err)) from None
        dimensions = check.dimensions(item, 'dimensions', f"series '{name}'")
        values = check.text(item, 'values', f"series '{name}'",
                            required=True)
        try:
            expanded = series_mod.expand(values)
        except series_mod.SeriesError as err:
            raise check.fail(item.line_of('values'),
                             f"series '{name}' values: {err}") from None
        step = interval * 1000
        points = [(start_ms + i * step, v) for i, v in enumerate(expanded)
                  if v is not None]
        result.append(Series(name, dimensions, points, item_line))
    return result


def _tests(check: _Checker, top: _Map, start_ms: int,
           definitions: list[Definition]) -> list[TestCase]:
    items = top.get('tests')
    if items is None:
        return []
    if not isinstance(items, _List):
        raise check.fail(top.line_of('tests'), 'tests must be a list')
    known = {d.name: d for d in definitions}
    result = []
    for index, (item, item_line) in enumerate(
            zip(items, items.lines, strict=True), 1):
        item = check.mapping(item, item_line, 'a test')
        check.keys(item, TEST_KEYS, 'a test')
        at_ms, at_text = check.instant(item, 'at', start_ms, 'a test')
        name = check.text(item, 'definition', 'a test')
        if name is None:
            if len(definitions) != 1:
                raise check.fail(item_line, "a test lacks 'definition' (the "
                                            'file has several)')
            name = definitions[0].name
        if name not in known:
            raise check.fail(item.line_of('definition'),
                             f"no definition named '{name}' (defined: "
                             f"{', '.join(known)})")
        alarms = item.get('alarms')
        if not isinstance(alarms, _List):
            raise check.fail(item.line_of('alarms'),
                             'a test needs an alarms list (match, state)')
        expectations = [
            _expectation(check, alarm, line, known[name])
            for alarm, line in zip(alarms, alarms.lines, strict=True)]
        result.append(TestCase(index, at_ms, at_text, name, expectations,
                               item_line,
                               check.text(item, 'name', 'a test') or ''))
    return result


def _expectation(check: _Checker, item: Any, line: int,
                 definition: Definition) -> Expectation:
    item = check.mapping(item, line, 'an expected alarm')
    check.keys(item, EXPECTATION_KEYS, 'an expected alarm')
    match = check.dimensions(item, 'match', 'an expected alarm')
    for key in match:
        if key not in definition.match_by:
            raise check.fail(item.line_of('match'),
                             f"match key '{key}' is not in the match_by of "
                             f"'{definition.name}' "
                             f"({', '.join(definition.match_by) or 'empty'})")
    state = (check.text(item, 'state', 'an expected alarm', required=True)
             ).upper()
    if state not in validation.STATES:
        raise check.fail(item.line_of('state'),
                         f"state '{state}' is not one of "
                         f"{', '.join(validation.STATES)}")
    actions = None
    if 'actions' in item:
        actions = check.names(item, 'actions', 'an expected alarm')
    return Expectation(match, state, actions, line)


def _warnings(check: _Checker, loaded: TestFile) -> None:
    for series in loaded.series:
        fed = [d for d in loaded.definitions
               if any(sub.matches(series.name, series.dimensions)
                      for sub in d.parsed.sub_expressions)]
        if not fed:
            check.warn(series.line, f"series '{series.name}' feeds no "
                                    'definition')
        for definition in fed:
            missing = [k for k in definition.match_by
                       if k not in series.dimensions]
            if missing:
                check.warn(series.line,
                           f"series '{series.name}' lacks the match_by "
                           f"key{'s' if len(missing) > 1 else ''} "
                           f"{', '.join(missing)} of '{definition.name}'")
    for test in loaded.tests:
        fed = loaded.feeding(loaded.definition(test.definition))
        last = max((s.points[-1][0] for s in fed if s.points), default=None)
        if last is None:
            check.warn(test.line, f"no series feeds '{test.definition}'")
        elif test.at_ms > last:
            check.warn(test.line,
                       f'test at {test.at_text} is after the last sample '
                       f"({timeutil.format_iso(_from_ms(last), False)}) of "
                       f"the series feeding '{test.definition}'")


def _from_ms(ms: int) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(ms / 1000, _dt.UTC)

"""Read and check configuration files, before anything is sent.

Flow: each file is composed into YAML nodes (PyYAML, safe loader), its
``${VARIABLES}`` are substituted in scalar values, then it is built into
plain data that remembers the line of every object and field. Every object
is checked with the client's own rules (``common.validation``, the
expression parser); the first problem raises ``ValidationError`` with
``file:line``. Objects of several files are merged; a name defined twice
(as the API compares names) is an error naming both places.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import sys
from typing import Any

from monasca_osc.common import expression as expr
from monasca_osc.common import validation
from monasca_osc.common.validation import ValidationError
from monasca_osc.declarative import model, variables

_STR = 'tag:yaml.org,2002:str'
_MERGE = 'tag:yaml.org,2002:merge'
_NOT_WRITTEN = {
    'id': 'ids differ between deployments: objects are matched by name',
    'links': 'links are not part of the configuration',
    'deterministic': 'it follows from the expression: write '
                     'count(metric, deterministic) > 0 there',
    'created_at': 'timestamps are not part of the configuration',
    'updated_at': 'timestamps are not part of the configuration',
}


class _Mapping(dict):
    """A YAML mapping that remembers its line and its fields' lines."""

    line = 0
    lines: dict[Any, int]
    templates: dict[Any, str]


def _read(path: str) -> str:
    try:
        if path == '-':
            return sys.stdin.read()
        with open(path, encoding='utf-8') as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, 'strerror', None) or str(err)
        raise ValidationError(f'Cannot read {path}: {reason}') from None


def _yaml_error(path: str, err: Any) -> ValidationError:
    mark = getattr(err, 'problem_mark', None)
    where = f'{path}:{mark.line + 1}:{mark.column + 1}' if mark else path
    problem = getattr(err, 'problem', None) or str(err)
    context = getattr(err, 'context', None)
    text = f'{context}: {problem}' if context else problem
    return ValidationError(f'{where}: invalid YAML: {text}')


def parse_file(path: str, values: Mapping[str, str],
               undefined: list[variables.Undefined]) -> Any:
    """One file as data (``_Mapping`` for mappings), variables replaced."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    templates: dict[int, str] = {}

    def construct_map(loader: Any, node: Any) -> Any:
        data = _Mapping()
        data.line = node.start_mark.line + 1
        data.lines, data.templates = {}, {}
        yield data
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            key = loader.construct_object(key_node, deep=True)
            if key in seen:
                raise ValidationError(
                    f'{path}:{key_node.start_mark.line + 1}: the key '
                    f'{key!r} is given twice in one mapping')
            seen.add(key)
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            data[key] = loader.construct_object(value_node, deep=True)
            data.lines[key] = value_node.start_mark.line + 1
            if id(value_node) in templates:
                data.templates[key] = templates[id(value_node)]

    Loader.add_constructor('tag:yaml.org,2002:map', construct_map)
    text = _read(path)
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _substitute(loader, node, path, values, undefined, templates, set())
        return loader.construct_document(node)
    except yaml.YAMLError as err:
        raise _yaml_error(path, err) from None
    except TypeError as err:
        # An unhashable key, e.g. a list used as a mapping key.
        raise ValidationError(f'{path}: invalid YAML: {err}') from None
    finally:
        loader.dispose()


def _substitute(loader: Any, node: Any, path: str, values: Mapping[str, str],
                undefined: list, templates: dict[int, str],
                seen: set[int]) -> None:
    import yaml

    if id(node) in seen:     # an alias: substituted once already
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for _, value in node.value:
            _substitute(loader, value, path, values, undefined, templates,
                        seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _substitute(loader, item, path, values, undefined, templates,
                        seen)
    elif isinstance(node, yaml.ScalarNode) and '${' in node.value:
        original = node.value
        line = node.start_mark.line + 1
        if node.style in ('|', '>'):
            parts = original.split('\n')
            out = []
            for number, part in enumerate(parts, line + 1):
                out.append(variables.substitute(
                    part, values, f'{path}:{number}', undefined)[0])
            node.value = '\n'.join(out)
        else:
            node.value = variables.substitute(
                original, values, f'{path}:{line}', undefined)[0]
        templates[id(node)] = original
        implicit = loader.resolve(yaml.ScalarNode, original, (True, False))
        if node.style is None and node.tag == implicit:
            # A plain scalar is typed by its value: ``period: ${P}`` with
            # P=60 is the integer 60, as if 60 had been written.
            node.tag = loader.resolve(yaml.ScalarNode, node.value,
                                      (True, False))


def _fail(path: str, item: _Mapping, key: Any, what: str, name: Any,
          err: Exception) -> ValidationError:
    line = item.lines.get(key, item.line) if isinstance(item, _Mapping) \
        else 0
    label = f' {name!r}' if isinstance(name, str) else ''
    return ValidationError(f'{path}:{line}: {what}{label}: {err}')


def _check_keys(path: str, item: Any, index: int, what: str,
                known: tuple[str, ...], line: int) -> None:
    if not isinstance(item, _Mapping):
        raise ValidationError(
            f'{path}:{line}: {what} #{index} must be a mapping of fields '
            f'({", ".join(known)}), not {type(item).__name__}')
    for key in item:
        if key in known:
            continue
        why = _NOT_WRITTEN.get(key) if isinstance(key, str) else None
        hint = f' ({why})' if why else f' (fields: {", ".join(known)})'
        label = repr(item['name']) if 'name' in item else f'#{index}'
        raise ValidationError(
            f'{path}:{item.lines.get(key, item.line)}: {what} {label}: '
            f'unknown field {key!r}{hint}')
    if 'name' not in item:
        raise ValidationError(f'{path}:{item.line}: {what} #{index} has no '
                              f'name')


def _names(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValidationError(f'{what} must be a list of notification '
                              f'method names, not {value!r}')
    result: list[str] = []
    for name in value:
        validation.validate_notification_name(name)
        if name in result:
            raise ValidationError(f'{what} lists {name!r} twice')
        result.append(name)
    return tuple(sorted(result))


def _method(path: str, item: _Mapping) -> model.Method:
    name = item['name']

    def check(key: str, func: Any, default: Any = None) -> Any:
        if key not in item and default is not None:
            return default
        try:
            if key not in item:
                raise ValidationError(f'the field {key!r} is required')
            return func(item[key])
        except ValidationError as err:
            raise _fail(path, item, key, model.METHOD, name, err) from None

    check('name', validation.validate_notification_name)
    ntype = check('type', validation.validate_notification_type)
    address = check('address', lambda v: validation.
                    validate_notification_address(ntype, v))
    period = check('period', validation.validate_notification_period, 0)
    return model.Method(name, ntype, address, period,
                        source=model.Source(path, item.line),
                        templates=dict(item.templates))


def check_expression(text: Any) -> expr.Expression:
    if not isinstance(text, str) or not text.strip():
        raise ValidationError('The expression must not be empty')
    try:
        return expr.parse(text)
    except expr.ExpressionError as err:
        raise ValidationError(f'Invalid alarm expression: {err}') from None


def _match_by(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValidationError(
            f'match_by must be a list of dimension keys, not {value!r}')
    return tuple(validation.validate_match_by(value))


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(
            f'actions_enabled must be true or false, not {value!r}')
    return value


def _definition(path: str, item: _Mapping) -> model.Definition:
    name = item['name']
    fields: dict[str, Any] = {}
    checks = {
        'name': validation.validate_alarm_definition_name,
        'expression': lambda v: check_expression(v) and v,
        'description': validation.validate_description,
        'match_by': _match_by,
        'severity': validation.validate_severity,
        'actions_enabled': _flag,
        **{key: (lambda v, k=key: _names(v, k))
           for key in model.ACTION_FIELDS},
    }
    for key, func in checks.items():
        try:
            if key in item:
                fields[key] = func(item[key])
            elif key == 'expression':
                raise ValidationError("the field 'expression' is required")
        except ValidationError as err:
            raise _fail(path, item, key, model.DEFINITION, name,
                        err) from None
    return model.Definition(**fields, source=model.Source(path, item.line),
                            templates=dict(item.templates))


def _document(path: str, data: Any) -> Iterable[Any]:
    """The objects of one file, checked one by one."""
    if data is None:
        return
    if not isinstance(data, _Mapping):
        raise ValidationError(
            f'{path}: the document must be a mapping with '
            f'notification_methods and alarm_definitions lists')
    sections = dict(model.SECTIONS)
    for key in data:
        if key not in sections:
            raise ValidationError(
                f'{path}:{data.lines.get(key, 1)}: unknown top-level key '
                f'{key!r} (expected notification_methods, '
                f'alarm_definitions)')
    for key, what in model.SECTIONS:
        items = data.get(key)
        if items is None:
            continue
        line = data.lines.get(key, 1)
        if not isinstance(items, list):
            raise ValidationError(f'{path}:{line}: {key} must be a list')
        known = model.METHOD_FIELDS if what == model.METHOD \
            else model.DEFINITION_FIELDS
        build = _method if what == model.METHOD else _definition
        for index, item in enumerate(items, 1):
            _check_keys(path, item, index, what, known, line)
            yield build(path, item)


def load(paths: Iterable[str], values: Mapping[str, str]) -> model.Model:
    """Every file parsed and checked, then merged into one model."""
    paths = list(paths)
    undefined: list[variables.Undefined] = []
    documents = [(path, parse_file(path, values, undefined))
                 for path in paths]
    variables.report_undefined(undefined)
    result = model.Model()
    first: dict[tuple[str, str], Any] = {}
    objects = [obj for path, data in documents
               for obj in _document(path, data)]
    for obj in objects:
        key = (obj.kind, model.name_key(obj.name))
        if key in first:
            other = first[key]
            same = 'is defined' if other.name == obj.name else \
                f'is the same name to the API as {other.name!r}, defined'
            raise ValidationError(
                f'{obj.source}: {obj.kind} {obj.name!r} {same} at '
                f'{other.source} too')
        first[key] = obj
        result.objects(obj.kind)[obj.name] = obj
    result.methods = dict(sorted(result.methods.items()))
    result.definitions = dict(sorted(result.definitions.items()))
    _check_references(result)
    return result


def _check_references(result: model.Model) -> None:
    """Definitions may name methods of the files or of the server; a name
    that differs from a file's method only in case is surely a typo."""
    keys = {model.name_key(n): n for n in result.methods}
    for definition in result.definitions.values():
        for name in sorted(definition.actions()):
            known = keys.get(model.name_key(name))
            if known is not None and known != name:
                raise ValidationError(
                    f'{definition.source}: alarm definition '
                    f'{definition.name!r} uses notification method {name!r}, '
                    f'but the files define {known!r}')

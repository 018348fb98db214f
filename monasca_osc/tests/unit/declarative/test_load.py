"""Files -> model: variables, every check with file:line, merging."""

from __future__ import annotations

from pathlib import Path
import textwrap

import pytest

from monasca_osc.common.validation import ValidationError
from monasca_osc.declarative import load, model, variables

GOOD = '''\
notification_methods:
- name: ops
  type: email
  address: ops@example.com
alarm_definitions:
- name: cpu
  expression: avg(cpu{service=web}) > 90 times 3
  match_by: [hostname]
  severity: high
  alarm_actions: [ops]
'''


def write(tmp_path: Path, text: str, name: str = 'c.yaml') -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def error(tmp_path: Path, text: str, values: dict | None = None) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ValidationError) as info:
        load.load([path], values or {})
    message = str(info.value)
    assert '\n' not in message
    return message.replace(path, 'F')


def test_good_file_gives_normalised_objects(tmp_path: Path) -> None:
    result = load.load([write(tmp_path, GOOD)], {})
    assert result.methods == {'ops': model.Method('ops', 'EMAIL',
                                                  'ops@example.com', 0)}
    cpu = result.definitions['cpu']
    assert cpu == model.Definition(
        'cpu', 'avg(cpu{service=web}) > 90 times 3', match_by=('hostname',),
        severity='HIGH', alarm_actions=('ops',))
    assert str(cpu.source).endswith('c.yaml:6')


def test_omitted_fields_are_the_api_defaults(tmp_path: Path) -> None:
    result = load.load([write(tmp_path, '''\
        alarm_definitions:
        - {name: x, expression: max(x) > 1}
        ''')], {})
    assert result.definitions['x'].fields() == {
        'name': 'x', 'description': '', 'expression': 'max(x) > 1',
        'match_by': [], 'severity': 'LOW', 'actions_enabled': True,
        'alarm_actions': [], 'ok_actions': [], 'undetermined_actions': []}


@pytest.mark.parametrize(('text', 'expected'), [
    ('alarm_definitions:\n- name: x\n  expression: avg(x\n',
     "F:3: alarm definition 'x': Invalid alarm expression: parser failed"),
    ('alarm_definitions:\n- name: x\n  expression: max(x) > 1\n'
     '  severity: urgent\n',
     "F:4: alarm definition 'x': Severity 'urgent' must be one of"),
    ('alarm_definitions:\n- name: x\n  expression: max(x) > 1\n'
     '  match_by: [_bad]\n',
     "F:4: alarm definition 'x': invalid characters in dimension key _bad"),
    ('alarm_definitions:\n- name: x\n  expression: max(x) > 1\n'
     '  actions_enabled: "no"\n',
     "F:4: alarm definition 'x': actions_enabled must be true or false"),
    ('alarm_definitions:\n- name: x\n  expression: max(x) > 1\n'
     '  ok_actions: [a, a]\n', "F:4: alarm definition 'x': ok_actions lists"
     " 'a' twice"),
    ('alarm_definitions:\n- name: x\n', "F:2: alarm definition 'x': the "
     "field 'expression' is required"),
    ('alarm_definitions:\n- expression: max(x) > 1\n',
     'F:2: alarm definition #1 has no name'),
    ('alarm_definitions:\n- name: x\n  expression: max(x) > 1\n'
     '  severty: HIGH\n', "F:4: alarm definition 'x': unknown field "
     "'severty' (fields: name, description"),
    ('alarm_definitions:\n- name: x\n  expression: max(x) > 1\n'
     '  deterministic: true\n', "unknown field 'deterministic' (it follows "
     'from the expression'),
    ('notification_methods:\n- name: m\n  type: EMAIL\n  address: nobody\n',
     "F:4: notification method 'm': Address nobody is not of correct"),
    ('notification_methods:\n- name: m\n  type: WEBHOOK\n'
     '  address: ftp://x\n', 'is not an http or https URL'),
    ('notification_methods:\n- name: m\n  type: EMAIL\n  address: a@b\n'
     '  period: -1\n', "F:5: notification method 'm': Period -1 must not be"),
    ('notification_methods:\n- name: m\n  address: a@b\n',
     "F:2: notification method 'm': the field 'type' is required"),
    ('notification_methods:\n- name: 12\n  type: EMAIL\n  address: a@b\n',
     'F:2: notification method: Notification method name must be a string'),
    ('alarms: []\n', "F:1: unknown top-level key 'alarms'"),
    ('- a\n- b\n', 'the document must be a mapping'),
    ('alarm_definitions: {name: x}\n', 'F:1: alarm_definitions must be a '
     'list'),
    ('alarm_definitions:\n- name: x\n  name: y\n  expression: max(x) > 1\n',
     "F:3: the key 'name' is given twice in one mapping"),
    ('alarm_definitions: [\n', 'F:2:1: invalid YAML: while parsing'),
])
def test_invalid_files_name_file_line_and_problem(tmp_path: Path, text: str,
                                                  expected: str) -> None:
    assert expected in error(tmp_path, text)


def test_same_name_twice_across_files(tmp_path: Path) -> None:
    one = write(tmp_path, GOOD, 'one.yaml')
    two = write(tmp_path, 'alarm_definitions:\n- name: CPU\n'
                          '  expression: max(x) > 1\n', 'two.yaml')
    with pytest.raises(ValidationError) as info:
        load.load([one, two], {})
    assert str(info.value) == (
        f"{two}:2: alarm definition 'CPU' is the same name to the API as "
        f"'cpu', defined at {one}:6 too")


def test_action_differing_only_in_case_from_a_defined_method(
        tmp_path: Path) -> None:
    text = GOOD.replace('alarm_actions: [ops]', 'alarm_actions: [OPS]')
    assert "uses notification method 'OPS', but the files define 'ops'" in \
        error(tmp_path, text)


def test_yaml_anchors_and_merge_keys_work(tmp_path: Path) -> None:
    result = load.load([write(tmp_path, '''\
        alarm_definitions:
        - &base {name: a, expression: max(x) > 1, severity: HIGH}
        - <<: *base
          name: b
        ''')], {})
    assert result.definitions['b'].severity == 'HIGH'


# -- variables ----------------------------------------------------------------
def test_variables_in_values_typed_like_written_values(tmp_path: Path) -> None:
    path = write(tmp_path, '''\
        # ${NOT_A_VARIABLE} in a comment is ignored
        notification_methods:
        - name: hook-${ENV}
          type: WEBHOOK
          address: "https://hooks.example.com/${TOKEN}"
          period: ${PERIOD}
        alarm_definitions:
        - name: d
          description: costs $${literal}
          expression: max(x{env=${ENV}}) > 1
          ok_actions: ["hook-${ENV}"]
        ''')
    result = load.load([path], {'ENV': 'prod', 'TOKEN': 's3cret',
                                'PERIOD': '60'})
    hook = result.methods['hook-prod']
    assert hook.period == 60 and hook.address.endswith('/s3cret')
    assert hook.templates['address'] == 'https://hooks.example.com/${TOKEN}'
    definition = result.definitions['d']
    assert definition.description == 'costs ${literal}'
    assert definition.expression == 'max(x{env=prod}) > 1'
    assert definition.ok_actions == ('hook-prod',)


def test_a_variable_cannot_change_the_structure(tmp_path: Path) -> None:
    path = write(tmp_path, 'alarm_definitions:\n- name: x\n'
                           '  expression: max(x) > 1\n'
                           '  description: ${D}\n')
    result = load.load([path], {'D': 'a: b\nseverity: HIGH'})
    assert result.definitions['x'].description == 'a: b\nseverity: HIGH'
    assert result.definitions['x'].severity == 'LOW'


def test_undefined_variables_name_file_and_line(tmp_path: Path) -> None:
    message = error(tmp_path, '''\
        notification_methods:
        - name: m
          type: EMAIL
          address: ${MAIL}
        alarm_definitions:
        - name: x
          expression: max(x) > ${LIMIT}
          description: |
            first line
            on ${ENV}
        ''', {'MAIL': 'a@b'})
    assert message == (
        'F:7: undefined variable ${LIMIT} (give --var LIMIT=VALUE, a '
        '--var-file, or set it in the environment); also undefined: ${ENV} '
        'at F:10')


def test_invalid_reference_is_refused(tmp_path: Path) -> None:
    assert 'F:1: invalid variable reference' in error(
        tmp_path, 'alarm_definitions: ${not-a-name}\n')


def test_precedence_var_over_var_file_over_environment(
        tmp_path: Path) -> None:
    first = tmp_path / 'a.env'
    first.write_text('# comment\nA=file1\nB="file1 b"\nexport C=file1\n')
    second = tmp_path / 'b.env'
    second.write_text('B=file2\n')
    values = variables.collect({'A': 'env', 'B': 'env', 'C': 'env',
                                'D': 'env'},
                               [str(first), str(second)], ['C=cli', 'E='])
    assert {k: values[k] for k in 'ABCDE'} == {
        'A': 'file1', 'B': 'file2', 'C': 'cli', 'D': 'env', 'E': ''}


@pytest.mark.parametrize('text', ['noequals', '1A=x', 'A B=x', '=x'])
def test_bad_assignments(text: str) -> None:
    with pytest.raises(ValidationError, match='must be NAME=VALUE'):
        variables.collect({}, [], [text])


def test_bad_var_file_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / 'v.env'
    path.write_text('A=1\nnot an assignment\n')
    with pytest.raises(ValidationError, match=f'{path}:2:'):
        variables.collect({}, [str(path)], [])
    with pytest.raises(ValidationError, match='Cannot read --var-file'):
        variables.collect({}, [str(tmp_path / 'missing')], [])

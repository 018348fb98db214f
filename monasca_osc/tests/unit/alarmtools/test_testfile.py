"""The test-file format: expanding notation, validation, warnings."""

from __future__ import annotations

from pathlib import Path
import textwrap

import pytest

from monasca_osc.alarmtools import series, testfile

GOOD = '''\
interval: 1m
definitions:
  - name: cpu-high
    expression: avg(cpu.idle_perc{service=web}, 60) < 10 times 3
    match_by: [hostname]
    severity: HIGH
    alarm_actions: [pager]
series:
  - name: cpu.idle_perc
    dimensions: {hostname: web1, service: web}
    values: 50 50 5x5 _x3 80
tests:
  - at: 6m
    definition: cpu-high
    alarms:
      - match: {hostname: web1}
        state: ALARM
'''


def write(tmp_path: Path, text: str, name: str = 'case.yaml') -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


@pytest.mark.parametrize('text, values', [
    ('1 2 3', [1.0, 2.0, 3.0]),
    ('5x2', [5.0, 5.0, 5.0]),
    ('1+2x3', [1.0, 3.0, 5.0, 7.0]),
    ('10-2.5x2', [10.0, 7.5, 5.0]),
    ('-1x1 _ _x2 1e3', [-1.0, -1.0, None, None, None, 1000.0]),
    ('-1-1x2', [-1.0, -2.0, -3.0]),
    ('', []),
])
def test_expand(text: str, values: list) -> None:
    assert series.expand(text) == values


@pytest.mark.parametrize('text, column', [
    ('1 2 x3', 5), ('5y2', 1), ('1 _y', 3), ('1+x2', 1)])
def test_expand_refuses_with_column(text: str, column: int) -> None:
    with pytest.raises(series.SeriesError) as err:
        series.expand(text)
    assert err.value.column == column
    assert f'column {column}' in str(err.value)


def test_expand_refuses_huge_repeat() -> None:
    with pytest.raises(series.SeriesError, match='more than'):
        series.expand('1x99999999')


@pytest.mark.parametrize('value, seconds', [
    ('90', 90), (30, 30), ('1m', 60), ('1h30m', 5400), ('2d', 172800),
    ('x', None), ('-1m', None), (True, None), (1.5, None)])
def test_parse_duration(value: object, seconds: int | None) -> None:
    assert series.parse_duration(value) == seconds


def test_good_file_loads(tmp_path: Path) -> None:
    loaded = testfile.load(write(tmp_path, GOOD))
    assert loaded.interval == 60
    assert loaded.warnings == []
    (definition,) = loaded.definitions
    assert definition.match_by == ['hostname']
    assert definition.alarm_actions == ['pager']
    (one,) = loaded.series
    # 50 50 5x5 (6 values) _x3 80: 9 samples, the 80 after three gaps.
    assert len(one.points) == 9
    assert one.points[-1][0] - one.points[0][0] == 11 * 60_000
    (test,) = loaded.tests
    assert test.at_ms == loaded.start_ms + 6 * 60_000
    assert test.alarms[0].match == {'hostname': 'web1'}


@pytest.mark.parametrize('old, new, line, fragment', [
    ('values: 50 50 5x5 _x3 80', 'values: 50 5y5', 11,
     "bad value '5y5' at column 4"),
    ('< 10 times 3', '< times 3', 4, 'parser failed on expression'),
    ('definition: cpu-high', 'definition: cpu-low', 14,
     "no definition named 'cpu-low'"),
    ('state: ALARM', 'state: FIRING', 17, "state 'FIRING' is not one of"),
    ('at: 6m', 'at: soon', 13, "a test at 'soon' is neither"),
    ('severity: HIGH', 'severity: URGENT', 6, "severity 'URGENT'"),
    ('match: {hostname: web1}', 'match: {host: web1}', 16,
     "match key 'host' is not in the match_by"),
    ('interval: 1m', 'interval: often', 1, "interval 'often'"),
    ('    match_by: [hostname]', '    match_by: [hostname]\n    colour: red',
     6, "unknown key 'colour' in a definition"),
    ('severity: HIGH', 'severity: [HIGH]', 6, 'severity must be text'),
    ('{hostname: web1, service: web}', '{hostname: web1, hostname: web2}',
     10, "duplicate key 'hostname'"),
    ('values: 50 50 5x5 _x3 80', 'values: [50, 50', 12, 'invalid YAML'),
])
def test_invalid_file_one_line_with_line_number(
        tmp_path: Path, old: str, new: str, line: int, fragment: str
        ) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(testfile.TestFileError) as err:
        testfile.load(path)
    text = str(err.value)
    assert '\n' not in text
    assert text.startswith(f'{path}:{line}: '), text
    assert fragment in text


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(testfile.TestFileError, match='No such file'):
        testfile.load(str(tmp_path / 'nope.yaml'))


def test_definitions_from(tmp_path: Path) -> None:
    write(tmp_path, '''\
        - name: cpu-high
          expression: max(cpu) > 90
        ''', 'defs.yaml')
    loaded = testfile.load(write(tmp_path, '''\
        definitions_from: defs.yaml
        series: [{name: cpu, values: 1 2}]
        tests: [{at: 1m, alarms: [{state: OK}]}]
        '''))
    assert [d.name for d in loaded.definitions] == ['cpu-high']
    assert loaded.tests[0].definition == 'cpu-high'


def test_definitions_from_errors_name_the_other_file(tmp_path: Path) -> None:
    other = write(tmp_path, '- name: x\n  expression: max(cpu) >\n',
                  'defs.yaml')
    path = write(tmp_path, 'definitions_from: defs.yaml\n')
    with pytest.raises(testfile.TestFileError) as err:
        testfile.load(path)
    assert str(err.value).startswith(f'{other}:2: parser failed')


def test_dimension_values_keep_their_text(tmp_path: Path) -> None:
    loaded = testfile.load(write(tmp_path, '''\
        definitions: [{name: d, expression: max(m) > 1}]
        series: [{name: m, dimensions: {zone: 01, on: true}, values: '1'}]
        '''))
    assert loaded.series[0].dimensions == {'zone': '01', 'on': 'true'}


def test_iso_times(tmp_path: Path) -> None:
    loaded = testfile.load(write(tmp_path, '''\
        start: 2024-05-01T10:00:00Z
        definitions: [{name: d, expression: max(m) > 1}]
        series: [{name: m, values: 1 2 3}]
        tests: [{at: '2024-05-01T10:02:00Z', alarms: [{state: ALARM}]},
                {at: 2024-05-01T10:01:00Z, alarms: [{state: ALARM}]}]
        '''))
    start = loaded.start_ms
    assert [t.at_ms - start for t in loaded.tests] == [120_000, 60_000]


def test_warnings(tmp_path: Path) -> None:
    loaded = testfile.load(write(tmp_path, '''\
        definitions:
          - name: d
            expression: max(m{a=1}) > 1
            match_by: [host]
        series:
          - {name: m, dimensions: {a: '1'}, values: 1 2}
          - {name: other, values: '1'}
        tests:
          - {at: 10m, definition: d, alarms: [{state: OK}]}
        '''))
    text = '\n'.join(loaded.warnings)
    assert ":6: warning: series 'm' lacks the match_by key host of 'd'" \
        in text
    assert ":7: warning: series 'other' feeds no definition" in text
    assert ':9: warning: test at 10m is after the last sample' in text
    assert len(loaded.warnings) == 3

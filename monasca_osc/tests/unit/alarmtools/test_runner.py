"""Running test files through the engine; failure text; JUnit; testcase."""

from __future__ import annotations

import io
from pathlib import Path
import textwrap
from xml.etree import ElementTree as ET

from monasca_osc.alarmtools import junit, runner, series, testcase, testfile

CASE = '''\
interval: 1m
definitions:
  - name: cpu-high
    expression: avg(cpu.idle_perc{service=web}, 60) < 10 times 3
    match_by: [hostname]
    alarm_actions: [pager]
    ok_actions: [chat]
series:
  - name: cpu.idle_perc
    dimensions: {hostname: web1, service: web}
    values: 50 50 5x5 _x3 80x5
  - name: cpu.idle_perc
    dimensions: {hostname: web2, service: web}
    values: 50x14
tests:
  - at: 1m
    alarms:
      - {match: {hostname: web1}, state: UNDETERMINED}
  - at: 6m
    alarms:
      - {match: {hostname: web1}, state: ALARM, actions: [pager]}
      - {match: {hostname: web2}, state: OK, actions: [chat]}
      - {match: {}, state: %s}
'''


def load(tmp_path: Path, text: str) -> testfile.TestFile:
    path = tmp_path / 'case.yaml'
    path.write_text(textwrap.dedent(text))
    return testfile.load(str(path))


def test_expectations_hold(tmp_path: Path) -> None:
    results = runner.run(load(tmp_path, CASE % 'OK'))
    # The empty match selects both alarms: web1 is in ALARM, not OK.
    passed = [(r.test.index, r.match_text, r.passed) for r in results]
    assert passed == [(1, 'hostname=web1', True), (2, 'hostname=web1', True),
                      (2, 'hostname=web2', True), (2, 'hostname=web1', False),
                      (2, 'hostname=web2', True)]
    web1 = results[1]
    assert web1.actual == 'ALARM' and web1.actual_actions == ['pager']


def test_failure_shows_expected_actual_and_windows(tmp_path: Path) -> None:
    loaded = load(tmp_path, CASE.replace(
        '{match: {hostname: web1}, state: ALARM, actions: [pager]}',
        '{match: {hostname: web1}, state: OK}') % 'OK')
    failed = [r for r in runner.run(loaded) if not r.passed]
    first = failed[0]
    assert first.summary == 'expected OK, got ALARM'
    text = first.explanation
    assert 'expected: OK' in text and 'actual:   ALARM' in text
    # The view that decided: three windows of 5.0, each breaching.
    assert text.count('5.0  breaches') == 3
    assert first.detail['expression']['windows'][0]['value'] == 5.0


def test_missing_alarm_and_wrong_actions_fail(tmp_path: Path) -> None:
    loaded = load(tmp_path, CASE.replace('hostname: web2}, state: OK, '
                                         'actions: [chat]',
                                         'hostname: web3}, state: OK')
                  .replace('ALARM, actions: [pager]',
                           'ALARM, actions: [email]')
                  % 'OK')
    summaries = [r.summary for r in runner.run(loaded) if not r.passed]
    assert "expected actions ['email'], got ['pager']" in summaries
    assert 'expected OK, but no alarm matches {hostname=web3}' in summaries


def test_junit(tmp_path: Path) -> None:
    results = runner.run(load(tmp_path, CASE % 'OK'))
    out = tmp_path / 'junit.xml'
    junit.write(str(out), results, [('bad.yaml', 'bad.yaml:3: oops')])
    root = ET.parse(out).getroot()
    assert root.get('tests') == '6' and root.get('failures') == '1'
    assert root.get('errors') == '1'
    failures = root.findall('.//failure')
    assert len(failures) == 1
    assert failures[0].get('message') == 'expected OK, got ALARM'
    assert 'breaches' in failures[0].text
    assert root.find(".//error").get('message') == 'bad.yaml:3: oops'


def test_fold_round_trips() -> None:
    slots = [5.0, 5.0, 5.0, None, None, 1.5, None, 2.0, 2.0, -1.0]
    assert series.expand(testcase.fold(slots)) == slots


def test_testcase_output_is_a_loadable_series_block(tmp_path: Path) -> None:
    elements = [{'name': 'cpu', 'dimensions': {'hostname': 'web1',
                                               'zone': '01'},
                 'columns': ['timestamp', 'value', 'value_meta'],
                 'measurements': [['2024-05-01T10:00:00.000Z', 1, {}],
                                  ['2024-05-01T10:01:00.000Z', 1, {}]]},
                {'name': 'cpu', 'dimensions': {'hostname': 'web1',
                                               'zone': '01'},
                 'columns': ['timestamp', 'value', 'value_meta'],
                 'measurements': [['2024-05-01T10:03:01.000Z', 2.5, {}]]}]
    out = io.StringIO()
    assert testcase.write(out, elements) == 3
    text = out.getvalue()
    assert 'values: 1x1 _ 2.5\n' in text
    path = tmp_path / 't.yaml'
    path.write_text(text + 'definitions: [{name: d, expression: '
                           'max(cpu) > 2}]\n')
    loaded = testfile.load(str(path))
    (one,) = loaded.series
    assert one.dimensions == {'hostname': 'web1', 'zone': '01'}
    assert [v for _, v in one.points] == [1.0, 1.0, 2.5]
    assert one.points[0][0] == 1714557600000

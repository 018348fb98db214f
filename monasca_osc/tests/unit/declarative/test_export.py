"""Export: deterministic text, names for ids, filters, and load() reads it."""

from __future__ import annotations

from pathlib import Path

import pytest

from monasca_osc.common.validation import ValidationError
from monasca_osc.declarative import export, load
from monasca_osc.declarative.plan import State, make_plan
from monasca_osc.tests.unit.declarative.test_plan import (
    api_definition,
    api_method,
)


def state() -> State:
    return State(
        [api_method('b-hook', 'id-2', type='WEBHOOK',
                    address='https://example.com/h', period=60),
         api_method('a-mail', 'id-1')],
        [api_definition('z', 'avg(cpu{a=1}, deterministic) > 5',
                        match_by=['host', 'svc'], severity='CRITICAL',
                        alarm_actions=['id-2', 'id-1'],
                        description='it is "quoted": yes'),
         api_definition('y', actions_enabled=False, ok_actions=['id-1'])])


EXPECTED = '''\
notification_methods:
- name: a-mail
  type: EMAIL
  address: a-mail@example.com
  period: 0
- name: b-hook
  type: WEBHOOK
  address: https://example.com/h
  period: 60
alarm_definitions:
- name: y
  description: ''
  expression: max(x) > 1
  match_by: []
  severity: LOW
  actions_enabled: false
  alarm_actions: []
  ok_actions: [a-mail]
  undetermined_actions: []
- name: z
  description: 'it is "quoted": yes'
  expression: avg(cpu{a=1}, deterministic) > 5
  match_by: [host, svc]
  severity: CRITICAL
  actions_enabled: true
  alarm_actions: [a-mail, b-hook]
  ok_actions: []
  undetermined_actions: []
'''


def test_export_text_is_fixed_and_sorted() -> None:
    assert export.dump(export.build(state())) == EXPECTED
    shuffled = state()
    shuffled.methods.reverse()
    shuffled.definitions.reverse()
    assert export.dump(export.build(shuffled)) == EXPECTED


def test_export_reads_back_as_no_change(tmp_path: Path) -> None:
    path = tmp_path / 'export.yaml'
    path.write_text(export.dump(export.build(state())))
    plan = make_plan(load.load([str(path)], {}), state())
    assert plan.pending == []


def test_filters() -> None:
    only_y = export.build(state(), definitions=['y'])
    assert [m['name'] for m in only_y['notification_methods']] == ['a-mail']
    assert [d['name'] for d in only_y['alarm_definitions']] == ['y']
    methods = export.build(state(), methods=['b-*'])
    assert methods['alarm_definitions'] == []
    assert [m['name'] for m in methods['notification_methods']] == ['b-hook']
    with pytest.raises(ValidationError, match="--definition 'nope' matches "
                       'no alarm definition'):
        export.build(state(), definitions=['nope'])


def test_action_outside_the_export_is_an_error() -> None:
    with pytest.raises(ValidationError, match="Alarm definition 'z' uses "
                       r"notification method 'b-hook' \(id id-2\), which is "
                       'not in the export'):
        export.build(state(), definitions=['z'], methods=['a-mail'])
    broken = state()
    broken.definitions[0]['undetermined_actions'] = ['id-of-another-project']
    with pytest.raises(ValidationError, match='uses notification method id '
                       'id-of-another-project, which is not a notification '
                       'method of this project'):
        export.build(broken)

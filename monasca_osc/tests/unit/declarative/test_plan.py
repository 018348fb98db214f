"""The plan: create/update/replace/delete, the 422 rule, prune guards."""

from __future__ import annotations

from typing import Any

import pytest

from monasca_osc.declarative import model
from monasca_osc.declarative.plan import (
    PlanError,
    State,
    check_types,
    count_alarms,
    make_plan,
)

M, D = model.Method, model.Definition


def api_method(name: str, mid: str | None = None, **kw: Any) -> dict:
    item = {'id': mid or f'id-{name}', 'name': name, 'type': 'EMAIL',
            'address': f'{name}@example.com', 'period': 0}
    item.update(kw)
    return item


def api_definition(name: str, expression: str = 'max(x) > 1',
                   **kw: Any) -> dict:
    item = {'id': f'id-{name}', 'name': name, 'description': '',
            'expression': expression, 'deterministic': False, 'match_by': [],
            'severity': 'LOW', 'actions_enabled': True, 'alarm_actions': [],
            'ok_actions': [], 'undetermined_actions': []}
    item.update(kw)
    return item


def desired(*objects: Any) -> model.Model:
    result = model.Model()
    for obj in objects:
        result.objects(obj.kind)[obj.name] = obj
    return result


def actions(plan: Any) -> list[tuple[str, str, str]]:
    return [(c.action, c.kind, c.name) for c in plan.changes]


def test_order_methods_then_definitions_then_deletions() -> None:
    state = State([api_method('old-m'), api_method('keep')],
                  [api_definition('old-d', alarm_actions=['id-old-m'])])
    plan = make_plan(desired(D('new-d', 'max(x) > 1', ok_actions=('new-m',)),
                             M('new-m', 'EMAIL', 'n@example.com'),
                             M('keep', 'EMAIL', 'keep@example.com')),
                     state, ['old-*'])
    assert actions(plan) == [
        ('create', 'notification method', 'new-m'),
        ('unchanged', 'notification method', 'keep'),
        ('create', 'alarm definition', 'new-d'),
        ('delete', 'alarm definition', 'old-d'),
        ('delete', 'notification method', 'old-m')]
    assert plan.summary() == ('Plan: 2 to create, 0 to update, 0 to replace, '
                              '2 to delete.')
    assert plan.changes[3].note.startswith('deletes the definition, its '
                                           'alarms')


def test_update_lists_only_changed_fields_and_maps_action_ids() -> None:
    state = State([api_method('a'), api_method('b')],
                  [api_definition('d', severity='LOW',
                                  alarm_actions=['id-b', 'id-a'])])
    plan = make_plan(desired(D('d', 'max(x) > 2', severity='HIGH',
                               alarm_actions=('a', 'b'))), state)
    (change,) = plan.pending
    assert change.action == 'update'
    assert change.fields == {'expression': ('max(x) > 1', 'max(x) > 2'),
                             'severity': ('LOW', 'HIGH')}


@pytest.mark.parametrize(('old', 'new', 'match_by', 'action', 'reason'), [
    # What the API changes in place: function, operator, threshold, period,
    # periods, deterministic, and/or structure.
    ('avg(cpu{a=1}) > 5', 'max(cpu{a=1}, deterministic, 120) < 9 times 3',
     ['h'], 'update', ''),
    ('max(x) > 1 and max(y) > 1', 'max(y) > 2 or (min(x) < 0)', ['h'],
     'update', ''),
    ('avg(cpu{a=1,b=2}) > 5', 'avg(cpu{b=2,a=1}) > 5', ['h'], 'update', ''),
    # What it refuses (422): metrics, dimensions, their number, match_by.
    ('avg(cpu{a=1}) > 5', 'avg(cpu{a=2}) > 5', ['h'], 'replace',
     'the metrics of the sub-expressions change (name or dimensions)'),
    ('avg(cpu) > 5', 'avg(mem) > 5', ['h'], 'replace',
     'the metrics of the sub-expressions change (name or dimensions)'),
    ('avg(cpu) > 5', 'avg(cpu) > 5 or max(cpu) > 9', ['h'], 'replace',
     'the number of sub-expressions changes'),
    ('avg(cpu) > 5', 'avg(cpu) > 5', ['h', 'svc'], 'replace',
     'match_by changes'),
    ('avg(cpu) > 5', 'avg(cpu) > 5', [], 'replace', 'match_by changes'),
])
def test_replace_mirrors_the_api_422_rule(old: str, new: str,
                                          match_by: list[str], action: str,
                                          reason: str) -> None:
    state = State([], [api_definition('d', old, match_by=['h'])])
    (change,) = make_plan(desired(D('d', new, match_by=tuple(match_by))),
                          state).changes
    assert (change.action, change.reason) == (action, reason)
    if action == 'replace':
        assert 'replacing deletes the definition, its alarms and their ' \
               'history' in change.note


def test_match_by_order_matters_as_for_the_api() -> None:
    state = State([], [api_definition('d', match_by=['a', 'b'])])
    (change,) = make_plan(desired(D('d', 'max(x) > 1',
                                    match_by=('b', 'a'))), state).changes
    assert change.action == 'replace'


def test_names_match_as_the_api_compares_them() -> None:
    state = State([api_method('Ops ')], [api_definition('CPU-high')])
    plan = make_plan(desired(M('ops', 'EMAIL', 'Ops @example.com'),
                             D('cpu-high', 'max(x) > 1')), state)
    assert [(c.action, c.fields) for c in plan.changes] == [
        ('update', {'name': ('Ops ', 'ops')}),
        ('update', {'name': ('CPU-high', 'cpu-high')})]


def test_unchanged_when_equal() -> None:
    state = State([api_method('a')], [api_definition('d',
                                                     ok_actions=['id-a'])])
    plan = make_plan(desired(M('a', 'EMAIL', 'a@example.com'),
                             D('d', 'max(x) > 1', ok_actions=('a',))), state)
    assert plan.pending == []
    assert plan.summary() == 'No changes: the project matches the files.'


def test_unknown_action_name_is_an_error_with_a_hint() -> None:
    state = State([api_method('Ops')], [])
    with pytest.raises(PlanError, match="uses notification method 'ops', "
                       "which neither the files nor the project define "
                       r"\(did you mean 'Ops'\?\)"):
        make_plan(desired(D('d', 'max(x) > 1', ok_actions=('ops',))), state)


def test_prune_only_in_scope_and_not_defined() -> None:
    state = State([api_method('team-a-m'), api_method('team-b-m')],
                  [api_definition('team-a-1'), api_definition('team-a-2'),
                   api_definition('team-b-1')])
    plan = make_plan(desired(D('team-a-1', 'max(x) > 1')), state,
                     ['team-a-*'])
    assert [(c.action, c.name) for c in plan.pending] == [
        ('delete', 'team-a-2'), ('delete', 'team-a-m')]
    # Without a scope nothing is deleted.
    assert make_plan(desired(D('team-a-1', 'max(x) > 1')), state).pending \
        == []


def test_prune_refused_when_files_define_nothing() -> None:
    state = State([api_method('a')], [api_definition('b')])
    with pytest.raises(PlanError, match='the files define no notification '
                       'method and no alarm definition'):
        make_plan(model.Model(), state, ['nothing-matches-*'])


def test_prune_refused_when_scope_deletes_everything() -> None:
    state = State([api_method('a')], [api_definition('b'),
                                      api_definition('c')])
    with pytest.raises(PlanError, match=r"--prune-scope \* would delete "
                       r'every object in the project \(3\)'):
        make_plan(desired(D('new', 'max(x) > 1'), M('new-m', 'EMAIL',
                                                    'x@example.com')),
                  state, ['*'])


def test_prune_refused_when_it_empties_a_kind_the_files_omit() -> None:
    state = State([api_method('a'), api_method('b')], [api_definition('d')])
    with pytest.raises(PlanError, match='the files define no notification '
                       r'method, and --prune-scope \* would delete every '
                       r'notification method in the project \(2\)'):
        make_plan(desired(D('d', 'max(x) > 1')), state, ['*'])


def test_prune_refused_for_a_method_still_in_use() -> None:
    state = State([api_method('m-used'), api_method('m-keep')],
                  [api_definition('other', alarm_actions=['id-m-used'])])
    with pytest.raises(PlanError, match="notification method 'm-used': "
                       "alarm definition 'other', which stays, still uses"):
        make_plan(desired(M('m-keep', 'EMAIL', 'm-keep@example.com')), state,
                  ['m-*'])
    with pytest.raises(PlanError, match="uses notification method 'm-used', "
                       'which --prune-scope would delete'):
        make_plan(desired(D('other', 'max(x) > 1',
                            alarm_actions=('m-used',)),
                          M('m-keep', 'EMAIL', 'm-keep@example.com')),
                  state, ['m-*'])


def test_variable_values_are_shown_as_written() -> None:
    state = State([api_method('hook', type='WEBHOOK',
                              address='https://h/old-secret')], [])
    hook = M('hook', 'WEBHOOK', 'https://h/new-secret',
             templates={'address': 'https://h/${TOKEN}'})
    (change,) = make_plan(desired(hook), state).changes
    assert change.shown_fields() == {'address': {
        'from': '<not shown>', 'to': 'https://h/${TOKEN}'}}


def test_types_checked_only_where_the_type_is_set() -> None:
    state = State([api_method('old', type='SLACK')], [])
    plan = make_plan(desired(M('old', 'SLACK', 'https://s/x'),
                             M('new', 'JIRA', 'j')), state)
    with pytest.raises(PlanError, match="'new': type JIRA is not one this "
                       r'server supports \(EMAIL, WEBHOOK\)'):
        check_types(plan, ['email', 'WEBHOOK'])
    # An existing method of a type no longer listed is left alone.
    check_types(make_plan(desired(M('old', 'SLACK', 'https://s/y')), state),
                ['EMAIL'])


def test_notes_name_the_alarms_lost() -> None:
    state = State([], [api_definition('d', match_by=['a']),
                       api_definition('gone'), api_definition('keep')])
    plan = make_plan(desired(D('d', 'max(x) > 1', match_by=('b',))), state,
                     ['gone'])
    replace, delete = plan.pending
    assert delete.note == ('deletes the definition, its alarms and their '
                           'history')

    class Alarms:
        @staticmethod
        def count(alarm_definition_id: str) -> dict:
            return {'counts': [[{'id-d': 1, 'id-gone': 7}[
                alarm_definition_id]]]}

    count_alarms(plan, type('Client', (), {'alarms': Alarms})())
    assert replace.note == (
        'match_by changes: the API cannot change this in place; replacing '
        'deletes the definition, its 1 alarm and their history')
    assert delete.note == ('deletes the definition, its 7 alarms and their '
                           'history')

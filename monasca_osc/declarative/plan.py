"""Compare the files with the server: the plan.

``State.read`` lists the project's notification methods and alarm
definitions (GETs only). ``make_plan`` is pure: objects are matched by name
(as the API compares names), and each becomes one ``Change``:

* ``create``: not on the server;
* ``update``: fields differ and the API can change them in place (PATCH);
* ``replace``: ``match_by``, the number of sub-expressions or their metrics
  (name + dimensions) differ, which the API refuses to change (422), so the
  definition is deleted and created again, losing its alarms and history;
* ``delete``: only with a prune scope, for objects in the scope that the
  files do not define;
* ``unchanged``.

The order of ``Plan.changes`` is the order of apply: notification methods
(definitions need their ids), then definitions, then deletions (definitions
before the methods they use). Prune guards raise ``PlanError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
import fnmatch
from typing import Any

from monasca_osc.common import expression as expr
from monasca_osc.common.validation import ValidationError
from monasca_osc.declarative import model

CREATE, UPDATE, REPLACE, DELETE, UNCHANGED = (
    'create', 'update', 'replace', 'delete', 'unchanged')
HIDDEN = '<not shown>'


class PlanError(ValidationError):
    """The files cannot be applied to this project as they are."""


@dataclass
class State:
    """The project's objects as the API returns them."""

    methods: list[dict[str, Any]]
    definitions: list[dict[str, Any]]

    @classmethod
    def read(cls, client: Any) -> State:
        return cls(list(client.notifications.iter_list()),
                   list(client.alarm_definitions.iter_list()))

    def names_by_id(self) -> dict[str, str]:
        return {m['id']: m['name'] for m in self.methods}


@dataclass
class Change:
    action: str
    kind: str
    name: str
    desired: Any = None                 # model.Method / model.Definition
    current: dict[str, Any] | None = None   # the API object (with its id)
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    reason: str = ''                    # why a replace
    alarms: int | None = None           # a definition's, when counted

    @property
    def id(self) -> str | None:
        return None if self.current is None else self.current.get('id')

    def shown_fields(self) -> dict[str, dict[str, Any]]:
        """Changed fields as ``{field: {"from": old, "to": new}}``.

        A value that came from a ``${VARIABLE}`` is shown as written, and
        a notification method's current address then not at all: such
        values are often secrets (webhook tokens, service keys).
        """
        templates = getattr(self.desired, 'templates', {}) or {}
        shown = {}
        for key, (old, new) in self.fields.items():
            if key in templates:
                new = templates[key]
                if key == 'address' and old is not None:
                    old = HIDDEN
            shown[key] = {'from': old, 'to': new}
        return shown

    @property
    def note(self) -> str:
        alarms = 'its alarms' if self.alarms is None else \
            f'its {self.alarms} alarm{"" if self.alarms == 1 else "s"}'
        if self.action == REPLACE:
            return (f'{self.reason}: the API cannot change this in place; '
                    f'replacing deletes the definition, {alarms} and '
                    f'their history')
        if self.action == DELETE and self.kind == model.DEFINITION:
            return f'deletes the definition, {alarms} and their history'
        return ''

    @property
    def loses_alarms(self) -> bool:
        return self.kind == model.DEFINITION and self.action in (REPLACE,
                                                                 DELETE)


@dataclass
class Plan:
    changes: list[Change]

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action != UNCHANGED]

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def summary(self) -> str:
        if not self.pending:
            return 'No changes: the project matches the files.'
        parts = [f'{self.count(a)} to {a}'
                 for a in (CREATE, UPDATE, REPLACE, DELETE)]
        return f'Plan: {", ".join(parts)}.'


def _differences(old: dict[str, Any], new: dict[str, Any]
                 ) -> dict[str, tuple[Any, Any]]:
    return {key: (old[key], new[key]) for key in new if old[key] != new[key]}


_REASONS = {
    'match_by must not change': 'match_by changes',
    'number of subexpressions must not change':
        'the number of sub-expressions changes',
    'metrics in subexpression must not change':
        'the metrics of the sub-expressions change (name or dimensions)',
}


def replace_reason(old: model.Definition, new: model.Definition) -> str:
    """Why the API would refuse (422) to turn ``old`` into ``new`` in place.

    The rule is the alarm engine's copy of monasca-api's
    (``alarming.model.check_update``): ``match_by`` compared in order, and
    the sub-expressions' metrics (name and dimensions) and their number.
    """
    from monasca_osc.alarming import model as alarm_model

    after = expr.parse(new.expression)
    try:
        before = expr.parse(old.expression)
    except expr.ExpressionError:
        before = after   # the API cannot compare either: only match_by
    try:
        alarm_model.check_update(before, after, old.match_by, new.match_by)
    except alarm_model.UpdateRefused as refused:
        return _REASONS.get(str(refused), str(refused))
    return ''


def _by_key(items: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {model.name_key(item['name']): item for item in items}


def _compare(kind: str, desired: dict[str, Any], current: dict[str, Any],
             convert: Any) -> list[Change]:
    changes = []
    for name, obj in desired.items():
        stored = current.get(model.name_key(name))
        if stored is None:
            changes.append(Change(CREATE, kind, name, obj,
                                  fields=_differences(
                                      dict.fromkeys(obj.fields()),
                                      obj.fields())))
            continue
        before = convert(stored)
        fields = _differences(before.fields(), obj.fields())
        reason = replace_reason(before, obj) if kind == model.DEFINITION \
            else ''
        action = REPLACE if reason else UPDATE if fields else UNCHANGED
        changes.append(Change(action, kind, name, obj, stored, fields,
                              reason))
    return changes


def make_plan(desired: model.Model, state: State,
              prune_scopes: Sequence[str] | None = None) -> Plan:
    """The changes that make the project match ``desired``."""
    names_by_id = state.names_by_id()
    methods = _compare(model.METHOD, desired.methods,
                       _by_key(state.methods), model.method_from_api)
    definitions = _compare(
        model.DEFINITION, desired.definitions, _by_key(state.definitions),
        lambda item: model.definition_from_api(item, names_by_id))
    deletions: list[Change] = []
    if prune_scopes is not None:
        deletions = _prune(desired, state, list(prune_scopes))
    _check_references(desired, state, deletions)
    return Plan(methods + definitions + deletions)


def check_types(plan: Plan, supported: Iterable[str]) -> None:
    """Refuse, before any change, a method type the server does not know
    (it would answer 400 in the middle of the apply)."""
    supported = sorted({t.upper() for t in supported})
    for change in plan.pending:
        if change.kind != model.METHOD or change.action == DELETE or \
                'type' not in change.fields:
            continue
        method = change.desired
        if method.type not in supported:
            raise PlanError(
                f'{method.source}: notification method {method.name!r}: '
                f'type {method.type} is not one this server supports '
                f'({", ".join(supported)})')


def count_alarms(plan: Plan, client: Any) -> None:
    """How many alarms each replace or definition delete would delete."""
    for change in plan.pending:
        if change.loses_alarms:
            counts = client.alarms.count(
                alarm_definition_id=change.id)['counts']
            change.alarms = int(counts[0][0]) if counts else 0


def in_scope(name: str, scopes: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, glob) for glob in scopes)


def _prune(desired: model.Model, state: State,
           scopes: list[str]) -> list[Change]:
    if desired.empty:
        raise PlanError(
            'Refusing to prune: the files define no notification method and '
            'no alarm definition, so every object in the scope would be '
            'deleted')
    deletions = []
    for kind, items in ((model.DEFINITION, state.definitions),
                        (model.METHOD, state.methods)):
        wanted = {model.name_key(n) for n in desired.objects(kind)}
        doomed = [Change(DELETE, kind, item['name'], current=item)
                  for item in sorted(items, key=lambda i: i['name'])
                  if model.name_key(item['name']) not in wanted
                  and in_scope(item['name'], scopes)]
        if doomed and len(doomed) == len(items) and \
                not desired.objects(kind):
            raise PlanError(
                f'Refusing to prune: the files define no {kind}, and '
                f'--prune-scope {" ".join(scopes)} would delete every '
                f'{kind} in the project ({len(items)}); narrow the scope')
        deletions += doomed
    total = len(state.methods) + len(state.definitions)
    if total and len(deletions) == total:
        raise PlanError(
            f'Refusing to prune: --prune-scope {" ".join(scopes)} would '
            f'delete every object in the project ({total}); narrow the scope')
    return deletions


def _check_references(desired: model.Model, state: State,
                      deletions: list[Change]) -> None:
    """Every action names a method that exists after the apply, and no
    deleted method is still used by a definition that stays."""
    doomed = {c.name for c in deletions if c.kind == model.METHOD}
    available = set(desired.methods) | (
        {m['name'] for m in state.methods} - doomed)
    by_key = {model.name_key(n): n for n in available}
    for definition in desired.definitions.values():
        for name in sorted(definition.actions()):
            if name in available:
                continue
            where = f'{definition.source}: alarm definition ' \
                    f'{definition.name!r}'
            if name in doomed:
                raise PlanError(
                    f'{where} uses notification method {name!r}, which '
                    f'--prune-scope would delete; define it in the files '
                    f'or narrow the scope')
            hint = by_key.get(model.name_key(name))
            raise PlanError(
                f'{where} uses notification method {name!r}, which neither '
                f'the files nor the project define'
                + (f' (did you mean {hint!r}?)' if hint else ''))
    if not doomed:
        return
    gone = {c.name for c in deletions if c.kind == model.DEFINITION}
    wanted = {model.name_key(n) for n in desired.definitions}
    ids = {m['id']: m['name'] for m in state.methods}
    for item in state.definitions:
        if item['name'] in gone or model.name_key(item['name']) in wanted:
            continue
        for key in model.ACTION_FIELDS:
            for method_id in item.get(key) or ():
                if ids.get(method_id) in doomed:
                    raise PlanError(
                        f'Refusing to prune notification method '
                        f'{ids[method_id]!r}: alarm definition '
                        f'{item["name"]!r}, which stays, still uses it; '
                        f'narrow --prune-scope or define both in the files')

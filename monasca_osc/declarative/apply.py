"""Carry a plan out through the REST managers, one change at a time.

Changes run in the plan's order (methods, definitions, deletions). The
first failure stops the run: later changes may depend on it (a definition
on its method) and deletions must never run after a failed create. The
``Outcome`` says what was applied, what failed and what was not applied;
running apply again continues from there, because the plan is made anew
from the server's state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from monasca_osc.declarative import model
from monasca_osc.declarative.plan import (
    CREATE,
    DELETE,
    REPLACE,
    UPDATE,
    Change,
    Plan,
    State,
)

DONE = {CREATE: 'created', UPDATE: 'updated', REPLACE: 'replaced',
        DELETE: 'deleted'}


class PartialChange(Exception):
    """A change of several requests failed after its first one."""


@dataclass
class Outcome:
    applied: list[Change] = field(default_factory=list)
    failed: tuple[Change, BaseException] | None = None
    not_applied: list[Change] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed is None and not self.not_applied


def describe(change: Change, verb: str | None = None) -> str:
    """``updated alarm definition 'cpu' (severity, ok_actions)``."""
    text = f'{verb or DONE[change.action]} {change.kind} {change.name!r}'
    if change.action == UPDATE:
        text += f' ({", ".join(change.fields)})'
    elif change.action == REPLACE:
        text += f' ({change.reason}; its alarms and their history are ' \
                f'deleted)'
    return text


class Applier:
    def __init__(self, client: Any, state: State) -> None:
        self.client = client
        # Exact names: every action was checked to name one of these, or a
        # method the plan creates first.
        self.method_ids = {m['name']: m['id'] for m in state.methods}

    def run(self, plan: Plan, report: Callable[[Change], None]) -> Outcome:
        outcome = Outcome()
        pending = plan.pending
        for index, change in enumerate(pending):
            try:
                self.apply(change)
            except (Exception, KeyboardInterrupt) as err:  # noqa: BLE001 - reported with what was not applied
                outcome.failed = (change, err)
                outcome.not_applied = pending[index + 1:]
                return outcome
            outcome.applied.append(change)
            report(change)
        return outcome

    def apply(self, change: Change) -> None:
        method = change.kind == model.METHOD
        if change.action == DELETE:
            manager = self.client.notifications if method else \
                self.client.alarm_definitions
            manager.delete(change.id)
        elif method:
            self._method(change)
        else:
            self._definition(change)

    def _method(self, change: Change) -> None:
        manager = self.client.notifications
        method: model.Method = change.desired
        if change.action == CREATE:
            created = manager.create(**method.fields())
            self.method_ids[method.name] = created['id']
            return
        fields = {key: new for key, (_, new) in change.fields.items()}
        if 'address' in fields:
            # Checked against the type by the API; sending it avoids a GET.
            fields['type'] = method.type
        manager.patch(change.id, **fields)
        self.method_ids[method.name] = change.id

    def _ids(self, names: Any) -> list[str]:
        return [self.method_ids[name] for name in names]

    def _definition(self, change: Change) -> None:
        manager = self.client.alarm_definitions
        definition: model.Definition = change.desired
        if change.action == UPDATE:
            fields = {key: new for key, (_, new) in change.fields.items()}
            for key in model.ACTION_FIELDS:
                if key in fields:
                    fields[key] = self._ids(fields[key])
            manager.patch(change.id, **fields)
            return
        if change.action == REPLACE:
            manager.delete(change.id)
        try:
            self._create(definition)
        except Exception as err:
            if change.action == REPLACE:
                raise PartialChange(
                    f'the old definition was deleted, but creating the new '
                    f'one failed: {err}') from err
            raise

    def _create(self, definition: model.Definition) -> None:
        manager = self.client.alarm_definitions
        body = definition.fields()
        enabled = body.pop('actions_enabled')
        for key in model.ACTION_FIELDS:
            body[key] = self._ids(body[key])
        created = manager.create(**body)
        if not enabled:
            # The API ignores actions_enabled on POST (always true).
            try:
                manager.patch(created['id'], actions_enabled=False)
            except Exception as err:
                raise PartialChange(
                    f'it was created, but disabling its actions failed: '
                    f'{err}') from err

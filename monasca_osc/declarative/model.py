"""The declarative objects: notification methods and alarm definitions.

One class per kind, holding exactly the fields the API stores except ids,
links and timestamps (``deterministic`` is derived from the expression).
Action lists hold notification method *names*, sorted: ids differ between
deployments and the API keeps no order. Both the files and the server are
read into these classes, so comparing them is comparing ``fields()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from monasca_osc.common import validation
from monasca_osc.common.definition import DefinitionOptions

METHOD_FIELDS = ('name', 'type', 'address', 'period')
DEFINITION_FIELDS = ('name', 'description', 'expression', 'match_by',
                     'severity', 'actions_enabled', 'alarm_actions',
                     'ok_actions', 'undetermined_actions')
ACTION_FIELDS = ('alarm_actions', 'ok_actions', 'undetermined_actions')
METHOD = 'notification method'
DEFINITION = 'alarm definition'
# The document's top-level keys, in the order they are written.
SECTIONS = (('notification_methods', METHOD),
            ('alarm_definitions', DEFINITION))


def name_key(name: str) -> str:
    """Names the API treats as the same (``validation.collation_key``).

    So ``CPU-High`` in a file is the definition ``cpu-high`` on the server
    (an update that renames it), not a new one whose creation would fail
    with 409.
    """
    return validation.collation_key(name)


@dataclass(frozen=True)
class Source:
    """Where an object was written (file and line), for messages."""

    file: str
    line: int

    def __str__(self) -> str:
        return f'{self.file}:{self.line}'


@dataclass(frozen=True)
class Method:
    name: str
    type: str
    address: str
    period: int = 0
    source: Source | None = field(default=None, compare=False)
    # field -> text as written, for values that came from ${VARIABLES}:
    # shown instead of the value, which may be a secret.
    templates: Mapping[str, str] = field(default_factory=dict, compare=False)

    kind = METHOD

    def fields(self) -> dict[str, Any]:
        return {'name': self.name, 'type': self.type,
                'address': self.address, 'period': self.period}


@dataclass(frozen=True)
class Definition(DefinitionOptions):
    name: str
    expression: str
    description: str = ''
    source: Source | None = field(default=None, compare=False)
    templates: Mapping[str, str] = field(default_factory=dict, compare=False)

    kind = DEFINITION

    def fields(self) -> dict[str, Any]:
        return {'name': self.name, 'description': self.description,
                'expression': self.expression,
                'match_by': list(self.match_by), 'severity': self.severity,
                'actions_enabled': self.actions_enabled,
                'alarm_actions': list(self.alarm_actions),
                'ok_actions': list(self.ok_actions),
                'undetermined_actions': list(self.undetermined_actions)}

    def actions(self) -> set[str]:
        """Every notification method name this definition uses."""
        return {*self.alarm_actions, *self.ok_actions,
                *self.undetermined_actions}


@dataclass
class Model:
    """What the files define, by kind, each sorted by name."""

    methods: dict[str, Method] = field(default_factory=dict)
    definitions: dict[str, Definition] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.methods and not self.definitions

    def objects(self, kind: str) -> dict[str, Any]:
        return self.methods if kind == METHOD else self.definitions


def method_from_api(item: Mapping[str, Any]) -> Method:
    return Method(name=item['name'], type=str(item.get('type') or ''),
                  address=str(item.get('address') or ''),
                  period=int(item.get('period') or 0))


def definition_from_api(item: Mapping[str, Any],
                        names_by_id: Mapping[str, str]) -> Definition:
    """A stored definition, its action ids turned into method names.

    An id with no known method (another project's, or a race with a
    delete) stays an id, so that it shows up as a difference.
    """
    def names(key: str) -> tuple[str, ...]:
        return tuple(sorted(names_by_id.get(i, i)
                            for i in item.get(key) or ()))

    return Definition(
        name=item['name'], expression=item.get('expression') or '',
        description=item.get('description') or '',
        match_by=tuple(item.get('match_by') or ()),
        severity=str(item.get('severity') or 'LOW').upper(),
        actions_enabled=bool(item.get('actions_enabled', True)),
        alarm_actions=names('alarm_actions'), ok_actions=names('ok_actions'),
        undetermined_actions=names('undetermined_actions'))

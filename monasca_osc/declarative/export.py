"""The project's configuration as one deterministic YAML document.

``build`` selects objects (names or globs), turns action ids into method
names and returns the document; ``dump`` writes it with a fixed key order,
objects sorted by name, action names sorted and short lists in flow style,
so two exports of the same configuration are byte-identical whatever the
deployment's ids. What ``dump`` writes, ``load`` reads back unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
import fnmatch
from typing import Any

from monasca_osc.common.validation import ValidationError
from monasca_osc.declarative import model
from monasca_osc.declarative.plan import State


class _Flow(list):
    """A list written inline: ``match_by: [hostname, service]``."""


def _select(items: list[dict[str, Any]], globs: Sequence[str] | None,
            option: str, what: str) -> list[dict[str, Any]]:
    if not globs:
        return items
    chosen = []
    for glob in globs:
        matched = [i for i in items if fnmatch.fnmatchcase(i['name'], glob)]
        if not matched:
            raise ValidationError(f'{option} {glob!r} matches no {what}')
        chosen += [i for i in matched if i not in chosen]
    return chosen


def build(state: State, definitions: Sequence[str] | None = None,
          methods: Sequence[str] | None = None) -> dict[str, Any]:
    """The export document.

    Without filters: everything. ``definitions`` alone: those definitions
    and the methods they use. ``methods`` alone: only those methods.
    """
    chosen_defs = _select(state.definitions, definitions, '--definition',
                          model.DEFINITION)
    if methods or definitions:
        chosen_defs = chosen_defs if definitions else []
    names_by_id = state.names_by_id()
    if methods:
        chosen_methods = _select(state.methods, methods,
                                 '--notification-method', model.METHOD)
    elif definitions:
        used = {i for d in chosen_defs for key in model.ACTION_FIELDS
                for i in d.get(key) or ()}
        chosen_methods = [m for m in state.methods if m['id'] in used]
    else:
        chosen_methods = state.methods
    exported = {m['id']: m['name'] for m in chosen_methods}
    for item in chosen_defs:
        for key in model.ACTION_FIELDS:
            for method_id in item.get(key) or ():
                if method_id in exported:
                    continue
                known = names_by_id.get(method_id)
                raise ValidationError(
                    f'Alarm definition {item["name"]!r} uses notification '
                    f'method {known!r} (id {method_id}), which is not in the '
                    f'export; add it with --notification-method'
                    if known else
                    f'Alarm definition {item["name"]!r} uses notification '
                    f'method id {method_id}, which is not a notification '
                    f'method of this project')
    method_objs = sorted((model.method_from_api(m) for m in chosen_methods),
                         key=lambda m: m.name)
    def_objs = sorted((model.definition_from_api(d, exported)
                       for d in chosen_defs), key=lambda d: d.name)
    return {'notification_methods': [m.fields() for m in method_objs],
            'alarm_definitions': [_flow_lists(d.fields()) for d in def_objs]}


def _flow_lists(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: _Flow(value) if isinstance(value, list) else value
            for key, value in fields.items()}


def dump(document: dict[str, Any]) -> str:
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(_Flow, lambda dumper, data: dumper.
                           represent_sequence('tag:yaml.org,2002:seq', data,
                                              flow_style=True))
    # Never fold long expressions or descriptions over several lines.
    return yaml.dump(document, Dumper=Dumper, sort_keys=False,
                     allow_unicode=True, default_flow_style=False,
                     width=1 << 30)

"""The optional fields of an alarm definition, with the API's defaults.

A definition created with only a name and an expression gets exactly
these values from the API (API reference §2, alarm definitions). The
alarm engine's model (``alarming.model.Definition``) and the
configuration-as-code model (``declarative.model.Definition``) both build
on this class, so a default is written once. Standard library only: the
sandbox uses it too (through the engine).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class DefinitionOptions:
    """Keyword-only, so each model keeps its own required fields first."""

    match_by: tuple[str, ...] = ()
    severity: str = 'LOW'
    actions_enabled: bool = True
    alarm_actions: tuple[str, ...] = ()
    ok_actions: tuple[str, ...] = ()
    undetermined_actions: tuple[str, ...] = ()

"""Render an explanation (the documented ``-f json`` structure) as a tree.

The structure (``doc/source/reference/alarm-explain.rst``) is built by
``replay.py`` from the engine's answer; this module only draws it::

    ALARM  avg(cpu.idle_perc{service=web}) < 10 times 3
           AVG of cpu.idle_perc{service=web}, 3 x 60s windows, < 10.0
             2024-01-01T00:03:00Z .. 00:04:00Z  5.0  breaches
             ...

Boolean nodes draw their operands with box-drawing branches.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ['render', 'render_node', 'span_text']

_SYMBOLS = {'LT': '<', 'LTE': '<=', 'GT': '>', 'GTE': '>='}


def _number(value: Any) -> str:
    if value is None:
        return '(no data)'
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return f'{value:.6g}' if isinstance(value, float) else str(value)


def span_text(start: str, end: str) -> str:
    """``2024-01-01T00:03:00Z .. 00:04:00Z`` (the date once when shared)."""
    if start[:11] == end[:11]:
        return f'{start} .. {end[11:]}'
    return f'{start} .. {end}'


def _sub_lines(node: dict[str, Any]) -> Iterator[str]:
    dims = ','.join(f'{k}={v}' for k, v in
                    sorted((node.get('dimensions') or {}).items()))
    metric = node['metric'] + (f'{{{dims}}}' if dims else '')
    symbol = _SYMBOLS.get(node['operator'], node['operator'])
    kind = ', deterministic' if node.get('deterministic') else ''
    if node['function'] == 'LAST':
        yield (f"LAST of {metric}: the newest measurement, "
               f"{symbol} {_number(node['threshold'])}{kind}")
        newest = (node.get('current_values') or [None])[-1]
        verdict = '' if newest is None else (
            '  breaches' if node['state'] == 'ALARM' else
            '  does not breach')
        yield f'  newest: {_number(newest)}{verdict}'
    else:
        yield (f"{node['function']} of {metric}, {node['periods']} x "
               f"{node['period']}s window"
               f"{'s' if node['periods'] > 1 else ''}, {symbol} "
               f"{_number(node['threshold'])}{kind}")
    for window in node.get('windows') or ():
        verdict = {True: 'breaches', False: 'does not breach',
                   None: 'empty'}[window.get('breaches')]
        count = window.get('count')
        counted = f' ({count} measurement{"s" if count != 1 else ""})' \
            if count is not None else ''
        yield (f"  {span_text(window['start'], window['end'])}  "
               f"{_number(window.get('value'))}  {verdict}{counted}")
    if node.get('why'):
        yield f"  -> {node['why']}"


def render_node(node: dict[str, Any], prefix: str = '',
                last: bool = True, top: bool = True) -> Iterator[str]:
    """The tree of one node: its head line, then its children."""
    branch = '' if top else ('└─ ' if last else '├─ ')
    follow = prefix + ('' if top else ('   ' if last else '│  '))
    if 'operands' in node:
        # The engine states the alarm and each sub-alarm, not the
        # boolean nodes between them.
        yield f'{prefix}{branch}{node["op"]}'
        operands = node['operands']
        for index, child in enumerate(operands):
            yield from render_node(child, follow,
                                   index == len(operands) - 1, False)
        return
    yield f'{prefix}{branch}{node["sub_expression"]}: {node.get("state")}'
    for line in _sub_lines(node):
        yield f'{follow}   {line}'


def render(explanation: dict[str, Any], indent: str = '') -> list[str]:
    """Every line of an explanation, for a terminal."""
    lines: list[str] = []
    head = explanation.get('title')
    if head:
        lines.append(head)
    state = explanation.get('state')
    stored = explanation.get('stored_state')
    verdict = f'state: {state}'
    if stored is not None:
        verdict += f' (stored: {stored}'
        verdict += ', agrees)' if stored == state else ', DISAGREES)'
    lines.append(verdict)
    if explanation.get('undetermined_by'):
        lines.append('undetermined because these windows are empty: '
                     + '; '.join(explanation['undetermined_by']))
    lines.extend(render_node(explanation['expression']))
    actions = explanation.get('actions')
    if actions is not None:
        if not actions.get('actions_enabled', True):
            lines.append(f"actions for {actions['state']}: none sent "
                         '(actions_enabled is false)')
        elif not actions.get('notifications'):
            lines.append(f"actions for {actions['state']}: none")
        else:
            names = ', '.join(
                f"{n.get('name') or n.get('id')} ({n.get('type') or '?'})"
                for n in actions['notifications'])
            lines.append(f"actions for {actions['state']}: {names}")
    return [indent + line for line in lines]

"""Real measurements written as a test file's ``series:`` block.

``measurement list ... --testcase [INTERVAL]`` seeds an ``alarm
definition test`` file from production: the series are laid on a grid of
``INTERVAL`` (by default the most common spacing of the data) starting at
the first timestamp; a measurement goes to its nearest grid step, a step
without one is ``_``, and runs are folded (``5x3``, ``_x10``). When two
measurements fall on one step the later one is kept and a comment says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
import datetime as _dt
from typing import Any, TextIO

from monasca_osc.alarmtools import series as series_mod
from monasca_osc.common import timeutil

__all__ = ['write', 'write_for_command', 'fold', 'format_value']


def _collect(elements: Iterable[Mapping[str, Any]]
             ) -> list[tuple[str, dict, list[tuple[int, float]]]]:
    """Series (name, dimensions, [(ms, value)]), continued pages merged."""
    out: dict[tuple, tuple[str, dict, list[tuple[int, float]]]] = {}
    for element in elements:
        columns = element.get('columns') or ['timestamp', 'value']
        ts_at = columns.index('timestamp') if 'timestamp' in columns else 0
        value_at = columns.index('value') if 'value' in columns else 1
        dims = dict(element.get('dimensions') or {})
        key = (element.get('name'), tuple(sorted(dims.items())))
        if key not in out:
            out[key] = (element.get('name'), dims, [])
        points = out[key][2]
        for point in element.get('measurements') or ():
            moment = timeutil.parse_iso(str(point[ts_at]))
            points.append((timeutil.to_epoch_ms(moment),
                           float(point[value_at])))
    return list(out.values())


def _guess_interval(all_points: list[list[tuple[int, float]]]) -> int:
    gaps: Counter[int] = Counter()
    for points in all_points:
        for (a, _), (b, _) in zip(points, points[1:], strict=False):
            seconds = round((b - a) / 1000)
            if seconds > 0:
                gaps[seconds] += 1
    return gaps.most_common(1)[0][0] if gaps else 60


def format_value(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith('.0') else text


def fold(slots: list[float | None]) -> str:
    """``[5, 5, 5, None, None, 1]`` -> ``5x2 _x2 1`` (promtool notation)."""
    tokens = []
    index = 0
    while index < len(slots):
        value = slots[index]
        end = index
        while end + 1 < len(slots) and slots[end + 1] == value and \
                (value is not None or slots[end + 1] is None):
            end += 1
        run = end - index + 1
        if value is None:
            tokens.append('_' if run == 1 else f'_x{run}')
        else:
            text = format_value(value)
            tokens.append(text if run == 1 else f'{text}x{run - 1}')
        index = end + 1
    return ' '.join(tokens)


def write(stdout: TextIO, elements: Iterable[Mapping[str, Any]],
          interval: int | None = None, header: str | None = None) -> int:
    """Write the YAML block; returns the number of measurements written."""
    import yaml

    collected = _collect(elements)
    every = [p for _, _, points in collected for p in points]
    if header:
        stdout.write(f'# {header}\n')
    if not every:
        stdout.write('# no measurements in range\nseries: []\n')
        return 0
    interval = interval or _guess_interval([p for _, _, p in collected])
    start = min(ts for ts, _ in every) // 1000 * 1000
    step = interval * 1000
    moment = _dt.datetime.fromtimestamp(start / 1000, _dt.UTC)
    stdout.write(f'start: {timeutil.format_iso(moment, False)}\n'
                 f'interval: {series_mod.format_duration(interval)}\n'
                 'series:\n')
    for name, dims, points in collected:
        slots: list[float | None] = []
        shared = 0
        for ts, value in sorted(points):
            slot = round((ts - start) / step)
            if slot < len(slots):
                shared += slots[slot] is not None
                slots[slot] = value
                continue
            slots.extend([None] * (slot - len(slots)))
            slots.append(value)
        stdout.write(f'  - name: {_scalar(yaml, name)}\n')
        if dims:
            flow = yaml.safe_dump(dims, default_flow_style=True,
                                  allow_unicode=True, width=1 << 20).strip()
            stdout.write(f'    dimensions: {flow}\n')
        if shared:
            stdout.write(f'    # {shared} measurements shared a step with '
                         'another; the later one was kept\n')
        stdout.write(f'    values: {fold(slots)}\n')
    return len(every)


def _scalar(yaml: Any, value: str) -> str:
    return yaml.safe_dump(value, default_style=None, allow_unicode=True,
                          width=1 << 20).splitlines()[0].removesuffix(' ...')


def write_for_command(stdout: TextIO, elements: Iterable[Mapping[str, Any]],
                      interval: str) -> int:
    """``measurement list --testcase [INTERVAL]`` (``auto``: guessed)."""
    from monasca_osc.common import validation

    seconds = None
    if interval != 'auto':
        seconds = series_mod.parse_duration(interval)
        if not seconds:
            raise validation.ValidationError(
                f"--testcase interval '{interval}' is not a duration such "
                'as 30s, 1m or 1h')
    return write(stdout, elements, seconds,
                 header='series for "openstack monitoring alarm definition '
                        'test" (add definitions and tests)')

"""promtool's expanding notation for synthetic series, and durations.

    >>> expand('50 5x2 _ 1+2x2')
    [50.0, 5.0, 5.0, 5.0, None, 1.0, 3.0, 5.0]

Tokens, separated by blanks:

``V``       one value;
``VxN``     V repeated: N + 1 values (promtool's ``V+0xN``);
``V+DxN``   N + 1 values from V stepping up by D;
``V-DxN``   the same, stepping down;
``_``       no sample at this step;
``_xN``     N steps without a sample.

A value is a decimal or scientific number with an optional sign.
"""

from __future__ import annotations

import re

__all__ = ['SeriesError', 'expand', 'parse_duration', 'MAX_STEPS']

_NUM = r'(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?'
_PLAIN = re.compile(rf'[-+]?{_NUM}')
_REPEAT = re.compile(rf'([-+]?{_NUM})x(\d+)')
_STEP = re.compile(rf'([-+]?{_NUM})([-+]{_NUM})x(\d+)')
_GAPS = re.compile(r'_x(\d+)')
_DURATION = re.compile(r'(?:\d+[smhdw])+')
_DURATION_PART = re.compile(r'(\d+)([smhdw])')
_UNITS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
# A typo such as 5x50000000 must not eat the machine's memory.
MAX_STEPS = 1_000_000


class SeriesError(ValueError):
    """A token does not parse; ``column`` is 1-based within the text."""

    def __init__(self, column: int, message: str) -> None:
        self.column = column
        super().__init__(message)


def expand(text: str) -> list[float | None]:
    """The values ``text`` stands for, one per interval (None = no sample)."""
    out: list[float | None] = []
    for match in re.finditer(r'\S+', text):
        token, column = match.group(), match.start() + 1
        if token == '_':
            out.append(None)
        elif m := _GAPS.fullmatch(token):
            out.extend([None] * _count(m.group(1), token, column))
        elif _PLAIN.fullmatch(token):
            out.append(float(token))
        elif m := _REPEAT.fullmatch(token):
            out.extend([float(m.group(1))] *
                       (_count(m.group(2), token, column) + 1))
        elif m := _STEP.fullmatch(token):
            start, step = float(m.group(1)), float(m.group(2))
            steps = _count(m.group(3), token, column)
            out.extend(start + step * i for i in range(steps + 1))
        else:
            raise SeriesError(
                column, f"bad value '{token}' at column {column} (expected "
                'V, VxN, V+DxN, V-DxN, _ or _xN)')
        if len(out) > MAX_STEPS:
            raise SeriesError(
                column, f'more than {MAX_STEPS:,} values at column {column}')
    return out


def _count(text: str, token: str, column: int) -> int:
    count = int(text)
    if count > MAX_STEPS:
        raise SeriesError(column, f"'{token}' at column {column} repeats more "
                                  f'than {MAX_STEPS:,} times')
    return count


def parse_duration(value: object) -> int | None:
    """``90``, ``30s``, ``1m``, ``1h30m`` -> seconds; None if not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.isdigit():
        return int(text)
    if not _DURATION.fullmatch(text):
        return None
    return sum(int(n) * _UNITS[u] for n, u in _DURATION_PART.findall(text))


def format_duration(seconds: int) -> str:
    """The shortest ``1h30m`` form of a number of seconds."""
    if seconds == 0:
        return '0s'
    out = ''
    for unit, size in (('d', 86400), ('h', 3600), ('m', 60), ('s', 1)):
        count, seconds = divmod(seconds, size)
        if count:
            out += f'{count}{unit}'
    return out

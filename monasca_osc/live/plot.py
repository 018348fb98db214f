"""A terminal line chart and sparklines, drawn with Unicode braille.

``render(series, width=, height=)`` returns the chart as lines of text:

    cpu.idle_perc                        <- title (what the values are)
    100 ┤       ⢀⠔⠉⠢⡀                    <- value axis: labelled ticks
     50 ┤   ⣀⠔⠁    ⠈⠢⣀
      0 ┤⠤⠊            ⠑⠤
        └──┬──────┬──────┬──             <- time axis: ticks on whole steps
         10:00  10:15  10:30
        UTC 2024-05-01 09:58:00 to 2024-05-01 10:36:00
     ⣿ cpu.idle_perc hostname=web1        <- legend: one line per series
     ╌ avg(cpu.idle_perc) < 10            <- and per threshold

Invariants (the golden tests rely on them):

* the output is a pure function of its arguments (no clock, no terminal
  query), every line is at most ``width`` cells wide;
* a series is a list of ``(epoch seconds, value)``; a ``None`` value breaks
  the line (a gap), so separate runs are never joined;
* without colour, several series are told apart by ASCII markers drawn at
  cell resolution (``*``, ``+``, ``x``...), one series by braille dots;
  with colour every series is braille in its own ANSI colour. Thresholds
  are ``╌`` rows under the series.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
import datetime as _dt
import math

Point = tuple[float, float | None]

BRAILLE = 0x2800
# Braille dot bits by [row 0..3][column 0..1] inside one cell.
_DOT = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
MARKERS = ('*', '+', 'x', 'o', '#', '@', '%', '&')
COLOURS = ('34', '31', '32', '33', '35', '36')   # blue red green yellow ...
THRESHOLD_CHAR = '╌'
THRESHOLD_COLOUR = '90'
BRAILLE_LEGEND = '⣿'
SPARKS = '▁▂▃▄▅▆▇█'
MIN_WIDTH = 30
MIN_HEIGHT = 3
# Time-axis steps (seconds) and the strftime format of their labels.
_TIME_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
               7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600,
               2592000, 7776000, 31536000)


@dataclass
class Series:
    label: str
    points: list[Point] = field(default_factory=list)


@dataclass
class Threshold:
    label: str
    value: float


def render(series: Sequence[Series], *, width: int, height: int,
           colour: bool = False, thresholds: Sequence[Threshold] = (),
           title: str = '') -> list[str]:
    """The chart as lines (no trailing newlines). ``height`` counts the
    plot rows only; axis, title and legend lines come on top of it."""
    if width < MIN_WIDTH:
        raise ValueError(f'width must be at least {MIN_WIDTH}')
    if height < MIN_HEIGHT:
        raise ValueError(f'height must be at least {MIN_HEIGHT}')
    values = [v for s in series for _, v in s.points if v is not None]
    values += [t.value for t in thresholds]
    times = [t for s in series for t, v in s.points if v is not None]
    if not times:
        raise ValueError('nothing to plot')
    t0, t1 = min(times), max(times)
    if t1 == t0:
        t0, t1 = t0 - 30, t1 + 30
    ticks, step = _value_ticks(min(values), max(values), height)
    low, high = ticks[0], ticks[-1]
    labels = _format_values(ticks, step)
    label_width = max(len(text) for text in labels)
    cols = width - label_width - 2
    markers = not colour and len(series) > 1
    grid = _Grid(cols, height, markers)
    for threshold in thresholds:
        grid.threshold(grid.row_of(threshold.value, low, high))
    for index, item in enumerate(series):
        grid.draw(index, item.points, (t0, t1), (low, high))

    out = [_fit(title, width)] if title else []
    label_rows = {}
    for value, text in zip(ticks, labels, strict=True):
        label_rows.setdefault(grid.row_of(value, low, high), text)
    for row in range(height):
        text = label_rows.get(row)
        axis = '┤' if text is not None else '│'
        out.append(f'{text or "":>{label_width}} {axis}'
                   + grid.line(row, colour))
    axis, tick_labels = _time_axis(t0, t1, cols, grid)
    out.append(' ' * label_width + ' └' + axis)
    out.append(' ' * (label_width + 2) + tick_labels.rstrip())
    out.append(_fit(' ' * (label_width + 2) + 'UTC ' + _stamp(t0) + ' to '
                    + _stamp(t1), width))
    for index, item in enumerate(series):
        mark = MARKERS[index % len(MARKERS)] if markers else BRAILLE_LEGEND
        out.append(_paint(' ' + mark, _colour(index) if colour else None)
                   + _fit(' ' + item.label, width - 2))
    for threshold in thresholds:
        out.append(_paint(' ' + THRESHOLD_CHAR,
                          THRESHOLD_COLOUR if colour else None)
                   + _fit(' ' + threshold.label, width - 2))
    return out


def sparkline(values: Sequence[float | None], width: int | None = None
              ) -> str:
    """``▁▃▅█`` for the values, a space for a missing one. With more values
    than ``width`` they are averaged into ``width`` buckets."""
    if width is not None and len(values) > width > 0:
        buckets = []
        for i in range(width):
            chunk = [v for v in values[i * len(values) // width:
                                       (i + 1) * len(values) // width]
                     if v is not None]
            buckets.append(sum(chunk) / len(chunk) if chunk else None)
        values = buckets
    present = [v for v in values if v is not None]
    if not present:
        return ' ' * len(values)
    low, high = min(present), max(present)
    top = len(SPARKS) - 1
    out = []
    for value in values:
        if value is None:
            out.append(' ')
        elif high == low:
            out.append(SPARKS[top // 2])
        else:
            out.append(SPARKS[round((value - low) / (high - low) * top)])
    return ''.join(out)


# -- the canvas ---------------------------------------------------------------
class _Grid:
    """Cells of the plot area: braille dot bits, or one marker per cell."""

    def __init__(self, cols: int, rows: int, markers: bool) -> None:
        self.cols, self.rows, self.markers = cols, rows, markers
        self.bits = [[0] * cols for _ in range(rows)]
        self.marks: list[list[str | None]] = [[None] * cols
                                              for _ in range(rows)]
        self.owner: list[list[int | None]] = [[None] * cols
                                              for _ in range(rows)]
        self.threshold_rows: set[int] = set()
        # Resolution: 2x4 dots per cell in braille, 1x1 with markers.
        self.xres = 1 if markers else 2
        self.yres = 1 if markers else 4

    def row_of(self, value: float, low: float, high: float) -> int:
        return self._y(value, low, high) // self.yres

    def col_of(self, t: float, t0: float, t1: float) -> int:
        return self._x(t, t0, t1) // self.xres

    def _x(self, t: float, t0: float, t1: float) -> int:
        span = self.cols * self.xres - 1
        return _clamp(round((t - t0) / (t1 - t0) * span), 0, span)

    def _y(self, value: float, low: float, high: float) -> int:
        span = self.rows * self.yres - 1
        return span - _clamp(round((value - low) / (high - low) * span),
                             0, span)

    def threshold(self, row: int) -> None:
        self.threshold_rows.add(row)

    def draw(self, index: int, points: Iterable[Point],
             times: tuple[float, float], values: tuple[float, float]) -> None:
        previous = None
        for t, value in points:
            if value is None:
                previous = None
                continue
            here = (self._x(t, *times), self._y(value, *values))
            if previous is None:
                self._set(index, *here)
            else:
                for x, y in _line(previous, here):
                    self._set(index, x, y)
            previous = here

    def _set(self, index: int, x: int, y: int) -> None:
        col, row = x // self.xres, y // self.yres
        if self.markers:
            self.marks[row][col] = MARKERS[index % len(MARKERS)]
        else:
            self.bits[row][col] |= _DOT[y % 4][x % 2]
        self.owner[row][col] = index

    def line(self, row: int, colour: bool) -> str:
        cells = []
        for col in range(self.cols):
            owner = self.owner[row][col]
            if owner is None:
                char = THRESHOLD_CHAR if row in self.threshold_rows else ' '
                code = THRESHOLD_COLOUR if char != ' ' else None
            else:
                char = self.marks[row][col] if self.markers else \
                    chr(BRAILLE + self.bits[row][col])
                code = _colour(owner)
            cells.append((char, code if colour else None))
        # One escape sequence per run of cells of the same colour.
        out, run, run_code = [], [], None
        for char, code in cells:
            if code != run_code:
                out.append(_paint(''.join(run), run_code))
                run, run_code = [], code
            run.append(char)
        out.append(_paint(''.join(run), run_code))
        return ''.join(out).rstrip()


def _line(a: tuple[int, int], b: tuple[int, int]) -> Iterable[tuple[int, int]]:
    """Bresenham: the dots from ``a`` to ``b``, both included."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = abs(x1 - x0), -abs(y1 - y0)
    sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
    err = dx + dy
    while True:
        yield x0, y0
        if (x0, y0) == (x1, y1):
            return
        e2 = 2 * err
        if e2 >= dy:
            err += dy
            x0 += sx
        if e2 <= dx:
            err += dx
            y0 += sy


# -- axes -----------------------------------------------------------------
def _value_ticks(low: float, high: float, rows: int
                 ) -> tuple[list[float], float]:
    """Round tick values covering [low, high] and their step."""
    span = high - low
    if span == 0:
        span = abs(high) * 0.2 or 1.0
        low, high = low - span / 2, high + span / 2
    wanted = max(3, min(6, rows // 3 + 1))
    step = _nice(span / (wanted - 1))
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    if last == first:
        last += 1
    return [k * step + 0.0 for k in range(first, last + 1)], step


def _nice(raw: float) -> float:
    exponent = math.floor(math.log10(raw))
    fraction = raw / 10 ** exponent
    for nice in (1, 2, 2.5, 5):
        if fraction <= nice + 1e-9:
            return nice * 10 ** exponent
    return 10 * 10 ** exponent


def _format_values(ticks: Sequence[float], step: float) -> list[str]:
    """Labels with as many decimals as the step needs; k/M/G above 10,000."""
    scale, suffix = 1.0, ''
    biggest = max(abs(t) for t in ticks)
    for factor, name in ((1e9, 'G'), (1e6, 'M'), (1e3, 'k')):
        if biggest >= 10 * factor and step >= factor / 10:
            scale, suffix = factor, name
            break
    decimals = 0
    while decimals < 9 and abs(round(step / scale * 10 ** decimals)
                               - step / scale * 10 ** decimals) > 1e-6:
        decimals += 1
    return [f'{t / scale:.{decimals}f}{suffix}' if t else
            f'{0:.{decimals}f}' for t in ticks]


def _time_axis(t0: float, t1: float, cols: int, grid: _Grid
               ) -> tuple[str, str]:
    """The axis line (``──┬──``) and the tick-label line under it."""
    for step in _TIME_STEPS:
        if step < 60:
            fmt = '%H:%M:%S'
        elif step >= 86400:
            fmt = '%m-%d'
        else:
            # Hours repeat across days: then the day goes with them.
            fmt = '%m-%d %H:%M' if t1 - t0 > 86400 else '%H:%M'
        label_width = len(_dt.datetime.fromtimestamp(
            0, _dt.UTC).strftime(fmt))
        first = math.ceil(t0 / step) * step
        count = int((t1 - first) // step) + 1 if first <= t1 else 0
        if count * (label_width + 2) <= cols:
            break
    axis = ['─'] * cols
    labels = [' '] * cols
    free_from = 0
    tick = first
    while tick <= t1:
        col = grid.col_of(tick, t0, t1)
        axis[col] = '┬'
        text = _dt.datetime.fromtimestamp(tick, _dt.UTC).strftime(fmt)
        start = _clamp(col - len(text) // 2, 0, cols - len(text))
        if start >= free_from:
            labels[start:start + len(text)] = text
            free_from = start + len(text) + 1
        tick += step
    return ''.join(axis), ''.join(labels)


def _stamp(t: float) -> str:
    return _dt.datetime.fromtimestamp(t, _dt.UTC).strftime(
        '%Y-%m-%d %H:%M:%S')


# -- text helpers ---------------------------------------------------------
def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(0, width - 1)] + '…'


def _colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def _paint(text: str, code: str | None) -> str:
    return f'\x1b[{code}m{text}\x1b[0m' if code and text else text

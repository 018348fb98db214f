"""The chart renderer: golden output for one, several and gappy series.

The golden files are the exact expected text. After an intended change to
the drawing, regenerate them with ``MONASCA_OSC_REGEN_GOLDEN=1`` and review
the diff like any other change.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from monasca_osc.live import plot
from monasca_osc.live.plot import Series, Threshold

GOLDEN = Path(__file__).parent / 'golden'
T0 = 1714557600  # 2024-05-01T10:00:00Z


def wave(n: int, base: float, amplitude: float, step: int = 60,
         period: float = 5.0) -> list[tuple[float, float | None]]:
    return [(T0 + i * step, round(base + amplitude * math.sin(i / period), 3))
            for i in range(n)]


def check_golden(name: str, lines: list[str]) -> None:
    text = '\n'.join(lines) + '\n'
    path = GOLDEN / f'{name}.txt'
    if os.environ.get('MONASCA_OSC_REGEN_GOLDEN'):
        path.write_text(text, encoding='utf-8')
    assert text == path.read_text(encoding='utf-8'), (
        f'{name} differs from its golden file; got:\n{text}')


def assert_fits(lines: list[str], width: int) -> None:
    for line in lines:
        assert len(line) <= width, line


def test_one_series_golden() -> None:
    lines = plot.render([Series('cpu.idle_perc hostname=web1',
                                wave(40, 50, 40))],
                        width=72, height=12, title='cpu.idle_perc')
    assert_fits(lines, 72)
    check_golden('one-series', lines)


def test_several_series_golden_use_markers_without_colour() -> None:
    lines = plot.render([Series('web1', wave(40, 50, 40)),
                         Series('web2', wave(40, 30, 20, period=4.0)),
                         Series('web3', [(T0 + 600, 90.0), (T0 + 1800, 5.0)])],
                        width=72, height=12, title='cpu.idle_perc')
    assert_fits(lines, 72)
    check_golden('several-series', lines)
    body = '\n'.join(lines[1:13])
    # Each series is drawn with its own marker, named in the legend.
    assert all(mark in body for mark in '*+x')
    assert lines[-3:] == [' * web1', ' + web2', ' x web3']


def test_gappy_series_golden_leaves_the_gap_empty() -> None:
    points = wave(40, 50, 40)
    gappy = points[:12] + [(points[12][0], None)] + points[25:]
    lines = plot.render([Series('gappy', gappy)], width=72, height=12,
                        title='cpu.idle_perc')
    check_golden('gappy-series', lines)
    plot_rows = [line[5:] for line in lines[1:13]]
    grid = plot.render([Series('gappy', points)], width=72, height=12,
                       title='cpu.idle_perc')
    # Columns of the missing minutes are blank, drawn in the full series.
    first_gap_col, last_gap_col = 20, 33
    assert all(not row[first_gap_col:last_gap_col].strip()
               for row in plot_rows)
    assert any(row[5 + first_gap_col:5 + last_gap_col].strip()
               for row in grid[1:13])


def test_thresholds_golden_and_range() -> None:
    lines = plot.render([Series('cpu', wave(30, 50, 10))], width=60,
                        height=10, title='cpu',
                        thresholds=[Threshold('avg(cpu) > 90.0 (HIGH)', 90),
                                    Threshold('avg(cpu) < 5.0', 5)])
    check_golden('thresholds', lines)
    # The value axis stretches to show both thresholds.
    labels = [line.split('┤')[0].strip() for line in lines if '┤' in line]
    assert float(labels[0]) >= 90 and float(labels[-1]) <= 5
    assert sum('╌' in line for line in lines[1:11]) == 2
    assert lines[-2:] == [' ╌ avg(cpu) > 90.0 (HIGH)', ' ╌ avg(cpu) < 5.0']


def test_colour_is_braille_with_one_escape_per_run() -> None:
    series = [Series('a', wave(20, 50, 40)), Series('b', wave(20, 20, 5))]
    coloured = plot.render(series, width=50, height=8, colour=True)
    text = '\n'.join(coloured)
    assert '\x1b[34m' in text and '\x1b[31m' in text
    assert not any(m in text for m in '*+')
    plain = [line.replace('\x1b[34m', '').replace('\x1b[31m', '')
             .replace('\x1b[0m', '') for line in coloured]
    assert_fits(plain, 50)
    # Adjacent cells of one colour share one escape sequence.
    assert '\x1b[0m\x1b[34m' not in text


def test_time_axis_labels_and_range_line() -> None:
    lines = plot.render([Series('s', wave(61, 1, 1))], width=80, height=6)
    axis, labels, span = lines[6], lines[7], lines[8]
    assert axis.lstrip().startswith('└')
    ticks = [i for i, c in enumerate(axis) if c == '┬']
    assert len(ticks) >= 4
    assert '10:00' in labels and '11:00' in labels
    assert span.strip() == 'UTC 2024-05-01 10:00:00 to 2024-05-01 11:00:00'


def test_multi_day_axis_shows_dates() -> None:
    points = [(T0 + i * 3600, float(i % 7)) for i in range(24 * 4)]
    lines = plot.render([Series('s', points)], width=100, height=6)
    assert '05-02' in lines[7]


def test_value_labels_big_and_small() -> None:
    big = plot.render([Series('s', [(T0, 5e6), (T0 + 60, 2.5e7)])],
                      width=40, height=6)
    assert any(line.lstrip().startswith('30M') for line in big)
    small = plot.render([Series('s', [(T0, 0.01), (T0 + 60, 0.04)])],
                        width=40, height=6)
    assert any(line.lstrip().startswith('0.04') for line in small)


def test_single_point_and_flat_series() -> None:
    one = plot.render([Series('s', [(T0, 5.0)])], width=40, height=5)
    assert sum(0x2800 < ord(ch) <= 0x28ff
               for line in one[:5] for ch in line) == 1
    flat = plot.render([Series('s', [(T0, 7.0), (T0 + 60, 7.0)])],
                       width=40, height=5)
    assert any('7' in line.split('┤')[0] for line in flat if '┤' in line)


def test_refuses_what_it_cannot_draw() -> None:
    with pytest.raises(ValueError, match='width'):
        plot.render([Series('s', wave(3, 1, 1))], width=10, height=5)
    with pytest.raises(ValueError, match='height'):
        plot.render([Series('s', wave(3, 1, 1))], width=40, height=1)
    with pytest.raises(ValueError, match='nothing'):
        plot.render([Series('s', [(T0, None)])], width=40, height=5)


def test_long_labels_are_cut_to_the_width() -> None:
    lines = plot.render([Series('x' * 200, wave(5, 1, 1))], width=40,
                        height=4, title='t' * 100)
    assert_fits(lines, 40)
    assert lines[0].endswith('…') and lines[-1].endswith('…')


@pytest.mark.parametrize('values, width, expected', [
    ([1, 2, 3, 4, 5, 6, 7, 8], None, '▁▂▃▄▅▆▇█'),
    ([1, None, 8], None, '▁ █'),
    ([3, 3, 3], None, '▄▄▄'),
    ([None, None], None, '  '),
    ([], None, ''),
    ([1, 1, 8, 8], 2, '▁█'),
    ([1, None, None, None], 2, '▄ '),
])
def test_sparkline(values: list, width: int | None, expected: str) -> None:
    assert plot.sparkline(values, width) == expected

"""The progress bar."""

from __future__ import annotations

import io

from monasca_osc.ingest import progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_render_with_a_known_size():
    clock = Clock()
    bar = progress.ProgressBar(io.StringIO(), 1000, clock=clock)
    clock.now += 10
    text = bar.render(25_000, 20_000, 250)
    assert text == (' 25% [######..................] 25,000 read  20,000 '
                    'sent  2,000/s  ETA 30s')


def test_render_without_a_size_has_no_percent_or_eta():
    clock = Clock()
    bar = progress.ProgressBar(io.StringIO(), None, clock=clock)
    clock.now += 4
    assert bar.render(100, 40, None) == '100 read  40 sent  10/s'


def test_updates_are_throttled_and_finish_clears_the_line():
    clock = Clock()
    out = io.StringIO()
    bar = progress.ProgressBar(out, 100, clock=clock)
    bar.update(1, 0, 1)
    bar.update(2, 0, 2)  # too soon
    clock.now += 0.5
    bar.update(3, 0, 3)
    assert out.getvalue().count('\r') == 2
    assert '3 read' in out.getvalue() and '2 read' not in out.getvalue()
    bar.finish()
    assert out.getvalue().endswith('\r\x1b[K')


def test_disabled_bar_writes_nothing():
    out = io.StringIO()
    bar = progress.ProgressBar(out, 100, enabled=False)
    bar.update(1, 1, 1, force=True)
    bar.finish()
    assert out.getvalue() == ''


def test_format_duration():
    assert progress.format_duration(5) == '5s'
    assert progress.format_duration(65) == '1m05s'
    assert progress.format_duration(3725) == '1h02m05s'

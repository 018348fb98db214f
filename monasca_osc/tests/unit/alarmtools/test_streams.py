"""The streaming data source and the API paging it reads."""

from __future__ import annotations

import pytest

from monasca_osc import alarming as al
from monasca_osc.alarmtools import streams
from monasca_osc.common import expression
from monasca_osc.tests.unit.alarmtools.fakeapi import FakeClient

METRIC = al.Metric.of('cpu', {'hostname': 'h'})


def _chunks(points: list, size: int = 1000):
    for i in range(0, len(points), size):
        chunk = points[i:i + size]
        yield [t for t, _ in chunk], [v for _, v in chunk]


def test_cursor_answers_as_memory_and_holds_only_the_open_windows() -> None:
    points = [(i * 1000, float(i % 97)) for i in range(60_000)]
    memory = al.MemorySource({METRIC: points})
    keep = 300_000
    cursor = streams.CursorSource({METRIC: _chunks(points)}, keep)
    assert cursor.first_timestamp(METRIC) == 0
    held = 0
    for at in range(60_000, 60_000_000, 60_000):
        start = at - 180_000
        assert cursor.bucketed([METRIC], start, 60_000, 5, start, at) == \
            memory.bucketed([METRIC], start, 60_000, 5, start, at)
        assert sorted(cursor.measurements([METRIC], start, at)) == \
            sorted(memory.measurements([METRIC], start, at))
        assert cursor.last([METRIC], 0, at) == memory.last([METRIC], 0, at)
        buffer = cursor._buffers[METRIC]
        held = max(held, len(buffer.times) - buffer.head)
    # The windows span 180 s, kept 300 s more, pulled 1000 points ahead.
    assert held <= 180 + 300 + 1000 + 1


def test_asking_for_dropped_points_is_an_error() -> None:
    points = [(i * 1000, 1.0) for i in range(10_000)]
    cursor = streams.CursorSource({METRIC: _chunks(points)}, 10_000)
    cursor.measurements([METRIC], 5_000_000, 5_060_000)
    with pytest.raises(streams.StreamError):
        cursor.measurements([METRIC], 1_000_000, 1_060_000)


def test_timestamps_in_any_form() -> None:
    assert streams._times(['2024-05-01T10:00:00.123Z',
                           '2024-05-02T23:59:59.999Z']) == \
        [1714557600123, 1714694399999]
    assert streams._times(['2024-05-01T10:00:00Z',
                           '2024-05-01T10:00:00.5+01:00']) == \
        [1714557600000, 1714554000500]


def test_overlapping_filters_are_refused() -> None:
    parsed = expression.parse('max(cpu) > 1 and min(cpu{a=1}) < 0')
    with pytest.raises(streams.StreamError, match='overlap'):
        streams.queries_for(parsed)


def test_groups_walked_in_lockstep_one_query_each() -> None:
    client = FakeClient([
        ('cpu', {'h': 'a'}, [(1000, 1.0)]),
        ('cpu', {'h': 'b'}, [(2000, 2.0)]),
        ('mem', {'h': 'b'}, [(3000, 3.0)]),
        ('mem', {'h': 'c'}, [(4000, 4.0)])])
    queries = [streams.Query('cpu', {}), streams.Query('mem', {})]
    seen = []
    for group, members in streams.alarms(
            client, queries, ['h'], '1970-01-01T00:00:00Z',
            '1970-01-01T01:00:00Z', lambda n: None):
        seen.append((group, sorted((m.name, [p for c in it for p in c[0]])
                                   for m, it in members.items())))
    assert seen == [({'h': 'a'}, [('cpu', [1000])]),
                    ({'h': 'b'}, [('cpu', [2000]), ('mem', [3000])]),
                    ({'h': 'c'}, [('mem', [4000])])]
    assert len(client.metrics.calls) == 2


def test_progress_line_only_on_a_stream_and_cleared() -> None:
    import io

    from monasca_osc.alarmtools import backtest

    out = io.StringIO()
    progress = backtest._Progress(out)
    progress.count(12_345)
    assert out.getvalue() == ('\rbacktest: 12,345 measurements, 0 alarms '
                              'replayed\x1b[K')
    progress.finish()
    assert out.getvalue().endswith('\r\x1b[K')
    silent = backtest._Progress(None)
    silent.count(5)
    silent.finish()
    assert silent.read == 5

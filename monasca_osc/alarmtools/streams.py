"""A definition's measurements from the API, paged once, alarm by alarm.

Flow (``alarm definition backtest``): one paged query per distinct
sub-expression metric (name + dimension filter), grouped by the
definition's ``match_by`` keys (``merge_metrics`` when it has none). The
API returns each query's groups one after the other, in the order of
their ``key=value,...`` text, each group in time order. ``alarms()`` walks
all queries in lockstep by that key, so the groups of one alarm are read
together; the engine then pulls each group's points forward in time
through ``CursorSource``, which keeps only the points its open windows
still cover.

Invariants: memory is bounded by one alarm's open windows (not by the
time range); every measurement is requested once; a query whose groups
arrive out of order is an error (the lockstep would drop data), not a
silent miss.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from monasca_osc.alarming.model import Metric
from monasca_osc.alarming.sources import DataSource
from monasca_osc.common import expression as expr_mod
from monasca_osc.common import timeutil

__all__ = ['Query', 'queries_for', 'alarms', 'CursorSource', 'StreamError',
           'group_key']


class StreamError(ValueError):
    """The data cannot be streamed as the backtest needs it."""


def group_key(dims: Mapping[str, str]) -> str:
    """How the API orders groups: ``k=v,...`` over the sorted keys."""
    return ','.join(f'{k}={dims[k]}' for k in sorted(dims))


@dataclass
class Query:
    """One paged measurement query: a metric name and dimension filter."""

    name: str
    dimensions: dict[str, str]

    def metric(self, group: Mapping[str, str]) -> Metric:
        """The stand-in metric for one group: the filter plus the group's
        match_by values, so it feeds exactly the sub-expressions the
        group's real metrics feed."""
        return Metric.of(self.name, {**self.dimensions, **group})


def queries_for(expression: expr_mod.Expression) -> list[Query]:
    """One query per distinct (metric name, dimension filter).

    Refuses filters that overlap (``cpu`` beside ``cpu{a=1}``): their
    groups would be counted twice by the broader sub-expression.
    """
    queries: dict[tuple, Query] = {}
    for sub in expression.sub_expressions:
        key = sub.metric_key
        if key not in queries:
            queries[key] = Query(sub.metric_name, dict(sub.dimensions))
    found = list(queries.values())
    for a in found:
        for b in found:
            if a is not b and a.name == b.name and all(
                    b.dimensions.get(k) == v
                    for k, v in a.dimensions.items()):
                raise StreamError(
                    f'backtest cannot page {a.name} once for sub-expressions'
                    ' whose dimension filters overlap '
                    f'({_label(a)} and {_label(b)})')
    return found


def _label(query: Query) -> str:
    dims = ','.join(f'{k}={v}' for k, v in sorted(query.dimensions.items()))
    return f'{query.name}{{{dims}}}' if dims else query.name


_DAYS: dict[str, int] = {}


def _day(text: str) -> int:
    """``YYYY-MM-DD`` -> epoch ms of its midnight UTC (cached)."""
    base = _DAYS.get(text)
    if base is None:
        base = _DAYS[text] = timeutil.to_epoch_ms(
            timeutil.parse_iso(text + 'T00:00:00Z'))
    return base


def _to_ms(text: Any) -> int:
    if isinstance(text, (int, float)):
        return int(text)
    return timeutil.to_epoch_ms(timeutil.parse_iso(str(text)))


def _api_form(text: Any) -> bool:
    return isinstance(text, str) and len(text) == 24 and text[19] == '.' \
        and text[23] == 'Z' and text[10] == 'T'


def _times(texts: list[Any]) -> list[int]:
    """API timestamps to epoch ms. A page in the API's one form
    (``YYYY-MM-DDTHH:MM:SS.mmmZ``, checked on its first and last point) is
    computed from the digits, with the days cached."""
    if not (_api_form(texts[0]) and _api_form(texts[-1])):
        return [_to_ms(t) for t in texts]
    days = _DAYS
    _day(texts[0][:10])
    _day(texts[-1][:10])
    for attempt in (1, 2):
        try:
            return [days[t[:10]] + int(t[11:13]) * 3_600_000
                    + int(t[14:16]) * 60_000 + int(t[17:19]) * 1000
                    + int(t[20:23]) for t in texts]
        except KeyError:
            if attempt == 2:
                break
            for prefix in {t[:10] for t in texts}:
                _day(prefix)
        except (ValueError, TypeError):
            break
    return [_to_ms(t) for t in texts]


class _GroupedStream:
    """One query's elements as consecutive groups of (ms, value) points."""

    def __init__(self, elements: Iterable[Mapping[str, Any]],
                 match_by: Sequence[str],
                 counter: Callable[[int], None]) -> None:
        self._elements = iter(elements)
        self._match_by = tuple(match_by)
        self._pending: Mapping[str, Any] | None = None
        self._key: str | None = None
        self._dims: dict[str, str] = {}
        self._last_key: str | None = None
        self._counter = counter
        self._advance()

    def _advance(self) -> None:
        self._pending = next(self._elements, None)
        if self._pending is None:
            self._key = None
            return
        # Only the match_by values identify a group: a merged series
        # carries its query's filter, which differs between queries.
        dims = {k: v for k, v in (self._pending.get('dimensions') or {})
                .items() if k in self._match_by}
        key = group_key(dims)
        if self._last_key is not None and key < self._last_key:
            raise StreamError(
                f'the API returned the groups of {self._pending.get("name")}'
                f' out of order ({key!r} after {self._last_key!r})')
        self._key, self._dims = key, dims

    @property
    def key(self) -> str | None:
        return self._key

    @property
    def dims(self) -> dict[str, str]:
        return self._dims

    def take(self) -> Iterator[tuple[list[int], list[float]]]:
        """The current group's points, a page's worth at a time (times,
        values); consume fully before ``key``."""
        key = self._key
        self._last_key = key
        while self._pending is not None and self._key == key:
            element = self._pending
            columns = element.get('columns') or ['timestamp', 'value']
            ts_at = columns.index('timestamp') if 'timestamp' in columns \
                else 0
            value_at = columns.index('value') if 'value' in columns else 1
            points = element.get('measurements') or ()
            self._counter(len(points))
            if points:
                yield (_times([p[ts_at] for p in points]),
                       [float(p[value_at]) for p in points])
            self._advance()


class _Buffer:
    """One metric's points in time order: parallel lists, a moving head."""

    __slots__ = ('times', 'values', 'head', 'dropped', 'floor')

    def __init__(self) -> None:
        self.times: list[int] = []
        self.values: list[float] = []
        self.head = 0
        self.dropped: tuple[int, float] | None = None
        self.floor = -(1 << 62)

    def trim(self, floor: int) -> None:
        cut = bisect.bisect_left(self.times, floor, self.head)
        if cut > self.head:
            self.dropped = (self.times[cut - 1], self.values[cut - 1])
            self.head = cut
            if cut > 4096 and cut * 2 > len(self.times):
                del self.times[:cut]
                del self.values[:cut]
                self.head = 0
        self.floor = max(self.floor, floor)


class CursorSource(DataSource):
    """Points pulled forward in time from one iterator per metric.

    The engine asks for ranges that move forward with its steps; a point
    older than ``keep_ms`` before the latest range is dropped (the newest
    dropped one is remembered for ``last()``). Asking for dropped points
    is a programming error and raises ``StreamError``.
    """

    def __init__(self, streams: Mapping[Metric, Iterator[
                 tuple[list[int], list[float]]]], keep_ms: int) -> None:
        self._streams = {m: iter(s) for m, s in streams.items()}
        self._buffers = {m: _Buffer() for m in streams}
        self._keep_ms = keep_ms

    @property
    def metrics(self) -> list[Metric]:
        return list(self._streams)

    def _pull(self, metric: Metric, buffer: _Buffer) -> bool:
        chunk = next(self._streams[metric], None)
        if chunk is None:
            self._streams[metric] = iter(())
            return False
        buffer.times.extend(chunk[0])
        buffer.values.extend(chunk[1])
        return True

    def first_timestamp(self, metric: Metric) -> int | None:
        """The first point's time (read ahead; call before any range)."""
        buffer = self._buffers[metric]
        if len(buffer.times) <= buffer.head:
            self._pull(metric, buffer)
        return buffer.times[buffer.head] \
            if len(buffer.times) > buffer.head else None

    def _fill(self, metric: Metric, end_ms: int) -> _Buffer:
        buffer = self._buffers[metric]
        times = buffer.times
        while (len(times) <= buffer.head or times[-1] < end_ms) and \
                self._pull(metric, buffer):
            pass
        return buffer

    @staticmethod
    def _check(buffer: _Buffer, start_ms: int) -> None:
        if start_ms < buffer.floor and buffer.dropped is not None and \
                buffer.dropped[0] >= start_ms:
            raise StreamError('the engine asked for measurements already '
                              'dropped by the streaming backtest')

    def measurements(self, metrics: Sequence[Metric], start_ms: int,
                     end_ms: int) -> Iterable[tuple[int, float]]:
        out: list[tuple[int, float]] = []
        for metric in metrics:
            if metric not in self._buffers:
                continue
            buffer = self._fill(metric, end_ms)
            self._check(buffer, start_ms)
            buffer.trim(start_ms - self._keep_ms)
            lo = bisect.bisect_left(buffer.times, start_ms, buffer.head)
            hi = bisect.bisect_left(buffer.times, end_ms, lo)
            out.extend(zip(buffer.times[lo:hi], buffer.values[lo:hi],
                           strict=True))
        return out

    def bucketed(self, metrics: Sequence[Metric], start_ms: int,
                 width_ms: int, slots: int, low_ms: int, high_ms: int
                 ) -> list[list[float]]:
        if len(metrics) != 1 or metrics[0] not in self._buffers:
            return super().bucketed(metrics, start_ms, width_ms, slots,
                                    low_ms, high_ms)
        metric = metrics[0]
        buffer = self._fill(metric, high_ms)
        self._check(buffer, low_ms)
        buffer.trim(low_ms - self._keep_ms)
        times, values = buffer.times, buffer.values
        out = []
        lo = bisect.bisect_left(times, low_ms, buffer.head)
        for slot in range(slots):
            edge = min(high_ms, start_ms + (slot + 1) * width_ms)
            hi = bisect.bisect_left(times, edge, lo)
            out.append(values[lo:hi])
            lo = hi
        return out

    def last(self, metrics: Sequence[Metric], start_ms: int,
             end_ms: int) -> tuple[int, float] | None:
        newest: tuple[int, float] | None = None
        for metric in metrics:
            if metric not in self._buffers:
                continue
            buffer = self._fill(metric, end_ms)
            buffer.trim(end_ms - self._keep_ms)
            at = bisect.bisect_left(buffer.times, end_ms, buffer.head) - 1
            found = (buffer.times[at], buffer.values[at]) \
                if at >= buffer.head else buffer.dropped
            if found is not None and found[0] >= start_ms and (
                    newest is None or found[0] > newest[0]):
                newest = found
        return newest

    def drain(self) -> None:
        """Read what the engine did not ask for (the paging must go on)."""
        for metric, stream in self._streams.items():
            for _ in stream:
                pass
            self._buffers[metric] = _Buffer()


def alarms(client: Any, queries: Sequence[Query], match_by: Sequence[str],
           start_iso: str, end_iso: str, counter: Callable[[int], None],
           tenant_id: str | None = None, page_size: int | None = None
           ) -> Iterator[tuple[dict[str, str], dict[Metric, Iterator]]]:
    """Yield (group values, {stand-in metric: its points}) per alarm.

    Each yielded iterator must be consumed (or drained) before the next
    group is asked for.
    """
    streams = []
    for query in queries:
        kwargs: dict[str, Any] = {
            'name': query.name, 'dimensions': query.dimensions or None,
            'start_time': start_iso, 'end_time': end_iso,
            'tenant_id': tenant_id, 'page_size': page_size}
        if match_by:
            kwargs['group_by'] = list(match_by)
        else:
            kwargs['merge_metrics'] = True
        streams.append((query, _GroupedStream(
            client.metrics.iter_measurements(**kwargs), match_by, counter)))
    while True:
        keys = [s.key for _, s in streams if s.key is not None]
        if not keys:
            return
        current = min(keys)
        group: dict[str, str] = {}
        members: dict[Metric, Iterator] = {}
        for query, stream in streams:
            if stream.key != current:
                continue
            group = stream.dims
            members[query.metric(group)] = stream.take()
        yield group, members

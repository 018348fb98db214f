"""Where measurements come from: the engine's data-source interface.

A source answers one question: the ``(timestamp ms, value)`` pairs of some
metrics in a half-open time range. The engine asks per sub-alarm and step
for the range its windows cover, so a source never needs to hold more
than the caller wants (a paging source can drop what is older than the
oldest open window).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence

from monasca_osc.alarming.model import Metric


class DataSource:
    """Measurements of metrics; subclass and implement ``measurements``."""

    def measurements(self, metrics: Sequence[Metric], start_ms: int,
                     end_ms: int) -> Iterable[tuple[int, float]]:
        """(timestamp ms, value) of ``metrics`` with start <= ts < end.

        Any order; a repeated (metric, timestamp) must appear once.
        """
        raise NotImplementedError

    def bucketed(self, metrics: Sequence[Metric], start_ms: int,
                 width_ms: int, slots: int, low_ms: int, high_ms: int
                 ) -> list[list[float]]:
        """The values with ``low <= ts < high`` in ``slots`` windows of
        ``width`` from ``start`` (oldest first; ``[start, start + slots *
        width)`` covers ``[low, high)``).

        What the engine asks each step; the default sorts ``measurements``
        into the windows. A source holding sorted points can answer with
        slices instead (a long backtest visits each point several times).
        """
        buckets: list[list[float]] = [[] for _ in range(slots)]
        for ts, value in self.measurements(metrics, low_ms, high_ms):
            buckets[(ts - start_ms) // width_ms].append(value)
        return buckets

    def last(self, metrics: Sequence[Metric], start_ms: int,
             end_ms: int) -> tuple[int, float] | None:
        """The newest measurement in the range (``last()``), or None."""
        newest: tuple[int, float] | None = None
        for ts, value in self.measurements(metrics, start_ms, end_ms):
            if newest is None or ts > newest[0]:
                newest = (ts, value)
        return newest


class MemorySource(DataSource):
    """Series held in memory, sorted by time (tests, `definition test`)."""

    def __init__(self, series: Mapping[Metric, Iterable[tuple[int, float]]]
                 | None = None) -> None:
        self._times: dict[Metric, list[int]] = {}
        self._values: dict[Metric, list[float]] = {}
        for metric, points in (series or {}).items():
            self.extend(metric, points)

    def extend(self, metric: Metric, points: Iterable[tuple[int, float]]
               ) -> None:
        """Add points; a repeated timestamp overwrites (as the TSDBs do)."""
        merged = dict(zip(self._times.get(metric, ()),
                          self._values.get(metric, ()), strict=True))
        for ts, value in points:
            merged[int(ts)] = float(value)
        ordered = sorted(merged.items())
        self._times[metric] = [ts for ts, _ in ordered]
        self._values[metric] = [v for _, v in ordered]

    def add(self, metric: Metric, ts_ms: int, value: float) -> None:
        self.extend(metric, [(ts_ms, value)])

    @property
    def metrics(self) -> list[Metric]:
        """Every metric, in order of first timestamp then name/dims."""
        return sorted(self._times, key=lambda m: (self._times[m][0]
                                                  if self._times[m] else 0,
                                                  m))

    def first_timestamp(self, metric: Metric) -> int | None:
        times = self._times.get(metric)
        return times[0] if times else None

    def measurements(self, metrics: Sequence[Metric], start_ms: int,
                     end_ms: int) -> Iterable[tuple[int, float]]:
        for metric in metrics:
            times = self._times.get(metric)
            if not times:
                continue
            values = self._values[metric]
            lo = bisect.bisect_left(times, start_ms)
            hi = bisect.bisect_left(times, end_ms)
            for i in range(lo, hi):
                yield times[i], values[i]

    def last(self, metrics: Sequence[Metric], start_ms: int,
             end_ms: int) -> tuple[int, float] | None:
        newest: tuple[int, float] | None = None
        for metric in metrics:
            times = self._times.get(metric)
            if not times:
                continue
            hi = bisect.bisect_left(times, end_ms) - 1
            if hi >= 0 and times[hi] >= start_ms and (
                    newest is None or times[hi] > newest[0]):
                newest = (times[hi], self._values[metric][hi])
        return newest

"""A fake client whose ``metrics.iter_measurements`` pages like the API.

Series are filtered by name and dimensions (a subset match) and time
range, grouped by ``group_by`` keys (the group's dimensions are only the
keys present, groups in the order of their ``k=v,...`` text) or merged,
and cut into elements of at most ``page`` points, a group's series
continuing across elements as the real pager yields them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from monasca_osc.alarmtools import replay, streams
from monasca_osc.common import timeutil


class FakeMetrics:
    def __init__(self, series: list[tuple[str, dict, list]], page: int = 7
                 ) -> None:
        self.series = series
        self.page = page
        self.calls: list[dict[str, Any]] = []
        self.points_sent = 0

    def iter_measurements(self, name: str, dimensions: Any = None,
                          start_time: Any = None, end_time: Any = None,
                          group_by: Any = None, merge_metrics: Any = None,
                          tenant_id: Any = None, page_size: Any = None
                          ) -> Iterator[dict]:
        self.calls.append({'name': name, 'dimensions': dimensions,
                           'group_by': group_by,
                           'merge_metrics': merge_metrics})
        start = timeutil.to_epoch_ms(timeutil.parse_iso(start_time))
        end = timeutil.to_epoch_ms(timeutil.parse_iso(end_time))
        groups: dict[str, tuple[dict, list]] = {}
        for s_name, dims, points in self.series:
            if s_name != name or any(dims.get(k) != v for k, v in
                                     (dimensions or {}).items()):
                continue
            if group_by:
                group = {k: dims[k] for k in group_by if k in dims}
            else:
                group = dict(dimensions or {})
            key = streams.group_key(group)
            groups.setdefault(key, (group, []))[1].extend(
                p for p in points if start <= p[0] < end)
        for key in sorted(groups):
            group, points = groups[key]
            points.sort()
            for i in range(0, max(len(points), 1), self.page):
                chunk = points[i:i + self.page]
                self.points_sent += len(chunk)
                yield {'name': name, 'dimensions': group,
                       'columns': ['timestamp', 'value', 'value_meta'],
                       'measurements': [[replay.iso(ts), v, {}]
                                        for ts, v in chunk]}


class FakeClient:
    def __init__(self, series: list[tuple[str, dict, list]], page: int = 7
                 ) -> None:
        self.metrics = FakeMetrics(series, page)

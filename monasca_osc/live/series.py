"""Listing rows -> plot series, and alarm thresholds to draw with them.

``measurement list`` and ``statistics list`` rows (name, dimensions,
timestamp, value...) are grouped into one series per metric (and per
statistic). A series is broken (a gap, not a joined line) where two points
are further apart than expected: more than 1.5 periods for statistics,
more than three times the usual spacing (the median) for measurements.
Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
import statistics as _stats
from typing import Any

from monasca_osc.common import dimensions as dims
from monasca_osc.common import expression, timeutil
from monasca_osc.live.plot import Series, Threshold

GAP_FACTOR = 3.0
PERIOD_GAP_FACTOR = 1.5


def from_rows(rows: Iterable[Sequence[Any]], statistics: Sequence[str] = (),
              period: float | None = None) -> list[Series]:
    """Series from rows ``(name, dimensions, timestamp, value, ...)``.

    ``dimensions`` is a dict; without ``statistics`` the value is the 4th
    cell, with them the 4th cell onwards are those statistics, each its own
    series. Series keep the order in which they first appear.
    """
    names = list(statistics) or [None]
    groups: dict[tuple, list[tuple[float, float]]] = {}
    labels: dict[tuple, str] = {}
    for row in rows:
        name, dimensions, stamp = row[0], row[1] or {}, row[2]
        when = timeutil.parse_iso(str(stamp)).timestamp()
        base = (name, tuple(sorted(dimensions.items())))
        for offset, statistic in enumerate(names):
            value = row[3 + offset]
            ident = (*base, statistic)
            if ident not in groups:
                groups[ident] = []
                labels[ident] = _label(name, dimensions, statistic)
            if isinstance(value, (int, float)) and \
                    not isinstance(value, bool):
                groups[ident].append((when, float(value)))
    max_step = None if period is None else period * PERIOD_GAP_FACTOR
    return [Series(labels[ident], with_gaps(sorted(points), max_step))
            for ident, points in groups.items()]


def _label(name: str, dimensions: Mapping[str, Any],
           statistic: str | None) -> str:
    parts = [str(name)]
    if dimensions:
        parts.append(dims.format_dimensions(dimensions, ','))
    if statistic:
        parts.append(statistic)
    return ' '.join(parts)


def with_gaps(points: Sequence[tuple[float, float]],
              max_step: float | None = None
              ) -> list[tuple[float, float | None]]:
    """Insert a ``(t, None)`` break where consecutive points are further
    apart than ``max_step`` (default: three times the median spacing)."""
    if len(points) < 2:
        return list(points)
    if max_step is None:
        steps = [b[0] - a[0] for a, b in zip(points, points[1:],
                                               strict=False)]
        if len(steps) < 2:
            return list(points)
        max_step = GAP_FACTOR * _stats.median(steps)
    out: list[tuple[float, float | None]] = [points[0]]
    for previous, point in zip(points, points[1:], strict=False):
        if max_step > 0 and point[0] - previous[0] > max_step:
            out.append((previous[0], None))
        out.append(point)
    return out


def thresholds(definition: Mapping[str, Any], metric_name: str
               ) -> list[Threshold]:
    """The thresholds of ``definition``'s sub-expressions on the metric.

    Raises ValueError naming the definition when none is on that metric.
    """
    parsed = expression.parse(str(definition.get('expression') or ''))
    severity = definition.get('severity')
    found = []
    for sub in parsed.sub_expressions:
        if sub.metric_name != metric_name:
            continue
        label = sub.expression + (f' ({severity})' if severity else '')
        found.append(Threshold(label, sub.threshold))
    if not found:
        raise ValueError(
            f"Alarm definition '{definition.get('name')}' has no threshold "
            f"on metric {metric_name} (its expression: "
            f"{definition.get('expression')})")
    return found

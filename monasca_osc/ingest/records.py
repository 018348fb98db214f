"""Turning input records into metrics the API accepts.

* timestamps: numbers in s, ms, µs or ns (by magnitude, or a forced unit),
  numeric strings and ISO 8601 strings, all sent as integer milliseconds;
  points before 2000-01-01 or more than a day ahead are refused unless
  ``allow_any_time`` (a wrong unit is the usual cause);
* defaults for records that lack a name, dimensions, value_meta entries or
  a timestamp;
* client-side validation with ``common.validation.validate_metric``, so the
  messages match the server's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import math
import re
import time
from typing import Any

from monasca_osc.common import timeutil, validation
from monasca_osc.common.validation import ValidationError

MIN_TIME_MS = 946_684_800_000  # 2000-01-01T00:00:00Z
MAX_FUTURE_MS = 86_400_000  # one day
UNIT_FACTORS = {'s': 1000.0, 'ms': 1.0, 'us': 1e-3, 'ns': 1e-6}
UNIT_NAMES = {'s': 'seconds', 'ms': 'milliseconds', 'us': 'microseconds',
              'ns': 'nanoseconds'}
# Magnitude bounds for "auto": 1e11 s is the year 5138 and 1e11 ms is 1973,
# so every date from 1973 to 5138 has exactly one reading.
_AUTO_BOUNDS = ((1e11, 's'), (1e14, 'ms'), (1e17, 'us'))
_NUMBER = re.compile(r'^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?$')
_INTEGER = re.compile(r'^[+-]?\d+$')


def detect_unit(value: float) -> str:
    magnitude = abs(value)
    for bound, unit in _AUTO_BOUNDS:
        if magnitude < bound:
            return unit
    return 'ns'


def to_ms(value: Any, unit: str = 'auto') -> tuple[int, str]:
    """A timestamp in any accepted form -> (integer ms, unit it was read in).

    The unit is ``'iso'`` for ISO 8601 strings.
    """
    if isinstance(value, bool):
        raise ValidationError(f'Timestamp {value!r} is not a number or an '
                              f'ISO 8601 string')
    if isinstance(value, str):
        text = value.strip()
        if _INTEGER.match(text):
            value = int(text)
        elif _NUMBER.match(text):
            value = float(text)
        else:
            try:
                when = timeutil.parse_iso(text, what='timestamp')
            except ValidationError:
                raise ValidationError(
                    f'Timestamp {value!r} is neither a number nor an ISO '
                    f'8601 time') from None
            return timeutil.to_epoch_ms(when), 'iso'
    if not isinstance(value, (int, float)):
        raise ValidationError(
            f'Timestamp {value!r} is not a number or an ISO 8601 string')
    if isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(f'Timestamp {value} is not finite')
    if unit == 'auto':
        unit = detect_unit(value)
    if isinstance(value, int):
        # Exact integer arithmetic: no float rounding of ns timestamps.
        if unit == 'ms':
            return value, unit
        if unit == 's':
            return value * 1000, unit
        divisor = 1000 if unit == 'us' else 1_000_000
        return (value + divisor // 2) // divisor, unit
    return int(round(value * UNIT_FACTORS[unit])), unit


class Normalizer:
    """Apply defaults, convert timestamps and validate one metric.

    ``default_timestamp`` is called for a metric without one (default: the
    current time in ms at that moment). ``now_ms`` fixes the instant that
    the "more than a day ahead" check is relative to.
    """

    def __init__(self, *, name: str | None = None,
                 dimensions: Mapping[str, str] | None = None,
                 value_meta: Mapping[str, str] | None = None,
                 default_timestamp: Callable[[], int] | None = None,
                 timestamp_unit: str = 'auto', allow_any_time: bool = False,
                 now_ms: int | None = None):
        if timestamp_unit not in ('auto', *UNIT_FACTORS):
            raise ValueError(f'unknown timestamp unit {timestamp_unit!r}')
        self.name = name
        self.dimensions = dict(dimensions or {})
        self.value_meta = dict(value_meta or {})
        self.default_timestamp = default_timestamp or _now_ms
        self.timestamp_unit = timestamp_unit
        self.allow_any_time = allow_any_time
        now = now_ms if now_ms is not None else _now_ms()
        self.max_ms = now + MAX_FUTURE_MS
        # (name, dimensions, value_meta) combinations validate_metric has
        # accepted: most files repeat a few series many times, and their
        # string checks are most of the cost of a record.
        self._valid: set[tuple] = set()
        # No defaults to apply and integer ms read as ms: a metric may be
        # sent exactly as it came (the fast path of __call__).
        self._as_is = not (self.name or self.dimensions or self.value_meta) \
            and timestamp_unit in ('auto', 'ms')
        self.unchanged = False

    def __call__(self, metric: Any) -> dict[str, Any]:
        """Return the metric to send: ``metric`` itself when nothing
        changes it (``unchanged`` is then True), else a changed copy."""
        if self._as_is and type(metric) is dict:
            # The usual record: integer ms in range, a finite number, and
            # the name, dimensions and value_meta of a metric that passed
            # validate_metric (so it would pass too). Nothing to change, so
            # no copy; the same key as _shape() without its type checks:
            # the cache holds only string-valued entries, which no entry
            # with another type equals.
            stamp = metric.get('timestamp')
            value = metric.get('value')
            if type(stamp) is int and MIN_TIME_MS <= stamp <= self.max_ms \
                    and (type(value) is int or (type(value) is float and
                                                value - value == 0.0)):
                dims = metric.get('dimensions', _MISSING)
                if type(dims) is dict:
                    dims = tuple(dims.items())
                meta = metric.get('value_meta', _MISSING)
                if type(meta) is dict:
                    meta = tuple(meta.items())
                try:
                    known = (metric.get('name'), dims, meta) in self._valid
                except TypeError:  # an unhashable value: the slow path
                    known = False
                if known:
                    self.unchanged = True
                    return metric
        if not isinstance(metric, Mapping):
            raise ValidationError(
                f'A metric must be a JSON object, not '
                f'{type(metric).__name__} {_short(metric)}')
        # A copy: the errors file shows the record as it was read.
        metric = dict(metric)
        # True when the metric to send is exactly the input (then its input
        # text can be sent as it is).
        self.unchanged = not (self.name or self.dimensions or self.value_meta)
        if self.name is not None and metric.get('name') is None:
            metric['name'] = self.name
        if self.dimensions:
            metric['dimensions'] = _over_defaults(metric.get('dimensions'),
                                                  self.dimensions)
        if self.value_meta:
            metric['value_meta'] = _over_defaults(metric.get('value_meta'),
                                                  self.value_meta)
        raw = metric.get('timestamp')
        if type(raw) is int and MIN_TIME_MS <= raw <= self.max_ms and \
                self.timestamp_unit in ('auto', 'ms'):
            pass  # already integer milliseconds in range: the common case
        elif raw is None:
            self.unchanged = False
            metric['timestamp'] = self.default_timestamp()
        else:
            self.unchanged = False
            ms, unit = to_ms(raw, self.timestamp_unit)
            if not self.allow_any_time:
                self._check_range(raw, ms, unit)
            metric['timestamp'] = ms
        shape = _shape(metric)
        if shape is not None and shape in self._valid and \
                _finite_number(metric.get('value')):
            # Same name, dimensions and value_meta as a metric that passed
            # validate_metric; the timestamp is our integer; the value is a
            # finite number: validate_metric would accept it too.
            return metric
        validation.validate_metric(metric)
        if shape is not None:
            if len(self._valid) >= SHAPE_CACHE:
                self._valid.clear()
            self._valid.add(shape)
        return metric

    def _check_range(self, raw: Any, ms: int, unit: str) -> None:
        if MIN_TIME_MS <= ms <= self.max_ms:
            return
        read_as = 'ISO 8601' if unit == 'iso' else \
            f'read as {UNIT_NAMES[unit]}'
        where = ('before 2000-01-01' if ms < MIN_TIME_MS
                 else 'more than 1 day in the future')
        hint = ('--allow-any-time' if unit == 'iso'
                else '--timestamp-unit or --allow-any-time')
        shown = timeutil.format_epoch_ms(ms)
        raise ValidationError(
            f'Timestamp {raw!r} ({read_as}: {shown}) is {where}; check '
            f'its unit or give {hint}')


SHAPE_CACHE = 10_000
_MISSING = object()


def _shape(metric: dict[str, Any]) -> tuple | None:
    """A hashable key of what validation checks besides the value."""
    name = metric.get('name')
    dims = metric.get('dimensions', _MISSING)
    meta = metric.get('value_meta', _MISSING)
    if type(name) is not str:
        return None
    if type(dims) is dict:
        dims = tuple(dims.items())
    elif dims is not _MISSING:
        return None
    if type(meta) is dict:
        # Only strings: 1 == 1.0 == True would share a key but not a JSON
        # length (value_meta is limited to 2048 characters as JSON).
        for value in meta.values():
            if type(value) is not str:
                return None
        meta = tuple(meta.items())
    elif meta is not _MISSING and meta is not None:
        return None
    try:
        return (name, dims, meta) if hash(dims) is not None else None
    except TypeError:
        return None


def _over_defaults(own: Any, defaults: Mapping[str, Any]) -> Any:
    """A record's dimensions (or value_meta) over the command's defaults:
    the record's own entries win. Anything but a mapping stays as it is,
    for validation to refuse."""
    if own is None:
        return dict(defaults)
    if isinstance(own, Mapping):
        return {**defaults, **own}
    return own


def _finite_number(value: Any) -> bool:
    kind = type(value)
    return kind is int or (kind is float and math.isfinite(value))


def _now_ms() -> int:
    return int(time.time() * 1000)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + '...'


def parse_number(text: str) -> int | float:
    """A CSV cell -> int or float (NaN/inf pass; validation refuses them)."""
    text = text.strip()
    if _INTEGER.match(text):
        return int(text)
    try:
        return float(text)
    except ValueError:
        raise ValidationError(f'Metric value {text!r} is not a number') \
            from None

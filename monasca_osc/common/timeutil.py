"""One time grammar for every time option.

Accepted forms (all resolved against one instant per command, so a
``--start -1h --end now`` window is exact):

* ISO 8601: ``2024-05-01``, ``2024-05-01T10:00``, ``2024-05-01T10:00:00.5Z``,
  ``2024-05-01T12:00:00+02:00``; a naive time is UTC;
* epoch seconds (``1714557600``) or milliseconds (``1714557600000``), told
  apart by size;
* ``now``; relative ``-30s``, ``-15m``, ``-2h``, ``-7d``, ``-1w``, and
  compound ``-1h30m``; ``now-1h``, ``now+5m``;
* a bare negative integer ``-120`` means that many minutes ago (the legacy
  ``monasca --starttime -120`` form).

Times are sent to the API as ISO 8601 UTC with a ``Z``. Standard library only.
"""

from __future__ import annotations

import datetime as _dt
import re

from monasca_osc.common.validation import ValidationError

UTC = _dt.UTC
_UNITS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
_RELATIVE = re.compile(r'^(?:now)?\s*([+-])\s*((?:\d+\s*[smhdw]\s*)+)$',
                       re.IGNORECASE)
_PART = re.compile(r'(\d+)\s*([smhdw])', re.IGNORECASE)
_EPOCH = re.compile(r'^\d{1,16}(\.\d+)?$')
# Epoch values above this are milliseconds (1e11 s is the year 5138).
_MS_THRESHOLD = 10 ** 11

TIME_HELP = ('ISO 8601 (naive = UTC), epoch seconds or milliseconds, '
             '"now", or relative like -15m, -2h, -7d, now-1h')


def utcnow() -> _dt.datetime:
    return _dt.datetime.now(UTC)


def parse_time(text: str, now: _dt.datetime | None = None,
               what: str = 'time') -> _dt.datetime:
    """Parse one time value of the grammar into an aware UTC datetime."""
    if now is None:
        now = utcnow()
    raw = text
    text = (text or '').strip()
    if not text:
        raise ValidationError(f'Empty {what}')
    lowered = text.lower()
    if lowered == 'now':
        return now
    try:
        if re.fullmatch(r'-\d+', text):
            # Legacy form: bare negative integer = minutes ago.
            return now - _dt.timedelta(minutes=int(text[1:]))
        match = _RELATIVE.match(lowered)
        if match:
            seconds = sum(int(n) * _UNITS[u.lower()]
                          for n, u in _PART.findall(match.group(2)))
            delta = _dt.timedelta(seconds=seconds)
            return now - delta if match.group(1) == '-' else now + delta
    except OverflowError:
        raise ValidationError(
            f'Invalid {what} {raw!r}: out of range') from None
    if _EPOCH.match(text):
        value = float(text)
        if value >= _MS_THRESHOLD:
            value /= 1000.0
        try:
            return _dt.datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise ValidationError(
                f'Invalid {what} {raw!r}: out of range') from None
    return parse_iso(text, what=what)


def parse_iso(text: str, what: str = 'time') -> _dt.datetime:
    candidate = text.strip()
    if candidate.endswith(('Z', 'z')):
        candidate = candidate[:-1] + '+00:00'
    # Python 3.11 fromisoformat accepts most ISO 8601 forms.
    try:
        value = _dt.datetime.fromisoformat(candidate)
    except ValueError:
        raise ValidationError(
            f'Invalid {what} {text!r}: expected {TIME_HELP}') from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_iso(value: _dt.datetime, milliseconds: bool = True) -> str:
    """``2024-05-01T10:00:00.000Z`` (UTC)."""
    value = value.astimezone(UTC)
    if milliseconds:
        return value.strftime('%Y-%m-%dT%H:%M:%S.') + \
            f'{value.microsecond // 1000:03d}Z'
    return value.strftime('%Y-%m-%dT%H:%M:%SZ')


def to_api(text: str | None, now: _dt.datetime | None = None,
           what: str = 'time') -> str | None:
    """Parse a user time and render it for a query string."""
    if text is None:
        return None
    return format_iso(parse_time(text, now, what=what))


def to_epoch_ms(value: _dt.datetime) -> int:
    return int(round(value.timestamp() * 1000))


_EPOCH_START = _dt.datetime(1970, 1, 1, tzinfo=UTC)


def format_epoch_ms(ms: int) -> str:
    """Epoch milliseconds -> ``2024-05-01T10:00:00.000Z``, exactly (no
    float rounding); 'out of range' for an instant datetime cannot hold."""
    try:
        return format_iso(_EPOCH_START + _dt.timedelta(milliseconds=int(ms)))
    except (OverflowError, ValueError):
        return 'out of range'


def now_ms() -> int:
    """The current time as integer milliseconds, taken when called."""
    return to_epoch_ms(utcnow())


def check_order(start: _dt.datetime | None, end: _dt.datetime | None,
                start_name: str = '--start', end_name: str = '--end') -> None:
    if start is not None and end is not None and start >= end:
        raise ValidationError(
            f'{start_name} {format_iso(start)} must be before {end_name} '
            f'{format_iso(end)}')


_DURATION = re.compile(r'^(?:\d+\s*[smhdw]\s*)+$', re.IGNORECASE)


def parse_duration(text: str, what: str = 'duration') -> float:
    """``30s``, ``10m``, ``1h30m``, ``2d`` or bare seconds (``90``, ``0.5``)
    as seconds: the units of the relative times above."""
    raw = text
    text = (text or '').strip()
    if not text:
        raise ValidationError(f'Empty {what}')
    try:
        if _DURATION.match(text):
            return float(sum(int(n) * _UNITS[u.lower()]
                             for n, u in _PART.findall(text)))
        seconds = float(text)
    except (ValueError, OverflowError):
        seconds = float('nan')
    if not seconds >= 0 or seconds == float('inf'):
        raise ValidationError(
            f'Invalid {what} {raw!r}: expected seconds or a duration like '
            f'30s, 10m, 1h, 1h30m')
    return seconds

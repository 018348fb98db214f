"""Validation rules of the Monasca v2.0 API, defined once.

The client uses these to refuse bad input before anything is sent; the
sandbox uses the same functions to answer like the real API. Every failure
raises ValidationError with one line that names the bad value.
Standard library only: imported by command modules at start-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import json
import math
import re
from typing import Any
import unicodedata

MAX_NAME_LENGTH = 255
MAX_VALUE_META_ENTRIES = 16
MAX_VALUE_META_LENGTH = 2048
MAX_VALUE_META_KEY_LENGTH = 255
MAX_LIMIT = 10000

# Contract section 5.1/5.2.
METRIC_NAME_FORBIDDEN = set('<>={}(),"\\;& ')
DIMENSION_FORBIDDEN = set('<>={},"\\;&')

SEVERITIES = ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')
STATES = ('OK', 'ALARM', 'UNDETERMINED')
STATISTICS = ('avg', 'min', 'max', 'sum', 'count')

ALARM_DEFINITION_SORT_FIELDS = (
    'id', 'name', 'severity', 'created_at', 'updated_at')
ALARM_SORT_FIELDS = (
    'alarm_id', 'alarm_definition_id', 'alarm_definition_name', 'state',
    'severity', 'lifecycle_state', 'link', 'state_updated_timestamp',
    'updated_timestamp', 'created_timestamp')
NOTIFICATION_SORT_FIELDS = (
    'id', 'name', 'type', 'address', 'created_at', 'updated_at')
ALARM_COUNT_GROUP_BY_FIELDS = (
    'alarm_definition_id', 'name', 'state', 'severity', 'link',
    'lifecycle_state', 'metric_name', 'dimension_name', 'dimension_value')


class ValidationError(ValueError):
    """Input the API would refuse; the message is one line."""

    def __init__(self, message: Any = '', *args: Any):
        # Messages quote user input, which may hold line breaks.
        if isinstance(message, str):
            message = message.replace('\r', '\\r').replace('\n', '\\n')
        super().__init__(message, *args)


def _show(value: Any) -> str:
    """Quote a value for a message, keeping huge input readable."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > 80:
        text = text[:77] + '...'
    return repr(text) if isinstance(value, str) else text


def _is_mapping(value: Any) -> bool:
    # A decoded JSON object is a dict: skip the ABC check (three per posted
    # metric) for it.
    return type(value) is dict or isinstance(value, Mapping)


def _forbidden_in(text: str, forbidden: set[str]) -> str | None:
    # The set test runs in C: the sandbox checks every name, dimension key
    # and value of a bulk post; the loop only finds which character it was.
    if forbidden.isdisjoint(text):
        return None
    for char in text:
        if char in forbidden:
            return char
    return None


# The refusals many checks share, built only on the error path (the checks
# stay inline: ingest runs them for every record).
def _not_a_string(subject: str, value: Any) -> ValidationError:
    return ValidationError(f'{subject} must be a string, not {_show(value)}')


def _too_long(subject: str, text: str, limit: int) -> ValidationError:
    return ValidationError(
        f'{subject} is {len(text)} characters long; the limit is {limit}')


def _forbidden(subject: str, char: str) -> ValidationError:
    return ValidationError(
        f'{subject} contains the forbidden character {char!r}')


def _check_length_and_characters(text: str, what: str,
                                 forbidden: set[str]) -> None:
    """At most MAX_NAME_LENGTH characters, none of ``forbidden``; the
    messages name ``what`` and show the text."""
    if len(text) > MAX_NAME_LENGTH:
        raise _too_long(f'{what} {_show(text)}', text, MAX_NAME_LENGTH)
    bad = _forbidden_in(text, forbidden)
    if bad is not None:
        raise _forbidden(f'{what} {_show(text)}', bad)


# Names and dimension sets that passed, remembered (the checks depend on the
# text only): a bulk post repeats the same few thousand series, and the
# sandbox and `metric create --file` check every metric of it.
_PASSED_MAX = 50_000
_PASSED_NAMES: set[str] = set()
_PASSED_DIMENSIONS: set[tuple] = set()


def _passed(seen: set, item: Any) -> None:
    if len(seen) >= _PASSED_MAX:
        seen.clear()
    seen.add(item)


def validate_metric_name(name: Any) -> str:
    if type(name) is str and name in _PASSED_NAMES:
        return name
    if not isinstance(name, str):
        raise _not_a_string('Metric name', name)
    if not name:
        raise ValidationError('Metric name must not be empty')
    _check_length_and_characters(name, 'Metric name', METRIC_NAME_FORBIDDEN)
    _passed(_PASSED_NAMES, name)
    return name


def validate_dimension_key(key: Any) -> str:
    if not isinstance(key, str):
        raise _not_a_string('Dimension key', key)
    if not key:
        raise ValidationError('Dimension key must not be empty')
    if key.startswith('_'):
        raise ValidationError(f"Dimension key {key} may not start with '_'")
    _check_length_and_characters(key, 'Dimension key', DIMENSION_FORBIDDEN)
    return key


def validate_dimension_value(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _not_a_string(f'Dimension value for key {key!r}', value)
    if not value:
        raise ValidationError(f'Dimension value for key {key!r} is empty')
    if len(value) > MAX_NAME_LENGTH:
        raise _too_long(f'Dimension value for key {key!r}', value,
                        MAX_NAME_LENGTH)
    bad = _forbidden_in(value, DIMENSION_FORBIDDEN)
    if bad is not None:
        raise _forbidden(f'Dimension value {_show(value)} of key {key!r}', bad)
    return value


def validate_dimensions(dimensions: Any) -> dict[str, str]:
    """Validate the dimensions object of a metric POST body."""
    _check_dimensions(dimensions)
    return dict(dimensions)


def _check_dimensions(dimensions: Any) -> None:
    if not _is_mapping(dimensions):
        raise ValidationError(
            f'Dimensions must be an object of key/value strings, '
            f'not {_show(dimensions)}')
    items = tuple(dimensions.items())
    try:
        known: bool | None = items in _PASSED_DIMENSIONS
    except TypeError:       # an unhashable value: checked (and refused)
        known = None
    if not known:
        for key, value in items:
            validate_dimension_key(key)
            validate_dimension_value(key, value)
        if known is False:
            _passed(_PASSED_DIMENSIONS, items)


def value_meta_length(value_meta: Mapping[str, Any]) -> int:
    """Length of value_meta as the API measures it (Python json.dumps)."""
    try:
        # Strings to strings (nearly always): each entry is its two quoted
        # texts plus ': ', entries are joined by ', ' inside '{}', so the
        # length needs no encoder (the sandbox checks every posted metric).
        if len(value_meta) == 1:        # the usual value_meta
            for key, value in value_meta.items():
                return len(_quote_ascii(key)) + len(_quote_ascii(value)) + 4
        quoted = sum([len(_quote_ascii(k)) + len(_quote_ascii(v))
                      for k, v in value_meta.items()])
    except (TypeError, AttributeError):
        return len(json.dumps(value_meta))
    return quoted + 4 * len(value_meta) if value_meta else 2


_quote_ascii = json.encoder.encode_basestring_ascii


def validate_value_meta(value_meta: Any) -> dict[str, Any] | None:
    if value_meta is None:
        return None
    _check_value_meta(value_meta)
    return dict(value_meta)


def _check_value_meta(value_meta: Any) -> None:
    if not _is_mapping(value_meta):
        raise ValidationError(
            f'value_meta must be an object, not {_show(value_meta)}')
    if len(value_meta) > MAX_VALUE_META_ENTRIES:
        raise ValidationError(
            f'Too many value_meta entries {len(value_meta)}, limit is '
            f'{MAX_VALUE_META_ENTRIES}')
    for key in value_meta:
        if not isinstance(key, str) or not key:
            raise ValidationError(
                f'value_meta key {_show(key)} must be a non-empty string')
        if len(key) > MAX_VALUE_META_KEY_LENGTH:
            raise _too_long(f'value_meta key {_show(key)}', key,
                            MAX_VALUE_META_KEY_LENGTH)
    length = value_meta_length(value_meta)
    if length > MAX_VALUE_META_LENGTH:
        raise ValidationError(
            f'value_meta is {length} characters long as JSON; the limit is '
            f'{MAX_VALUE_META_LENGTH}')


def validate_value(value: Any) -> float | int:
    kind = type(value)      # the usual cases first: checked for every metric
    if kind is float and math.isfinite(value) or kind is int:
        return value
    # bool is an int in Python and the API accepts it; keep that quirk.
    if isinstance(value, str) or not isinstance(value, (int, float)):
        raise ValidationError(
            f'Metric value must be a number, not {_show(value)}')
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        raise ValidationError(f'Metric value {value} is not a finite number')
    return value


def validate_timestamp(timestamp: Any) -> float | int:
    if type(timestamp) is int:      # the usual case (bool is refused below)
        return timestamp
    if isinstance(timestamp, bool) or not isinstance(timestamp, (int, float)):
        raise ValidationError(
            f'Metric timestamp must be a number of milliseconds since the '
            f'epoch, not {_show(timestamp)}')
    if isinstance(timestamp, float) and not math.isfinite(timestamp):
        raise ValidationError(f'Metric timestamp {timestamp} is not finite')
    return timestamp


def validate_metric(metric: Any) -> dict[str, Any]:
    """Validate one metric object of a POST /v2.0/metrics body."""
    if not _is_mapping(metric):
        raise ValidationError(
            f'A metric must be a JSON object, not {_show(metric)}')
    for field in ('name', 'timestamp', 'value'):
        if field not in metric:
            raise ValidationError(f'Metric is missing the field {field!r}')
    name = validate_metric_name(metric['name'])
    try:
        # The checks without the copies the public validators return.
        if metric.get('dimensions') is not None or 'dimensions' in metric:
            _check_dimensions(metric.get('dimensions'))
        validate_timestamp(metric['timestamp'])
        validate_value(metric['value'])
        value_meta = metric.get('value_meta')
        if value_meta is not None:
            _check_value_meta(value_meta)
    except ValidationError as exc:
        raise ValidationError(f'{exc}: for metric {name}') from None
    return dict(metric)


def _choice(value: Any, choices: Iterable[str], what: str,
            case_sensitive: bool = False) -> str:
    choices = tuple(choices)
    if not isinstance(value, str):
        raise ValidationError(
            f'{what} {_show(value)} must be one of {", ".join(choices)}')
    candidate = value if case_sensitive else value.upper()
    if candidate not in choices:
        raise ValidationError(
            f'{what} {_show(value)} must be one of {", ".join(choices)}')
    return candidate


def validate_severity(value: Any) -> str:
    return _choice(value, SEVERITIES, 'Severity')


def parse_severity_filter(text: str) -> list[str]:
    """``LOW|HIGH`` -> ['LOW', 'HIGH'], each checked."""
    return [validate_severity(item) for item in text.split('|')]


def _items(text: str | Iterable[str]) -> list[str]:
    """A comma-separated list, or the items already split."""
    return text.split(',') if isinstance(text, str) else list(text)


def _lowercase_choices(text: str | Iterable[str], choices: Iterable[str],
                       error: str) -> list[str]:
    """The items (``_items``) stripped and lower-cased, in order, each one
    of ``choices``; else ``error``, formatted with the ``item`` (as given,
    stripped) and the ``choices``."""
    choices = tuple(choices)
    result = []
    for item in _items(text):
        value = item.strip().lower()
        if value not in choices:
            raise ValidationError(error.format(item=item.strip(),
                                               choices=', '.join(choices)))
        result.append(value)
    return result


def validate_state(value: Any, case_sensitive: bool = False) -> str:
    return _choice(value, STATES, 'State', case_sensitive=case_sensitive)


def parse_statistics(text: str | Iterable[str]) -> list[str]:
    """``avg,MAX`` -> ['avg', 'max'], in request order."""
    result = _lowercase_choices(
        text, STATISTICS, 'Invalid statistic {item!r}: must be one of '
        '{choices}')
    if not result:
        raise ValidationError('At least one statistic is required')
    return result


def validate_period(value: Any, what: str = 'Period') -> int:
    """Statistics period: an integer >= 1 second (0 makes the API fail)."""
    period = _integer(value, f'{what} {_show(value)} must be a whole number '
                      f'of seconds')
    if period <= 0:
        raise ValidationError(f'{what} {period} must be a positive integer')
    return period


def _integer(value: Any, error: str) -> int:
    """``value`` (text or a number) as an integer; else ``error``."""
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValidationError(error) from None


def validate_limit(value: Any) -> int:
    limit = _integer(value, f'Limit {_show(value)} must be a positive '
                     f'integer')
    if limit <= 0:
        raise ValidationError(f'Limit {limit} must be a positive integer')
    return limit


def validate_offset_integer(value: Any) -> int:
    offset = _integer(value, f'Offset value {value} must be an integer')
    if offset < 0:
        raise ValidationError(f'Offset value {value} must not be negative')
    return offset


# --marker forms, per listing: kind -> (pattern, what the marker is). The
# value to give is the one a listing stopped by --limit prints after
# "more results:".
_TIMESTAMP = (r'(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?'
              r'(?:Z|[+-]\d{2}:?\d{2})?|\d+)')
MARKER_FORMS: dict[str, tuple[str | None, str]] = {
    'offset': (r'\d+', 'an integer offset: the number of rows to skip'),
    'metric': (r'[0-9A-Fa-f]+', 'the ID of the last metric listed (the ID '
               'column of --long)'),
    'name': (None, 'the last name listed; the listing goes on after it'),
    'measurement': (rf'(?:[^_\s]+_)?{_TIMESTAMP}',
                    '<series id>_<timestamp> or <timestamp> (ISO 8601 or '
                    'epoch milliseconds) of the last point listed'),
    'statistics': (r'(?:[^_\s]+_)?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z',
                   '[<series id>_]YYYY-MM-DDTHH:MM:SSZ, the timestamp of '
                   'the last period listed'),
    'history': (_TIMESTAMP, 'the timestamp (ISO 8601 or epoch '
                'milliseconds) of the last transition listed'),
}


def marker_help(kind: str) -> str:
    """The --marker help of a listing: what its marker is."""
    return (f'Continue a listing that --limit stopped: give the marker it '
            f'printed on stderr ("more results: --marker VALUE"); '
            f'{MARKER_FORMS[kind][1]}')


def validate_marker(value: Any, kind: str,
                    option: str = '--marker') -> str:
    """A marker of the listing's form, refused (naming it) otherwise."""
    text = str(value)
    pattern, form = MARKER_FORMS[kind]
    if not text.strip() or (pattern is not None
                            and not re.fullmatch(pattern, text.strip())):
        raise ValidationError(
            f'Invalid {option} {text!r}: expected {form}')
    return text.strip()


_SORT_ITEM = re.compile(r'^\s*([A-Za-z_]+)(?:\s+(asc|desc))?\s*$')


def parse_sort_by(text: str | Iterable[str],
                  fields: Iterable[str]) -> list[tuple[str, str]]:
    """``name desc,id`` -> [('name', 'desc'), ('id', 'asc')].

    Field names are matched case-insensitively; the direction must be
    ``asc`` or ``desc`` (the API refuses upper case, so it is normalised).
    """
    fields = tuple(fields)
    result = []
    for item in _items(text):
        parts = item.split()
        if not parts:
            raise ValidationError(f'Empty sort key in {_show(text)}')
        if len(parts) > 2:
            raise ValidationError(
                f'Invalid sort key {item.strip()!r}: use "field" or '
                f'"field asc|desc"')
        field = parts[0].lower()
        if field not in fields:
            raise ValidationError(
                f'Sort field {parts[0]!r} is not one of {", ".join(fields)}')
        direction = parts[1].lower() if len(parts) == 2 else 'asc'
        if direction not in ('asc', 'desc'):
            raise ValidationError(
                f'Sort direction {parts[1]!r} of field {field!r} must be '
                f'asc or desc')
        result.append((field, direction))
    return result


def format_sort_by(items: Iterable[tuple[str, str]]) -> str:
    return ','.join(f'{field} {direction}' for field, direction in items)


def parse_alarm_count_group_by(text: str | Iterable[str]) -> list[str]:
    return _lowercase_choices(
        text, ALARM_COUNT_GROUP_BY_FIELDS,
        'Group-by field {item!r} is not one of {choices}')


def parse_measurement_group_by(text: str | Iterable[str]) -> list[str]:
    """Dimension keys (or ``*``) for measurement/statistics group_by."""
    result = []
    for item in _items(text):
        key = item.strip()
        if key == '*':
            result.append(key)
            continue
        validate_dimension_key(key)
        result.append(key)
    if not result:
        raise ValidationError('group_by needs at least one dimension key')
    return result


def validate_match_by(keys: Iterable[Any]) -> list[str]:
    result = []
    for key in keys:
        try:
            validate_dimension_key(key)
        except ValidationError:
            raise ValidationError(
                f'invalid characters in dimension key {key}') from None
        result.append(key)
    return result


def _text(value: Any, subject: str, limit: int,
          required: bool = False) -> str:
    """A string of at most ``limit`` characters; with ``required``, not
    blank either."""
    if not isinstance(value, str):
        raise _not_a_string(subject, value)
    if required and not value.strip():
        raise ValidationError(f'{subject} must not be empty')
    if len(value) > limit:
        raise _too_long(subject, value, limit)
    return value


def validate_alarm_definition_name(name: Any) -> str:
    return _text(name, 'Alarm definition name', MAX_NAME_LENGTH,
                 required=True)


def validate_description(text: Any) -> str:
    return _text(text, 'Description', MAX_NAME_LENGTH)


def validate_action_ids(ids: Iterable[Any], what: str) -> list[str]:
    result: list[str] = []
    for item in ids:
        if not isinstance(item, str) or not item:
            raise ValidationError(
                f'{what} id {_show(item)} must be a non-empty string')
        if len(item) > 50:
            raise ValidationError(
                f'{what} id {_show(item)} is longer than 50 characters')
        if item in result:
            raise ValidationError(f'{what} id {item} is listed twice')
        result.append(item)
    return result


def validate_lifecycle_state(value: Any) -> str:
    return _text(value, 'Lifecycle state', 50)


def validate_link(value: Any) -> str:
    return _text(value, 'Link', 512)


_EMAIL = re.compile(r'^.+@.+$')


def collation_key(name: str) -> str:
    """A name as the API compares names (MySQL utf8mb4_unicode_ci, roughly).

    Case, accents and trailing spaces are ignored: ``CPU-High `` and
    ``cpu-high`` are the same definition name (409 on create).
    """
    decomposed = unicodedata.normalize('NFKD', name)
    bare = ''.join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold().rstrip(' ')


def validate_notification_name(name: Any) -> str:
    return _text(name, 'Notification method name', 250, required=True)


def validate_notification_type(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            f'Notification type {_show(value)} must be a non-empty string')
    if len(value) > 20:
        raise ValidationError(
            f'Notification type {_show(value)} is longer than 20 characters')
    return value.upper()


def validate_notification_address(ntype: str, address: Any) -> str:
    if not isinstance(address, str) or not address:
        raise ValidationError(
            f'Address {_show(address)} must be a non-empty string')
    if len(address) > 512:
        raise _too_long('Address', address, 512)
    kind = ntype.upper()
    if kind == 'EMAIL' and not _EMAIL.match(address):
        raise ValidationError(f'Address {address} is not of correct format')
    if kind == 'WEBHOOK':
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(address)
        except ValueError:
            parts = None
        if parts is None or parts.scheme not in ('http', 'https') \
                or not parts.hostname:
            raise ValidationError(
                f'Address {address} is not an http or https URL')
    return address


def validate_notification_period(value: Any,
                                 valid: Iterable[int] | None = None) -> int:
    """An integer >= 0; with ``valid``, also one of those periods.

    Which non-zero periods a server accepts is its configuration
    (``valid_notification_periods``, [0, 60] by default), so the client
    checks only the form and lets the server judge the value.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationError(f'Period {_show(value)} must be an integer')
    try:
        period = int(str(value).strip())
    except ValueError:
        raise ValidationError(
            f'Period {_show(value)} must be an integer') from None
    if period < 0:
        raise ValidationError(f'Period {period} must not be negative')
    if valid is not None:
        valid = list(valid)
        if period != 0 and period not in valid:
            raise ValidationError(
                f'{period} is not in the configured list of valid periods: '
                f'{valid}')
    return period

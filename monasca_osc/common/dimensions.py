"""Dimension syntax: what users type and what the API takes.

Users write ``key=value`` pairs (``--dimension`` / legacy ``--dimensions``).
One argument may hold several pairs separated by commas; a literal comma is
written ``\\,`` (and, for drop-in compatibility with the legacy client, a
value containing ``;`` is split on ``;`` instead). A filter may also be a
bare ``key`` (the key exists) or ``key=v1|v2`` (any of the values).

The API's query syntax is ``k1:v1,k2:v2a|v2b,k3`` (API reference §5.4).
Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from monasca_osc.common import validation
from monasca_osc.common.validation import ValidationError


def split_pairs(text: str) -> list[str]:
    """Split one argument into items on unescaped separators.

    ``a=1,b=2`` -> ['a=1', 'b=2']; ``a=x\\,y`` -> ['a=x,y'];
    ``a=1,2;b=3`` -> ['a=1,2', 'b=3'] (legacy ``;`` form).
    """
    separator = ';' if ';' in text.replace('\\;', '') else ','
    items: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == '\\':
            nxt = next(chars, '')
            if nxt in (',', ';', '\\'):
                current.append(nxt)
            else:
                current.append(char + nxt)
            continue
        if char == separator:
            items.append(''.join(current))
            current = []
            continue
        current.append(char)
    items.append(''.join(current))
    return items


def parse_key_values(args: Iterable[str] | None, what: str = 'dimension',
                     allow_key_only: bool = False) -> dict[str, str | None]:
    """Parse repeated ``key=value[,key=value]`` arguments into a dict.

    With allow_key_only a bare ``key`` maps to None (a query filter for
    "key exists"); otherwise it is an error. A repeated key keeps the last
    value, like every filter of the API.
    """
    result: dict[str, str | None] = {}
    for arg in args or ():
        for item in split_pairs(arg):
            if item == '' and arg == '':
                raise ValidationError(f'Empty {what} argument')
            if '=' not in item:
                if allow_key_only and item:
                    result[item] = None
                    continue
                raise ValidationError(
                    f'Malformed {what} {item!r}: use the key=value format')
            key, value = item.split('=', 1)
            if not key:
                raise ValidationError(
                    f'Malformed {what} {item!r}: the key is empty')
            if value == '' and allow_key_only:
                result[key] = None
            else:
                result[key] = value
    return result


def parse_dimensions(args: Iterable[str] | None) -> dict[str, str]:
    """Dimensions of a metric to create: ``key=value`` only, validated."""
    parsed = parse_key_values(args, 'dimension')
    dims: dict[str, str] = {}
    for key, value in parsed.items():
        validation.validate_dimension_key(key)
        validation.validate_dimension_value(key, value or '')
        dims[key] = value or ''
    return dims


def parse_dimension_filter(args: Iterable[str] | None
                           ) -> dict[str, list[str]]:
    """A query filter: key -> accepted values ([] means any value)."""
    parsed = parse_key_values(args, 'dimension filter', allow_key_only=True)
    result: dict[str, list[str]] = {}
    for key, value in parsed.items():
        validation.validate_dimension_key(key)
        if value is None:
            result[key] = []
            continue
        values = value.split('|')
        for item in values:
            validation.validate_dimension_value(key, item)
        result[key] = values
    return result


def parse_exact_dimension_filter(args: Iterable[str] | None,
                                 option: str = '--dimension'
                                 ) -> dict[str, str]:
    """A filter of exact ``key=value`` pairs only, for the alarm definition
    list: its API compares a bare ``key`` and ``v1|v2`` literally, so they
    would silently match nothing; they are refused instead."""
    parsed = parse_key_values(args, 'dimension filter', allow_key_only=True)
    result: dict[str, str] = {}
    for key, value in parsed.items():
        validation.validate_dimension_key(key)
        if value is None or '|' in value:
            given = key if value is None else f'{key}={value}'
            raise ValidationError(
                f'{option} {given!r}: alarm definitions are filtered by '
                f'exact key=value pairs only (the API matches neither a '
                f'bare key nor alternatives with |)')
        validation.validate_dimension_value(key, value)
        result[key] = value
    return result


def encode_dimension_filter(filters: Mapping[str, object] | None
                            ) -> str | None:
    """Encode for the query string: ``k:v,k2:a|b,k3``.

    Accepts key -> list of values, key -> str, or key -> None/'' (any value).
    """
    if not filters:
        return None
    parts = []
    for key, value in filters.items():
        if value is None or value == '' or value == []:
            parts.append(key)
        elif isinstance(value, (list, tuple)):
            parts.append(f'{key}:{"|".join(str(v) for v in value)}')
        else:
            parts.append(f'{key}:{value}')
    return ','.join(parts)


def decode_dimension_filter(text: str) -> dict[str, list[str]]:
    """Server side: parse ``k:v,k2:a|b,k3`` (first ``:`` splits)."""
    result: dict[str, list[str]] = {}
    for item in text.split(','):
        if not item:
            continue
        if ':' in item:
            key, value = item.split(':', 1)
            result[key] = value.split('|')
        else:
            result[item] = []
    return result


def validate_dimension_filter(filters: Mapping[str, list[str]]) -> None:
    """Server-side check of a decoded filter (API reference §5.4)."""
    for key, values in filters.items():
        validation.validate_dimension_key(key)
        for value in values:
            validation.validate_dimension_value(key, value)


def format_dimensions(dimensions: Mapping[str, object] | None,
                      separator: str = ', ') -> str:
    """Human form ``k=v, k2=v2`` with keys sorted."""
    if not dimensions:
        return ''
    return separator.join(
        f'{key}={dimensions[key]}' for key in sorted(dimensions))

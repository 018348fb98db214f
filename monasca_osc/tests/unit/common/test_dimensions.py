"""common.dimensions: what users type and what the API takes."""

from __future__ import annotations

import pytest

from monasca_osc.common import dimensions as d
from monasca_osc.common.validation import ValidationError


@pytest.mark.parametrize('text, items', [
    ('a=1', ['a=1']),
    ('a=1,b=2', ['a=1', 'b=2']),
    (r'a=x\,y,b=2', ['a=x,y', 'b=2']),
    (r'a=x\\y', [r'a=x\y']),
    (r'a=x\;y,b=1', ['a=x;y', 'b=1']),
    ('a=1,2;b=3', ['a=1,2', 'b=3']),          # legacy ';' form
    ('a=1;b=2', ['a=1', 'b=2']),
    (r'a=\n', [r'a=\n']),                      # unknown escape kept
    ('a=1,', ['a=1', '']),
])
def test_split_pairs(text: str, items: list[str]) -> None:
    assert d.split_pairs(text) == items


def test_parse_key_values_repeated_args_merge() -> None:
    assert d.parse_key_values(['a=1', 'b=2,c=3', 'a=9']) == {
        'a': '9', 'b': '2', 'c': '3'}


def test_parse_key_values_first_equals_splits() -> None:
    assert d.parse_key_values(['url=http://h/?q=1']) == {
        'url': 'http://h/?q=1'}


def test_parse_key_values_key_only() -> None:
    assert d.parse_key_values(['host', 'svc='], allow_key_only=True) == {
        'host': None, 'svc': None}
    with pytest.raises(ValidationError) as err:
        d.parse_key_values(['host'])
    assert str(err.value) == \
        "Malformed dimension 'host': use the key=value format"


@pytest.mark.parametrize('args, fragment', [
    ([''], 'Empty dimension argument'),
    (['=v'], 'the key is empty'),
    (['a=1,,b=2'], "Malformed dimension ''"),
])
def test_parse_key_values_errors(args, fragment: str) -> None:
    with pytest.raises(ValidationError) as err:
        d.parse_key_values(args)
    assert fragment in str(err.value)


def test_parse_dimensions_for_create() -> None:
    assert d.parse_dimensions(['hostname=web 1', 'url=http://h:80']) == {
        'hostname': 'web 1', 'url': 'http://h:80'}
    assert d.parse_dimensions(None) == {}
    assert d.parse_dimensions([]) == {}


@pytest.mark.parametrize('args, fragment', [
    (['host'], "Malformed dimension 'host'"),
    (['host='], "key 'host' is empty"),
    (['_host=a'], "Dimension key _host may not start with '_'"),
    ([r'host=a\,b'], "forbidden character ','"),
    (['host=a;b'], "Malformed dimension 'b'"),
    (['host=a|b'], None),
])
def test_parse_dimensions_invalid(args, fragment: str | None) -> None:
    if fragment is None:
        # '|' is an ordinary character in a dimension value to create.
        assert d.parse_dimensions(args) == {'host': 'a|b'}
        return
    with pytest.raises(ValidationError) as err:
        d.parse_dimensions(args)
    assert fragment in str(err.value)


def test_parse_dimension_filter() -> None:
    assert d.parse_dimension_filter(
        ['hostname=web1|web2', 'service', 'az=', 'url=http://h:1']) == {
        'hostname': ['web1', 'web2'], 'service': [], 'az': [],
        'url': ['http://h:1']}


@pytest.mark.parametrize('args, fragment', [
    (['_x'], "_x may not start with '_'"),
    (['a=x|'], "key 'a' is empty"),
    (['a=|x'], "key 'a' is empty"),
    (['a=x<y'], "forbidden character '<'"),
    ([''], 'Empty dimension filter argument'),
])
def test_parse_dimension_filter_invalid(args, fragment: str) -> None:
    with pytest.raises(ValidationError) as err:
        d.parse_dimension_filter(args)
    assert fragment in str(err.value)


@pytest.mark.parametrize('filters, encoded', [
    ({'k': ['v'], 'k2': ['a', 'b'], 'k3': []}, 'k:v,k2:a|b,k3'),
    ({'k': 'v', 'k2': None, 'k3': ''}, 'k:v,k2,k3'),
    ({'url': 'http://h:5601'}, 'url:http://h:5601'),
    ({}, None), (None, None),
])
def test_encode_dimension_filter(filters, encoded) -> None:
    assert d.encode_dimension_filter(filters) == encoded


def test_decode_roundtrip() -> None:
    text = 'k:v,k2:a|b,k3,url:http://h:5601'
    decoded = d.decode_dimension_filter(text)
    assert decoded == {'k': ['v'], 'k2': ['a', 'b'], 'k3': [],
                       'url': ['http://h:5601']}
    assert d.encode_dimension_filter(decoded) == text
    d.validate_dimension_filter(decoded)
    with pytest.raises(ValidationError):
        d.validate_dimension_filter({'k': ['']})


def test_format_dimensions() -> None:
    assert d.format_dimensions({'b': '2', 'a': '1'}) == 'a=1, b=2'
    assert d.format_dimensions({'b': '2', 'a': '1'}, ',') == 'a=1,b=2'
    assert d.format_dimensions(None) == ''

"""``common.fastjson`` gives the standard library's results with or
without orjson (integers beyond 64 bits aside: documented)."""

import json

import pytest

from monasca_osc.common import fastjson

BODIES = [
    b'{"elements": [{"measurements": [["2024-05-01T10:00:00.000Z", 1.5, {}]]'
    b', "dimensions": {"h\\u00e9": "w\\"1"}}], "links": []}',
    b'[0.1, -0.0, 1e300, 5e-324, 123456789012345678, true, null, '
    b'"\\ud83d\\ude00"]',
    b'[NaN, Infinity, -Infinity]',                  # json-only literals
    '{"text": "é"}'.encode('utf-16'),               # json detects UTF-16
    '"plain str input"',
]


@pytest.fixture(params=['orjson', 'pure'])
def implementation(request, monkeypatch):
    if request.param == 'pure':
        monkeypatch.setenv(fastjson.ENV_PURE, '1')
    else:
        monkeypatch.delenv(fastjson.ENV_PURE, raising=False)
    fastjson.reset()
    yield request.param
    fastjson.reset()


def test_uses_the_implementation_asked_for(implementation):
    assert fastjson.using_orjson() is (implementation == 'orjson')


@pytest.mark.parametrize('body', BODIES)
def test_loads_equals_json_loads(implementation, body):
    got, expected = fastjson.loads(body), json.loads(body)
    # NaN != NaN: compare the JSON text of both results.
    assert json.dumps(got) == json.dumps(expected)


def test_loads_big_integers_are_numbers(implementation):
    got = fastjson.loads(b'{"big": 123456789012345678901234567890}')
    assert got['big'] == pytest.approx(123456789012345678901234567890)


@pytest.mark.parametrize('body', [b'', b'{"a": ', b'<html>', b'\xff\xfe{'])
def test_loads_refuses_what_json_refuses(implementation, body):
    with pytest.raises(ValueError):
        fastjson.loads(body)


@pytest.mark.parametrize('value', [
    {'elements': [{'id': '0', 'measurements': [['t', 1.5, {}]]}]},
    {'é': ['ü', None, True, 0, -7]},
    {'big': 2 ** 70},
])
def test_dumps_bytes_round_trips(implementation, value):
    text = fastjson.dumps_bytes(value)
    assert isinstance(text, bytes)
    assert json.loads(text) == value

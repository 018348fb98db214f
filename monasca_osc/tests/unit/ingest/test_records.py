"""Timestamps, defaults and validation of ingested records."""

from __future__ import annotations

import pytest

from monasca_osc.common.validation import ValidationError
from monasca_osc.ingest import records

NOW = 1_714_557_600_000  # 2024-05-01T10:00:00Z


@pytest.mark.parametrize('value, unit, ms', [
    (1714557600, 's', NOW),
    (1714557600.5, 's', NOW + 500),
    (NOW, 'ms', NOW),
    (NOW * 1000 + 499, 'us', NOW),
    (NOW * 1000 + 500, 'us', NOW + 1),
    (NOW * 1_000_000 + 123_456, 'ns', NOW),
    (float(NOW), 'ms', NOW),
    ('1714557600', 's', NOW),
    (' 1714557600000 ', 'ms', NOW),
    ('1714557600.25', 's', NOW + 250),
    ('2024-05-01T10:00:00Z', 'iso', NOW),
    ('2024-05-01T12:00:00.250+02:00', 'iso', NOW + 250),
    ('2024-05-01T10:00:00', 'iso', NOW),
])
def test_to_ms_detects_units(value, unit, ms):
    assert records.to_ms(value) == (ms, unit)


def test_ns_integers_do_not_lose_precision_to_floats():
    # 1714557600123456789 ns is not exactly representable as a float.
    assert records.to_ms(1714557600123456789) == (1714557600123, 'ns')
    assert records.to_ms(1714557600123500000) == (1714557600124, 'ns')


def test_forced_unit_overrides_magnitude():
    assert records.to_ms(1714557600, 'ms') == (1714557600, 'ms')
    assert records.to_ms(5, 's') == (5000, 's')


@pytest.mark.parametrize('value', [True, None, [], {}, 'yesterday', 'nan',
                                   float('nan'), float('inf')])
def test_to_ms_refuses(value):
    with pytest.raises(ValidationError):
        records.to_ms(value)


def normalizer(**kwargs):
    kwargs.setdefault('now_ms', NOW)
    return records.Normalizer(**kwargs)


def test_missing_timestamp_gets_default():
    norm = normalizer(default_timestamp=lambda: 42_000_000_000_000)
    metric = norm({'name': 'a', 'value': 1})
    assert metric['timestamp'] == 42_000_000_000_000
    norm = normalizer(default_timestamp=lambda: 7)
    assert norm({'name': 'a', 'value': 1, 'timestamp': None})[
        'timestamp'] == 7


def test_default_timestamp_is_now_in_ms():
    metric = records.Normalizer()({'name': 'a', 'value': 1})
    now = records._now_ms()
    assert now - 5000 < metric['timestamp'] <= now


def test_timestamp_before_2000_is_refused_with_the_reading():
    with pytest.raises(ValidationError) as err:
        normalizer()({'name': 'a', 'value': 1, 'timestamp': 123456})
    text = str(err.value)
    assert 'read as seconds' in text and '1970-01-02' in text
    assert 'before 2000-01-01' in text and '--allow-any-time' in text


def test_timestamp_in_the_future_is_refused():
    with pytest.raises(ValidationError, match='more than 1 day in the '
                                              'future'):
        normalizer()({'name': 'a', 'value': 1,
                      'timestamp': NOW + 86_400_001})
    # exactly a day ahead is fine
    assert normalizer()({'name': 'a', 'value': 1,
                         'timestamp': NOW + 86_400_000})


def test_iso_before_2000_refused_and_allow_any_time_accepts():
    with pytest.raises(ValidationError, match='ISO 8601'):
        normalizer()({'name': 'a', 'value': 1, 'timestamp': '1999-12-31'})
    metric = normalizer(allow_any_time=True)(
        {'name': 'a', 'value': 1, 'timestamp': 5})
    assert metric['timestamp'] == 5000


def test_defaults_fill_in_and_record_wins():
    norm = normalizer(name='cpu', dimensions={'region': 'r1', 'host': 'x'},
                      value_meta={'src': 'file'})
    metric = norm({'value': 1, 'timestamp': NOW,
                   'dimensions': {'host': 'web1'}})
    assert metric == {'name': 'cpu', 'value': 1, 'timestamp': NOW,
                      'dimensions': {'region': 'r1', 'host': 'web1'},
                      'value_meta': {'src': 'file'}}
    metric = norm({'name': 'mem', 'value': 2, 'timestamp': NOW})
    assert metric['name'] == 'mem'


@pytest.mark.parametrize('metric, message', [
    ({'value': 1, 'timestamp': NOW}, "missing the field 'name'"),
    ({'name': 'a b', 'value': 1, 'timestamp': NOW}, 'forbidden character'),
    ({'name': 'a', 'value': 'x', 'timestamp': NOW}, 'must be a number'),
    ({'name': 'a', 'value': float('nan'), 'timestamp': NOW},
     'not a finite number'),
    ({'name': 'a', 'value': 1, 'timestamp': NOW, 'dimensions': {'_k': 'v'}},
     "may not start with '_'"),
    ({'name': 'a', 'value': 1, 'timestamp': NOW, 'dimensions': []},
     'Dimensions must be an object'),
    ('not an object', 'must be a JSON object'),
    ([1, 2], 'must be a JSON object'),
])
def test_validation_messages(metric, message):
    with pytest.raises(ValidationError, match=message):
        normalizer()(metric)


def test_parse_number():
    assert records.parse_number('42') == 42
    assert isinstance(records.parse_number('42'), int)
    assert records.parse_number(' 4.5e1 ') == 45.0
    with pytest.raises(ValidationError, match='not a number'):
        records.parse_number('abc')


def test_detect_unit_boundaries():
    assert records.detect_unit(99_999_999_999) == 's'
    assert records.detect_unit(100_000_000_000) == 'ms'
    assert records.detect_unit(1e14) == 'us'
    assert records.detect_unit(1e17) == 'ns'


def test_repeated_series_still_get_every_check():
    norm = normalizer()
    base = {'name': 'a', 'dimensions': {'h': 'x'}, 'value_meta': {'k': 'v'},
            'timestamp': NOW}
    for value in (1, 2.5, 3):
        assert norm({**base, 'value': value})['value'] == value
    for value, message in (('4', 'must be a number'),
                           (float('inf'), 'not a finite number'),
                           (None, 'must be a number')):
        with pytest.raises(ValidationError, match=message) as err:
            norm({**base, 'value': value})
        assert str(err.value).endswith(': for metric a')
    with pytest.raises(ValidationError, match="missing the field 'value'"):
        norm(base)
    # bool is accepted by the API (an int in Python)
    assert norm({**base, 'value': True})['value'] is True
    # A different value_meta is a different shape: checked in full.
    with pytest.raises(ValidationError, match='Too many value_meta'):
        norm({**base, 'value': 1,
              'value_meta': {str(i): 'v' for i in range(17)}})
    long_meta = {'k': 'x' * 2039}
    assert norm({**base, 'value': 1, 'value_meta': long_meta})
    with pytest.raises(ValidationError, match='2048'):
        norm({**base, 'value': 1, 'value_meta': {'k': 'x' * 2040}})


def test_the_input_record_is_not_changed():
    record = {'name': 'a', 'value': 1, 'timestamp': 1714557600}
    metric = normalizer(dimensions={'d': 'x'})(record)
    assert record == {'name': 'a', 'value': 1, 'timestamp': 1714557600}
    assert metric['timestamp'] == NOW and metric['dimensions'] == {'d': 'x'}


def test_a_valid_repeat_is_sent_as_it_came():
    norm = normalizer()
    metric = {'name': 'a', 'dimensions': {'h': 'x'}, 'value_meta': {'k': 'v'},
              'timestamp': NOW, 'value': 1.5}
    assert norm(metric) == metric and norm.unchanged
    again = {**metric, 'value': 2}
    assert norm(again) is again and norm.unchanged
    # The known series lets no other dimension or value_meta through.
    for dims in ({'h': ['x']}, {'h': 1}, {'h': ''}, None):
        with pytest.raises(ValidationError, match='imension'):
            norm({**metric, 'dimensions': dims})
    with pytest.raises(ValidationError, match='2048'):
        norm({**metric, 'value_meta': {'k': 'x' * 2040}})
    with pytest.raises(ValidationError, match='not a finite number'):
        norm({**metric, 'value': float('nan')})
    # A default changes the metric: a copy, not the input.
    stamped = {**metric, 'timestamp': None}
    sent = norm(stamped)
    assert not norm.unchanged and sent is not stamped
    assert stamped['timestamp'] is None and isinstance(sent['timestamp'], int)
    # A forced unit reads the same number differently.
    with pytest.raises(ValidationError, match='read as seconds'):
        normalizer(timestamp_unit='s')(dict(metric))

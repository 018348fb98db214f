"""common.timeutil: the one time grammar."""

from __future__ import annotations

import datetime as dt

import pytest

from monasca_osc.common import timeutil as t
from monasca_osc.common.validation import ValidationError

UTC = dt.UTC
NOW = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize('text, expected', [
    ('2024-05-01', at(2024, 5, 1)),
    ('2024-05-01T10:00', at(2024, 5, 1, 10)),
    ('2024-05-01T10:00:00', at(2024, 5, 1, 10)),          # naive = UTC
    ('2024-05-01 10:00:00', at(2024, 5, 1, 10)),
    ('2024-05-01T10:00:00Z', at(2024, 5, 1, 10)),
    ('2024-05-01T10:00:00z', at(2024, 5, 1, 10)),
    ('2024-05-01T10:00:00.5Z', at(2024, 5, 1, 10, 0, 0, 500000)),
    ('2024-05-01T10:00:00.123Z', at(2024, 5, 1, 10, 0, 0, 123000)),
    ('2024-05-01T12:00:00+02:00', at(2024, 5, 1, 10)),
    ('2024-05-01T05:30:00-04:30', at(2024, 5, 1, 10)),
    (' 2024-05-01T10:00:00Z ', at(2024, 5, 1, 10)),
])
def test_iso_forms(text: str, expected: dt.datetime) -> None:
    value = t.parse_time(text, NOW)
    assert value == expected
    assert value.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize('text, expected', [
    ('1714557600', at(2024, 5, 1, 10)),                   # seconds
    ('1714557600.25', at(2024, 5, 1, 10, 0, 0, 250000)),
    ('1714557600000', at(2024, 5, 1, 10)),                # milliseconds
    ('1714557600123', at(2024, 5, 1, 10, 0, 0, 123000)),
    ('0', at(1970, 1, 1)),
])
def test_epoch_seconds_and_milliseconds(text: str,
                                        expected: dt.datetime) -> None:
    assert t.parse_time(text, NOW) == expected


@pytest.mark.parametrize('text, delta', [
    ('now', dt.timedelta(0)), ('NOW', dt.timedelta(0)),
    ('-30s', dt.timedelta(seconds=-30)), ('-15m', dt.timedelta(minutes=-15)),
    ('-2h', dt.timedelta(hours=-2)), ('-7d', dt.timedelta(days=-7)),
    ('-1w', dt.timedelta(weeks=-1)),
    ('-1h30m', dt.timedelta(hours=-1, minutes=-30)),
    ('-1d 2h', dt.timedelta(days=-1, hours=-2)),
    ('now-1h', dt.timedelta(hours=-1)), ('now - 1H', dt.timedelta(hours=-1)),
    ('now+5m', dt.timedelta(minutes=5)), ('+5m', dt.timedelta(minutes=5)),
    ('-120', dt.timedelta(minutes=-120)),                 # legacy minutes
    ('-0', dt.timedelta(0)),
])
def test_relative_forms(text: str, delta: dt.timedelta) -> None:
    assert t.parse_time(text, NOW) == NOW + delta


@pytest.mark.parametrize('text', [
    'yesterday', '-15x', '-1.5h', 'now-', '2024-13-01', '2024-05-01T25:00',
    '1h', 'now-1h-', '--1h', '12:00'])
def test_bad_input(text: str) -> None:
    with pytest.raises(ValidationError) as err:
        t.parse_time(text, NOW, what='--start time')
    message = str(err.value)
    assert message.startswith(f'Invalid --start time {text!r}: expected ')
    assert 'ISO 8601' in message and '-15m' in message


def test_empty_input() -> None:
    with pytest.raises(ValidationError) as err:
        t.parse_time('  ', NOW, what='--end time')
    assert str(err.value) == 'Empty --end time'


@pytest.mark.parametrize('text', [
    '-99999999999w', '-99999999999', '-9999999999999999', 'now+99999999d',
    '9999999999999999'])
def test_out_of_range_is_a_validation_error(text: str) -> None:
    with pytest.raises(ValidationError) as err:
        t.parse_time(text, NOW, what='--start time')
    assert f'Invalid --start time {text!r}' in str(err.value)
    assert 'out of range' in str(err.value)


def test_now_defaults_to_the_clock() -> None:
    before = dt.datetime.now(UTC)
    value = t.parse_time('now')
    after = dt.datetime.now(UTC)
    assert before <= value <= after


def test_format_iso() -> None:
    assert t.format_iso(at(2024, 5, 1, 10, 0, 0, 123456)) == \
        '2024-05-01T10:00:00.123Z'
    assert t.format_iso(at(2024, 5, 1, 10), milliseconds=False) == \
        '2024-05-01T10:00:00Z'
    plus2 = dt.timezone(dt.timedelta(hours=2))
    assert t.format_iso(dt.datetime(2024, 5, 1, 12, tzinfo=plus2)) == \
        '2024-05-01T10:00:00.000Z'


def test_to_api_and_epoch() -> None:
    assert t.to_api(None) is None
    assert t.to_api('-1h', NOW) == '2024-05-01T11:00:00.000Z'
    assert t.to_epoch_ms(at(2024, 5, 1, 10)) == 1714557600000
    assert abs(t.now_ms() - t.to_epoch_ms(dt.datetime.now(UTC))) < 5000


def test_check_order() -> None:
    t.check_order(at(2024, 1, 1), at(2024, 1, 2))
    t.check_order(None, at(2024, 1, 2))
    t.check_order(at(2024, 1, 1), None)
    with pytest.raises(ValidationError) as err:
        t.check_order(at(2024, 1, 2), at(2024, 1, 1))
    assert str(err.value) == ('--start 2024-01-02T00:00:00.000Z must be '
                              'before --end 2024-01-01T00:00:00.000Z')
    with pytest.raises(ValidationError):
        t.check_order(at(2024, 1, 1), at(2024, 1, 1), 'a', 'b')


@pytest.mark.parametrize('text, seconds', [
    ('30s', 30.0), ('10m', 600.0), ('1h', 3600.0), ('1h30m', 5400.0),
    ('2d', 172800.0), ('1w', 604800.0), ('90', 90.0), ('0.5', 0.5),
    (' 5 m ', 300.0), ('0', 0.0)])
def test_durations(text: str, seconds: float) -> None:
    assert t.parse_duration(text) == seconds


@pytest.mark.parametrize('text', ['', '-5', '5x', 'nan', 'inf', '1h-5m',
                                  'now', '-1h'])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValidationError) as err:
        t.parse_duration(text, what='--timeout')
    assert '--timeout' in str(err.value)
    assert '\n' not in str(err.value)

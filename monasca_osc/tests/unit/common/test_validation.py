"""common.validation: every rule of API reference §5, one-line errors."""

from __future__ import annotations

import json

import pytest

from monasca_osc.common import validation as v
from monasca_osc.common.validation import ValidationError


def raises(func, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as err:
        func(*args, **kwargs)
    text = str(err.value)
    assert '\n' not in text and '\r' not in text, text
    return text


# -- metric names -------------------------------------------------------------
@pytest.mark.parametrize('name', [
    'cpu.idle_perc', "it's", 'a-b_c:d|e', 'ümlaut.ñ', 'x', 'x' * 255,
    'tab\there', '#!$%*+/?@[]^`~'])
def test_metric_name_valid(name: str) -> None:
    assert v.validate_metric_name(name) == name


@pytest.mark.parametrize('char', list('<>={}(),"\\;& '))
def test_metric_name_forbidden_characters(char: str) -> None:
    text = raises(v.validate_metric_name, f'cpu{char}idle')
    assert f'forbidden character {char!r}' in text
    assert 'Metric name' in text


def test_metric_name_lengths_and_types() -> None:
    assert raises(v.validate_metric_name, '') == 'Metric name must not be ' \
        'empty'
    text = raises(v.validate_metric_name, 'x' * 256)
    assert '256 characters long; the limit is 255' in text
    assert '...' in text  # the long value is shortened in the message
    assert 'must be a string, not 5' in raises(v.validate_metric_name, 5)
    assert 'not None' in raises(v.validate_metric_name, None)


# -- dimensions ---------------------------------------------------------------
@pytest.mark.parametrize('key, value', [
    ('hostname', 'web 1'), ('url', 'http://h:5601/x(y)'), ("it's", "a'b"),
    ('k' * 255, 'v' * 255), ('a_b', '_leading-underscore-value-is-ok')])
def test_dimension_valid(key: str, value: str) -> None:
    assert v.validate_dimensions({key: value}) == {key: value}


def test_dimension_key_underscore_prefix() -> None:
    assert raises(v.validate_dimension_key, '_x') == \
        "Dimension key _x may not start with '_'"


@pytest.mark.parametrize('char', list('<>={},"\\;&'))
def test_dimension_forbidden_characters(char: str) -> None:
    assert f'forbidden character {char!r}' in raises(
        v.validate_dimension_key, f'a{char}b')
    text = raises(v.validate_dimension_value, 'k', f'a{char}b')
    assert f'forbidden character {char!r}' in text and "'k'" in text


def test_dimension_lengths_and_types() -> None:
    assert 'must not be empty' in raises(v.validate_dimension_key, '')
    assert '256 characters' in raises(v.validate_dimension_key, 'k' * 256)
    assert "key 'k' is empty" in raises(v.validate_dimension_value, 'k', '')
    assert '256 characters' in raises(v.validate_dimension_value, 'k',
                                      'v' * 256)
    assert 'must be a string, not 1' in raises(v.validate_dimension_value,
                                               'k', 1)
    assert 'must be a string, not 3' in raises(v.validate_dimension_key, 3)
    assert 'must be an object' in raises(v.validate_dimensions, ['a'])
    assert 'must be an object' in raises(v.validate_dimensions, None)


# -- value_meta ---------------------------------------------------------------
def test_value_meta_entries() -> None:
    sixteen = {f'k{i}': 'v' for i in range(16)}
    assert v.validate_value_meta(sixteen) == sixteen
    text = raises(v.validate_value_meta, {f'k{i}': 'v' for i in range(17)})
    assert text == 'Too many value_meta entries 17, limit is 16'
    assert v.validate_value_meta(None) is None
    assert v.validate_value_meta({}) == {}


def test_value_meta_json_length() -> None:
    ok = {'k': 'x' * 2039}
    assert v.value_meta_length(ok) == 2048
    assert v.validate_value_meta(ok) == ok
    too_long = {'k': 'x' * 2040}
    assert len(json.dumps(too_long)) == 2049
    assert raises(v.validate_value_meta, too_long) == (
        'value_meta is 2049 characters long as JSON; the limit is 2048')


def test_value_meta_length_counts_escapes_like_python_json() -> None:
    # Non-ASCII characters count 6 each (\\uXXXX); the formula of the
    # contract: sum(len(k) + len(v) + 6) + 2 + 2 * (n - 1).
    meta = {'a': 'é' * 10, 'bb': 'x'}
    assert v.value_meta_length(meta) == (1 + 60 + 6) + (2 + 1 + 6) + 2 + 2


def _random_value_metas(count: int) -> list[dict]:
    import random
    rng = random.Random(14)
    alphabet = 'ab"\\\n\t\x00\x1f\x7fé€😀 ,:{}'

    def text() -> str:
        return ''.join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))

    metas = []
    for _ in range(count):
        meta: dict = {text(): text() for _ in range(rng.randint(0, 4))}
        if rng.random() < 0.2:
            meta['n'] = rng.choice([1, 1.5, True, None, [1, 'é'], {'x': 'y'}])
        metas.append(meta)
    return metas


def test_value_meta_length_is_len_of_json_dumps() -> None:
    # The strings-only fast path and the encoder agree on every input.
    for meta in _random_value_metas(3000):
        assert v.value_meta_length(meta) == len(json.dumps(meta)), meta


def test_value_meta_keys_and_types() -> None:
    assert 'non-empty string' in raises(v.validate_value_meta, {'': 'x'})
    assert '256 characters' in raises(v.validate_value_meta,
                                      {'k' * 256: 'x'})
    assert 'must be an object' in raises(v.validate_value_meta, 'k=v')
    # values are not type-checked (the API lets numbers through)
    assert v.validate_value_meta({'n': 5}) == {'n': 5}


# -- values and timestamps ----------------------------------------------------
@pytest.mark.parametrize('value', [0, -1, 1.5, 1e300, True, False])
def test_value_valid(value) -> None:
    assert v.validate_value(value) is value


@pytest.mark.parametrize('value, fragment', [
    (float('nan'), 'nan is not a finite number'),
    (float('inf'), 'inf is not a finite number'),
    (float('-inf'), '-inf is not a finite number'),
    ('1', "must be a number, not '1'"), (None, 'not None'),
    ([1], 'not [1]')])
def test_value_invalid(value, fragment: str) -> None:
    assert fragment in raises(v.validate_value, value)


def test_timestamp() -> None:
    assert v.validate_timestamp(1714557600000) == 1714557600000
    assert v.validate_timestamp(-5) == -5
    assert 'milliseconds' in raises(v.validate_timestamp, '1714557600000')
    assert 'milliseconds' in raises(v.validate_timestamp, True)
    assert 'not finite' in raises(v.validate_timestamp, float('nan'))


def test_metric() -> None:
    metric = {'name': 'cpu', 'timestamp': 1, 'value': 2,
              'dimensions': {'h': 'a'}, 'value_meta': None, 'extra': 1}
    assert v.validate_metric(metric) == metric
    assert raises(v.validate_metric, {'name': 'cpu', 'value': 1}) == \
        "Metric is missing the field 'timestamp'"
    assert raises(v.validate_metric, {'name': 'cpu', 'timestamp': 1,
                                      'value': 1, 'dimensions': {'_k': 'v'}}
                  ) == "Dimension key _k may not start with '_': for " \
                       "metric cpu"
    assert 'must be an object' in raises(
        v.validate_metric, {'name': 'cpu', 'timestamp': 1, 'value': 1,
                            'dimensions': None})
    assert 'JSON object' in raises(v.validate_metric, ['cpu'])


# -- enumerations -------------------------------------------------------------
@pytest.mark.parametrize('value, expected', [
    ('low', 'LOW'), ('Medium', 'MEDIUM'), ('HIGH', 'HIGH'),
    ('critical', 'CRITICAL')])
def test_severity(value: str, expected: str) -> None:
    assert v.validate_severity(value) == expected


def test_severity_invalid_and_filter() -> None:
    assert raises(v.validate_severity, 'urgent') == (
        "Severity 'urgent' must be one of LOW, MEDIUM, HIGH, CRITICAL")
    assert v.parse_severity_filter('LOW|high') == ['LOW', 'HIGH']
    assert "'BAD'" in raises(v.parse_severity_filter, 'LOW|BAD')
    assert "''" in raises(v.parse_severity_filter, 'LOW|')


def test_states() -> None:
    assert v.validate_state('alarm') == 'ALARM'
    assert v.validate_state('UNDETERMINED') == 'UNDETERMINED'
    assert raises(v.validate_state, 'ok', case_sensitive=True) == \
        "State 'ok' must be one of OK, ALARM, UNDETERMINED"
    assert 'must be one of' in raises(v.validate_state, 'FIRING')
    assert 'must be one of' in raises(v.validate_state, None)


def test_statistics() -> None:
    assert v.parse_statistics('avg,MAX, count') == ['avg', 'max', 'count']
    assert v.parse_statistics(['Sum', 'min']) == ['sum', 'min']
    assert raises(v.parse_statistics, 'avg,p99') == (
        "Invalid statistic 'p99': must be one of avg, min, max, sum, count")
    assert 'At least one' in raises(v.parse_statistics, [])


@pytest.mark.parametrize('value, expected', [
    (300, 300), ('60', 60), (' 1 ', 1), ('86400', 86400)])
def test_period_valid(value, expected: int) -> None:
    assert v.validate_period(value) == expected


@pytest.mark.parametrize('value, fragment', [
    (0, 'Period 0 must be a positive integer'),
    ('-60', 'Period -60 must be a positive integer'),
    ('1.5', "Period '1.5' must be a whole number"),
    ('abc', "Period 'abc' must be a whole number")])
def test_period_invalid(value, fragment: str) -> None:
    assert fragment in raises(v.validate_period, value)


def test_limit_and_offset() -> None:
    assert v.validate_limit('10') == 10
    assert v.validate_limit(10000) == 10000
    assert 'Limit 0 must be a positive integer' == raises(v.validate_limit,
                                                          0)
    assert "Limit '1.5'" in raises(v.validate_limit, '1.5')
    assert v.validate_offset_integer('0') == 0
    assert 'must be an integer' in raises(v.validate_offset_integer, 'a1')
    assert 'must not be negative' in raises(v.validate_offset_integer, -1)


# -- sort_by and group_by -----------------------------------------------------
@pytest.mark.parametrize('text, expected', [
    ('name', [('name', 'asc')]),
    ('name desc', [('name', 'desc')]),
    ('NAME DESC, id', [('name', 'desc'), ('id', 'asc')]),
    (['severity asc', 'created_at desc'],
     [('severity', 'asc'), ('created_at', 'desc')]),
])
def test_sort_by_valid(text, expected) -> None:
    assert v.parse_sort_by(text, v.ALARM_DEFINITION_SORT_FIELDS) == expected


def test_sort_by_format() -> None:
    assert v.format_sort_by([('name', 'desc'), ('id', 'asc')]) == \
        'name desc,id asc'


@pytest.mark.parametrize('text, fields, fragment', [
    ('expression', v.ALARM_DEFINITION_SORT_FIELDS,
     "Sort field 'expression' is not one of id, name"),
    ('name sideways', v.ALARM_DEFINITION_SORT_FIELDS,
     "Sort direction 'sideways' of field 'name' must be asc or desc"),
    ('name desc x', v.ALARM_DEFINITION_SORT_FIELDS, 'Invalid sort key'),
    ('name,', v.ALARM_DEFINITION_SORT_FIELDS, 'Empty sort key'),
    ('alarm_id', v.NOTIFICATION_SORT_FIELDS, "'alarm_id'"),
    ('name', v.ALARM_SORT_FIELDS, "'name'"),
])
def test_sort_by_invalid(text: str, fields, fragment: str) -> None:
    assert fragment in raises(v.parse_sort_by, text, fields)


def test_sort_fields_per_resource() -> None:
    assert v.parse_sort_by('state_updated_timestamp desc',
                           v.ALARM_SORT_FIELDS) == [
        ('state_updated_timestamp', 'desc')]
    assert v.parse_sort_by('address', v.NOTIFICATION_SORT_FIELDS) == [
        ('address', 'asc')]


def test_alarm_count_group_by() -> None:
    assert v.parse_alarm_count_group_by('State, dimension_name') == [
        'state', 'dimension_name']
    assert v.parse_alarm_count_group_by(list(
        v.ALARM_COUNT_GROUP_BY_FIELDS)) == list(
        v.ALARM_COUNT_GROUP_BY_FIELDS)
    assert "Group-by field 'hostname'" in raises(
        v.parse_alarm_count_group_by, 'state,hostname')


def test_measurement_group_by() -> None:
    assert v.parse_measurement_group_by('hostname, service') == [
        'hostname', 'service']
    assert v.parse_measurement_group_by('*') == ['*']
    assert '_x' in raises(v.parse_measurement_group_by, '_x')
    assert 'must not be empty' in raises(v.parse_measurement_group_by,
                                         'a,,b')


def test_match_by() -> None:
    assert v.validate_match_by(['hostname']) == ['hostname']
    assert raises(v.validate_match_by, ['ok', '_x']) == \
        'invalid characters in dimension key _x'


# -- alarm definitions, alarms, notifications ---------------------------------
def test_alarm_definition_fields() -> None:
    assert v.validate_alarm_definition_name('x' * 255) == 'x' * 255
    assert '256' in raises(v.validate_alarm_definition_name, 'x' * 256)
    assert 'must not be empty' in raises(v.validate_alarm_definition_name,
                                         '  ')
    assert v.validate_description('') == ''
    assert '256' in raises(v.validate_description, 'd' * 256)
    assert 'must be a string' in raises(v.validate_description, None)
    assert v.validate_action_ids(['a', 'b'], 'ALARM action') == ['a', 'b']
    assert raises(v.validate_action_ids, ['a', 'a'], 'ALARM action') == \
        'ALARM action id a is listed twice'
    assert 'non-empty' in raises(v.validate_action_ids, [''], 'OK action')


def test_lifecycle_state_and_link() -> None:
    assert v.validate_lifecycle_state('x' * 50) == 'x' * 50
    assert '51' in raises(v.validate_lifecycle_state, 'x' * 51)
    assert v.validate_link('x' * 512) == 'x' * 512
    assert '513' in raises(v.validate_link, 'x' * 513)


def test_notification_fields() -> None:
    assert v.validate_notification_name('n' * 250) == 'n' * 250
    assert '251' in raises(v.validate_notification_name, 'n' * 251)
    assert v.validate_notification_type('webhook') == 'WEBHOOK'
    assert 'non-empty' in raises(v.validate_notification_type, '')
    assert v.validate_notification_address('EMAIL', 'a@b') == 'a@b'
    assert v.validate_notification_address('WEBHOOK',
                                           'http://h:80/x') == 'http://h:80/x'
    assert v.validate_notification_address('PAGERDUTY', 'key') == 'key'
    assert 'not an http or https URL' in raises(
        v.validate_notification_address, 'webhook', 'http:///path')
    assert v.validate_notification_period('60') == 60
    assert v.validate_notification_period(0) == 0
    assert v.validate_notification_period(120, valid=[0, 60, 120]) == 120
    assert 'must not be negative' in raises(
        v.validate_notification_period, -60)
    # Allowed non-zero periods are server configuration: 300 passes here.
    assert v.validate_notification_period(300) == 300
    assert 'valid periods' in raises(
        v.validate_notification_period, 30, valid=[0, 60])


@pytest.mark.parametrize('func, args', [
    (v.validate_dimension_key, ('_a\nb',)),
    (v.validate_match_by, (['_a\nb'],)),
    (v.validate_action_ids, (['a\nb', 'a\nb'], 'ALARM action')),
    (v.validate_notification_address, ('EMAIL', 'no\nat-sign')),
    (v.validate_notification_address, ('WEBHOOK', 'ftp://x\ny')),
    (v.validate_offset_integer, ('1\n2',)),
    (v.validate_metric_name, ('a\nb c',)),
])
def test_messages_stay_on_one_line(func, args) -> None:
    # raises() asserts there is no line break in the message.
    text = raises(func, *args)
    assert '\\n' in text


@pytest.mark.parametrize(('a', 'b', 'same'), [
    ('CPU-High', 'cpu-high', True), ('café', 'CAFE', True),
    ('cpu  ', 'cpu', True), ('  cpu', 'cpu', False),
    ('cpu-1', 'cpu-2', False)])
def test_collation_key_compares_names_as_the_api(a: str, b: str,
                                                 same: bool) -> None:
    assert (v.collation_key(a) == v.collation_key(b)) is same


def test_remembered_names_and_dimensions_give_the_same_verdicts() -> None:
    # Passing names and dimension sets are remembered; the verdict (and
    # the message) for every input must be what a fresh check gives.
    import random
    rng = random.Random(15)
    alphabet = ['a', 'b', '_', ',', '=', ' ', '', 'é', 1, None]

    def outcome(call, arg):
        try:
            call(arg)
            return 'ok'
        except ValidationError as exc:
            return str(exc)

    cases = []
    for _ in range(2000):
        name = ''.join(str(rng.choice(alphabet[:8])) for _ in range(3))
        dims = {str(rng.choice(alphabet[:8])) + 'k':
                rng.choice(alphabet) for _ in range(rng.randint(0, 2))}
        cases.append((name, dims))
    fresh = []
    for name, dims in cases:
        v._PASSED_NAMES.clear()
        v._PASSED_DIMENSIONS.clear()
        fresh.append((outcome(v.validate_metric_name, name),
                      outcome(v.validate_dimensions, dims)))
    for _ in range(2):      # with everything that passed remembered
        remembered = [(outcome(v.validate_metric_name, name),
                       outcome(v.validate_dimensions, dims))
                      for name, dims in cases]
        assert remembered == fresh
    assert {'ok'} < {n for n, _ in fresh} and {'ok'} < {d for _, d in fresh}

"""MetricsManager: paths, query parameters and bodies."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from monasca_osc.api import base
from monasca_osc.api import metrics as metrics_api
from monasca_osc.common.validation import ValidationError
from monasca_osc.tests.unit import utils
from monasca_osc.tests.unit.utils import page

METRICS = utils.ROOT + '/metrics'
MEASUREMENTS = utils.ROOT + '/metrics/measurements'
STATISTICS = utils.ROOT + '/metrics/statistics'
START = dt.datetime(2024, 5, 1, 10, 0, tzinfo=dt.UTC)


# -- create -------------------------------------------------------------------
def test_create_one_metric(requests_mock, client) -> None:
    requests_mock.post(METRICS, status_code=204)
    client.metrics.create(name='cpu.idle_perc', dimensions={'host': 'a b'},
                          timestamp=1714557600000, value=42.5,
                          value_meta={'note': 'x'})
    request = requests_mock.last_request
    assert utils.query(request) == {}
    assert json.loads(request.body) == {
        'name': 'cpu.idle_perc', 'dimensions': {'host': 'a b'},
        'timestamp': 1714557600000, 'value': 42.5,
        'value_meta': {'note': 'x'}}


def test_create_for_another_tenant(requests_mock, client) -> None:
    requests_mock.post(METRICS, status_code=204)
    client.metrics.create(tenant_id='p1', name='cpu', timestamp=1, value=1)
    request = requests_mock.last_request
    assert utils.query(request) == {'tenant_id': 'p1'}
    assert 'tenant_id' not in json.loads(request.body)


def test_create_legacy_jsonbody_list(requests_mock, client) -> None:
    requests_mock.post(METRICS, status_code=204)
    body = [{'name': 'a', 'timestamp': 1, 'value': 1},
            {'name': 'b', 'timestamp': 2, 'value': True}]
    client.metrics.create(jsonbody=body)
    assert json.loads(requests_mock.last_request.body) == body


def test_create_legacy_tenant_in_fields(requests_mock, client) -> None:
    requests_mock.post(METRICS, status_code=204)
    client.metrics.create(jsonbody={'name': 'a', 'timestamp': 1, 'value': 1,
                                    'tenant_id': 't9'})
    request = requests_mock.last_request
    assert utils.query(request) == {'tenant_id': 't9'}
    assert json.loads(request.body) == {'name': 'a', 'timestamp': 1,
                                        'value': 1}


@pytest.mark.parametrize('metric, fragment', [
    ({'name': 'cpu idle', 'timestamp': 1, 'value': 1}, "' '"),
    ({'name': 'cpu', 'timestamp': 1, 'value': float('nan')}, 'nan'),
    ({'name': 'cpu', 'timestamp': 1, 'value': float('inf')}, 'inf'),
    ({'name': 'cpu', 'timestamp': 1, 'value': '3'}, "'3'"),
    ({'name': 'cpu', 'value': 1}, "'timestamp'"),
    ({'name': 'cpu', 'timestamp': 1, 'value': 1,
      'dimensions': {'_x': 'a'}}, '_x'),
    ({'name': 'cpu', 'timestamp': 1, 'value': 1,
      'value_meta': {'k': 'x' * 2040}}, '2049'),
])
def test_create_invalid_sends_nothing(requests_mock, client, metric,
                                      fragment: str) -> None:
    requests_mock.post(METRICS, status_code=204)
    with pytest.raises(ValidationError) as err:
        client.metrics.create(**metric)
    assert fragment in str(err.value)
    assert requests_mock.call_count == 0


def test_create_invalid_in_a_list_sends_nothing(requests_mock,
                                                client) -> None:
    requests_mock.post(METRICS, status_code=204)
    with pytest.raises(ValidationError):
        client.metrics.create(jsonbody=[
            {'name': 'ok', 'timestamp': 1, 'value': 1},
            {'name': 'bad=name', 'timestamp': 1, 'value': 1}])
    assert requests_mock.call_count == 0


def test_create_many_raw_data(requests_mock, client) -> None:
    requests_mock.post(METRICS, status_code=204)
    client.metrics.create_many([], tenant_id='t', data=b'[{"name":"x"}]')
    request = requests_mock.last_request
    assert request.body == b'[{"name":"x"}]'
    assert request.headers['Content-Type'] == 'application/json'
    assert utils.query(request) == {'tenant_id': 't'}


# -- list ---------------------------------------------------------------------
def test_list_all_parameters(requests_mock, client) -> None:
    requests_mock.get(METRICS, json=page([{'id': '0', 'name': 'cpu',
                                           'dimensions': {}}]))
    rows = client.metrics.list(
        name='cpu', dimensions={'host': 'a', 'svc': ['x', 'y'], 'env': None},
        start_time=START, end_time='2024-05-01T11:00:00+01:00',
        offset='4', limit=20, tenant_id='p2')
    assert rows == [{'id': '0', 'name': 'cpu', 'dimensions': {}}]
    assert utils.query(requests_mock.last_request) == {
        'name': 'cpu', 'dimensions': 'host:a,svc:x|y,env',
        'start_time': '2024-05-01T10:00:00.000Z',
        'end_time': '2024-05-01T10:00:00.000Z',
        'offset': '4', 'limit': '20', 'tenant_id': 'p2'}


@pytest.mark.parametrize('dimensions, encoded', [
    (['host=a', 'svc=x|y', 'env'], 'host:a,svc:x|y,env'),
    (['host=a,svc=b'], 'host:a,svc:b'),
    ('url:http://h:5601', 'url:http://h:5601'),
    ({'url': 'http://h:5601'}, 'url:http://h:5601'),
    ({'a': 'x|y'}, 'a:x|y'),
])
def test_list_dimension_encodings(requests_mock, client, dimensions,
                                  encoded: str) -> None:
    requests_mock.get(METRICS, json=page([]))
    client.metrics.list(dimensions=dimensions)
    assert utils.query(requests_mock.last_request)['dimensions'] == encoded


@pytest.mark.parametrize('kwargs, fragment', [
    ({'name': 'a b'}, "' '"),
    ({'name': 'x' * 256}, '256 characters'),
    ({'dimensions': {'_hidden': 'a'}}, "_hidden may not start with '_'"),
    ({'dimensions': ['_hidden=a']}, "_hidden may not start with '_'"),
    ({'dimensions': {'a': ['x', '']}}, "key 'a' is empty"),
    ({'dimensions': ['a=x|']}, "key 'a' is empty"),
    ({'dimensions': ['a=b=c']}, "'='"),
    ({'dimensions': '_hidden:a'}, "_hidden may not start with '_'"),
    ({'dimensions': 'a:x|,b'}, "key 'a' is empty"),
    ({'dimensions': 'a:x<y'}, "forbidden character '<'"),
    ({'limit': 0}, 'Limit 0'),
    ({'limit': 'ten'}, "'ten'"),
    ({'start_time': 'yesterday'}, "'yesterday'"),
])
def test_list_invalid_sends_nothing(requests_mock, client, kwargs,
                                    fragment: str) -> None:
    requests_mock.get(METRICS, json=page([]))
    with pytest.raises(ValidationError) as err:
        client.metrics.list(**kwargs)
    assert fragment in str(err.value)
    assert '\n' not in str(err.value)
    assert requests_mock.call_count == 0


def test_iter_list_pages(requests_mock, client) -> None:
    requests_mock.get(METRICS, [
        {'json': page([{'id': '0'}, {'id': '1'}], next_offset='1')},
        {'json': page([{'id': '2'}])}])
    assert [m['id'] for m in client.metrics.iter_list(page_size=2)] == \
        ['0', '1', '2']
    assert utils.query(requests_mock.last_request) == {'limit': '2',
                                                       'offset': '1'}


def test_list_names(requests_mock, client) -> None:
    requests_mock.get(METRICS + '/names', json=page([{'name': 'cpu'}]))
    assert client.metrics.list_names(dimensions=['host=a'], tenant_id='t',
                                     offset='cp', limit=3) == [
        {'name': 'cpu'}]
    assert utils.query(requests_mock.last_request) == {
        'dimensions': 'host:a', 'tenant_id': 't', 'offset': 'cp',
        'limit': '3'}


def test_list_dimension_names(requests_mock, client) -> None:
    requests_mock.get(METRICS + '/dimensions/names',
                      json=page([{'dimension_name': 'host'}]))
    assert client.metrics.list_dimension_names(
        metric_name='cpu', start_time=START,
        end_time=START + dt.timedelta(hours=1)) == [
        {'dimension_name': 'host'}]
    assert utils.query(requests_mock.last_request) == {
        'metric_name': 'cpu', 'start_time': '2024-05-01T10:00:00.000Z',
        'end_time': '2024-05-01T11:00:00.000Z', 'limit': '10000'}


def test_list_dimension_names_one_metric_name(requests_mock, client) -> None:
    requests_mock.get(METRICS + '/dimensions/names', json=page([]))
    client.metrics.list_dimension_names(metric_name=['cpu'])
    assert utils.query(requests_mock.last_request)['metric_name'] == 'cpu'
    with pytest.raises(ValidationError) as err:
        client.metrics.list_dimension_names(metric_name=['cpu', 'mem'])
    assert 'Only one metric name' in str(err.value)
    assert requests_mock.call_count == 1


def test_list_dimension_values(requests_mock, client) -> None:
    requests_mock.get(METRICS + '/dimensions/names/values',
                      json=page([{'dimension_value': 'a'}]))
    assert client.metrics.list_dimension_values(
        dimension_name='host', metric_name='cpu', tenant_id='t') == [
        {'dimension_value': 'a'}]
    assert utils.query(requests_mock.last_request) == {
        'dimension_name': 'host', 'metric_name': 'cpu', 'tenant_id': 't',
        'limit': '10000'}


def test_list_dimension_values_validates_the_key(requests_mock,
                                                 client) -> None:
    with pytest.raises(ValidationError):
        client.metrics.list_dimension_values(dimension_name='_x')
    assert requests_mock.call_count == 0


# -- measurements and statistics ----------------------------------------------
def test_measurements_parameters(requests_mock, client) -> None:
    requests_mock.get(MEASUREMENTS, json=page([]))
    client.metrics.list_measurements(
        name='cpu', start_time=START, end_time=START + dt.timedelta(hours=1),
        dimensions={'host': 'a'}, merge_metrics=True, group_by=['az', 'svc'],
        offset='0_2024-05-01T10:00:00.000Z', limit=50, tenant_id='t')
    assert utils.query(requests_mock.last_request) == {
        'name': 'cpu', 'start_time': '2024-05-01T10:00:00.000Z',
        'end_time': '2024-05-01T11:00:00.000Z', 'dimensions': 'host:a',
        'merge_metrics': 'true', 'group_by': 'az,svc',
        'offset': '0_2024-05-01T10:00:00.000Z', 'limit': '50',
        'tenant_id': 't'}


@pytest.mark.parametrize('merge, sent', [
    (False, None), (None, None), ('true', 'true'), ('False', None),
    ('yes', 'true')])
def test_merge_metrics_values(requests_mock, client, merge, sent) -> None:
    requests_mock.get(MEASUREMENTS, json=page([]))
    client.metrics.list_measurements(name='cpu', start_time=START,
                                     merge_metrics=merge)
    assert utils.query(requests_mock.last_request).get('merge_metrics') == \
        sent


def test_group_by_star(requests_mock, client) -> None:
    requests_mock.get(MEASUREMENTS, json=page([]))
    client.metrics.list_measurements(name='cpu', start_time=START,
                                     group_by='*')
    assert utils.query(requests_mock.last_request)['group_by'] == '*'


def test_measurements_series_split_over_pages_are_merged(requests_mock,
                                                        client) -> None:
    def element(i: str, points: list) -> dict:
        return {'id': i, 'name': 'cpu', 'dimensions': {'h': i},
                'columns': ['timestamp', 'value', 'value_meta'],
                'measurements': points}

    requests_mock.get(MEASUREMENTS, [
        {'json': page([element('0', [['t1', 1, {}], ['t2', 2, {}]])],
                      next_offset='0_t2')},
        {'json': page([element('0', [['t3', 3, {}]]),
                       element('1', [['t1', 9, {}]])],
                      next_offset='1_t1')},
        {'json': page([])}])
    merged = client.metrics.list_measurements(name='cpu', start_time=START,
                                              group_by='*', page_size=2)
    assert [(e['id'], [p[1] for p in e['measurements']]) for e in merged] == \
        [('0', [1, 2, 3]), ('1', [9])]
    assert [utils.query(r).get('offset') for r in
            requests_mock.request_history] == [None, '0_t2', '1_t1']


def test_measurements_limit_counts_points(requests_mock, client) -> None:
    requests_mock.get(MEASUREMENTS, [
        {'json': page([{'id': '0', 'measurements': [[1, 1, {}]] * 3}],
                      next_offset='0_t3')},
        {'json': page([{'id': '0', 'measurements': [[2, 1, {}]] * 2}],
                      next_offset='0_t5')}])
    merged = client.metrics.list_measurements(name='cpu', start_time=START,
                                              limit=5, page_size=3)
    assert len(merged) == 1 and len(merged[0]['measurements']) == 5
    assert [utils.query(r)['limit'] for r in
            requests_mock.request_history] == ['3', '2']


@pytest.mark.parametrize('kwargs, fragment', [
    ({'start_time': START}, 'metric name is required'),
    ({'name': 'cpu'}, 'start time is required'),
    ({'name': 'cpu', 'start_time': START, 'group_by': ''}, None),
    ({'name': 'c{u', 'start_time': START}, "'{'"),
    ({'name': 'cpu', 'start_time': '-1x'}, "'-1x'"),
])
def test_measurements_invalid(requests_mock, client, kwargs,
                              fragment: str | None) -> None:
    requests_mock.get(MEASUREMENTS, json=page([]))
    if fragment is None:
        client.metrics.list_measurements(**kwargs)
        assert 'group_by' not in utils.query(requests_mock.last_request)
        return
    with pytest.raises(ValidationError) as err:
        client.metrics.list_measurements(**kwargs)
    assert fragment in str(err.value)
    assert requests_mock.call_count == 0


def test_statistics_parameters(requests_mock, client) -> None:
    requests_mock.get(STATISTICS, json=page([{
        'id': '0', 'name': 'cpu', 'dimensions': {},
        'columns': ['timestamp', 'avg', 'max'],
        'statistics': [['t', 1.0, 2.0]]}]))
    result = client.metrics.list_statistics(
        name='cpu', statistics='avg,MAX', start_time=START, period='60',
        dimensions=['host=a'], merge_metrics=True, group_by='az')
    assert result[0]['statistics'] == [['t', 1.0, 2.0]]
    assert utils.query(requests_mock.last_request) == {
        'name': 'cpu', 'statistics': 'avg,max', 'period': '60',
        'start_time': '2024-05-01T10:00:00.000Z', 'dimensions': 'host:a',
        'merge_metrics': 'true', 'group_by': 'az', 'limit': '10000'}


def test_statistics_list_and_no_period(requests_mock, client) -> None:
    requests_mock.get(STATISTICS, json=page([]))
    client.metrics.list_statistics(name='cpu', statistics=['count', 'sum'],
                                   start_time=START)
    query = utils.query(requests_mock.last_request)
    assert query['statistics'] == 'count,sum'
    assert 'period' not in query


@pytest.mark.parametrize('kwargs, fragment', [
    ({}, 'Statistics are required'),
    ({'statistics': 'avg,median'}, "'median'"),
    ({'statistics': 'avg', 'period': 0}, 'Period 0'),
    ({'statistics': 'avg', 'period': '-60'}, 'Period -60'),
    ({'statistics': 'avg', 'period': '1.5'}, "'1.5'"),
])
def test_statistics_invalid(requests_mock, client, kwargs,
                            fragment: str) -> None:
    requests_mock.get(STATISTICS, json=page([]))
    with pytest.raises(ValidationError) as err:
        client.metrics.list_statistics(name='cpu', start_time=START,
                                       **kwargs)
    assert fragment in str(err.value)
    assert requests_mock.call_count == 0


def test_merge_series_does_not_join_different_series() -> None:
    merged = metrics_api.merge_series([
        {'id': '0', 'name': 'a', 'dimensions': {}, 'statistics': [[1]]},
        {'id': '0', 'name': 'a', 'dimensions': {'x': 'y'},
         'statistics': [[2]]},
        {'id': '0', 'name': 'a', 'dimensions': {'x': 'y'},
         'statistics': [[3]]}])
    assert [e['statistics'] for e in merged] == [[[1]], [[2], [3]]]


def test_merge_series_joins_a_series_renumbered_on_the_next_page() -> None:
    # InfluxDB: each statistics page numbers its elements from 0.
    merged = metrics_api.merge_series([
        {'id': '0', 'name': 'a', 'dimensions': {'h': '1'},
         'statistics': [[1]]},
        {'id': '1', 'name': 'a', 'dimensions': {'h': '2'},
         'statistics': [[2]]},
        {'id': '0', 'name': 'a', 'dimensions': {'h': '2'},
         'statistics': [[3]]}])
    assert [(e['id'], e['statistics']) for e in merged] == [
        ('0', [[1]]), ('1', [[2], [3]])]


# -- query helpers ------------------------------------------------------------
def test_time_param_forms() -> None:
    now = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
    assert base.time_param(None) is None
    assert base.time_param('') is None
    assert base.time_param(dt.datetime(2024, 5, 1, 10, 0)) == \
        '2024-05-01T10:00:00.000Z'
    assert base.time_param(1714557600) == '2024-05-01T10:00:00.000Z'
    assert base.time_param(1714557600000) == '2024-05-01T10:00:00.000Z'
    assert base.time_param('-2h', now=now) == '2024-05-01T10:00:00.000Z'


def test_bool_and_csv_params() -> None:
    assert base.bool_param(True) == 'true'
    assert base.bool_param(False) is None
    assert base.bool_param('on') == 'true'
    assert base.bool_param('0') is None
    assert base.csv_param(['a', 'b']) == 'a,b'
    assert base.csv_param('a,b') == 'a,b'
    assert base.csv_param([]) == ''
    assert base.dimension_param({}) is None
    assert base.dimension_param([]) is None

"""Metric endpoints against the contract (in-process WSGI)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest

from monasca_osc.tests.unit.sandbox.conftest import Client, metric

T0 = 1420070400000          # 2015-01-01T00:00:00Z
START = '2015-01-01T00:00:00Z'


def next_offset(doc: dict) -> str | None:
    for link in doc['links']:
        if link['rel'] == 'next':
            return parse_qs(urlparse(link['href']).query)['offset'][0]
    return None


def post(client: Client, *metrics: dict) -> None:
    result = client.post('/v2.0/metrics', list(metrics))
    assert result.status == 204, result


def test_post_single_and_list(client: Client) -> None:
    assert client.post('/v2.0/metrics', metric('a', T0)).status == 204
    assert client.post('/v2.0/metrics', []).status == 204
    names = client.get('/v2.0/metrics/names').json['elements']
    assert names == [{'name': 'a'}]


def test_post_requires_exact_content_type(client: Client) -> None:
    result = client.post('/v2.0/metrics', metric('a', T0),
                         content_type='application/json; charset=utf-8')
    assert result.status == 400
    assert result.json == {'title': 'Bad request', 'description':
                           'Bad content type. Must be application/json'}
    result = client.post('/v2.0/metrics', raw=b'{not json')
    assert result.status == 400
    assert result.json['description'] == 'Request body is not valid JSON'


@pytest.mark.parametrize('body,fragment', [
    ({'timestamp': T0, 'value': 1}, "'name'"),
    (metric('a b', T0), 'a b'),
    (metric('a', T0, dims={'_k': 'v'}), "may not start with '_'"),
    (metric('a', T0, dims={'k': ''}), 'empty'),
    (metric('a', T0, value=float('nan')), 'for metric a'),
    (metric('a', T0, value_meta={'k': 'x' * 2040}), 'for metric a'),
    (metric('a', T0, dimensions=None), 'for metric a'),
])
def test_post_validation_422(client: Client, body: dict,
                             fragment: str) -> None:
    result = client.post('/v2.0/metrics', raw=_dumps(body))
    assert result.status == 422, result
    assert result.json['title'] == 'Unprocessable Entity'
    assert fragment in result.json['description']


def _dumps(body: dict) -> bytes:
    import json
    return json.dumps(body).encode()


def test_post_accepts_quirky_values(client: Client) -> None:
    # bool values, negative and future timestamps, apostrophes.
    post(client, metric("it's", -5, True), metric('b', 99999999999999, 2))
    doc = client.get('/v2.0/metrics/measurements',
                     {'name': "it's", 'start_time': '1969-01-01'}).json
    assert doc['elements'][0]['measurements'] == [
        ['1969-12-31T23:59:59.995Z', 1.0, {}]]


def test_policy_denied_is_401_forbidden(client: Client) -> None:
    ro = client.as_(roles='monasca-read-only-user')
    result = ro.post('/v2.0/metrics', metric('a', T0))
    assert result.status == 401
    assert result.json == {
        'title': 'Forbidden',
        'description': 'The request does not have access to this service'}
    assert ro.get('/v2.0/metrics').status == 200
    assert client.as_(roles='admin').get('/v2.0/metrics').status == 401
    agent = client.as_(roles='monasca-agent')
    assert agent.post('/v2.0/metrics', metric('a', T0)).status == 204
    assert agent.get('/v2.0/metrics').status == 401


def test_cross_tenant_needs_admin(client: Client) -> None:
    admin = client.as_(roles='monasca-user,admin')
    assert admin.post('/v2.0/metrics?tenant_id=other',
                      metric('x', T0)).status == 204
    # Without the delegate role tenant_id is silently ignored.
    assert client.post('/v2.0/metrics?tenant_id=other',
                       metric('mine', T0)).status == 204
    other = client.get('/v2.0/metrics/names?tenant_id=other').json
    assert other['elements'] == [{'name': 'mine'}]
    other = admin.get('/v2.0/metrics/names?tenant_id=other').json
    assert other['elements'] == [{'name': 'x'}]
    assert client.as_(tenant='other').get(
        '/v2.0/metrics/names').json['elements'] == [{'name': 'x'}]


def test_list_metrics_filters_and_paging(client: Client) -> None:
    post(client, *[metric('m', T0, dims={'host': f'h{i}', 'z': 'v'})
                   for i in range(5)], metric('n', T0, dims={'host': 'h0'}))
    doc = client.get('/v2.0/metrics', {'name': 'm', 'limit': 2}).json
    assert [e['id'] for e in doc['elements']] == ['0', '1']
    assert [e['dimensions']['host'] for e in doc['elements']] == ['h0', 'h1']
    assert next_offset(doc) == '1'
    doc = client.get('/v2.0/metrics', {'name': 'm', 'limit': 2,
                                       'offset': '1'}).json
    assert [e['id'] for e in doc['elements']] == ['2', '3']
    doc = client.get('/v2.0/metrics', {'name': 'm', 'limit': 2,
                                       'offset': '3'}).json
    assert [e['id'] for e in doc['elements']] == ['4']
    assert next_offset(doc) is None
    doc = client.get('/v2.0/metrics', {'dimensions': 'host:h0|h3'}).json
    assert [(e['name'], e['dimensions']['host']) for e in doc['elements']] \
        == [('m', 'h0'), ('m', 'h3'), ('n', 'h0')]
    doc = client.get('/v2.0/metrics', {'dimensions': 'z'}).json
    assert len(doc['elements']) == 5
    assert set(doc['elements'][0]) == {'id', 'name', 'dimensions'}


def test_list_metrics_errors(client: Client) -> None:
    bad = client.get('/v2.0/metrics', {'start_time': 'nope'})
    assert bad.status == 422
    assert bad.json['description'] == "Unable to parse date string 'nope'"
    bad = client.get('/v2.0/metrics', {'start_time': START,
                                       'end_time': START})
    assert bad.status == 400
    assert bad.json['description'] == 'start_time must be before end_time'
    assert client.get('/v2.0/metrics', {'offset': 'abc'}).status == 500
    assert client.get('/v2.0/metrics', {'dimensions': '_a:b'}).status == 422
    assert client.get('/v2.0/metrics?name=a&name=b').status == 422


@pytest.mark.parametrize('limit', ['-1', '1.5', 'abc'])
def test_bad_limit(client: Client, limit: str) -> None:
    result = client.get('/v2.0/metrics', {'limit': limit})
    assert result.status == 422
    assert result.json == {'title': 'Invalid limit', 'description':
                           'Limit parameter must be a positive integer'}


def test_metrics_time_filter(client: Client) -> None:
    post(client, metric('old', T0), metric('new', T0 + 3600_000))
    doc = client.get('/v2.0/metrics', {
        'start_time': '2015-01-01T00:30:00Z'}).json
    assert [e['name'] for e in doc['elements']] == ['new']


def test_names_and_dimension_paging(client: Client) -> None:
    post(client, *[metric(f'n{i}', T0, dims={'k': f'v{i}', f'd{i}': 'x'})
                   for i in range(5)])
    doc = client.get('/v2.0/metrics/names', {'limit': 2}).json
    assert doc['elements'] == [{'name': 'n0'}, {'name': 'n1'}]
    assert next_offset(doc) == 'n1'
    doc = client.get('/v2.0/metrics/names', {'limit': 2,
                                             'offset': 'n1'}).json
    assert doc['elements'] == [{'name': 'n2'}, {'name': 'n3'}]
    doc = client.get('/v2.0/metrics/names', {'offset': 'n25'}).json
    assert doc['elements'] == [{'name': 'n3'}, {'name': 'n4'}]
    doc = client.get('/v2.0/metrics/dimensions/names', {'limit': 3}).json
    assert doc['elements'] == [{'dimension_name': 'd0'},
                               {'dimension_name': 'd1'},
                               {'dimension_name': 'd2'}]
    assert next_offset(doc) == 'd2'
    doc = client.get('/v2.0/metrics/dimensions/names',
                     {'metric_name': 'n3'}).json
    assert doc['elements'] == [{'dimension_name': 'd3'},
                               {'dimension_name': 'k'}]
    doc = client.get('/v2.0/metrics/dimensions/names/values',
                     {'dimension_name': 'k', 'offset': 'v2'}).json
    assert doc['elements'] == [{'dimension_value': 'v3'},
                               {'dimension_value': 'v4'}]
    missing = client.get('/v2.0/metrics/dimensions/names/values')
    assert missing.status == 422
    assert missing.json['description'] == 'Missing dimension_name'


def test_next_link_is_encoded_once(client: Client) -> None:
    post(client, metric('a b'.replace(' ', '_'), T0),
         metric('a_c', T0), metric('a_d', T0))
    doc = client.get('/v2.0/metrics/names', {'limit': 1,
                                             'dimensions': ''}).json
    href = [link['href'] for link in doc['links'] if link['rel'] == 'next']
    assert href and '%25' not in href[0]
    doc = client.get('/v2.0/metrics/measurements', {
        'name': 'a_c', 'start_time': START, 'limit': 1}).json
    href = [link['href'] for link in doc['links'] if link['rel'] == 'next'][0]
    query = parse_qs(urlparse(href).query)
    assert query['start_time'] == [START]
    assert query['offset'] == ['0_2015-01-01T00:00:00.000Z']


def _measure(client: Client, **params: str):
    params = {'start_time': START, **params}
    return client.get('/v2.0/metrics/measurements', params)


def test_measurements_required_params(client: Client) -> None:
    assert _measure(client).json['description'] == 'Missing name'
    result = client.get('/v2.0/metrics/measurements', {'name': 'a'})
    assert result.status == 422
    assert result.json['description'] == 'Missing start time'
    assert _measure(client, name='none').json['elements'] == []


def test_measurements_shape_and_value_meta(client: Client) -> None:
    post(client, metric('a', T0 + 1, 1.5, {'h': 'x'},
                        value_meta={'msg': 'hi'}),
         metric('a', T0 + 2, 2, {'h': 'x'}))
    doc = _measure(client, name='a').json
    (element,) = doc['elements']
    assert element == {
        'id': '0', 'name': 'a', 'dimensions': {'h': 'x'},
        'columns': ['timestamp', 'value', 'value_meta'],
        'measurements': [['2015-01-01T00:00:00.001Z', 1.5, {'msg': 'hi'}],
                         ['2015-01-01T00:00:00.002Z', 2.0, {}]]}
    doc = _measure(client, name='a', end_time='2015-01-01T00:00:00.002Z').json
    assert len(doc['elements'][0]['measurements']) == 1


def test_measurements_multiple_metrics(client: Client) -> None:
    post(client, metric('a', T0, 1, {'h': 'x', 'r': '1'}),
         metric('a', T0 + 5, 2, {'h': 'y', 'r': '1'}))
    result = _measure(client, name='a')
    assert result.status == 409
    assert result.json['title'] == 'MultipleMetrics'
    assert _measure(client, name='a', dimensions='h:y').status == 200
    for flag in ('true', 'True', 't', 'rue', 'TRUE'):
        doc = _measure(client, name='a', merge_metrics=flag,
                       dimensions='r:1').json
        (element,) = doc['elements']
        assert element['dimensions'] == {'r': '1'}
        assert [m[1] for m in element['measurements']] == [1.0, 2.0]
    for flag in ('false', '1', 'yes'):
        assert _measure(client, name='a', merge_metrics=flag).status == 409
    doc = _measure(client, name='a', group_by='h').json
    assert [(e['id'], e['dimensions']) for e in doc['elements']] == [
        ('0', {'h': 'x'}), ('1', {'h': 'y'})]
    doc = _measure(client, name='a', group_by='*').json
    assert doc['elements'][1]['dimensions'] == {'h': 'y', 'r': '1'}
    doc = _measure(client, name='a', group_by='nokey').json
    assert [e['dimensions'] for e in doc['elements']] == [{}]
    assert len(doc['elements'][0]['measurements']) == 2


def test_measurement_paging_ge_rule(client: Client) -> None:
    post(client, *[metric('p', T0 + i * 1000, i) for i in range(6)])
    seen = []
    offset = None
    pages = 0
    while True:
        params = {'name': 'p', 'limit': '3'}
        if offset:
            params['offset'] = offset
        doc = _measure(client, **params).json
        pages += 1
        for element in doc['elements']:
            seen += [m[1] for m in element['measurements']]
        offset = next_offset(doc)
        if offset is None:
            break
    # A page that ends exactly at limit always has a next link: 3 pages.
    assert seen == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert pages == 3


def test_measurement_paging_across_groups(client: Client) -> None:
    post(client, *[metric('g', T0 + i, i, {'h': 'a'}) for i in range(3)],
         *[metric('g', T0 + i, 10 + i, {'h': 'b'}) for i in range(3)])
    doc = _measure(client, name='g', group_by='h', limit='4').json
    assert [len(e['measurements']) for e in doc['elements']] == [3, 1]
    assert next_offset(doc) == '1_2015-01-01T00:00:00.000Z'
    doc = _measure(client, name='g', group_by='h', limit='4',
                   offset=next_offset(doc)).json
    assert [e['id'] for e in doc['elements']] == ['1']
    assert [m[1] for m in doc['elements'][0]['measurements']] == [11.0, 12.0]
    assert next_offset(doc) is None
    # Epoch-ms offsets work too.
    doc = _measure(client, name='g', dimensions='h:a',
                   offset=str(T0)).json
    assert [m[1] for m in doc['elements'][0]['measurements']] == [1.0, 2.0]


def _stats(client: Client, **params: str):
    params = {'start_time': START, **params}
    return client.get('/v2.0/metrics/statistics', params)


def test_statistics(client: Client) -> None:
    post(client, *[metric('s', T0 + i * 30_000, i) for i in range(6)])
    doc = _stats(client, name='s', statistics='avg,COUNT,max', period='60',
                 end_time='2015-01-02T00:00:00Z').json
    (element,) = doc['elements']
    assert element['columns'] == ['timestamp', 'avg', 'count', 'max']
    assert element['statistics'] == [
        ['2015-01-01T00:00:00Z', 0.5, 2, 1.0],
        ['2015-01-01T00:01:00Z', 2.5, 2, 3.0],
        ['2015-01-01T00:02:00Z', 4.5, 2, 5.0]]
    assert isinstance(element['statistics'][0][2], int)
    # Buckets align to the epoch, not to start_time; default period 300.
    doc = _stats(client, name='s', statistics='sum',
                 start_time='2015-01-01T00:01:30Z',
                 end_time='2015-01-02T00:00:00Z').json
    assert doc['elements'][0]['statistics'] == [
        ['2015-01-01T00:00:00Z', 12.0]]


def test_statistics_errors_and_paging(client: Client) -> None:
    post(client, *[metric('s', T0 + i * 60_000, i) for i in range(5)])
    end = '2015-01-02T00:00:00Z'
    assert _stats(client, name='s').json['description'] == \
        'Missing statistics'
    assert _stats(client, name='s', statistics='avg,median').json[
        'description'] == 'Invalid statistic'
    assert _stats(client, name='s', statistics='avg', period='x').json[
        'description'] == 'Period must be a valid integer'
    assert _stats(client, name='s', statistics='avg', period='-1').json[
        'description'] == 'Period must be a positive integer'
    assert _stats(client, name='s', statistics='avg',
                  period='0').status == 500
    doc = _stats(client, name='s', statistics='count', period='60',
                 end_time=end, limit='2').json
    assert len(doc['elements'][0]['statistics']) == 2
    assert next_offset(doc) == '2015-01-01T00:01:00Z'
    doc = _stats(client, name='s', statistics='count', period='60',
                 end_time=end, limit='2', offset=next_offset(doc)).json
    assert [r[0] for r in doc['elements'][0]['statistics']] == [
        '2015-01-01T00:02:00Z', '2015-01-01T00:03:00Z']
    assert _stats(client, name='s', statistics='avg',
                  offset='2015-01-01').status == 500


def test_trailing_slash_and_unknown_routes(client: Client) -> None:
    assert client.get('/v2.0/metrics/').status == 200
    result = client.get('/v2.0/nothing')
    assert result.status == 404
    assert result.json == {'title': '404 Not Found'}
    result = client.post('/v2.0/alarms', {})
    assert result.status == 405
    assert result.json == {'title': '405 Method Not Allowed'}
    assert result.header('Allow')


def test_request_id_header(client: Client) -> None:
    result = client.get('/v2.0/metrics')
    assert result.header('x-openstack-request-id').startswith('req-')
    assert client.get('/nope/x').header('x-openstack-request-id')


def test_merged_paging_interleaves_series(client: Client) -> None:
    post(client, *[metric('mm', T0 + i * 2, i * 2, {'h': 'a'})
                   for i in range(5)],
         *[metric('mm', T0 + i * 2 + 1, i * 2 + 1, {'h': 'b'})
           for i in range(5)])
    values: list[float] = []
    offset = None
    while True:
        params = {'name': 'mm', 'merge_metrics': 'true', 'limit': '4'}
        if offset:
            params['offset'] = offset
        doc = _measure(client, **params).json
        for element in doc['elements']:
            values += [m[1] for m in element['measurements']]
        offset = next_offset(doc)
        if offset is None:
            break
    assert values == [float(v) for v in range(10)]


def test_statistics_group_by_ids_restart_at_0_per_page(client: Client) -> None:
    post(client, *[metric('gs', T0 + i * 60_000, i, {'h': h})
                   for h in ('a', 'b', 'c') for i in range(3)])
    pages, offset = [], None
    while True:
        params = {'name': 'gs', 'statistics': 'count', 'period': '60',
                  'group_by': 'h', 'limit': '4'}
        if offset:
            params['offset'] = offset
        doc = _stats(client, **params).json
        pages.append([(e['id'], e['dimensions']['h'], len(e['statistics']))
                      for e in doc['elements']])
        offset = next_offset(doc)
        if offset is None:
            break
    # As InfluxDB: element ids count from 0 in every response; the next
    # link's <group>_<timestamp> still resumes exactly where it stopped.
    assert pages == [[('0', 'a', 3), ('1', 'b', 1)],
                     [('0', 'b', 2), ('1', 'c', 2)],
                     [('0', 'c', 1)]]


def test_statistics_without_end_time_are_not_cut_at_now(client: Client
                                                        ) -> None:
    future = int(time.time() * 1000) + 3_600_000
    post(client, metric('fut', T0, 1), metric('fut', future, 2))
    doc = _stats(client, name='fut', statistics='count', period='60').json
    assert [row[1] for row in doc['elements'][0]['statistics']] == [1, 1]


def test_version_link_has_no_trailing_slash(client: Client) -> None:
    doc = client.get('/v2.0/').json
    assert doc['links'][0]['href'].endswith('/v2.0')


def test_measurements_from_a_database_without_rendered_items(tmp_path
                                                            ) -> None:
    """A database written before measurements kept their rendered form
    gets the column on open and serves its old rows rendered on read,
    exactly as new rows are served."""
    import sqlite3

    from monasca_osc.sandbox.server import make_app

    path = str(tmp_path / 'old.db')
    app = make_app(path)
    client = Client(app)
    post(client, metric('m', T0, value=1.5, value_meta={'k': 'é'}),
         metric('m', T0 + 1, value=2))
    served = client.get('/v2.0/metrics/measurements',
                        params={'name': 'm', 'start_time': START}).body
    app.store.close()
    old = sqlite3.connect(path)
    old.execute('ALTER TABLE measurements DROP COLUMN item')
    old.commit()
    old.close()
    app = make_app(path)
    again = Client(app).get('/v2.0/metrics/measurements',
                            params={'name': 'm', 'start_time': START})
    assert again.body == served
    assert again.json['elements'][0]['measurements'] == [
        ['2015-01-01T00:00:00.000Z', 1.5, {'k': 'é'}],
        ['2015-01-01T00:00:00.001Z', 2.0, {}]]
    app.store.close()

"""The one pager: offsets out of next links, limits, loop guard."""

from __future__ import annotations

import threading

import pytest

from monasca_osc import exceptions as exc
from monasca_osc.api import pager
from monasca_osc.tests.unit import utils
from monasca_osc.tests.unit.utils import page

URL = utils.ROOT + '/metrics'


def _rows(n: int, start: int = 0) -> list[dict]:
    return [{'id': str(i), 'name': f'm{i}'} for i in range(start, start + n)]


def test_next_offset_parsing() -> None:
    assert pager.next_offset({'links': []}) is None
    assert pager.next_offset({}) is None
    assert pager.next_offset({'links': [{'rel': 'self', 'href': 'x?offset=1'}
                                        ]}) is None
    assert pager.next_offset({'links': [
        {'rel': 'next', 'href': 'http://h/v2.0/m?limit=2&offset=a%3Ab'}]}) \
        == 'a:b'
    # decoded exactly once
    assert pager.next_offset({'links': [
        {'rel': 'next', 'href': 'http://h/m?offset=2015%253A00'}]}) == \
        '2015%3A00'
    assert pager.next_offset({'links': [
        {'rel': 'next', 'href': 'http://h/m?limit=2'}]}) is None


def test_follows_offsets_with_the_original_request(requests_mock,
                                                   adapter) -> None:
    requests_mock.get(URL, [
        {'json': page(_rows(2), next_offset='1')},
        {'json': page(_rows(2, 2), next_offset='3')},
        {'json': page(_rows(1, 4))}])
    rows = list(pager.iterate_pages(adapter, 'metrics',
                                    {'name': 'cpu', 'dimensions': 'a:b'},
                                    page_size=2))
    assert [r['id'] for r in rows] == ['0', '1', '2', '3', '4']
    queries = [utils.query(r) for r in requests_mock.request_history]
    assert queries == [
        {'name': 'cpu', 'dimensions': 'a:b', 'limit': '2'},
        {'name': 'cpu', 'dimensions': 'a:b', 'limit': '2', 'offset': '1'},
        {'name': 'cpu', 'dimensions': 'a:b', 'limit': '2', 'offset': '3'}]


def test_never_requests_the_next_href(requests_mock, adapter) -> None:
    # Upstream double-encodes values and may even mangle the path: only the
    # offset may be taken from the link.
    garbage = ('http://evil.example:1/v9/%252Fmetrics%2Fmeasurements/../x'
               '?name=cpu%253Aidle&start_time=2015-03-01T00%253A00%253A00Z'
               '&dimensions=host%253Aa&limit=999'
               '&offset=0_2015-03-01T00%3A00%3A01.000Z')
    url = utils.ROOT + '/metrics/measurements'
    requests_mock.get(url, [
        {'json': page([{'id': '0', 'measurements': [[1, 2, {}]]}],
                      next_href=garbage)},
        {'json': page([])}])
    params = {'name': 'cpu', 'start_time': '2015-03-01T00:00:00Z',
              'dimensions': 'host:a'}
    list(pager.iterate_pages(adapter, 'metrics/measurements', params,
                             page_size=5))
    assert requests_mock.call_count == 2
    second = requests_mock.request_history[1]
    assert second.url.startswith(url + '?')
    assert utils.query(second) == {
        'name': 'cpu', 'start_time': '2015-03-01T00:00:00Z',
        'dimensions': 'host:a', 'limit': '5',
        'offset': '0_2015-03-01T00:00:01.000Z'}
    assert '%25' not in utils.raw_query(second)
    assert 'evil' not in second.url


def test_stops_without_next_link(requests_mock, adapter) -> None:
    requests_mock.get(URL, json=page(_rows(3)))
    assert len(list(pager.iterate_pages(adapter, 'metrics', {}))) == 3
    assert requests_mock.call_count == 1
    assert utils.query(requests_mock.last_request) == {'limit': '10000'}


def test_stops_on_an_empty_page_even_with_a_next_link(requests_mock,
                                                      adapter) -> None:
    requests_mock.get(URL, [{'json': page(_rows(2), next_offset='1')},
                            {'json': page([], next_offset='1')}])
    assert len(list(pager.iterate_pages(adapter, 'metrics', {},
                                        page_size=2))) == 2
    assert requests_mock.call_count == 2


def test_stops_at_the_limit(requests_mock, adapter) -> None:
    requests_mock.get(URL, [
        {'json': page(_rows(2), next_offset='1')},
        {'json': page(_rows(1, 2), next_offset='2')}])
    rows = list(pager.iterate_pages(adapter, 'metrics', {}, limit=3,
                                    page_size=2))
    assert len(rows) == 3
    assert requests_mock.call_count == 2
    # The last page only asks for what is still missing.
    assert [utils.query(r)['limit'] for r in
            requests_mock.request_history] == ['2', '1']


def test_limit_is_a_hard_cap_even_if_the_server_sends_more(
        requests_mock, adapter) -> None:
    requests_mock.get(URL, json=page(_rows(5), next_offset='4'))
    rows = list(pager.iterate_pages(adapter, 'metrics', {}, limit=3))
    assert [r['id'] for r in rows] == ['0', '1', '2']
    assert requests_mock.call_count == 1


def test_marker_starts_the_listing(requests_mock, adapter) -> None:
    requests_mock.get(URL, json=page(_rows(1, 8)))
    list(pager.iterate_pages(adapter, 'metrics', {'name': 'x'},
                             marker='7'))
    assert utils.query(requests_mock.last_request) == {
        'name': 'x', 'limit': '10000', 'offset': '7'}


def test_page_size_is_capped_at_the_server_maximum(requests_mock,
                                                   adapter) -> None:
    requests_mock.get(URL, json=page([]))
    list(pager.iterate_pages(adapter, 'metrics', {}, page_size=50000))
    assert utils.query(requests_mock.last_request)['limit'] == '10000'


def test_large_limit_is_split_into_capped_pages(requests_mock,
                                                adapter) -> None:
    calls = []

    def respond(request, context):
        limit = int(utils.query(request)['limit'])
        start = len(calls) * 10000
        calls.append(limit)
        return page([{'id': str(start + i)} for i in range(limit)],
                    next_offset=str(start + limit - 1))

    requests_mock.get(URL, json=respond)
    rows = list(pager.iterate_pages(adapter, 'metrics', {}, limit=25000))
    assert calls == [10000, 10000, 5000]
    assert len(rows) == 25000
    assert rows[-1]['id'] == '24999'


def test_measurements_are_counted_in_rows(requests_mock, adapter) -> None:
    url = utils.ROOT + '/metrics/measurements'
    series_a1 = {'id': '0', 'name': 'cpu', 'dimensions': {'h': 'a'},
                 'measurements': [['t1', 1, {}], ['t2', 2, {}],
                                  ['t3', 3, {}]]}
    series_a2 = {'id': '0', 'name': 'cpu', 'dimensions': {'h': 'a'},
                 'measurements': [['t4', 4, {}]]}
    series_b = {'id': '1', 'name': 'cpu', 'dimensions': {'h': 'b'},
                'measurements': [['t1', 5, {}]]}
    requests_mock.get(url, [
        {'json': page([series_a1], next_offset='0_t3')},
        {'json': page([series_a2, series_b], next_offset='1_t1')}])
    elements = list(pager.iterate_pages(
        adapter, 'metrics/measurements', {'name': 'cpu'}, limit=5,
        page_size=3, weight=lambda e: len(e['measurements'])))
    assert [len(e['measurements']) for e in elements] == [3, 1, 1]
    limits = [utils.query(r)['limit'] for r in requests_mock.request_history]
    assert limits == ['3', '2']
    assert utils.query(requests_mock.request_history[1])['offset'] == '0_t3'


def test_count_offsets_ignores_the_uuid_in_next_links(requests_mock,
                                                      adapter) -> None:
    url = utils.ROOT + '/notification-methods'
    uuid = '35cc6f1c-3a29-49fb-a6fc-d9d97d190508'
    requests_mock.get(url, [
        {'json': page(_rows(2), next_offset=uuid)},
        {'json': page(_rows(2, 2), next_offset=uuid + 'x')},
        {'json': page(_rows(1, 4))}])
    rows = list(pager.iterate_pages(adapter, 'notification-methods', {},
                                    page_size=2, count_offsets=True))
    assert len(rows) == 5
    offsets = [utils.query(r).get('offset')
               for r in requests_mock.request_history]
    assert offsets == [None, '2', '4']


def test_count_offsets_from_a_marker(requests_mock, adapter) -> None:
    url = utils.ROOT + '/notification-methods'
    requests_mock.get(url, [{'json': page(_rows(2), next_offset='zzz')},
                            {'json': page([])}])
    list(pager.iterate_pages(adapter, 'notification-methods', {},
                             marker='10', page_size=2, count_offsets=True))
    offsets = [utils.query(r).get('offset')
               for r in requests_mock.request_history]
    assert offsets == ['10', '12']


def test_repeated_offset_stops_with_an_error(requests_mock, adapter) -> None:
    requests_mock.get(URL, [
        {'json': page(_rows(1), next_offset='a')},
        {'json': page(_rows(1, 1), next_offset='b')},
        {'json': page(_rows(1, 2), next_offset='a')}])
    rows = []
    with pytest.raises(exc.InvalidResponse) as err:
        for row in pager.iterate_pages(adapter, 'metrics', {}):
            rows.append(row)
    assert "repeated the page offset 'a'" in str(err.value)
    assert len(rows) == 3
    assert requests_mock.call_count == 3


def test_same_offset_as_requested_is_a_loop(requests_mock, adapter) -> None:
    requests_mock.get(URL, json=page(_rows(1), next_offset='5'))
    with pytest.raises(exc.InvalidResponse):
        list(pager.iterate_pages(adapter, 'metrics', {}, marker='5'))
    assert requests_mock.call_count == 1


def test_non_collection_body_is_an_error(requests_mock, adapter) -> None:
    requests_mock.get(URL, json=['a'])
    with pytest.raises(exc.InvalidResponse) as err:
        list(pager.iterate_pages(adapter, 'metrics', {}))
    assert 'not a collection' in str(err.value)


def test_on_page_and_elements_key(requests_mock, adapter) -> None:
    url = utils.ROOT + '/alarms/count'
    requests_mock.get(url, json={'columns': ['count'], 'counts': [[3]],
                                 'links': []})
    pages = []
    rows = list(pager.iterate_pages(adapter, 'alarms/count', {},
                                    elements_key='counts',
                                    on_page=pages.append))
    assert rows == [[3]]
    assert pages[0]['columns'] == ['count']


def _pages(count: int) -> list[dict]:
    return [{'json': page(_rows(1, i),
                          next_offset=str(i) if i < count - 1 else None)}
            for i in range(count)]


def _settle(requests_mock, at_least: int) -> int:
    """The request count once the pager thread has stopped asking."""
    import time

    deadline = time.monotonic() + 5
    count = -1
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if requests_mock.call_count == count and count >= at_least:
            break
        count = requests_mock.call_count
    return requests_mock.call_count


def test_is_lazy(requests_mock, adapter) -> None:
    requests_mock.get(URL, _pages(10))
    iterator = pager.iterate_pages(adapter, 'metrics', {})
    assert requests_mock.call_count == 0
    next(iterator)
    # A few pages ahead while the caller works on this one (the next, and
    # up to MAX_AHEAD more in the background), never the whole collection.
    ahead = pager._ReadAhead.MAX_AHEAD
    assert _settle(requests_mock, 2 + ahead) == 2 + ahead
    for handed_out in (2, 3):
        next(iterator)
        assert _settle(requests_mock, handed_out + ahead) == max(
            handed_out + ahead, 2 + ahead)
    assert len(list(iterator)) == 7
    assert requests_mock.call_count == 10
    offsets = [utils.query(r).get('offset')
               for r in requests_mock.request_history]
    assert offsets == [None, *map(str, range(9))]


def test_background_requests_stop_with_the_caller(requests_mock,
                                                  adapter) -> None:
    requests_mock.get(URL, _pages(10))
    iterator = pager.iterate_pages(adapter, 'metrics', {})
    next(iterator)
    iterator.close()
    assert _settle(requests_mock, 2) <= 2 + pager._ReadAhead.MAX_AHEAD


def test_background_requests_follow_limit_and_never_repeat(
        requests_mock, adapter) -> None:
    requests_mock.get(URL, _pages(10))
    rows = list(pager.iterate_pages(adapter, 'metrics', {}, limit=3,
                                    page_size=1))
    assert [r['id'] for r in rows] == ['0', '1', '2']
    assert _settle(requests_mock, 3) == 3
    requests_mock.get(URL, [
        {'json': page(_rows(1), next_offset='a')},
        {'json': page(_rows(1, 1), next_offset='b')},
        {'json': page(_rows(1, 2), next_offset='a')},
        {'json': page(_rows(1, 3), next_offset='c')}])
    with pytest.raises(exc.InvalidResponse):
        list(pager.iterate_pages(adapter, 'metrics', {}))
    assert _settle(requests_mock, 3) == 3 + 3


@pytest.mark.parametrize('offset', ['1', 'a:b', '2015-01-01T00:00:00Z',
                                    '0_2015%3A00', 'é ü', '5f1c-uuid'])
def test_peeked_offset_is_the_decoded_pages(offset: str) -> None:
    import json

    body = page(_rows(3), next_offset=offset)
    raw = json.dumps(body).encode('utf-8')
    assert pager.peek_next_offset(raw) == pager.next_offset(body)
    assert pager.peek_next_offset(raw) is not None


@pytest.mark.parametrize('body', [
    page([], next_offset='1'),                 # no elements: no next page
    page(_rows(2)),                            # no next link
    {'elements': _rows(2), 'links': page([], next_offset='1')['links']},
    {'links': 'not a list'},
], ids=['empty', 'last', 'links-after-elements', 'no-elements'])
def test_peek_gives_up_where_only_the_decoded_page_can_say(body) -> None:
    import json

    assert pager.peek_next_offset(json.dumps(body).encode()) is None
    assert pager.peek_next_offset(b'{"links": [{"rel": "next", "hr') is None


def test_a_peeked_offset_the_decoded_page_denies_is_not_used(
        requests_mock, adapter) -> None:
    # The raw page's leading links say offset A; the decoded page (JSON
    # keeps the last of two keys) says B: B is the page that counts.
    first = ('{"links": [{"rel": "next", "href": "http://h/m?offset=A"}], '
             '"elements": [{"id": "0", "name": "m0"}], "links": '
             '[{"rel": "next", "href": "http://h/m?offset=B"}]}')
    pages = {None: first,
             'A': json_text(page(_rows(1, 7))),
             'B': json_text(page(_rows(1, 1)))}
    requests_mock.get(URL, text=lambda request, context: pages[
        utils.query(request).get('offset')])
    rows = list(pager.iterate_pages(adapter, 'metrics', {}))
    assert [r['id'] for r in rows] == ['0', '1']
    offsets = [utils.query(r).get('offset')
               for r in requests_mock.request_history]
    assert offsets[0] is None and 'B' in offsets


def test_listing_pages_are_peeked_and_decoded_once(requests_mock,
                                                   adapter) -> None:
    requests_mock.get(URL, [
        {'json': page(_rows(2), next_offset='1')},
        {'json': page(_rows(2, 2), next_offset='3')},
        {'json': page(_rows(1, 4))}])
    decoded = []
    real = adapter.decode

    def decode(response, method=None):
        decoded.append((str(utils.query(response.request).get('offset')),
                        threading.current_thread() is caller))
        return real(response, method)

    caller = threading.current_thread()

    adapter.decode = decode
    rows = list(pager.iterate_pages(adapter, 'metrics', {}, page_size=2))
    assert [r['id'] for r in rows] == ['0', '1', '2', '3', '4']
    assert [utils.query(r).get('offset')
            for r in requests_mock.request_history] == [None, '1', '3']
    # Each page decoded once: the one at '1', whose next offset its links
    # gave, by the caller; the last (no next link) in the pager thread.
    assert sorted(decoded) == [('1', True), ('3', False), ('None', True)]


def json_text(body) -> str:
    import json

    return json.dumps(body)

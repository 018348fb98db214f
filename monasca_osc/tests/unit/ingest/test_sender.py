"""rest.AdapterSender: the REST side of bulk ingest (real keystoneauth Session
into requests-mock)."""

from __future__ import annotations

import json
import threading

from keystoneauth1 import noauth
from keystoneauth1 import session as ks_session
import pytest

from monasca_osc import exceptions as exc
from monasca_osc.api import http
from monasca_osc.api.monitoring_client import MonitoringClient
from monasca_osc.ingest.ingester import Ingester
from monasca_osc.ingest.rest import AdapterSender
from monasca_osc.tests.unit import utils

URL = utils.ROOT + '/metrics'


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def adapter(sleeps) -> http.MonascaAdapter:
    session = ks_session.Session(auth=noauth.NoAuth())
    return http.MonascaAdapter(session, endpoint_override=utils.ENDPOINT,
                               sleep=sleeps.append)


def test_posts_the_body_verbatim_with_the_exact_content_type(
        requests_mock, adapter):
    requests_mock.post(URL, status_code=204)
    sender = AdapterSender(adapter, tenant_id='t1')
    body = b'[{"name":"a","value":1,"timestamp":1714557600000}]'
    sender.post(body)
    request = requests_mock.last_request
    assert request.body == body
    assert request.headers['Content-Type'] == 'application/json'
    assert utils.query(request) == {'tenant_id': 't1'}


def test_retries_and_backoff_come_from_the_ingester(requests_mock, adapter,
                                                    sleeps):
    requests_mock.post(URL, [
        {'status_code': 503, 'json': {'title': 'Service unavailable'}},
        {'status_code': 429, 'headers': {'Retry-After': '7'}},
        {'status_code': 500},
        {'status_code': 204}])
    sender = AdapterSender(adapter, retries=3, backoff=2.0)
    sender.post(b'[]')
    assert sender.retry_count == 3
    assert requests_mock.call_count == 4
    assert 1.0 <= sleeps[0] <= 2.0  # first backoff: jitter in [b/2, b]
    assert sleeps[1] == 7.0  # Retry-After wins
    assert 4.0 <= sleeps[2] <= 8.0
    # The shared adapter's own settings and counters are untouched.
    assert adapter.retries == http.DEFAULT_RETRIES
    assert adapter.retry_count == 0


def test_gives_up_after_the_retries(requests_mock, adapter):
    requests_mock.post(URL, status_code=502, text='<html>bad gateway</html>',
                       headers={'Content-Type': 'text/html'})
    sender = AdapterSender(adapter, retries=1)
    with pytest.raises(exc.ServerError) as err:
        sender.post(b'[]')
    assert err.value.http_status == 502
    assert requests_mock.call_count == 2


def test_422_is_not_retried(requests_mock, adapter):
    requests_mock.post(URL, status_code=422, json={
        'title': 'Unprocessable Entity',
        'description': 'Dimension value x of key k is bad: for metric m'})
    sender = AdapterSender(adapter, retries=5)
    with pytest.raises(exc.UnprocessableEntity):
        sender.post(b'[]')
    assert requests_mock.call_count == 1


def test_connection_resets_are_retried(requests_mock, adapter):
    import requests

    requests_mock.post(URL, [
        {'exc': requests.exceptions.ConnectionError('Connection reset')},
        {'status_code': 204}])
    sender = AdapterSender(adapter, retries=2)
    sender.post(b'[]')
    assert sender.retry_count == 1


def test_threads_share_the_session_with_their_own_adapter(requests_mock,
                                                          adapter):
    requests_mock.post(URL, [{'status_code': 503}, {'status_code': 204}] * 8)
    sender = AdapterSender(adapter, retries=3)
    seen = []

    def work():
        sender.post(b'[]')
        seen.append(sender._local.manager.adapter)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(a) for a in seen}) == 4
    assert all(a.session is adapter.session for a in seen)
    assert sender.retry_count == 4


def test_the_ingester_accepts_a_client_end_to_end(requests_mock, adapter,
                                                  tmp_path):
    bodies = []

    def record(request, context):
        bodies.append(json.loads(request.body))
        context.status_code = 204
        return ''
    requests_mock.post(URL, text=record)
    path = tmp_path / 'm.jsonl'
    path.write_text(''.join(json.dumps({'name': 'a', 'value': i,
                                        'timestamp': 1714557600 + i}) + '\n'
                            for i in range(25)))
    report = Ingester(MonitoringClient(adapter=adapter),
                      batch_size=10).ingest_file(str(path))
    assert report.sent == 25 and report.requests == 3
    assert sorted(m['value'] for b in bodies for m in b) == list(range(25))
    assert min(m['timestamp'] for b in bodies for m in b) == 1714557600000


def test_the_ingester_is_told_what_it_sends_through(adapter):
    from monasca_osc.tests.unit.ingest.fakes import FakeSender

    client = MonitoringClient(adapter=adapter)
    # A sender given where the client goes (or an adapter) is not guessed.
    for wrong in (FakeSender(), adapter):
        with pytest.raises(TypeError, match='give sender= for anything'):
            Ingester(wrong)
    with pytest.raises(ValueError, match='not both'):
        Ingester(client, sender=FakeSender())
    with pytest.raises(ValueError, match='unless dry_run'):
        Ingester()
    assert Ingester(dry_run=True).client is None
    sender = FakeSender()
    assert Ingester(sender=sender)._sender() is sender
    made = Ingester(client, retries=2)._sender()
    assert isinstance(made, AdapterSender) and made.base is adapter
    assert made.retries == 2

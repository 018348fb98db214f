"""Fixtures of the REST layer tests: a REAL keystoneauth Session.

Requests go through keystoneauth1's Session (auth plugin ``none``, which
sends ``X-Auth-Token: notused``) into requests-mock, so URL joining, headers
and exception translation are the real ones. ``sleeps`` records the backoff
delays instead of sleeping.
"""

from __future__ import annotations

from keystoneauth1 import noauth
from keystoneauth1 import session as ks_session
import pytest

from monasca_osc.api import http
from monasca_osc.api.monitoring_client import MonitoringClient
from monasca_osc.tests.unit import utils


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def session() -> ks_session.Session:
    return ks_session.Session(auth=noauth.NoAuth())


@pytest.fixture
def adapter(session: ks_session.Session,
            sleeps: list[float]) -> http.MonascaAdapter:
    return http.MonascaAdapter(session, endpoint_override=utils.ENDPOINT,
                               sleep=sleeps.append)


@pytest.fixture
def client(adapter: http.MonascaAdapter) -> MonitoringClient:
    return MonitoringClient(adapter=adapter)

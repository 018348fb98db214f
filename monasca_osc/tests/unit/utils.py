"""Helpers shared by the unit tests (no fixtures here: see conftest)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from monasca_osc.testing import page  # noqa: F401 - re-exported

ENDPOINT = 'http://monasca.test:8070/v2.0'
ROOT = 'http://monasca.test:8070/v2.0'
SERVER = 'http://monasca.test:8070/'


def query(request: Any) -> dict[str, Any]:
    """The exact (case-preserving, decoded once) query of a request.

    requests-mock's own ``qs`` lower-cases everything, which would hide
    encoding mistakes. A repeated parameter maps to a list.
    """
    parsed = parse_qs(urlsplit(request.url).query, keep_blank_values=True)
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


def raw_query(request: Any) -> str:
    return urlsplit(request.url).query


def path(request: Any) -> str:
    return urlsplit(request.url).path

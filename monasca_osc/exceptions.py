"""Exceptions of the monasca-osc REST layer and Python API.

Every exception renders as one line (``str(err)``) with the HTTP status,
the server's description or title, and the request id, so cliff can print
it as the single error line of a failed command. Standard library only.
"""

from __future__ import annotations

from monasca_osc.common.validation import ValidationError

__all__ = [
    'MonascaError', 'ClientError', 'BadRequest', 'Unauthorized', 'Forbidden',
    'NotFound', 'MethodNotAllowed', 'Conflict', 'UnprocessableEntity',
    'TooManyRequests', 'ServerError', 'ServiceUnavailable', 'ConnectionFailed',
    'Timeout', 'InvalidResponse', 'ValidationError', 'NotUnique',
    'BatchFailed', 'from_status',
]


class MonascaError(Exception):
    """Base class: a request to the Monasca API failed.

    Attributes: ``http_status`` (int or None), ``title``, ``description``,
    ``request_id``, ``method`` and ``url`` (may be None).
    """

    http_status: int | None = None

    def __init__(self, message: str | None = None, *,
                 http_status: int | None = None, title: str | None = None,
                 description: str | None = None,
                 request_id: str | None = None, method: str | None = None,
                 url: str | None = None, retry_after: float | None = None):
        if http_status is not None:
            self.http_status = http_status
        self.title = title
        self.description = description
        self.request_id = request_id
        self.method = method
        self.url = url
        self.retry_after = retry_after
        self.message = message or self._compose()
        super().__init__(self.message)

    # Legacy python-monascaclient exposed these names.
    @property
    def details(self) -> str | None:
        return self.description

    @property
    def status_code(self) -> int | None:
        return self.http_status

    def _compose(self) -> str:
        text = self.description or self.title or 'request failed'
        if self.title and self.description and \
                self.title.lower() not in self.description.lower():
            text = f'{self.title}: {self.description}'
        text = ' '.join(str(text).split())  # always one line
        where = f'HTTP {self.http_status}' if self.http_status else None
        if self.method and self.url and where:
            where = f'{where} on {self.method} {self.url}'
        if self.request_id:
            where = f'{where}, request id {self.request_id}' if where \
                else f'request id {self.request_id}'
        return f'{text} ({where})' if where else text

    def __str__(self) -> str:
        return self.message


class ClientError(MonascaError):
    """4xx responses."""


class BadRequest(ClientError):
    """400: an unreadable body, ``start_time`` not before ``end_time``, or a
    notification method the API refuses (API reference §4.2)."""

    http_status = 400


class Unauthorized(ClientError):
    """401: an invalid token, and also a refused policy: the Monasca API
    says 401, not 403, when the caller's roles do not allow the call."""

    http_status = 401


class Forbidden(ClientError):
    # The Monasca API itself never sends 403; a proxy in front of it may.
    http_status = 403


class NotFound(ClientError):
    """404: no such object in the caller's project (or no such route)."""

    http_status = 404


class MethodNotAllowed(ClientError):
    http_status = 405  # a method the URL does not route, e.g. POST /alarms


class Conflict(ClientError):
    """409: a definition or notification method name already in use, or
    a measurement/statistics query that matches several series (use
    ``merge_metrics`` or ``group_by``)."""

    http_status = 409


class UnprocessableEntity(ClientError):
    """422: query or body validation failed (names, dimensions, times,
    paging, severities, states, expressions), or a definition change the
    API refuses."""

    http_status = 422


class TooManyRequests(ClientError):
    """429: rate limited (a proxy); the adapter honours ``Retry-After``
    before it gives up."""

    http_status = 429


class ServerError(MonascaError):
    """5xx responses."""


class ServiceUnavailable(ServerError):
    """503: an unhealthy ``/healthcheck``, or the message queue behind
    metric POST is down (retried by the adapter)."""

    http_status = 503


class ConnectionFailed(MonascaError):
    """The server could not be reached, or dropped the connection."""


class Timeout(MonascaError):
    """The server did not answer in time."""


class InvalidResponse(MonascaError):
    """The server answered with a body that is not what the API returns."""


class NotUnique(MonascaError):
    """A name matched more than one resource."""


class BatchFailed(MonascaError):
    """Bulk ingest finished with rejected or unsent records."""


_BY_STATUS = {cls.http_status: cls for cls in (
    BadRequest, Unauthorized, Forbidden, NotFound, MethodNotAllowed,
    Conflict, UnprocessableEntity, TooManyRequests, ServiceUnavailable)}


def from_status(status: int) -> type[MonascaError]:
    """The exception class for an HTTP status code."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if 400 <= status < 500:
        return ClientError
    if status >= 500:
        return ServerError
    return MonascaError

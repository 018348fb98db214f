"""The one HTTP layer: a keystoneauth Adapter for the Monasca v2.0 API.

Auth, TLS, the catalog and ``--debug`` logging come from keystoneauth; this
module adds what Monasca needs on top:

* URLs relative to the ``/v2.0`` root, whether or not the configured
  endpoint already ends in ``/v2.0``;
* exactly ``Content-Type: application/json`` on writes (the API compares
  the string);
* retries of transient failures with exponential backoff, full jitter and
  ``Retry-After``;
* one error mapper turning every failure into a one-line MonascaError.
"""

from __future__ import annotations

from collections.abc import Mapping
import email.utils
import json
import logging
import random
import re
import time
from typing import Any
from urllib.parse import urlsplit

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import exceptions as ks_exc

from monasca_osc import exceptions as exc

LOG = logging.getLogger(__name__)

SERVICE_TYPE = 'monitoring'
API_VERSION_PATH = '/v2.0'
JSON = 'application/json'
RETRIABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH',
                                'OPTIONS'})
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 0.5
MAX_BACKOFF = 30.0
MAX_RETRY_AFTER = 120.0
_insecure_warned = False
_TITLE = re.compile(r'<title[^>]*>(.*?)</title>', re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r'<[^>]+>')


def version_root(endpoint: str) -> str:
    """``http://h:8070`` or ``http://h:8070/v2.0/`` -> ``http://h:8070/v2.0``."""
    url = endpoint.rstrip('/')
    if not url.endswith(API_VERSION_PATH):
        url += API_VERSION_PATH
    return url


def server_root(endpoint: str) -> str:
    """The URL of version discovery: the endpoint without ``/v2.0``."""
    url = endpoint.rstrip('/')
    if url.endswith(API_VERSION_PATH):
        url = url[:-len(API_VERSION_PATH)]
    return url + '/'


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _one_line(text: str, limit: int = 200) -> str:
    text = ' '.join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + '...'


# The Monasca API formats some messages from Python bytes: "b'OK'".
_BYTES_REPR = re.compile(r"""\bb(['"])(.*?)\1""")


def _without_bytes_reprs(text: str) -> str:
    """``b'...'`` artefacts of the API's messages as plain text: the
    quotes go when the whole message is one, else ``'...'`` stays."""
    whole = _BYTES_REPR.fullmatch(text.strip())
    if whole:
        return whole.group(2)
    return _BYTES_REPR.sub(r"'\2'", text)


def error_from_response(response: Any, method: str | None = None,
                        url: str | None = None) -> exc.MonascaError:
    """Map an HTTP error response to a MonascaError with one line.

    Monasca (falcon) bodies are ``{"title", "description"}``;
    keystonemiddleware sends ``{"error": {"message"}}``; the deprecated Java
    API nests ``{"<fault>": {"message", "details"}}``; proxies send HTML.
    """
    status = response.status_code
    title = description = None
    content_type = response.headers.get('Content-Type', '') or ''
    text = ''
    try:
        text = response.text or ''
    except Exception:  # noqa: BLE001 - undecodable bodies still get a line
        text = ''
    body: Any = None
    if text:
        try:
            body = json.loads(text)
        except ValueError:
            body = None
    if isinstance(body, Mapping):
        title = body.get('title')
        description = body.get('description')
        error = body.get('error')
        if isinstance(error, Mapping):
            description = description or error.get('message')
            title = title or error.get('title')
        if not (title or description):
            for value in body.values():
                if isinstance(value, Mapping) and value.get('message'):
                    description = value.get('message')
                    details = value.get('details')
                    if details:
                        description = f'{description}: {details}'
                    break
        if not (title or description):
            # gateways: {"message": "..."} or {"error": "..."}
            description = body.get('message') or (
                error if isinstance(error, str) else None)
    elif text:
        if 'html' in content_type.lower() or text.lstrip().startswith('<'):
            found = _TITLE.search(text)
            snippet = found.group(1) if found else _TAGS.sub(' ', text)
            description = f'non-JSON error page: {_one_line(snippet, 120)}'
        else:
            description = f'non-JSON error body: {_one_line(text, 120)}'
    # Bodies from other software may hold numbers or lists here.
    if title is not None and not isinstance(title, str):
        title = json.dumps(title)
    if description is not None and not isinstance(description, str):
        description = json.dumps(description)
    if not (title or description):
        title = getattr(response, 'reason', None) or 'HTTP error'
    if isinstance(title, str):
        title = _one_line(title)
    if isinstance(description, str):
        description = _one_line(_without_bytes_reprs(description), 400)
    request_id = (response.headers.get('x-openstack-request-id')
                  or response.headers.get('x-compute-request-id'))
    cls = exc.from_status(status)
    return cls(http_status=status, title=title, description=description,
               request_id=request_id, method=method, url=url,
               retry_after=parse_retry_after(
                   response.headers.get('Retry-After')))


def _connection_error(error: Exception, method: str,
                      url: str) -> exc.MonascaError:
    if isinstance(error, ks_exc.SSLError):
        reason = str(error)
        if 'CERTIFICATE_VERIFY_FAILED' in reason or 'certificate' in reason:
            hint = ('certificate verification failed; give the CA bundle '
                    'with --os-cacert (or --insecure to skip verification)')
        else:
            hint = _one_line(reason, 160)
        return exc.ConnectionFailed(f'TLS error talking to {url}: {hint}',
                                    method=method, url=url)
    if isinstance(error, ks_exc.ConnectTimeout):
        return exc.Timeout(f'Request timed out: {method} {url}',
                           method=method, url=url)
    if isinstance(error, ks_exc.ConnectFailure):
        return exc.ConnectionFailed(
            f'Cannot connect to the Monasca API at {url}: '
            f'{_short_reason(error)}', method=method, url=url)
    return exc.ConnectionFailed(
        f'Connection to the Monasca API failed on {method} {url}: '
        f'{_short_reason(error)}', method=method, url=url)


def _short_reason(error: Exception) -> str:
    text = str(error)
    for marker in ('Connection refused', 'Connection reset',
                   'Connection aborted', 'RemoteDisconnected',
                   'IncompleteRead', 'Name or service not known',
                   'timed out', 'No route to host'):
        if marker in text:
            return marker.lower() if marker[0].isupper() and ' ' in marker \
                else marker
    return _one_line(text, 160)


def warn_if_insecure(session: Any) -> None:
    """One warning line per process when TLS verification is off.

    urllib3 warns on every unverified request (two lines each, or nothing
    at all under OpenStackClient, which silences it); say it once instead.
    """
    global _insecure_warned
    if getattr(session, 'verify', True) is not False:
        return
    import warnings

    from urllib3.exceptions import InsecureRequestWarning

    warnings.simplefilter('ignore', InsecureRequestWarning)
    if not _insecure_warned:
        _insecure_warned = True
        LOG.warning('Warning: TLS certificate verification is disabled '
                    '(--insecure); the server is not authenticated')


class MonascaAdapter(ks_adapter.Adapter):
    """keystoneauth Adapter bound to the ``monitoring`` service."""

    def __init__(self, session: Any, *, retries: int = DEFAULT_RETRIES,
                 backoff: float = DEFAULT_BACKOFF,
                 max_backoff: float = MAX_BACKOFF,
                 timeout: float | None = None,
                 sleep: Any = time.sleep, **kwargs: Any):
        kwargs.setdefault('service_type', SERVICE_TYPE)
        super().__init__(session, **kwargs)
        warn_if_insecure(session)
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.request_timeout = timeout
        self._sleep = sleep
        self._root: str | None = None
        # Counters read by bulk ingest and tests.
        self.retry_count = 0

    # -- URLs -------------------------------------------------------------
    @property
    def root(self) -> str:
        """The ``.../v2.0`` URL, resolved once (catalog or override)."""
        if self._root is None:
            try:
                endpoint = self.endpoint_override or self.get_endpoint()
            except ks_exc.EndpointNotFound:
                endpoint = None
            if not endpoint:
                raise exc.ConnectionFailed(
                    'No Monasca API endpoint: the catalog has no '
                    f'{self.service_type!r} service; give --os-endpoint, '
                    'monitoring_endpoint_override or MONASCA_API_URL')
            self._root = version_root(endpoint)
        return self._root

    def url_for(self, path: str) -> str:
        if path.startswith(('http://', 'https://')):
            return path
        if path == '/' or path == '':
            return server_root(self.root)
        return self.root + '/' + path.lstrip('/')

    # -- requests ---------------------------------------------------------
    def call(self, method: str, path: str, *, params: Mapping | None = None,
             body: Any = None, idempotent: bool | None = None,
             expect_json: bool = True, data: bytes | None = None) -> Any:
        """Send one request; return the decoded JSON body (None for 204)."""
        response = self.send(method, path, params=params, body=body,
                             idempotent=idempotent, data=data)
        if response.status_code == 204 or not expect_json:
            return None
        return self.decode(response, method)

    def send(self, method: str, path: str, *, params: Mapping | None = None,
             body: Any = None, idempotent: bool | None = None,
             data: bytes | None = None) -> Any:
        """Send with retries; return the successful requests.Response."""
        method = method.upper()
        url = self.url_for(path)
        headers = {'Accept': JSON}
        if body is not None or data is not None:
            headers['Content-Type'] = JSON
            if data is None:
                data = json.dumps(body, allow_nan=False).encode('utf-8')
        if params:
            params = {k: v for k, v in params.items()
                      if v is not None and v != ''}
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        attempt = 0
        while True:
            kwargs: dict[str, Any] = {'headers': headers, 'raise_exc': False,
                                      'params': params or None}
            if data is not None:
                kwargs['data'] = data
            if self.request_timeout:
                kwargs['timeout'] = self.request_timeout
            error: exc.MonascaError
            try:
                response = self.request(url, method, **kwargs)
            except (ks_exc.ConnectionError,
                    ks_exc.UnknownConnectionError) as err:
                error = _connection_error(err, method, url)
                # A TLS failure will not fix itself.
                retriable = idempotent and not isinstance(err,
                                                          ks_exc.SSLError)
            except ks_exc.ClientException as err:
                # Auth plugin failures (wrong password, no catalog entry).
                raise exc.MonascaError(_one_line(str(err), 300),
                                       method=method, url=url) from None
            else:
                if response.status_code < 400:
                    return response
                error = error_from_response(response, method, url)
                retriable = response.status_code in RETRIABLE_STATUSES and (
                    idempotent or response.status_code == 429)
            if not retriable or attempt >= self.retries:
                raise error
            delay = self._delay(attempt, error.retry_after)
            attempt += 1
            self.retry_count += 1
            LOG.info('Retrying %s %s in %.1fs (attempt %d of %d): %s',
                     method, url, delay, attempt, self.retries, error)
            self._sleep(delay)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, MAX_RETRY_AFTER)
        ceiling = min(self.max_backoff, self.backoff * (2 ** attempt))
        # Full jitter keeps many clients from retrying in lockstep.
        return random.uniform(ceiling / 2, ceiling)

    @staticmethod
    def decode(response: Any, method: str | None = None) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            content_type = response.headers.get('Content-Type', 'unknown')
            raise exc.InvalidResponse(
                f'The server returned a body that is not JSON '
                f'(HTTP {response.status_code}, {content_type}) on '
                f'{method} {urlsplit(response.url).path}: '
                f'{_one_line(response.text or "", 80)!r}',
                http_status=response.status_code, method=method,
                url=response.url) from None

    # Convenience wrappers used by the managers.
    def get_json(self, path: str, params: Mapping | None = None) -> Any:
        return self.call('GET', path, params=params)

    def post_json(self, path: str, body: Any, params: Mapping | None = None,
                  idempotent: bool = False) -> Any:
        return self.call('POST', path, params=params, body=body,
                         idempotent=idempotent)

    def put_json(self, path: str, body: Any) -> Any:
        return self.call('PUT', path, body=body)

    def patch_json(self, path: str, body: Any) -> Any:
        return self.call('PATCH', path, body=body)

    def delete_path(self, path: str) -> None:
        self.call('DELETE', path, expect_json=False)

"""Small WSGI toolkit for the sandbox: requests, errors, links, times."""

from __future__ import annotations

import calendar
import datetime
import json
import re
from typing import Any
from urllib.parse import parse_qsl, quote

from monasca_osc.common import fastjson

JSON = 'application/json'
MAX_LIMIT = 10000

_REASONS = {
    200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request',
    401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
    405: 'Method Not Allowed', 409: 'Conflict', 411: 'Length Required',
    413: 'Payload Too Large', 422: 'Unprocessable Entity',
    429: 'Too Many Requests', 500: 'Internal Server Error',
    502: 'Bad Gateway', 503: 'Service Unavailable',
    504: 'Gateway Timeout',
}


def status_line(code: int) -> str:
    return f'{code} {_REASONS.get(code, "Unknown")}'


class ApiError(Exception):
    """An error response in falcon's format: {"title", "description"}."""

    def __init__(self, status: int, title: str,
                 description: str | None = None,
                 headers: list[tuple[str, str]] | None = None) -> None:
        super().__init__(description or title)
        self.status = status
        self.title = title
        self.description = description
        self.headers = headers or []

    def body(self) -> dict[str, str]:
        data = {'title': self.title}
        if self.description is not None:
            data['description'] = self.description
        return data


def unprocessable(description: str,
                  title: str = 'Unprocessable Entity') -> ApiError:
    return ApiError(422, title, description)


def bad_request(description: str, title: str = 'Bad Request') -> ApiError:
    return ApiError(400, title, description)


def not_found() -> ApiError:
    return ApiError(404, '404 Not Found')


def server_error(description: str,
                 title: str = 'Service unavailable') -> ApiError:
    return ApiError(500, title, description)


def repository_error(description: str) -> ApiError:
    return ApiError(500, 'The repository was unable to process your request',
                    description)


class Response:
    __slots__ = ('status', 'headers', 'body')

    def __init__(self, status: int = 200, body: bytes = b'',
                 headers: list[tuple[str, str]] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = headers or []


def json_response(data: Any, status: int = 200) -> Response:
    # ensure_ascii=False like upstream's to_json.
    body = json.dumps(data, ensure_ascii=False).encode('utf-8')
    return Response(status, body, [('Content-Type', JSON)])


def raw_json_response(body: str, status: int = 200) -> Response:
    return Response(status, body.encode('utf-8'), [('Content-Type', JSON)])


def no_content() -> Response:
    return Response(204)


class Request:
    """What a handler needs from the WSGI environ."""

    def __init__(self, environ: dict) -> None:
        self.environ = environ
        self.method: str = environ['REQUEST_METHOD'].upper()
        raw_path = environ.get('PATH_INFO', '') or '/'
        try:
            path = raw_path.encode('latin-1').decode('utf-8')
        except UnicodeError:
            path = raw_path
        # Upstream strips trailing slashes before routing.
        self.path: str = path.rstrip('/') or '/'
        self.raw_path: str = path
        self.query_string: str = environ.get('QUERY_STRING', '')
        # Blank values are dropped, like falcon's parse_query_string.
        self.pairs: list[tuple[str, str]] = parse_qsl(
            self.query_string, keep_blank_values=False)
        self.params: dict[str, list[str]] = {}
        for name, value in self.pairs:
            self.params.setdefault(name, []).append(value)
        self.context = environ.get('monasca.context')
        self._body: bytes | None = None

    # -- URLs -----------------------------------------------------------
    @property
    def host_url(self) -> str:
        env = self.environ
        scheme = env.get('wsgi.url_scheme', 'http')
        host = env.get('HTTP_HOST')
        if not host:
            host = env.get('SERVER_NAME', '127.0.0.1')
            port = env.get('SERVER_PORT', '')
            if port and port not in ('80', '443'):
                host = f'{host}:{port}'
        return f'{scheme}://{host}'

    @property
    def base_uri(self) -> str:
        """scheme://host/path (the stripped path)."""
        return self.host_url + quote(self.path, safe='/:@!$&\'()*+,;=-._~')

    @property
    def uri(self) -> str:
        """The raw request URI, as falcon's req.uri."""
        uri = self.host_url + quote(self.raw_path,
                                    safe='/:@!$&\'()*+,;=-._~%')
        if self.query_string:
            uri += '?' + self.query_string
        return uri

    def link(self, params: list[tuple[str, str]] | None = None) -> str:
        """A link to this path with the given params, encoded once."""
        pairs = self.pairs if params is None else params
        href = self.base_uri
        if pairs:
            href += '?' + '&'.join(
                f'{quote(k, safe="")}={quote(v, safe="")}' for k, v in pairs)
        return href

    def self_link(self) -> dict[str, str]:
        return {'rel': 'self', 'href': self.link()}

    def next_link(self, offset: str) -> dict[str, str]:
        pairs = [('offset', offset)] + [
            (k, v) for k, v in self.pairs if k.lower() != 'offset']
        return {'rel': 'next', 'href': self.link(pairs)}

    def resource_href(self, *parts: str) -> str:
        return self.host_url + '/v2.0/' + '/'.join(parts)

    # -- parameters -----------------------------------------------------
    def first(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[0] if values else None

    def all(self, name: str) -> list[str]:
        return self.params.get(name, [])

    def limit(self) -> int:
        """Contract 0.6: blank/missing 10000, digits capped, else 422."""
        value = self.first('limit')
        if value is None:
            return MAX_LIMIT
        if not value.isdigit() or not value.isascii():
            raise ApiError(422, 'Invalid limit',
                           'Limit parameter must be a positive integer')
        return min(int(value), MAX_LIMIT)

    # -- body -----------------------------------------------------------
    @property
    def body(self) -> bytes:
        if self._body is None:
            stream = self.environ.get('wsgi.input')
            length = self.environ.get('CONTENT_LENGTH') or ''
            if stream is None:
                self._body = b''
            elif length.isdigit():
                self._body = stream.read(int(length))
            else:
                self._body = stream.read()
        return self._body

    @property
    def content_type(self) -> str | None:
        return self.environ.get('CONTENT_TYPE') or None

    def require_json_content_type(self) -> None:
        # Exact string equality, like upstream (charset suffix refused).
        if self.content_type != JSON:
            raise bad_request('Bad content type. Must be application/json',
                              title='Bad request')

    def json(self) -> Any:
        ctype = self.content_type
        media = ctype.split(';')[0].strip().lower() if ctype else JSON
        body = self.body
        if (media != JSON and not media.endswith('+json')) or not body:
            raise bad_request('Request body is not valid JSON',
                              title='Bad request')
        try:
            return fastjson.loads(body)
        except ValueError:
            raise bad_request('Request body is not valid JSON',
                              title='Bad request') from None

    def header(self, name: str) -> str | None:
        key = 'HTTP_' + name.upper().replace('-', '_')
        return self.environ.get(key)


# -- times --------------------------------------------------------------------

_ISO = re.compile(
    r'^\s*(\d{4})-?(\d{2})(?:-?(\d{2}))?'
    r'(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?)?'
    r'\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?\s*$')


def parse_iso(text: str) -> float:
    """ISO 8601 to epoch seconds (naive means UTC), like oslo parse_isotime.

    Raises ValueError on anything else.
    """
    match = _ISO.match(text)
    if not match:
        raise ValueError(text)
    year, month, day, hour, minute, second, frac, zone = match.groups()
    dt = datetime.datetime(
        int(year), int(month), int(day or 1), int(hour or 0),
        int(minute or 0), int(second or 0))
    seconds = calendar.timegm(dt.timetuple())
    if frac:
        seconds += int(frac[:6].ljust(6, '0')) / 1e6
    if zone and zone not in ('Z', 'z', 'UTC'):
        sign = -1 if zone[0] == '-' else 1
        digits = zone[1:].replace(':', '')
        offset = int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60
        seconds -= sign * offset
    return seconds


def query_time(req: Request, name: str, required: bool = False,
               missing: str = '') -> float | None:
    """A start_time/end_time parameter in epoch seconds, or 422."""
    value = req.first(name)
    if value is None:
        if required:
            raise unprocessable(missing)
        return None
    try:
        return parse_iso(value)
    except (ValueError, OverflowError):
        raise unprocessable(f"Unable to parse date string '{value}'") from None


def check_start_end(start: float | None, end: float | None) -> None:
    if end is not None and start is not None and not start < end:
        raise ApiError(400, 'Bad request',
                       'start_time must be before end_time')


def format_ms(ts_ms: int) -> str:
    """Measurement timestamp: YYYY-MM-DDTHH:MM:SS.mmmZ."""
    seconds, millis = divmod(int(ts_ms), 1000)
    return f'{second_text(seconds)}.{millis:03d}Z'


def format_seconds(seconds: int) -> str:
    """Statistics bucket timestamp: YYYY-MM-DDTHH:MM:SSZ."""
    return second_text(seconds) + 'Z'


_EPOCH = datetime.datetime(1970, 1, 1)
_second_cache: dict[int, str] = {}


def second_text(seconds: int) -> str:
    text = _second_cache.get(seconds)
    if text is None:
        text = (_EPOCH + datetime.timedelta(seconds=seconds)).strftime(
            '%Y-%m-%dT%H:%M:%S')
        if len(_second_cache) > 200000:
            _second_cache.clear()
        _second_cache[seconds] = text
    return text


def parse_offset_time(text: str) -> int:
    """An ISO or epoch-ms offset to epoch ms; ValueError otherwise."""
    if text.isdigit():
        return int(text)
    return int(round(parse_iso(text) * 1000))


def iso_now_seconds(now: float | None = None) -> str:
    """Alarm timestamps: Python isoformat of a seconds-precision DATETIME."""
    import time
    value = int(now if now is not None else time.time())
    return second_text(value) + 'Z'

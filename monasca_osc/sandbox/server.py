"""The sandbox WSGI application and its HTTP/1.1 server."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import io
import json
import logging
import re
import socket
import ssl
import struct
import sys
import time
from typing import Any
import uuid

from monasca_osc.sandbox import (
    alarm_definitions,
    alarms,
    auth,
    faults,
    metrics,
    notifications,
    testapi,
    versions,
    web,
)
from monasca_osc.sandbox.context import (
    DEFAULT_NOTIFICATION_TYPES,
    SandboxConfig,
)
from monasca_osc.sandbox.evaluator import Evaluator, Ticker
from monasca_osc.sandbox.store import Store
from monasca_osc.sandbox.web import ApiError, Request, Response

LOG = logging.getLogger('monasca_osc.sandbox')

FORBIDDEN = 'The request does not have access to this service'


Handler = Callable[..., Response]
_ID = '([^/]+)'

# Literal paths come before {id} paths, as in falcon.
ROUTES: list[tuple[re.Pattern[str], dict[str, Handler]]] = [
    (re.compile(p + '$'), m) for p, m in [
        ('/v2.0/metrics', {'GET': metrics.list_metrics,
                           'POST': metrics.post_metrics}),
        ('/v2.0/metrics/names', {'GET': metrics.list_names}),
        ('/v2.0/metrics/measurements', {'GET': metrics.list_measurements}),
        ('/v2.0/metrics/statistics', {'GET': metrics.list_statistics}),
        ('/v2.0/metrics/dimensions/names',
         {'GET': metrics.list_dimension_names}),
        ('/v2.0/metrics/dimensions/names/values',
         {'GET': metrics.list_dimension_values}),
        ('/v2.0/notification-methods',
         {'GET': notifications.list_notifications,
          'POST': notifications.post_notification}),
        ('/v2.0/notification-methods/types',
         {'GET': notifications.list_notification_types}),
        ('/v2.0/notification-methods/' + _ID,
         {'GET': notifications.get_notification,
          'PUT': notifications.put_notification,
          'PATCH': partial(notifications.put_notification, patch=True),
          'DELETE': notifications.delete_notification}),
        ('/v2.0/alarm-definitions',
         {'GET': alarm_definitions.list_definitions,
          'POST': alarm_definitions.post_definition,
          'PUT': alarm_definitions.no_definition_id,
          'PATCH': alarm_definitions.no_definition_id,
          'DELETE': alarm_definitions.no_definition_id}),
        ('/v2.0/alarm-definitions/' + _ID,
         {'GET': alarm_definitions.get_definition,
          'PUT': alarm_definitions.update_definition,
          'PATCH': partial(alarm_definitions.update_definition, patch=True),
          'DELETE': alarm_definitions.delete_definition}),
        ('/v2.0/alarms', {'GET': alarms.list_alarms}),
        ('/v2.0/alarms/count', {'GET': alarms.count_alarms}),
        ('/v2.0/alarms/state-history', {'GET': alarms.list_history}),
        ('/v2.0/alarms/' + _ID,
         {'GET': alarms.get_alarm,
          'PUT': alarms.update_alarm,
          'PATCH': partial(alarms.update_alarm, patch=True),
          'DELETE': alarms.delete_alarm}),
        ('/v2.0/alarms/' + _ID + '/state-history',
         {'GET': alarms.alarm_history}),
    ]
]


class SandboxApp:
    """WSGI callable: test API and health outside auth, the API inside.

    It is the handlers' ``context.AppContext``.
    """

    def __init__(self, store: Store, config: SandboxConfig,
                 evaluator: Evaluator | None = None) -> None:
        self.store = store
        self.config = config
        self.evaluator = evaluator or Evaluator(store)
        self.faults = faults.Faults()
        self.requests = faults.RequestLog()
        self.ticker: Ticker | None = None
        if config.keystone:
            kc = config.keystone
            self._protected = auth.keystone_middleware(
                self._api, config.roles, kc['url'], kc['user'],
                kc['password'], kc.get('project', 'service'),
                kc.get('user_domain', 'Default'),
                kc.get('project_domain', 'Default'))
        else:
            self._protected = auth.HeaderAuth(self._api, config.roles)

    # -- policy -----------------------------------------------------------
    def allowed(self, req: Request, rule: str) -> bool:
        ctx = req.context
        return ctx is not None and ctx.allowed(rule, self.config.roles)

    def authorize(self, req: Request, rule: str) -> None:
        if not self.allowed(req, rule):
            raise ApiError(401, 'Forbidden', FORBIDDEN,
                           [('WWW-Authenticate', 'Token')])

    def start_ticker(self, interval: float) -> None:
        if interval and interval > 0:
            self.ticker = Ticker(self.evaluator, interval)
            self.ticker.start()

    def close(self) -> None:
        if self.ticker:
            self.ticker.stop()
        self.store.close()

    # -- WSGI -------------------------------------------------------------
    def __call__(self, environ: dict, start_response: Callable) -> Iterable:
        request_id = 'req-' + str(uuid.uuid4())

        def respond(status: str, headers: list, exc_info: Any = None):
            headers = list(headers) + [('x-openstack-request-id',
                                        request_id)]
            return start_response(status, headers, exc_info)

        path = environ.get('PATH_INFO') or '/'
        method = environ['REQUEST_METHOD'].upper()
        if path.startswith('/sandbox') and self.config.enable_test_api:
            return self._finish(self._test_api(Request(environ)), respond,
                                environ)
        if path.rstrip('/') == '/healthcheck':
            return self._finish(self._health(Request(environ)), respond,
                                environ)
        if not path.startswith('/sandbox'):
            self.requests.record(method, path, environ.get('QUERY_STRING', ''))
        rule = self.faults.match(method, path)
        if rule is not None:
            if rule.latency:
                time.sleep(rule.latency)
            if rule.action is not None or rule.status is not None:
                return self._fault(rule, environ, respond)
        return self._protected(environ, respond)

    def _api(self, environ: dict, start_response: Callable) -> Iterable:
        req = Request(environ)
        try:
            response = self._route(req)
        except ApiError as exc:
            response = self._error(req, exc)
        except Exception as exc:  # noqa: BLE001 - falcon's catch-all 500
            LOG.exception('unexpected error on %s %s', req.method, req.path)
            response = self._error(req, web.server_error(str(exc)))
        return self._finish(response, start_response, environ)

    def _finish(self, response: Response, start_response: Callable,
                environ: dict) -> list[bytes]:
        headers = list(response.headers)
        body = response.body
        if environ.get('REQUEST_METHOD') == 'HEAD':
            body = b''
        if response.status != 204 or body:
            headers.append(('Content-Length', str(len(body))))
        start_response(web.status_line(response.status), headers)
        return [body]

    def _error(self, req: Request, exc: ApiError) -> Response:
        headers = list(exc.headers) + [('Vary', 'Accept')]
        accept = (req.header('Accept') or '').lower()
        if accept and not any(kind in accept for kind in
                              ('json', '*/*', 'application/*')):
            if 'xml' in accept:
                body = ('<?xml version="1.0" encoding="UTF-8"?><error>'
                        f'<title>{_xml(exc.title)}</title>'
                        + (f'<description>{_xml(exc.description)}'
                           '</description>' if exc.description else '')
                        + '</error>').encode('utf-8')
                return Response(exc.status, body, headers + [
                    ('Content-Type', 'application/xml')])
            return Response(exc.status, b'', headers)
        response = web.json_response(exc.body(), exc.status)
        response.headers += headers
        return response

    def _route(self, req: Request) -> Response:
        path = req.path
        if path == '/':
            return versions.list_versions(self, req)
        if path.count('/') == 1:
            return versions.get_version(self, req, path[1:])
        for pattern, methods in ROUTES:
            match = pattern.match(path)
            if match is None:
                continue
            handler = methods.get(req.method)
            if handler is None:
                raise ApiError(405, '405 Method Not Allowed', None,
                               [('Allow', ', '.join(sorted(methods)))])
            return handler(self, req, *match.groups())
        raise web.not_found()

    def _health(self, req: Request) -> Response:
        cache = [('Cache-Control', 'must-revalidate, no-cache, no-store')]
        if req.method == 'HEAD':
            return Response(204, b'', cache)
        if req.method != 'GET':
            return self._error(req, ApiError(
                405, '405 Method Not Allowed', None,
                [('Allow', 'GET, HEAD')]))
        status, db = 200, 'OK'
        try:
            with self.store.read() as conn:
                conn.execute('SELECT 1').fetchone()
        except Exception as exc:  # noqa: BLE001 - report, don't crash
            status, db = 503, str(exc)
        response = web.json_response(
            {'kafka': 'OK', 'alarms_database': db, 'metrics_database': db},
            status)
        response.headers += cache
        return response

    # -- test API ---------------------------------------------------------
    def _test_api(self, req: Request) -> Response:
        try:
            return testapi.route(self, req)
        except ApiError as exc:
            return self._error(req, exc)

    def _fault(self, rule: faults.FaultRule, environ: dict,
               start_response: Callable) -> list[bytes]:
        extra = []
        if rule.retry_after is not None:
            value = rule.retry_after
            extra.append(('Retry-After',
                          str(int(value)) if float(value).is_integer()
                          else str(value)))
        action = rule.action
        if action in ('drop', 'reset'):
            environ['sandbox.fault_action'] = action
            start_response('500 Internal Server Error', [])
            return []
        status = rule.status
        if action == 'truncate':
            if status is None:
                chunks: list[Any] = []
                captured: dict[str, Any] = {}

                def capture(status_text, headers, exc_info=None):
                    captured['status'] = status_text
                    captured['headers'] = headers
                    return chunks.append

                result = self._protected(environ, capture)
                body = b''.join(list(result) + chunks)
                headers = [(k, v) for k, v in captured['headers']
                           if k.lower() != 'content-length']
                status_text = captured['status']
            else:
                body = json.dumps(self._fault_body(rule, status)).encode()
                headers = [('Content-Type', web.JSON)]
                status_text = web.status_line(status)
            environ['sandbox.fault_action'] = 'truncate'
            cut = body[:len(body) // 2]
            start_response(status_text, headers + extra + [
                ('Content-Length', str(len(body) + 64))])
            return [cut]
        if action == 'html':
            code = status or 502
            reason = web.status_line(code).split(' ', 1)[1]
            body = faults.HTML_PAGE.format(code=code, reason=reason).encode()
            start_response(web.status_line(code), [
                ('Content-Type', 'text/html'),
                ('Content-Length', str(len(body)))] + extra)
            return [body]
        if action == 'garbage':
            code = status or 200
            body = faults.GARBAGE
            start_response(web.status_line(code), [
                ('Content-Type', web.JSON),
                ('Content-Length', str(len(body)))] + extra)
            return [body]
        code = status or 500
        if isinstance(rule.body, str):
            body = rule.body.encode('utf-8')
        else:
            body = json.dumps(self._fault_body(rule, code)).encode('utf-8')
        start_response(web.status_line(code), [
            ('Content-Type', web.JSON),
            ('Content-Length', str(len(body)))] + extra)
        return [body]

    @staticmethod
    def _fault_body(rule: faults.FaultRule, code: int) -> Any:
        if rule.body is not None:
            return rule.body
        return {'title': web.status_line(code).split(' ', 1)[1],
                'description': f'Injected by sandbox fault rule {rule.id}'}


def _xml(text: str | None) -> str:
    return (text or '').replace('&', '&amp;').replace('<', '&lt;').replace(
        '>', '&gt;')


def make_app(db: str = ':memory:', *,
             notification_types: Iterable[str] = DEFAULT_NOTIFICATION_TYPES,
             valid_periods: Iterable[int] = (0, 60),
             roles: auth.Roles | None = None,
             enable_test_api: bool = False,
             keystone: dict[str, str] | None = None,
             synchronous: str = 'NORMAL',
             clock: Callable[[], float] = time.time,
             evaluate_on_post: bool = True) -> SandboxApp:
    """Build the sandbox WSGI application (no server, no ticker)."""
    store = Store(db, synchronous=synchronous)
    config = SandboxConfig(
        notification_types=[t.strip().upper() for t in notification_types
                            if t.strip()],
        valid_periods=list(valid_periods), roles=roles or auth.Roles(),
        enable_test_api=enable_test_api, keystone=keystone)
    return SandboxApp(store, config, Evaluator(
        store, clock=clock, evaluate_on_post=evaluate_on_post))


# -- HTTP server --------------------------------------------------------------

class _WSGIRequestHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'monasca-sandbox'
    sys_version = ''
    # Headers and body go out in one write; Nagle would delay small replies.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if getattr(self.server, 'access_log', False):
            sys.stderr.write(
                f'{self.address_string()} - - '
                f'[{self.log_date_time_string()}] {format % args}\n')

    def _read_body(self) -> bytes:
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            chunks = []
            while True:
                line = self.rfile.readline()
                size = int(line.split(b';')[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b''.join(chunks)
        length = self.headers.get('Content-Length')
        if length and length.isdigit():
            return self.rfile.read(int(length))
        return b''

    def _handle(self) -> None:
        body = self._read_body()
        path, _, query = self.path.partition('?')
        if path.startswith(('http://', 'https://')):
            path = '/' + path.split('/', 3)[3] if path.count('/') > 2 else '/'
        from urllib.parse import unquote_to_bytes
        host, port = self.server.server_address[:2]
        environ: dict[str, Any] = {
            'REQUEST_METHOD': self.command,
            'SCRIPT_NAME': '',
            'PATH_INFO': unquote_to_bytes(path).decode('latin-1'),
            'QUERY_STRING': query,
            'RAW_URI': self.path,
            'SERVER_NAME': str(host),
            'SERVER_PORT': str(port),
            'SERVER_PROTOCOL': self.request_version,
            'REMOTE_ADDR': self.client_address[0],
            'wsgi.version': (1, 0),
            'wsgi.url_scheme': getattr(self.server, 'scheme', 'http'),
            'wsgi.input': io.BytesIO(body),
            'wsgi.errors': sys.stderr,
            'wsgi.multithread': True,
            'wsgi.multiprocess': False,
            'wsgi.run_once': False,
            'CONTENT_LENGTH': str(len(body)) if body else '',
        }
        if self.headers.get('Content-Type') is not None:
            environ['CONTENT_TYPE'] = self.headers['Content-Type']
        for name, value in self.headers.items():
            key = name.upper().replace('-', '_')
            if key in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
                continue
            key = 'HTTP_' + key
            if key in environ:
                environ[key] += ',' + value
            else:
                environ[key] = value
        state: dict[str, Any] = {}

        def start_response(status, headers, exc_info=None):
            state['status'] = status
            state['headers'] = headers
            return lambda data: state.setdefault('extra', []).append(data)

        result = self.server.app(environ, start_response)
        try:
            chunks = list(result)
        finally:
            close = getattr(result, 'close', None)
            if close:
                close()
        action = environ.get('sandbox.fault_action')
        if action in ('drop', 'reset'):
            self._kill_connection(reset=action == 'reset')
            return
        payload = b''.join(state.get('extra', []) + chunks)
        headers = state['headers']
        lines = [f'{self.protocol_version} {state["status"]}\r\n']
        has_length = False
        for key, value in headers:
            if key.lower() == 'content-length':
                has_length = True
            lines.append(f'{key}: {value}\r\n')
        if not has_length and not state['status'].startswith(('204', '304')):
            lines.append(f'Content-Length: {len(payload)}\r\n')
        lines.append('Server: monasca-sandbox\r\n')
        if action == 'truncate':
            self.close_connection = True
            lines.append('Connection: close\r\n')
        lines.append('\r\n')
        head = ''.join(lines).encode('latin-1')
        if self.command == 'HEAD':
            payload = b''
        try:
            self.wfile.write(head + payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return
        if action == 'truncate':
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _kill_connection(self, reset: bool) -> None:
        self.close_connection = True
        try:
            if reset:
                # SO_LINGER with a zero timeout makes close() send an RST.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack('ii', 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = \
        do_OPTIONS = _handle


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: Callable,
                 certfile: str | None = None, keyfile: str | None = None,
                 access_log: bool = False) -> None:
        super().__init__(address, _WSGIRequestHandler)
        self.app = app
        self.access_log = access_log
        self.scheme = 'http'
        if certfile:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile, keyfile)
            self.socket = context.wrap_socket(self.socket, server_side=True)
            self.scheme = 'https'

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f'{self.scheme}://{self.server_address[0]}:{self.port}'

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, TimeoutError)):
            return
        super().handle_error(request, client_address)

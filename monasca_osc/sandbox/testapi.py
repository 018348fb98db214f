"""The test-only API (``--enable-test-api``): faults, requests, evaluate.

Outside ``/v2.0`` and without authentication; see the sandbox README.
"""

from __future__ import annotations

from monasca_osc.sandbox import faults, web
from monasca_osc.sandbox.context import AppContext
from monasca_osc.sandbox.web import ApiError, Request, Response


def route(app: AppContext, req: Request) -> Response:
    path, method = req.path, req.method
    if path == '/sandbox/faults':
        if method == 'GET':
            return web.json_response({'faults': app.faults.list()})
        if method == 'DELETE':
            app.faults.clear()
            return web.no_content()
        if method == 'POST':
            data = req.json()
            items = data if isinstance(data, list) else [data]
            try:
                rules = [faults.parse_rule(item) for item in items]
            except ValueError as exc:
                raise web.bad_request(str(exc)) from None
            for rule in rules:
                app.faults.add(rule)
            result = [r.to_dict() for r in rules]
            return web.json_response(
                result if isinstance(data, list) else result[0], 201)
    elif path == '/sandbox/requests':
        if method == 'GET':
            return web.json_response(app.requests.snapshot())
        if method == 'DELETE':
            app.requests.reset()
            return web.no_content()
    elif path == '/sandbox/evaluate':
        if method == 'POST':
            return web.json_response(
                app.evaluator.tick(evaluate_instant(req)))
    else:
        raise web.not_found()
    raise ApiError(405, '405 Method Not Allowed')


def evaluate_instant(req: Request) -> int | None:
    """``{"at": <ISO 8601 or epoch ms>}`` (``now`` is the old name)."""
    if not req.body.strip():
        return None
    data = req.json()
    if not isinstance(data, dict):
        raise web.bad_request('expected {"at": <ISO 8601 or epoch ms>}')
    value = data.get('at', data.get('now'))
    if value is None:
        return None
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return int(value)
        return web.parse_offset_time(str(value))
    except (ValueError, OverflowError):
        raise web.bad_request(
            f'at: {value!r} is neither ISO 8601 nor epoch milliseconds'
        ) from None

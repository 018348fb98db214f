"""API versions: GET / and GET /v2.0."""

from __future__ import annotations

from monasca_osc.sandbox import web
from monasca_osc.sandbox.context import AppContext
from monasca_osc.sandbox.web import ApiError, Request, Response

VERSION_UPDATED = '2013-03-06T00:00:00.000Z'


def _get_only(req: Request) -> None:
    if req.method != 'GET':
        raise ApiError(405, '405 Method Not Allowed', None,
                       [('Allow', 'GET')])


def list_versions(app: AppContext, req: Request) -> Response:
    _get_only(req)
    app.authorize(req, 'api:versions')
    uri = req.uri.split('?')[0]
    return web.json_response({
        'links': [{'rel': 'self', 'href': uri}],
        'elements': [{'id': 'v2.0',
                      'links': [{'rel': 'self', 'href': uri + 'v2.0'}],
                      'status': 'CURRENT', 'updated': VERSION_UPDATED}]})


def get_version(app: AppContext, req: Request, version: str
                ) -> Response:
    _get_only(req)
    app.authorize(req, 'api:versions')
    if version != 'v2.0':
        raise web.unprocessable(f'No versions found matching {version}',
                                title='Invalid version')
    # The stripped path: GET /v2.0/ links to /v2.0, as upstream.
    return web.json_response({
        'id': 'v2.0',
        'links': [{'rel': 'self', 'href': req.base_uri}],
        'status': 'CURRENT', 'updated': VERSION_UPDATED})

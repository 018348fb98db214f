"""Notification methods: /v2.0/notification-methods and its types."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse
import uuid

from monasca_osc.common import validation
from monasca_osc.sandbox import query, web
from monasca_osc.sandbox.context import AppContext
from monasca_osc.sandbox.web import (
    Request,
    Response,
    bad_request,
    not_found,
)

_NM_FIELDS = ('name', 'type', 'address', 'period')


def _validate_notification(app: AppContext, body: Any,
                           require_all: bool) -> dict[str, Any]:
    """Upstream's voluptuous schema + checks; every failure is a 400."""
    if not isinstance(body, dict):
        raise bad_request('expected a dictionary')
    for key, value in body.items():
        if key not in _NM_FIELDS:
            raise bad_request(query.schema_error(key,
                                                 'extra keys not allowed'))
        if key in ('name', 'type', 'address') and not isinstance(value, str):
            raise bad_request(query.schema_error(
                key, 'expected str for dictionary value'))
        limit = {'name': 250, 'address': 512}.get(key)
        if limit and len(value) > limit:
            raise bad_request(query.schema_error(
                key, f'length of value must be at most {limit} for '
                     f'dictionary value'))
        if key == 'period' and not isinstance(value, (int, str)):
            raise bad_request(query.schema_error(
                key, 'expected int for dictionary value'))
    for key in ('name', 'type', 'address'):
        if key not in body:
            raise bad_request(query.schema_error(
                key, 'required key not provided'))
    result = dict(body)
    if 'period' not in body:
        if require_all:
            raise bad_request('Period is required')
        result['period'] = 0
    else:
        try:
            period = int(body['period'])
        except ValueError:
            raise bad_request(
                f"Period {body['period']} must be a valid integer") from None
        valid = app.config.valid_periods
        if period != 0 and period not in valid:
            raise bad_request(
                f'{period} is not in the configured list of valid periods: '
                f'{valid}')
        result['period'] = period
    ntype = body['type'].upper()
    address = body['address']
    if ntype == 'EMAIL':
        if not validation._EMAIL.match(address):
            raise bad_request(f'Address {address} is not of correct format')
    elif ntype == 'WEBHOOK':
        try:
            parsed = urlparse(address)
        except ValueError:
            raise bad_request(
                f'Address {address} is not of correct format') from None
        if not parsed.scheme:
            raise bad_request(f'Address {address} does not have URL scheme')
        if not parsed.netloc:
            raise bad_request(
                f'Address {address} does not have network location')
        if parsed.scheme not in ('http', 'https'):
            raise bad_request(f"Address {address} scheme is not in "
                              f"['http', 'https']")
    return result


def _nm_conflict(conn, tenant: str, name: str,
                 expected_id: str | None = None) -> None:
    rows = conn.execute(
        'SELECT id, name FROM notification_methods WHERE tenant = ?',
        (tenant,))
    query.name_conflict(rows, name, expected_id, 'A notification method',
                   'with name')


def _nm_type(app: AppContext, ntype: str) -> str:
    if ntype.upper() not in app.config.notification_types:
        raise bad_request(f'Not a valid notification method type {ntype} ')
    return ntype.upper()


def _nm_object(req: Request, row) -> dict[str, Any]:
    nid, name, ntype, address, period = row[:5]
    return {'id': nid, 'name': name, 'type': ntype, 'address': address,
            'period': period,
            'links': [{'href': req.resource_href('notification-methods', nid),
                       'rel': 'self'}]}


_NM_COLUMNS = 'id, name, type, address, period, created_at, updated_at'


def _nm_rows(conn, tenant: str, nid: str) -> list:
    """The tenant's method with ID ``nid``, as a list of zero or one row."""
    return conn.execute(
        f'SELECT {_NM_COLUMNS} FROM notification_methods '
        'WHERE tenant = ? AND id = ?', (tenant, nid)).fetchall()


def post_notification(app: AppContext, req: Request) -> Response:
    req.require_json_content_type()
    app.authorize(req, 'api:notifications:post')
    body = _validate_notification(app, req.json(), require_all=False)
    tenant = req.context.tenant
    nid = str(uuid.uuid4())
    stamp = query.now_iso()
    with app.store.write() as conn:
        _nm_conflict(conn, tenant, body['name'])
        ntype = _nm_type(app, body['type'])
        conn.execute(
            'INSERT INTO notification_methods VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
            (nid, tenant, body['name'], ntype, body['address'],
             body['period'], stamp, stamp))
    return web.json_response(
        _nm_object(req, (nid, body['name'], ntype, body['address'],
                         body['period'])), 201)


def list_notifications(app: AppContext, req: Request) -> Response:
    app.authorize(req, 'api:notifications:get')
    order = query.parse_sort_by(req, validation.NOTIFICATION_SORT_FIELDS)
    offset = query.int_offset(req)
    limit = req.limit()
    with app.store.read() as conn:
        rows = conn.execute(
            f'SELECT {_NM_COLUMNS} FROM notification_methods '
            'WHERE tenant = ?', (req.context.tenant,)).fetchall()
    names = ('id', 'name', 'type', 'address', 'period', 'created_at',
             'updated_at')
    items = [dict(zip(names, row, strict=False)) for row in rows]
    keys = {
        'id': lambda r: r['id'],
        'name': lambda r: query.collation_key(r['name']),
        'type': lambda r: query.collation_key(r['type']),
        'address': lambda r: query.collation_key(r['address']),
        'created_at': lambda r: r['created_at'],
        'updated_at': lambda r: r['updated_at'],
    }
    return query.sorted_collection(
        req, items, order, keys, 'id', offset, limit,
        lambda r: _nm_object(req, (r['id'], r['name'], r['type'],
                                   r['address'], r['period'])))


get_notification = query.get_one('api:notifications:get', _nm_rows,
                                 _nm_object)


def put_notification(app: AppContext, req: Request, nid: str,
                     patch: bool = False) -> Response:
    req.require_json_content_type()
    app.authorize(req, 'api:notifications:patch' if patch
                  else 'api:notifications:put')
    body = req.json()
    tenant = req.context.tenant
    with app.store.write() as conn:
        if patch:
            # PATCH loads the stored record first (404 before validation).
            row = query.found(_nm_rows(conn, tenant, nid))
            if isinstance(body, dict):
                for key, value in zip(_NM_FIELDS, row[1:5], strict=False):
                    body.setdefault(key, value)
        body = _validate_notification(app, body, require_all=True)
        _nm_conflict(conn, tenant, body['name'], expected_id=nid)
        ntype = _nm_type(app, body['type'])
        cur = conn.execute(
            'UPDATE notification_methods SET name = ?, type = ?, '
            'address = ?, period = ?, updated_at = ? '
            'WHERE tenant = ? AND id = ?',
            (body['name'], ntype, body['address'], body['period'],
             query.now_iso(), tenant, nid))
        if cur.rowcount == 0:
            raise not_found()
    return web.json_response(_nm_object(
        req, (nid, body['name'], ntype, body['address'], body['period'])))


def delete_notification(app: AppContext, req: Request, nid: str) -> Response:
    app.authorize(req, 'api:notifications:delete')
    with app.store.write() as conn:
        cur = conn.execute(
            'DELETE FROM notification_methods WHERE tenant = ? AND id = ?',
            (req.context.tenant, nid))
        if cur.rowcount == 0:
            raise not_found()
        # The FK cascade of upstream: drop it from every action list.
        conn.execute('DELETE FROM alarm_actions WHERE action_id = ?', (nid,))
    return web.no_content()


def list_notification_types(app: AppContext, req: Request) -> Response:
    app.authorize(req, 'api:notifications:type')
    elements = [{'type': t} for t in app.config.notification_types]
    return web.json_response({'links': [req.self_link()],
                              'elements': elements})

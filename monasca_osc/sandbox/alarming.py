"""Notification methods, alarm definitions, alarms and state history."""

from __future__ import annotations

from collections.abc import Callable, Iterable
import datetime
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
import uuid

from monasca_osc.common import expression as expr_mod
from monasca_osc.common import validation
from monasca_osc.common.validation import ValidationError
from monasca_osc.sandbox import web
from monasca_osc.sandbox.metrics import (
    as_filter,
    query_dimensions,
    validate_query_dimensions,
)
from monasca_osc.sandbox.web import (
    ApiError,
    Request,
    Response,
    bad_request,
    not_found,
    unprocessable,
)

if TYPE_CHECKING:
    from monasca_osc.sandbox.server import SandboxApp

SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']
STATES = ['ALARM', 'OK', 'UNDETERMINED']
STATE_RANK = {'OK': 0, 'UNDETERMINED': 1, 'ALARM': 2}
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
ACTION_STATES = (('alarm_actions', 'ALARM'), ('ok_actions', 'OK'),
                 ('undetermined_actions', 'UNDETERMINED'))
NOTIFICATION_SORT = ['id', 'name', 'type', 'address', 'created_at',
                     'updated_at']
DEFINITION_SORT = ['id', 'name', 'severity', 'created_at', 'updated_at']
ALARM_SORT = list(validation.ALARM_SORT_FIELDS)
COUNT_GROUP_BY = ['alarm_definition_id', 'name', 'state', 'severity', 'link',
                  'lifecycle_state', 'metric_name', 'dimension_name',
                  'dimension_value']


def collation_key(text: str | None) -> str:
    return '' if text is None else validation.collation_key(text)


def now_iso() -> str:
    return web.iso_now_seconds()


def _b(text: str) -> str:
    """Upstream's Python-3 byte-string artefact: b'...'."""
    return repr(text.encode('utf-8'))


# -- common query pieces ------------------------------------------------------

def parse_sort_by(req: Request, allowed: list[str]) -> list[tuple[str, str]]:
    value = req.first('sort_by')
    if value is None:
        return []
    result = []
    for item in value.split(','):
        parts = item.split()
        if len(parts) > 2:
            raise unprocessable(f'Invalid sort_by {item}')
        if not parts or parts[0] not in allowed:
            field = parts[0] if parts else item
            raise unprocessable(
                f'sort_by field {field} must be one of [{",".join(allowed)}]')
        if len(parts) > 1 and parts[1] not in ('asc', 'desc'):
            raise unprocessable(
                f"sort_by value {parts[1]} must be 'asc' or 'desc'")
        result.append((parts[0], parts[1] if len(parts) > 1 else 'asc'))
    return result


def int_offset(req: Request, message: str = 'Offset value {} must be an '
               'integer') -> int:
    value = req.first('offset')
    if value is None:
        return 0
    try:
        return int(value)
    except ValueError:
        raise unprocessable(message.format(value)) from None


def sort_rows(rows: list[dict], order: list[tuple[str, str]],
              keys: dict[str, Callable[[dict], Any]]) -> list[dict]:
    """Stable multi-key sort; None sorts first (MySQL asc)."""
    for field, direction in reversed(order):
        getter = keys[field]

        def key(row: dict, getter: Callable = getter) -> tuple:
            value = getter(row)
            return (value is not None, value if value is not None else '')

        rows.sort(key=key, reverse=direction == 'desc')
    return rows


def page(req: Request, rows: list, offset: int, limit: int
         ) -> tuple[list, str | None]:
    window = rows[offset:offset + limit + 1] if offset >= 0 else \
        rows[:limit + 1]
    if len(window) > limit:
        return window[:limit], str(offset + limit)
    return window, None


def collection(req: Request, elements: list, next_offset: str | None
               ) -> Response:
    links = [req.self_link()]
    if next_offset is not None:
        links.append(req.next_link(next_offset))
    return web.json_response({'links': links, 'elements': elements})


def _schema_error(path: str, message: str) -> str:
    return f"{message} @ data['{path}']"


# -- notification methods -----------------------------------------------------

_NM_FIELDS = ('name', 'type', 'address', 'period')


def _validate_notification(app: SandboxApp, body: Any,
                           require_all: bool) -> dict[str, Any]:
    """Upstream's voluptuous schema + checks; every failure is a 400."""
    if not isinstance(body, dict):
        raise bad_request('expected a dictionary')
    for key, value in body.items():
        if key not in _NM_FIELDS:
            raise bad_request(_schema_error(key, 'extra keys not allowed'))
        if key in ('name', 'type', 'address') and not isinstance(value, str):
            raise bad_request(_schema_error(
                key, 'expected str for dictionary value'))
        limit = {'name': 250, 'address': 512}.get(key)
        if limit and len(value) > limit:
            raise bad_request(_schema_error(
                key, f'length of value must be at most {limit} for '
                     f'dictionary value'))
        if key == 'period' and not isinstance(value, (int, str)):
            raise bad_request(_schema_error(
                key, 'expected int for dictionary value'))
    for key in ('name', 'type', 'address'):
        if key not in body:
            raise bad_request(_schema_error(key, 'required key not provided'))
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


def _name_conflict(rows: Any, name: str, expected_id: str | None,
                   what: str, with_name: str) -> None:
    """409 when another row of the tenant has ``name`` (compared as MySQL's
    utf8mb4_unicode_ci would); ``with_name`` keeps upstream's wording."""
    key = collation_key(name)
    for rid, other in rows:
        if collation_key(other) != key:
            continue
        if expected_id is None:
            raise ApiError(409, 'AlreadyExistsException',
                           f'{what} with the name {name} already exists')
        if rid != expected_id:
            raise ApiError(409, 'AlreadyExistsException',
                           f'{what} {with_name} {name} already exists with '
                           f'id {rid}')
        return


def _nm_conflict(conn, tenant: str, name: str,
                 expected_id: str | None = None) -> None:
    rows = conn.execute(
        'SELECT id, name FROM notification_methods WHERE tenant = ?',
        (tenant,))
    _name_conflict(rows, name, expected_id, 'A notification method',
                   'with name')


def _nm_type(app: SandboxApp, ntype: str) -> str:
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


def _nm_load(conn, tenant: str, nid: str):
    return conn.execute(
        f'SELECT {_NM_COLUMNS} FROM notification_methods '
        'WHERE tenant = ? AND id = ?', (tenant, nid)).fetchone()


def post_notification(app: SandboxApp, req: Request) -> Response:
    req.require_json_content_type()
    app.authorize(req, 'api:notifications:post')
    body = _validate_notification(app, req.json(), require_all=False)
    tenant = req.context.tenant
    nid = str(uuid.uuid4())
    stamp = now_iso()
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


def list_notifications(app: SandboxApp, req: Request) -> Response:
    app.authorize(req, 'api:notifications:get')
    order = parse_sort_by(req, NOTIFICATION_SORT)
    offset = int_offset(req)
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
        'name': lambda r: collation_key(r['name']),
        'type': lambda r: collation_key(r['type']),
        'address': lambda r: collation_key(r['address']),
        'created_at': lambda r: r['created_at'],
        'updated_at': lambda r: r['updated_at'],
    }
    if not any(field == 'id' for field, _ in order):
        order = order + [('id', 'asc')]
    sort_rows(items, order, keys)
    window, next_offset = page(req, items, offset, limit)
    elements = [_nm_object(req, (r['id'], r['name'], r['type'], r['address'],
                                 r['period'])) for r in window]
    return collection(req, elements, next_offset)


def get_notification(app: SandboxApp, req: Request, nid: str) -> Response:
    app.authorize(req, 'api:notifications:get')
    with app.store.read() as conn:
        row = _nm_load(conn, req.context.tenant, nid)
    if row is None:
        raise not_found()
    return web.json_response(_nm_object(req, row))


def put_notification(app: SandboxApp, req: Request, nid: str,
                     patch: bool = False) -> Response:
    req.require_json_content_type()
    app.authorize(req, 'api:notifications:patch' if patch
                  else 'api:notifications:put')
    body = req.json()
    tenant = req.context.tenant
    with app.store.write() as conn:
        if patch:
            # PATCH loads the stored record first (404 before validation).
            row = _nm_load(conn, tenant, nid)
            if row is None:
                raise not_found()
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
            (body['name'], ntype, body['address'], body['period'], now_iso(),
             tenant, nid))
        if cur.rowcount == 0:
            raise not_found()
    return web.json_response(_nm_object(
        req, (nid, body['name'], ntype, body['address'], body['period'])))


def delete_notification(app: SandboxApp, req: Request, nid: str) -> Response:
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


def list_notification_types(app: SandboxApp, req: Request) -> Response:
    app.authorize(req, 'api:notifications:type')
    elements = [{'type': t} for t in app.config.notification_types]
    return web.json_response({'links': [req.self_link()],
                              'elements': elements})


# -- alarm definitions --------------------------------------------------------

_AD_FIELDS = ('name', 'expression', 'description', 'severity', 'match_by',
              'alarm_actions', 'ok_actions', 'undetermined_actions',
              'actions_enabled')


def _action_list_error(value: Any, state: str) -> str | None:
    if not isinstance(value, list):
        return f'Not a list: {type(value)}'
    seen: list[str] = []
    for item in value:
        if not isinstance(item, str):
            return f'list item <{item}> -> {type(item)} not one of (str, ' \
                   f'unicode)'
        if len(item) > 50:
            return f'length {len(item)} > 50'
        if item in seen:
            return f'Duplicate {state} notification method {item}'
        seen.append(item)
    return None


def _validate_definition(body: Any, require_all: bool) -> None:
    """Upstream's voluptuous schema (extra keys allowed); 422 on failure."""
    if not isinstance(body, dict):
        raise unprocessable('expected a dictionary')
    for key, value in body.items():
        error = None
        if key in ('name', 'expression', 'description'):
            if not isinstance(value, str):
                error = 'expected str for dictionary value'
            elif key != 'expression' and len(value) > 255:
                error = ('length of value must be at most 255 for '
                         'dictionary value')
        elif key == 'severity':
            if not isinstance(value, str) or value.upper() not in SEVERITIES:
                error = 'not a valid value for dictionary value'
        elif key == 'match_by':
            if not isinstance(value, list):
                error = 'expected a list for dictionary value'
            else:
                for index, item in enumerate(value):
                    if not isinstance(item, str):
                        raise unprocessable(
                            f"expected str @ data['match_by'][{index}]")
        elif key == 'actions_enabled':
            if not isinstance(value, bool):
                error = 'expected bool for dictionary value'
        else:
            for field, state in ACTION_STATES:
                if key == field:
                    problem = _action_list_error(value, state)
                    if problem:
                        error = f'{problem} for dictionary value'
        if error:
            raise unprocessable(_schema_error(key, error))
    required = _AD_FIELDS if require_all else ('name', 'expression')
    for key in required:
        if key not in body:
            raise unprocessable(
                _schema_error(key, 'required key not provided'))
    if body.get('match_by'):
        try:
            validation.validate_match_by(body['match_by'])
        except ValidationError as exc:
            raise unprocessable(str(exc)) from None


def _parse_expression(text: str, artefacts: bool) -> expr_mod.Expression:
    try:
        return expr_mod.parse(text)
    except expr_mod.ExpressionError as exc:
        if artefacts:
            desc = (f'parser failed on expression {_b(text)} at column '
                    f'{_b(str(exc.column))}: {_b(exc.msg)}')
        else:
            desc = str(exc)
        raise unprocessable(desc, title='Invalid alarm expression') from None


def _ad_conflict(conn, tenant: str, name: str,
                 expected_id: str | None = None) -> None:
    rows = conn.execute(
        'SELECT id, name FROM alarm_definitions '
        'WHERE tenant = ? AND deleted_at IS NULL ORDER BY rowid', (tenant,))
    _name_conflict(rows, name, expected_id, 'An alarm definition',
                   'with the name')


def _check_actions(conn, actions: dict[str, list[str]]) -> None:
    # Like upstream, the existence check does not filter by tenant.
    for field, state in ACTION_STATES:
        for action_id in actions.get(field) or []:
            row = conn.execute(
                'SELECT 1 FROM notification_methods WHERE id = ?',
                (action_id,)).fetchone()
            if row is None:
                raise unprocessable(
                    f'Non-existent notification id {_b(action_id)} '
                    f'submitted for {_b(state)} notification action',
                    title='InvalidUpdateException')


def _store_actions(conn, did: str, actions: dict[str, list[str] | None]
                   ) -> None:
    for field, state in ACTION_STATES:
        ids = actions.get(field)
        if ids is None:
            continue
        conn.execute('DELETE FROM alarm_actions WHERE definition_id = ? '
                     'AND state = ?', (did, state))
        conn.executemany(
            'INSERT INTO alarm_actions (definition_id, state, action_id) '
            'VALUES (?, ?, ?)', [(did, state, i) for i in ids])


_AD_COLUMNS = ('id, name, description, expression, severity, match_by, '
               'actions_enabled, created_at, updated_at')


def _ad_rows(conn, tenant: str, did: str | None = None) -> list[dict]:
    sql = (f'SELECT {_AD_COLUMNS} FROM alarm_definitions '
           'WHERE tenant = ? AND deleted_at IS NULL')
    args: list[Any] = [tenant]
    if did is not None:
        sql += ' AND id = ?'
        args.append(did)
    rows = [dict(zip(('id', 'name', 'description', 'expression', 'severity',
                      'match_by', 'actions_enabled', 'created_at',
                      'updated_at'), row, strict=False))
            for row in conn.execute(sql, args)]
    if rows:
        actions: dict[str, dict[str, list[str]]] = {}
        ids = [r['id'] for r in rows]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for def_id, state, action in conn.execute(
                    'SELECT definition_id, state, action_id '
                    'FROM alarm_actions '
                    f'WHERE definition_id IN ({",".join("?" * len(chunk))}) '
                    'ORDER BY rowid', chunk):
                actions.setdefault(def_id, {}).setdefault(
                    state, []).append(action)
        for row in rows:
            mine = actions.get(row['id'], {})
            for field, state in ACTION_STATES:
                row[field] = mine.get(state, [])
    return rows


def _ad_object(req: Request, row: dict) -> dict[str, Any]:
    try:
        deterministic = expr_mod.parse(row['expression']).deterministic
    except expr_mod.ExpressionError:
        deterministic = False
    return {
        'id': row['id'],
        'links': [{'href': req.resource_href('alarm-definitions', row['id']),
                   'rel': 'self'}],
        'name': row['name'],
        'description': row['description'] if row['description'] else '',
        'expression': row['expression'],
        'deterministic': deterministic,
        'match_by': row['match_by'].split(',') if row['match_by'] else [],
        'severity': row['severity'].upper(),
        'actions_enabled': bool(row['actions_enabled']),
        'alarm_actions': row['alarm_actions'],
        'ok_actions': row['ok_actions'],
        'undetermined_actions': row['undetermined_actions'],
    }


def post_definition(app: SandboxApp, req: Request) -> Response:
    app.authorize(req, 'api:alarms:definition:post')
    body = req.json()
    _validate_definition(body, require_all=False)
    parsed = _parse_expression(body['expression'], artefacts=False)
    tenant = req.context.tenant
    did = str(uuid.uuid4())
    stamp = now_iso()
    row = {
        'id': did, 'name': body['name'], 'expression': body['expression'],
        'description': body.get('description', ''),
        'severity': body.get('severity', 'LOW').upper(),
        'match_by': ','.join(body.get('match_by') or []),
        'actions_enabled': 1,
    }
    actions = {field: list(body.get(field) or [])
               for field, _ in ACTION_STATES}
    with app.store.write() as conn:
        _ad_conflict(conn, tenant, body['name'])
        _check_actions(conn, actions)
        conn.execute(
            'INSERT INTO alarm_definitions (id, tenant, name, description, '
            'expression, severity, match_by, actions_enabled, created_at, '
            'updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            (did, tenant, row['name'], row['description'], row['expression'],
             row['severity'], row['match_by'], 1, stamp, stamp))
        _store_actions(conn, did, actions)
    app.evaluator.definitions_changed()
    row.update(actions)
    result = _ad_object(req, row)
    result['deterministic'] = parsed.deterministic
    return web.json_response(result, 201)


def list_definitions(app: SandboxApp, req: Request) -> Response:
    app.authorize(req, 'api:alarms:definition:get')
    name = req.first('name')
    dims = query_dimensions(req)
    severity = req.first('severity')
    severities = None
    if severity is not None:
        severities = []
        for item in severity.split('|'):
            if item.upper() not in SEVERITIES:
                raise unprocessable(
                    f'Severity {_b(item)} must be one of {SEVERITIES}',
                    title='Invalid Severity')
            severities.append(item.upper())
    order = parse_sort_by(req, DEFINITION_SORT)
    offset = int_offset(req)
    limit = req.limit()
    with app.store.read() as conn:
        rows = _ad_rows(conn, req.context.tenant)
    if name is not None:
        key = collation_key(name)
        rows = [r for r in rows if collation_key(r['name']) == key]
    if severities is not None:
        rows = [r for r in rows if r['severity'].upper() in severities]
    if dims:
        # Exact k:v pairs only, all within one sub-expression.
        wanted = set(dims.items())
        kept = []
        for row in rows:
            try:
                subs = expr_mod.parse(row['expression']).sub_expressions
            except expr_mod.ExpressionError:
                continue
            if any(wanted <= set(s.dimensions) for s in subs):
                kept.append(row)
        rows = kept
    keys = {
        'id': lambda r: r['id'],
        'name': lambda r: collation_key(r['name']),
        'severity': lambda r: r['severity'].upper(),  # alphabetical
        'created_at': lambda r: r['created_at'],
        'updated_at': lambda r: r['updated_at'],
    }
    if not any(field == 'id' for field, _ in order):
        order = order + [('id', 'asc')]
    sort_rows(rows, order, keys)
    window, next_offset = page(req, rows, offset, limit)
    return collection(req, [_ad_object(req, r) for r in window], next_offset)


def get_definition(app: SandboxApp, req: Request, did: str) -> Response:
    app.authorize(req, 'api:alarms:definition:get')
    with app.store.read() as conn:
        rows = _ad_rows(conn, req.context.tenant, did)
    if not rows:
        raise not_found()
    return web.json_response(_ad_object(req, rows[0]))


def no_definition_id(app: SandboxApp, req: Request) -> Response:
    raise bad_request('Alarm definition ID not provided')


def _check_sub_expressions(old: expr_mod.Expression,
                           new: expr_mod.Expression) -> None:
    from monasca_osc.alarming import model

    try:
        model.check_update(old, new)
    except model.UpdateRefused as exc:
        raise unprocessable(_b(str(exc)),
                            title='InvalidUpdateException') from None


def update_definition(app: SandboxApp, req: Request, did: str,
                      patch: bool = False) -> Response:
    app.authorize(req, 'api:alarms:definition:patch' if patch
                  else 'api:alarms:definition:put')
    body = req.json()
    if patch:
        if not isinstance(body, dict):
            raise unprocessable('expected a dictionary')
        if body.get('severity') is not None and (
                not isinstance(body['severity'], str)
                or body['severity'].upper() not in SEVERITIES):
            raise unprocessable('Invalid severity')
        for key in ('name', 'expression', 'description'):
            if body.get(key) is not None and not isinstance(body[key], str):
                raise unprocessable(_schema_error(
                    key, 'expected str for dictionary value'))
        # Absent or null fields keep their stored values.
        fields = {k: body.get(k) for k in _AD_FIELDS}
    else:
        _validate_definition(body, require_all=True)
        fields = {k: body[k] for k in _AD_FIELDS}
    new_expr = None
    if fields['expression'] is not None:
        new_expr = _parse_expression(fields['expression'], artefacts=True)
    tenant = req.context.tenant
    with app.store.write() as conn:
        if fields['name'] is not None:
            _ad_conflict(conn, tenant, fields['name'], expected_id=did)
        rows = _ad_rows(conn, tenant, did)
        if not rows:
            raise not_found()
        row = rows[0]
        if fields['match_by'] is not None:
            if ','.join(fields['match_by']) != row['match_by']:
                raise unprocessable('match_by must not change',
                                    title='InvalidUpdateException')
        if new_expr is not None:
            try:
                old_expr = expr_mod.parse(row['expression'])
            except expr_mod.ExpressionError:
                old_expr = None
            if old_expr is not None:
                _check_sub_expressions(old_expr, new_expr)
        actions = {field: fields[field] for field, _ in ACTION_STATES}
        _check_actions(conn, actions)
        for key in ('name', 'expression'):
            if fields[key] is not None:
                row[key] = fields[key]
        if fields['description'] is not None:
            row['description'] = fields['description']
        elif not patch:
            row['description'] = ''
        if fields['severity'] is not None:
            row['severity'] = fields['severity'].upper()
        if fields['actions_enabled'] is not None:
            # PATCH stores bool(value): the string "false" becomes true.
            row['actions_enabled'] = 1 if bool(fields['actions_enabled']) \
                else 0
        conn.execute(
            'UPDATE alarm_definitions SET name = ?, description = ?, '
            'expression = ?, severity = ?, actions_enabled = ?, '
            'updated_at = ? WHERE id = ?',
            (row['name'], row['description'], row['expression'],
             row['severity'], row['actions_enabled'], now_iso(), did))
        _store_actions(conn, did, actions)
        row = _ad_rows(conn, tenant, did)[0]
    app.evaluator.definitions_changed()
    return web.json_response(_ad_object(req, row))


def delete_definition(app: SandboxApp, req: Request, did: str) -> Response:
    app.authorize(req, 'api:alarms:definition:delete')
    with app.store.write() as conn:
        cur = conn.execute(
            'UPDATE alarm_definitions SET deleted_at = ? WHERE tenant = ? '
            'AND id = ? AND deleted_at IS NULL',
            (now_iso(), req.context.tenant, did))
        if cur.rowcount == 0:
            raise not_found()
        conn.execute('DELETE FROM alarm_metrics WHERE alarm_id IN '
                     '(SELECT id FROM alarms WHERE definition_id = ?)', (did,))
        conn.execute('DELETE FROM alarms WHERE definition_id = ?', (did,))
    app.evaluator.definitions_changed()
    return web.no_content()


# -- alarms -------------------------------------------------------------------

def load_alarms(conn, tenant: str, alarm_id: str | None = None) -> list[dict]:
    """Alarms of a tenant with definition fields and metrics."""
    sql = ('SELECT a.id, a.definition_id, a.state, a.lifecycle_state, '
           'a.link, a.created_at, a.updated_at, a.state_updated_at, '
           'd.name, d.severity FROM alarms a JOIN alarm_definitions d '
           'ON d.id = a.definition_id WHERE a.tenant = ?')
    args: list[Any] = [tenant]
    if alarm_id is not None:
        sql += ' AND a.id = ?'
        args.append(alarm_id)
    alarms = []
    by_id = {}
    for row in conn.execute(sql, args):
        alarm = dict(zip(('id', 'definition_id', 'state', 'lifecycle_state',
                          'link', 'created_at', 'updated_at',
                          'state_updated_at', 'definition_name', 'severity'),
                         row, strict=False))
        alarm['metrics'] = []
        alarms.append(alarm)
        by_id[alarm['id']] = alarm
    if alarms:
        msql = ('SELECT am.alarm_id, s.name, s.dims FROM alarm_metrics am '
                'JOIN series s ON s.id = am.series_id')
        margs: list[Any] = []
        if alarm_id is not None:
            msql += ' WHERE am.alarm_id = ?'
            margs.append(alarm_id)
        else:
            msql += ' JOIN alarms a ON a.id = am.alarm_id WHERE a.tenant = ?'
            margs.append(tenant)
        msql += ' ORDER BY s.name, s.dims_key'
        for aid, name, dims in conn.execute(msql, margs):
            if aid in by_id:
                by_id[aid]['metrics'].append(
                    {'name': name, 'dimensions': json.loads(dims)})
    return alarms


def alarm_object(req: Request, alarm: dict) -> dict[str, Any]:
    return {
        'id': alarm['id'],
        'links': [{'href': req.resource_href('alarms', alarm['id']),
                   'rel': 'self'}],
        'alarm_definition': {
            'id': alarm['definition_id'],
            'name': alarm['definition_name'],
            'severity': alarm['severity'].upper(),
            'links': [{'href': req.resource_href(
                'alarm-definitions', alarm['definition_id']), 'rel': 'self'}],
        },
        'metrics': alarm['metrics'],
        'state': alarm['state'],
        'lifecycle_state': alarm['lifecycle_state'],
        'link': alarm['link'],
        'state_updated_timestamp': alarm['state_updated_at'],
        'updated_timestamp': alarm['updated_at'],
        'created_timestamp': alarm['created_at'],
    }


def _metric_matches(metric: dict, name: str | None,
                    dims: dict[str, list[str]] | None,
                    key_only_matches: bool = True) -> bool:
    if name is not None and metric['name'] != name:
        return False
    for key, values in (dims or {}).items():
        if key not in metric['dimensions']:
            return False
        if values:
            if metric['dimensions'][key] not in values:
                return False
        elif not key_only_matches:
            return False
    return True


def _single(req: Request, name: str) -> str | None:
    values = req.all(name)
    if len(values) > 1:
        # Upstream turns a repeated state/severity into a list and fails.
        raise web.server_error("'list' object has no attribute 'upper'")
    return values[0] if values else None


def _alarm_filters(req: Request, counting: bool) -> Callable[[dict], bool]:
    definition_id = req.first('alarm_definition_id')
    metric_name = req.first('metric_name')
    state = _single(req, 'state')
    if state is not None and state.upper() not in STATES:
        raise unprocessable(f'State {_b(state)} must be one of {STATES}',
                            title='Invalid State')
    severity = _single(req, 'severity')
    severities = None
    if severity is not None:
        severities = []
        for item in severity.split('|'):
            if item.upper() not in SEVERITIES:
                raise unprocessable(
                    f'Severity {_b(item)} must be one of {SEVERITIES}',
                    title='Invalid Severity')
            severities.append(item.upper())
    lifecycle_state = req.first('lifecycle_state')
    link = req.first('link')
    since = req.first('state_updated_start_time')
    since_text = None
    if since is not None:
        try:
            parsed = datetime.datetime.strptime(since, '%Y-%m-%dT%H:%M:%S.%fZ')
        except ValueError as exc:
            raise web.server_error(str(exc)) from None
        since_text = parsed.strftime('%Y-%m-%dT%H:%M:%S')
    raw_dims = query_dimensions(req, 'metric_dimensions')
    validate_query_dimensions(raw_dims)
    dims = as_filter(raw_dims) if raw_dims else None

    def keep(alarm: dict) -> bool:
        if definition_id is not None and alarm['definition_id'] != \
                definition_id:
            return False
        if state is not None and alarm['state'] != state.upper():
            return False
        if severities is not None and \
                alarm['severity'].upper() not in severities:
            return False
        if lifecycle_state is not None and \
                alarm['lifecycle_state'] != lifecycle_state:
            return False
        if link is not None and alarm['link'] != link:
            return False
        if since_text is not None and \
                alarm['state_updated_at'][:19] < since_text:
            return False
        if metric_name is not None or dims:
            if not any(_metric_matches(m, metric_name, dims,
                                       key_only_matches=not counting)
                       for m in alarm['metrics']):
                return False
        return True

    return keep


def list_alarms(app: SandboxApp, req: Request) -> Response:
    app.authorize(req, 'api:alarms:get')
    keep = _alarm_filters(req, counting=False)
    order = parse_sort_by(req, ALARM_SORT)
    offset = int_offset(req)
    limit = req.limit()
    with app.store.read() as conn:
        alarms = [a for a in load_alarms(conn, req.context.tenant) if keep(a)]
    keys = {
        'alarm_id': lambda a: a['id'],
        'alarm_definition_id': lambda a: a['definition_id'],
        'alarm_definition_name': lambda a: collation_key(a['definition_name']),
        'state': lambda a: STATE_RANK[a['state']],
        'severity': lambda a: SEVERITY_RANK.get(a['severity'].upper(), 0),
        'lifecycle_state': lambda a: a['lifecycle_state'],
        'link': lambda a: a['link'],
        'state_updated_timestamp': lambda a: a['state_updated_at'],
        'updated_timestamp': lambda a: a['updated_at'],
        'created_timestamp': lambda a: a['created_at'],
    }
    if not any(field == 'alarm_id' for field, _ in order):
        order = order + [('alarm_id', 'asc')]
    sort_rows(alarms, order, keys)
    window, next_offset = page(req, alarms, offset, limit)
    return collection(req, [alarm_object(req, a) for a in window],
                      next_offset)


def get_alarm(app: SandboxApp, req: Request, alarm_id: str) -> Response:
    app.authorize(req, 'api:alarms:get')
    with app.store.read() as conn:
        alarms = load_alarms(conn, req.context.tenant, alarm_id)
    if not alarms:
        raise not_found()
    return web.json_response(alarm_object(req, alarms[0]))


def _validate_alarm_update(body: Any) -> None:
    # Upstream answers 500 for these schema failures (a bug); 422 here.
    if not isinstance(body, dict):
        raise unprocessable('expected a dictionary')
    for key, limit in (('state', None), ('lifecycle_state', 50),
                       ('link', 512)):
        if key not in body:
            continue
        value = body[key]
        if key == 'state':
            if value not in ('OK', 'ALARM', 'UNDETERMINED'):
                raise unprocessable(_schema_error(
                    key, 'not a valid value for dictionary value'))
        elif not isinstance(value, str):
            raise unprocessable(_schema_error(
                key, 'expected str for dictionary value'))
        elif len(value) > limit:
            raise unprocessable(_schema_error(
                key, f'length of value must be at most {limit} for '
                     f'dictionary value'))


def update_alarm(app: SandboxApp, req: Request, alarm_id: str,
                 patch: bool = False) -> Response:
    app.authorize(req, 'api:alarms:patch' if patch else 'api:alarms:put')
    body = req.json()
    if patch:
        if not isinstance(body, dict):
            raise unprocessable('expected a dictionary')
        # null lifecycle_state/link keep the stored value on PATCH.
        _validate_alarm_update({k: v for k, v in body.items()
                                if not (k in ('lifecycle_state', 'link')
                                        and v is None)})
    else:
        _validate_alarm_update(body)
        for key in ('state', 'lifecycle_state', 'link'):
            if not body.get(key):
                raise unprocessable(f"Field '{key}' is required")
    tenant = req.context.tenant
    with app.store.write() as conn:
        alarms = load_alarms(conn, tenant, alarm_id)
        if not alarms:
            raise not_found()
        alarm = alarms[0]
        new_state = body.get('state') or alarm['state']
        lifecycle = body.get('lifecycle_state')
        if lifecycle is None:
            lifecycle = alarm['lifecycle_state']
        link = body.get('link')
        if link is None:
            link = alarm['link']
        stamp = now_iso()
        old_state = alarm['state']
        state_updated = alarm['state_updated_at']
        if new_state != old_state:
            state_updated = stamp
            app.evaluator.record_transition(
                conn, tenant, alarm_id, old_state, new_state,
                'Alarm state updated via API', [], alarm['metrics'])
        conn.execute(
            'UPDATE alarms SET state = ?, lifecycle_state = ?, link = ?, '
            'updated_at = ?, state_updated_at = ? WHERE id = ?',
            (new_state, lifecycle, link, stamp, state_updated, alarm_id))
        alarm.update(state=new_state, lifecycle_state=lifecycle, link=link,
                     updated_at=stamp, state_updated_at=state_updated)
    return web.json_response(alarm_object(req, alarm))


def delete_alarm(app: SandboxApp, req: Request, alarm_id: str) -> Response:
    app.authorize(req, 'api:alarms:delete')
    with app.store.write() as conn:
        cur = conn.execute('DELETE FROM alarms WHERE tenant = ? AND id = ?',
                           (req.context.tenant, alarm_id))
        if cur.rowcount == 0:
            raise not_found()
        conn.execute('DELETE FROM alarm_metrics WHERE alarm_id = ?',
                     (alarm_id,))
    app.evaluator.alarms_changed()
    return web.no_content()


def count_alarms(app: SandboxApp, req: Request) -> Response:
    app.authorize(req, 'api:alarms:count')
    keep = _alarm_filters(req, counting=True)
    group_by = None
    if req.first('group_by') is not None:
        group_by = req.first('group_by').split(',')
        if not set(group_by) <= set(COUNT_GROUP_BY):
            allowed = '{' + ', '.join(repr(g) for g in COUNT_GROUP_BY) + '}'
            raise unprocessable(
                f'One or more group-by values from {group_by} are not in '
                f'{allowed}')
    offset = None
    if req.first('offset') is not None:
        try:
            offset = int(req.first('offset'))
        except ValueError:
            raise unprocessable(
                f"Offset must be a valid integer, was {req.first('offset')}"
            ) from None
    limit = req.limit()
    with app.store.read() as conn:
        alarms = [a for a in load_alarms(conn, req.context.tenant) if keep(a)]
    result: dict[str, Any] = {'links': [{'rel': 'self', 'href': req.uri}],
                              'columns': ['count']}
    if not group_by:
        result['counts'] = [[len(alarms)]]
        return web.json_response(result)
    counts: dict[tuple, int] = {}
    for alarm in alarms:
        for row in set(_group_rows(alarm, group_by)):
            counts[row] = counts.get(row, 0) + 1
    result['columns'] += group_by
    if not counts:
        result['counts'] = [[0] + [None] * len(group_by)]
        return web.json_response(result)
    rows = sorted(counts.items(), key=lambda item: tuple(
        (v is not None, v if v is not None else '') for v in item[0]))
    start = offset or 0
    rows = rows[start:]
    if len(rows) > limit:
        result['links'].append(req.next_link(str(start + limit)))
        rows = rows[:limit]
    result['counts'] = [[n] + list(key) for key, n in rows]
    return web.json_response(result)


def _group_rows(alarm: dict, group_by: list[str]) -> Iterable[tuple]:
    base = {
        'alarm_definition_id': alarm['definition_id'],
        'name': alarm['definition_name'],
        'state': alarm['state'],
        'severity': alarm['severity'].upper(),
        'link': alarm['link'],
        'lifecycle_state': alarm['lifecycle_state'],
    }
    per_metric = {'metric_name', 'dimension_name', 'dimension_value'}
    if not per_metric & set(group_by):
        yield tuple(base[g] for g in group_by)
        return
    by_dimension = bool({'dimension_name', 'dimension_value'} & set(group_by))
    for metric in alarm['metrics']:
        pairs = list(metric['dimensions'].items()) if by_dimension \
            else [(None, None)]
        for key, value in pairs:
            values = dict(base, metric_name=metric['name'],
                          dimension_name=key, dimension_value=value)
            yield tuple(values[g] for g in group_by)


# -- state history ------------------------------------------------------------

def _history_element(row) -> dict[str, Any]:
    alarm_id, ts, old, new, reason, reason_data, metrics, subs = row
    return {
        'id': str(ts), 'alarm_id': alarm_id,
        'timestamp': web.format_ms(ts),
        'metrics': json.loads(metrics),
        'old_state': old, 'new_state': new, 'reason': reason,
        'reason_data': reason_data, 'sub_alarms': json.loads(subs),
    }


_HISTORY_COLUMNS = ('alarm_id, ts, old_state, new_state, reason, '
                    'reason_data, metrics, sub_alarms')


def _history_offset(req: Request) -> int | None:
    value = req.first('offset')
    if value is None:
        return None
    try:
        return web.parse_offset_time(value)
    except (ValueError, OverflowError):
        raise web.repository_error(
            f'invalid offset timestamp {value!r}') from None


def _history_page(req: Request, rows: list, limit: int) -> Response:
    elements = [_history_element(r) for r in rows]
    next_offset = None
    if len(elements) > limit:
        elements = elements[:limit]
        next_offset = elements[-1]['id'] if elements else None
    return collection(req, elements, next_offset)


def list_history(app: SandboxApp, req: Request) -> Response:
    app.authorize(req, 'api:alarms:state_history')
    raw_dims = query_dimensions(req)
    validate_query_dimensions(raw_dims)
    dims = as_filter(raw_dims)
    start = web.query_time(req, 'start_time')
    end = web.query_time(req, 'end_time')
    offset = _history_offset(req)
    limit = req.limit()
    tenant = req.context.tenant
    with app.store.read() as conn:
        # Only alarms that exist now, as upstream resolves ids in SQL first.
        alarm_ids = [a['id'] for a in load_alarms(conn, tenant)
                     if not dims or any(_metric_matches(m, None, dims)
                                        for m in a['metrics'])]
        if not alarm_ids:
            return collection(req, [], None)
        conn.execute('CREATE TEMP TABLE IF NOT EXISTS wanted_alarms '
                     '(id TEXT PRIMARY KEY)')
        conn.execute('DELETE FROM wanted_alarms')
        conn.executemany('INSERT OR IGNORE INTO wanted_alarms VALUES (?)',
                         [(i,) for i in alarm_ids])
        sql = (f'SELECT {_HISTORY_COLUMNS} FROM state_history WHERE '
               'tenant = ? AND alarm_id IN (SELECT id FROM wanted_alarms)')
        args: list[Any] = [tenant]
        if start is not None:
            sql += ' AND ts >= ?'
            args.append(int(round(start * 1000)))
        if end is not None:
            sql += ' AND ts <= ?'
            args.append(int(round(end * 1000)))
        if offset is not None:
            sql += ' AND ts > ?'
            args.append(offset)
        sql += ' ORDER BY ts, rowid LIMIT ?'
        args.append(limit + 1)
        rows = conn.execute(sql, args).fetchall()
    return _history_page(req, rows, limit)


def alarm_history(app: SandboxApp, req: Request, alarm_id: str) -> Response:
    app.authorize(req, 'api:alarms:state_history')
    offset = _history_offset(req)
    limit = req.limit()
    sql = (f'SELECT {_HISTORY_COLUMNS} FROM state_history '
           'WHERE tenant = ? AND alarm_id = ?')
    args: list[Any] = [req.context.tenant, alarm_id]
    if offset is not None:
        sql += ' AND ts > ?'
        args.append(offset)
    sql += ' ORDER BY ts, rowid LIMIT ?'
    args.append(limit + 1)
    with app.store.read() as conn:
        rows = conn.execute(sql, args).fetchall()
    return _history_page(req, rows, limit)

"""Alarm definitions: /v2.0/alarm-definitions."""

from __future__ import annotations

from typing import Any
import uuid

from monasca_osc.alarming import model as alarm_model
from monasca_osc.common import expression as expr_mod
from monasca_osc.common import validation
from monasca_osc.common.validation import ValidationError
from monasca_osc.sandbox import query, web
from monasca_osc.sandbox.context import AppContext
from monasca_osc.sandbox.web import (
    Request,
    Response,
    bad_request,
    not_found,
    unprocessable,
)

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
            if not isinstance(value, str) or \
                    value.upper() not in query.SEVERITIES:
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
            for field, state in query.ACTION_STATES:
                if key == field:
                    problem = _action_list_error(value, state)
                    if problem:
                        error = f'{problem} for dictionary value'
        if error:
            raise unprocessable(query.schema_error(key, error))
    required = _AD_FIELDS if require_all else ('name', 'expression')
    for key in required:
        if key not in body:
            raise unprocessable(
                query.schema_error(key, 'required key not provided'))
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
            desc = (f'parser failed on expression {query.b_text(text)} at '
                    f'column {query.b_text(str(exc.column))}: '
                    f'{query.b_text(exc.msg)}')
        else:
            desc = str(exc)
        raise unprocessable(desc, title='Invalid alarm expression') from None


def _ad_conflict(conn, tenant: str, name: str,
                 expected_id: str | None = None) -> None:
    rows = conn.execute(
        'SELECT id, name FROM alarm_definitions '
        'WHERE tenant = ? AND deleted_at IS NULL ORDER BY rowid', (tenant,))
    query.name_conflict(rows, name, expected_id, 'An alarm definition',
                   'with the name')


def _check_actions(conn, actions: dict[str, list[str]]) -> None:
    # Like upstream, the existence check does not filter by tenant.
    for field, state in query.ACTION_STATES:
        for action_id in actions.get(field) or []:
            row = conn.execute(
                'SELECT 1 FROM notification_methods WHERE id = ?',
                (action_id,)).fetchone()
            if row is None:
                raise unprocessable(
                    f'Non-existent notification id {query.b_text(action_id)} '
                    f'submitted for {query.b_text(state)} notification action',
                    title='InvalidUpdateException')


def _store_actions(conn, did: str, actions: dict[str, list[str] | None]
                   ) -> None:
    for field, state in query.ACTION_STATES:
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
    select = query.Select(f'SELECT {_AD_COLUMNS} FROM alarm_definitions '
                          'WHERE tenant = ? AND deleted_at IS NULL', tenant)
    select.where('id = ?', did)
    rows = [dict(zip(('id', 'name', 'description', 'expression', 'severity',
                      'match_by', 'actions_enabled', 'created_at',
                      'updated_at'), row, strict=False))
            for row in select.execute(conn)]
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
            for field, state in query.ACTION_STATES:
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


def post_definition(app: AppContext, req: Request) -> Response:
    app.authorize(req, 'api:alarms:definition:post')
    body = req.json()
    _validate_definition(body, require_all=False)
    parsed = _parse_expression(body['expression'], artefacts=False)
    tenant = req.context.tenant
    did = str(uuid.uuid4())
    stamp = query.now_iso()
    row = {
        'id': did, 'name': body['name'], 'expression': body['expression'],
        'description': body.get('description', ''),
        'severity': body.get('severity', 'LOW').upper(),
        'match_by': ','.join(body.get('match_by') or []),
        'actions_enabled': 1,
    }
    actions = {field: list(body.get(field) or [])
               for field, _ in query.ACTION_STATES}
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


# How each sort_by field orders the rows.
_SORT_KEYS = {
    'id': lambda r: r['id'],
    'name': lambda r: query.collation_key(r['name']),
    'severity': lambda r: r['severity'].upper(),  # alphabetical
    'created_at': lambda r: r['created_at'],
    'updated_at': lambda r: r['updated_at'],
}


get_definition = query.get_one('api:alarms:definition:get', _ad_rows,
                               _ad_object)


def list_definitions(app: AppContext, req: Request) -> Response:
    app.authorize(req, 'api:alarms:definition:get')
    name = req.first('name')
    dims = query.query_dimensions(req)
    severities = query.severity_filter(req.first('severity'))
    order = query.parse_sort_by(req, validation.ALARM_DEFINITION_SORT_FIELDS)
    offset = query.int_offset(req)
    limit = req.limit()
    with app.store.read() as conn:
        rows = _ad_rows(conn, req.context.tenant)
    if name is not None:
        key = query.collation_key(name)
        rows = [r for r in rows if query.collation_key(r['name']) == key]
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
    return query.sorted_collection(
        req, rows, order, _SORT_KEYS, 'id', offset, limit,
        lambda row: _ad_object(req, row))


def no_definition_id(app: AppContext, req: Request) -> Response:
    raise bad_request('Alarm definition ID not provided')


def _check_sub_expressions(old: expr_mod.Expression,
                           new: expr_mod.Expression) -> None:
    try:
        alarm_model.check_update(old, new)
    except alarm_model.UpdateRefused as exc:
        raise unprocessable(query.b_text(str(exc)),
                            title='InvalidUpdateException') from None


def update_definition(app: AppContext, req: Request, did: str,
                      patch: bool = False) -> Response:
    app.authorize(req, 'api:alarms:definition:patch' if patch
                  else 'api:alarms:definition:put')
    body = req.json()
    if patch:
        if not isinstance(body, dict):
            raise unprocessable('expected a dictionary')
        if body.get('severity') is not None and (
                not isinstance(body['severity'], str)
                or body['severity'].upper() not in query.SEVERITIES):
            raise unprocessable('Invalid severity')
        for key in ('name', 'expression', 'description'):
            if body.get(key) is not None and not isinstance(body[key], str):
                raise unprocessable(query.schema_error(
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
        row = query.found(_ad_rows(conn, tenant, did))
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
        actions = {field: fields[field] for field, _ in query.ACTION_STATES}
        _check_actions(conn, actions)
        if new_expr is not None:
            app.evaluator.definition_updated(
                conn, did, row['expression'], fields['expression'],
                row['match_by'])
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
             row['severity'], row['actions_enabled'], query.now_iso(), did))
        _store_actions(conn, did, actions)
        row = _ad_rows(conn, tenant, did)[0]
    app.evaluator.definitions_changed()
    return web.json_response(_ad_object(req, row))


def delete_definition(app: AppContext, req: Request, did: str) -> Response:
    app.authorize(req, 'api:alarms:definition:delete')
    with app.store.write() as conn:
        cur = conn.execute(
            'UPDATE alarm_definitions SET deleted_at = ? WHERE tenant = ? '
            'AND id = ? AND deleted_at IS NULL',
            (query.now_iso(), req.context.tenant, did))
        if cur.rowcount == 0:
            raise not_found()
        conn.execute('DELETE FROM alarm_metrics WHERE alarm_id IN '
                     '(SELECT id FROM alarms WHERE definition_id = ?)', (did,))
        conn.execute('DELETE FROM alarms WHERE definition_id = ?', (did,))
    app.evaluator.definitions_changed()
    return web.no_content()

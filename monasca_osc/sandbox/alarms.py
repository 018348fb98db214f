"""Alarms, their count and state history: /v2.0/alarms."""

from __future__ import annotations

from collections.abc import Callable, Iterable
import datetime
import json
from typing import Any

from monasca_osc.common import validation
from monasca_osc.sandbox import query, web
from monasca_osc.sandbox.context import AppContext
from monasca_osc.sandbox.web import (
    Request,
    Response,
    not_found,
    unprocessable,
)

# Sort order of states and severities (MySQL enum order upstream).
STATE_RANK = {'OK': 0, 'UNDETERMINED': 1, 'ALARM': 2}
SEVERITY_RANK = {s: i for i, s in enumerate(query.SEVERITIES)}


def load_alarms(conn, tenant: str, alarm_id: str | None = None) -> list[dict]:
    """Alarms of a tenant with definition fields and metrics."""
    select = query.Select(
        'SELECT a.id, a.definition_id, a.state, a.lifecycle_state, a.link, '
        'a.created_at, a.updated_at, a.state_updated_at, d.name, d.severity '
        'FROM alarms a JOIN alarm_definitions d ON d.id = a.definition_id '
        'WHERE a.tenant = ?', tenant)
    select.where('a.id = ?', alarm_id)
    alarms = []
    by_id = {}
    for row in select.execute(conn):
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
    if state is not None and state.upper() not in query.STATES:
        raise unprocessable(f'State {query.b_text(state)} must be one of '
                            f'{query.STATES}',
                            title='Invalid State')
    severities = query.severity_filter(_single(req, 'severity'))
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
    raw_dims = query.query_dimensions(req, 'metric_dimensions')
    query.validate_query_dimensions(raw_dims)
    dims = query.as_filter(raw_dims) if raw_dims else None

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


# How each sort_by field orders the alarms.
_SORT_KEYS = {
    'alarm_id': lambda a: a['id'],
    'alarm_definition_id': lambda a: a['definition_id'],
    'alarm_definition_name':
        lambda a: query.collation_key(a['definition_name']),
    'state': lambda a: STATE_RANK[a['state']],
    'severity': lambda a: SEVERITY_RANK.get(a['severity'].upper(), 0),
    'lifecycle_state': lambda a: a['lifecycle_state'],
    'link': lambda a: a['link'],
    'state_updated_timestamp': lambda a: a['state_updated_at'],
    'updated_timestamp': lambda a: a['updated_at'],
    'created_timestamp': lambda a: a['created_at'],
}


get_alarm = query.get_one('api:alarms:get', load_alarms, alarm_object)


def list_alarms(app: AppContext, req: Request) -> Response:
    app.authorize(req, 'api:alarms:get')
    keep = _alarm_filters(req, counting=False)
    order = query.parse_sort_by(req, validation.ALARM_SORT_FIELDS)
    offset = query.int_offset(req)
    limit = req.limit()
    with app.store.read() as conn:
        alarms = [a for a in load_alarms(conn, req.context.tenant) if keep(a)]
    return query.sorted_collection(
        req, alarms, order, _SORT_KEYS, 'alarm_id', offset, limit,
        lambda alarm: alarm_object(req, alarm))


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
            if value not in validation.STATES:
                raise unprocessable(query.schema_error(
                    key, 'not a valid value for dictionary value'))
        elif not isinstance(value, str):
            raise unprocessable(query.schema_error(
                key, 'expected str for dictionary value'))
        elif len(value) > limit:
            raise unprocessable(query.schema_error(
                key, f'length of value must be at most {limit} for '
                     f'dictionary value'))


def update_alarm(app: AppContext, req: Request, alarm_id: str,
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
        alarm = query.found(load_alarms(conn, tenant, alarm_id))
        new_state = body.get('state') or alarm['state']
        lifecycle = body.get('lifecycle_state')
        if lifecycle is None:
            lifecycle = alarm['lifecycle_state']
        link = body.get('link')
        if link is None:
            link = alarm['link']
        stamp = query.now_iso()
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


def delete_alarm(app: AppContext, req: Request, alarm_id: str) -> Response:
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


def count_alarms(app: AppContext, req: Request) -> Response:
    app.authorize(req, 'api:alarms:count')
    keep = _alarm_filters(req, counting=True)
    group_by = None
    if req.first('group_by') is not None:
        group_by = req.first('group_by').split(',')
        fields = validation.ALARM_COUNT_GROUP_BY_FIELDS
        if not set(group_by) <= set(fields):
            allowed = '{' + ', '.join(repr(g) for g in fields) + '}'
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
    return query.collection(req, elements, next_offset)


def list_history(app: AppContext, req: Request) -> Response:
    app.authorize(req, 'api:alarms:state_history')
    raw_dims = query.query_dimensions(req)
    query.validate_query_dimensions(raw_dims)
    dims = query.as_filter(raw_dims)
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
            return query.collection(req, [], None)
        conn.execute('CREATE TEMP TABLE IF NOT EXISTS wanted_alarms '
                     '(id TEXT PRIMARY KEY)')
        conn.execute('DELETE FROM wanted_alarms')
        conn.executemany('INSERT OR IGNORE INTO wanted_alarms VALUES (?)',
                         [(i,) for i in alarm_ids])
        select = query.Select(
            f'SELECT {_HISTORY_COLUMNS} FROM state_history WHERE tenant = ? '
            'AND alarm_id IN (SELECT id FROM wanted_alarms)', tenant)
        if start is not None:
            select.where('ts >= ?', int(round(start * 1000)))
        if end is not None:
            select.where('ts <= ?', int(round(end * 1000)))
        select.where('ts > ?', offset)
        select.add(' ORDER BY ts, rowid LIMIT ?', limit + 1)
        rows = select.execute(conn).fetchall()
    return _history_page(req, rows, limit)


def alarm_history(app: AppContext, req: Request, alarm_id: str) -> Response:
    app.authorize(req, 'api:alarms:state_history')
    offset = _history_offset(req)
    limit = req.limit()
    select = query.Select(f'SELECT {_HISTORY_COLUMNS} FROM state_history '
                          'WHERE tenant = ? AND alarm_id = ?',
                          req.context.tenant, alarm_id)
    select.where('ts > ?', offset)
    select.add(' ORDER BY ts, rowid LIMIT ?', limit + 1)
    with app.store.read() as conn:
        rows = select.execute(conn).fetchall()
    return _history_page(req, rows, limit)

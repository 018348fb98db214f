"""Query helpers shared by the sandbox's resource modules.

Sorting (``sort_by``), integer offsets and list paging, collections with
self/next links, dimension filters, names and time ranges, the tenant a
request acts on, and upstream's error-text artefacts. Constants come from
``monasca_osc.common.validation`` (shared with the client), in upstream's
order where the API prints them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from monasca_osc.common import validation
from monasca_osc.common.validation import ValidationError
from monasca_osc.sandbox import web
from monasca_osc.sandbox.context import AppContext
from monasca_osc.sandbox.web import (
    ApiError,
    Request,
    Response,
    not_found,
    unprocessable,
)

# Upstream's messages print these as Python lists: severities in rank
# order, states alphabetically.
SEVERITIES = list(validation.SEVERITIES)
STATES = sorted(validation.STATES)
ACTION_STATES = (('alarm_actions', 'ALARM'), ('ok_actions', 'OK'),
                 ('undetermined_actions', 'UNDETERMINED'))


def collation_key(text: str | None) -> str:
    return '' if text is None else validation.collation_key(text)


def now_iso() -> str:
    return web.iso_now_seconds()


def b_text(text: str) -> str:
    """Upstream's Python-3 byte-string artefact: b'...'."""
    return repr(text.encode('utf-8'))


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


def sorted_collection(req: Request, rows: list[dict],
                      order: list[tuple[str, str]],
                      keys: dict[str, Callable[[dict], Any]], id_field: str,
                      offset: int, limit: int,
                      shown: Callable[[dict], Any]) -> Response:
    """A list response: ``rows`` sorted (``sort_rows``), last by
    ``id_field`` unless ``order`` names it already, so that the order is
    total and an offset continues it; the page at ``offset``, each row as
    ``shown`` makes it, and the link to the next page."""
    if not any(field == id_field for field, _ in order):
        order = order + [(id_field, 'asc')]
    sort_rows(rows, order, keys)
    window, next_offset = page(req, rows, offset, limit)
    return collection(req, [shown(row) for row in window], next_offset)


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


def found(rows: list[dict]) -> dict:
    """The row a lookup by ID found: 404 when there is none."""
    if not rows:
        raise not_found()
    return rows[0]


def get_one(rule: str, load: Callable[[Any, str, str], list],
            shown: Callable[[Request, Any], Any]
            ) -> Callable[[AppContext, Request, str], Response]:
    """The handler of a GET of one object by ID: ``rule`` checked,
    ``load(conn, tenant, id)`` gives the caller's matching rows (404 when
    none), ``shown(req, row)`` renders the first one."""
    def handler(app: AppContext, req: Request, oid: str) -> Response:
        app.authorize(req, rule)
        with app.store.read() as conn:
            row = found(load(conn, req.context.tenant, oid))
        return web.json_response(shown(req, row))
    return handler


def schema_error(path: str, message: str) -> str:
    return f"{message} @ data['{path}']"


def name_conflict(rows: Any, name: str, expected_id: str | None,
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


def tenant_for(app: AppContext, req: Request) -> str:
    """``tenant_id`` is honoured only with api:delegate, else ignored."""
    wanted = req.first('tenant_id')
    if wanted is not None and app.allowed(req, 'api:delegate'):
        return wanted
    return req.context.tenant


def query_dimensions(req: Request, param: str = 'dimensions'
                     ) -> dict[str, str]:
    """Parse ``k:v,k2:a|b,k3`` as upstream: key -> raw value ('' = any)."""
    dims: dict[str, str] = {}
    for text in req.all(param):
        for item in text.split(','):
            key, _, value = item.partition(':')
            dims[key] = value
    return dims


def validate_query_dimensions(dims: dict[str, str]) -> None:
    try:
        for key, value in dims.items():
            validation.validate_dimension_key(key)
            if value:
                for item in value.split('|'):
                    validation.validate_dimension_value(key, item)
    except ValidationError as exc:
        raise unprocessable(str(exc)) from None


def as_filter(dims: dict[str, str]) -> dict[str, list[str]]:
    return {k: (v.split('|') if v else []) for k, v in dims.items()}


def validate_query_name(req: Request, required: bool) -> str | None:
    names = req.all('name')
    if not names:
        if required:
            raise unprocessable('Missing name')
        return None
    name: Any = names[0] if len(names) == 1 else names
    try:
        validation.validate_metric_name(name)
    except ValidationError as exc:
        raise unprocessable(str(exc)) from None
    return name


class Select:
    """An SQL query built clause by clause: its text and the values of its
    ``?`` placeholders, in order."""

    def __init__(self, sql: str, *args: Any):
        self.sql = sql
        self.args: list[Any] = list(args)

    def add(self, sql: str, *args: Any) -> None:
        """Append ``sql`` and the values of its placeholders."""
        self.sql += sql
        self.args.extend(args)

    def where(self, condition: str, value: Any) -> None:
        """`` AND condition`` (one placeholder), unless ``value`` is None."""
        if value is not None:
            self.add(f' AND {condition}', value)

    def execute(self, conn: Any) -> Any:
        """Run it on a database connection; returns the cursor."""
        return conn.execute(self.sql, self.args)


def time_range_sql(start: float | None, end: float | None,
                   column: str = 'm.ts') -> tuple[str, list[int]]:
    sql, args = '', []
    if start is not None:
        sql += f' AND {column} >= ?'
        args.append(int(start * 1000))
    if end is not None:
        sql += f' AND {column} < ?'
        args.append(int(end * 1000))
    return sql, args


def severity_filter(value: str | None) -> list[str] | None:
    """``severity=LOW|HIGH`` as upstream checks it (422 on a bad one)."""
    if value is None:
        return None
    severities = []
    for item in value.split('|'):
        if item.upper() not in SEVERITIES:
            raise unprocessable(
                f'Severity {b_text(item)} must be one of {SEVERITIES}',
                title='Invalid Severity')
        severities.append(item.upper())
    return severities

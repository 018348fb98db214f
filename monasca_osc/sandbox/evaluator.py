"""Threshold evaluation, a small monasca-thresh.

Alarms are created when a metric that feeds a definition arrives: one
alarm per distinct combination of the definition's ``match_by`` values
(one per definition when ``match_by`` is empty). Metrics lacking a
``match_by`` key are not matched. A new alarm starts OK when the
definition is deterministic, UNDETERMINED otherwise, and is evaluated at
once.

Evaluation of a sub-expression at instant ``now`` (milliseconds) looks at
``periods`` windows of ``period`` seconds ending at ``now``: window k
(k = 0 the latest) holds the measurements with
``now - (k+1)*period < ts <= now - k*period``. The function (min, max,
sum, count, avg) is computed over every measurement of the alarm's metrics
that match the sub-expression in that window. ``last`` takes the newest
measurement at or before ``now``, whatever its age.

* any window value that does not breach the threshold -> sub-alarm OK;
* every window has a value and all breach -> ALARM;
* otherwise (some windows empty): OK if deterministic, else UNDETERMINED.

The alarm is UNDETERMINED if any sub-alarm is, else ALARM if the boolean
expression holds, else OK. Each change of the alarm state is written to
the state history with a monasca-thresh style reason.
"""

from __future__ import annotations

from collections.abc import Callable
import json
import logging
import threading
import time
from typing import Any
import uuid

from monasca_osc.common import expression as expr_mod
from monasca_osc.sandbox import web
from monasca_osc.sandbox.store import Store

LOG = logging.getLogger('monasca_osc.sandbox')

_AGG_SQL = {'MIN': 'MIN(value)', 'MAX': 'MAX(value)', 'SUM': 'SUM(value)',
            'COUNT': 'COUNT(value)', 'AVG': 'AVG(value)'}


class _Definition:
    __slots__ = ('id', 'tenant', 'match_by', 'expr')

    def __init__(self, did: str, tenant: str, match_by: list[str],
                 expr: expr_mod.Expression) -> None:
        self.id = did
        self.tenant = tenant
        self.match_by = match_by
        self.expr = expr

    def feeds(self, name: str, dims: dict[str, str]) -> bool:
        return any(s.matches(name, dims) for s in self.expr.sub_expressions)


class Evaluator:
    def __init__(self, store: Store,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        self.lock = threading.RLock()
        # tenant -> metric name -> definitions with a sub-expression on it.
        self._definitions: dict[str, dict[str, list[_Definition]]] | None = \
            None
        # (definition id, series id) pairs already attached to an alarm.
        self._attached: set[tuple[str, int]] = set()
        self._last_history_ms = 0
        # A leaf lock: API writers call record_transition inside their own
        # write transaction, so it must not take self.lock.
        self._history_lock = threading.Lock()

    # -- caches ------------------------------------------------------------
    def definitions_changed(self) -> None:
        with self.lock:
            self._definitions = None
            self._attached.clear()

    def alarms_changed(self) -> None:
        with self.lock:
            self._attached.clear()

    def _load_definitions(self) -> dict[str, dict[str, list[_Definition]]]:
        if self._definitions is None:
            table: dict[str, dict[str, list[_Definition]]] = {}
            with self.store.read() as conn:
                rows = conn.execute(
                    'SELECT id, tenant, match_by, expression FROM '
                    'alarm_definitions WHERE deleted_at IS NULL').fetchall()
            for did, tenant, match_by, text in rows:
                try:
                    expr = expr_mod.parse(text)
                except expr_mod.ExpressionError:
                    continue
                definition = _Definition(
                    did, tenant, match_by.split(',') if match_by else [],
                    expr)
                names = {s.metric_name for s in expr.sub_expressions}
                for name in names:
                    table.setdefault(tenant, {}).setdefault(
                        name, []).append(definition)
            self._definitions = table
        return self._definitions

    # -- entry points ------------------------------------------------------
    def on_metrics(self, tenant: str,
                   series: dict[int, tuple[str, dict[str, str]]]) -> int:
        """Attach new metrics to alarms and evaluate the touched alarms."""
        with self.lock:
            by_name = self._load_definitions().get(tenant)
            if not by_name:
                return 0
            work: list[tuple[_Definition, int, dict[str, str]]] = []
            touched: set[str] = set()
            for sid, (name, dims) in series.items():
                for definition in by_name.get(name, ()):
                    if definition.feeds(name, dims):
                        work.append((definition, sid, dims))
            if not work:
                return 0
            with self.store.write() as conn:
                for definition, sid, dims in work:
                    if any(key not in dims for key in definition.match_by):
                        continue
                    match_key = json.dumps(
                        [dims[key] for key in definition.match_by],
                        ensure_ascii=False)
                    alarm_id = self._alarm_for(conn, definition, match_key)
                    touched.add(alarm_id)
                    if (definition.id, sid) in self._attached:
                        continue
                    conn.execute(
                        'INSERT OR IGNORE INTO alarm_metrics '
                        '(alarm_id, series_id) VALUES (?, ?)',
                        (alarm_id, sid))
                    self._attached.add((definition.id, sid))
                now_ms = int(self.clock() * 1000)
                return self._evaluate(conn, now_ms, alarm_ids=touched)

    def tick(self, now_ms: int | None = None) -> dict[str, int]:
        """Evaluate every alarm (periodic tick, POST /sandbox/evaluate)."""
        with self.lock:
            if now_ms is None:
                now_ms = int(self.clock() * 1000)
            with self.store.write() as conn:
                count = conn.execute(
                    'SELECT COUNT(*) FROM alarms').fetchone()[0]
                transitions = self._evaluate(conn, now_ms, alarm_ids=None)
            return {'alarms': count, 'transitions': transitions}

    # -- internals ---------------------------------------------------------
    def _alarm_for(self, conn, definition: _Definition,
                   match_key: str) -> str:
        row = conn.execute(
            'SELECT id FROM alarms WHERE definition_id = ? AND match_key = ?',
            (definition.id, match_key)).fetchone()
        if row:
            return row[0]
        alarm_id = str(uuid.uuid4())
        subs = definition.expr.sub_expressions
        state = 'OK' if definition.expr.deterministic else 'UNDETERMINED'
        sub_states = [{'state': 'OK' if s.deterministic else 'UNDETERMINED',
                       'current_values': []} for s in subs]
        stamp = web.iso_now_seconds(self.clock())
        conn.execute(
            'INSERT INTO alarms (id, definition_id, tenant, match_key, state, '
            'lifecycle_state, link, created_at, updated_at, '
            'state_updated_at, sub_states) '
            'VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)',
            (alarm_id, definition.id, definition.tenant, match_key, state,
             stamp, stamp, stamp, json.dumps(sub_states)))
        return alarm_id

    def _evaluate(self, conn, now_ms: int,
                  alarm_ids: set[str] | None) -> int:
        sql = ('SELECT a.id, a.tenant, a.state, d.expression FROM alarms a '
               'JOIN alarm_definitions d ON d.id = a.definition_id '
               'WHERE d.deleted_at IS NULL')
        args: list[str] = []
        if alarm_ids is not None:
            args = sorted(alarm_ids)
            sql += f' AND a.id IN ({",".join("?" * len(args))})'
        rows = conn.execute(sql, args).fetchall()
        transitions = 0
        for alarm_id, tenant, state, text in rows:
            try:
                expr = expr_mod.parse(text)
            except expr_mod.ExpressionError:
                continue
            if self._evaluate_alarm(conn, alarm_id, tenant, state, expr,
                                    now_ms):
                transitions += 1
        return transitions

    def _evaluate_alarm(self, conn, alarm_id: str, tenant: str, state: str,
                        expr: expr_mod.Expression, now_ms: int) -> bool:
        metrics = conn.execute(
            'SELECT s.id, s.name, s.dims FROM alarm_metrics am JOIN series s '
            'ON s.id = am.series_id WHERE am.alarm_id = ? '
            'ORDER BY s.name, s.dims_key', (alarm_id,)).fetchall()
        decoded = [(sid, name, json.loads(dims))
                   for sid, name, dims in metrics]
        sub_states = []
        for sub in expr.sub_expressions:
            series = [sid for sid, name, dims in decoded
                      if sub.matches(name, dims)]
            sub_states.append(self._sub_state(conn, sub, series, now_ms))
        new_state = expr.evaluate([s['state'] for s in sub_states])
        conn.execute('UPDATE alarms SET sub_states = ? WHERE id = ?',
                     (json.dumps(sub_states), alarm_id))
        if new_state == state:
            return False
        reason = _reason(new_state, expr, sub_states)
        metric_list = [{'name': name, 'dimensions': dims}
                       for _, name, dims in decoded]
        sub_alarms = [{'sub_alarm_expression': sub.to_dict(),
                       'sub_alarm_state': st['state'],
                       'current_values': st['current_values']}
                      for sub, st in zip(expr.sub_expressions, sub_states,
                                         strict=False)]
        self.record_transition(conn, tenant, alarm_id, state, new_state,
                               reason, sub_alarms, metric_list, now_ms)
        stamp = web.iso_now_seconds(now_ms / 1000)
        conn.execute(
            'UPDATE alarms SET state = ?, state_updated_at = ?, '
            'updated_at = ? WHERE id = ?', (new_state, stamp, stamp, alarm_id))
        return True

    def _sub_state(self, conn, sub: expr_mod.SubExpression,
                   series: list[int], now_ms: int) -> dict[str, Any]:
        values: list[float | None]
        if not series:
            values = [None] * (1 if sub.function == 'LAST' else sub.periods)
        else:
            marks = ','.join('?' * len(series))
            if sub.function == 'LAST':
                row = conn.execute(
                    'SELECT value FROM measurements WHERE series_id IN '
                    f'({marks}) AND ts <= ? ORDER BY ts DESC LIMIT 1',
                    series + [now_ms]).fetchone()
                values = [row[0] if row else None]
            else:
                period_ms = sub.period * 1000
                low = now_ms - sub.periods * period_ms
                found = dict(conn.execute(
                    f'SELECT (ts - ? - 1) / ? AS w, {_AGG_SQL[sub.function]} '
                    f'FROM measurements WHERE series_id IN ({marks}) '
                    'AND ts > ? AND ts <= ? GROUP BY w',
                    [low, period_ms] + series + [low, now_ms]).fetchall())
                values = [found.get(w) for w in range(sub.periods)]
        present = [float(v) for v in values if v is not None]
        if any(not sub.compare(v) for v in present):
            state = 'OK'
        elif present and len(present) == len(values):
            state = 'ALARM'
        else:
            state = 'OK' if sub.deterministic else 'UNDETERMINED'
        return {'state': state, 'current_values': present}

    def record_transition(self, conn, tenant: str, alarm_id: str,
                          old_state: str, new_state: str, reason: str,
                          sub_alarms: list, metrics: list,
                          now_ms: int | None = None) -> int:
        """Write one state-history entry; ids (epoch ms) never repeat."""
        with self._history_lock:
            ts = int(now_ms if now_ms is not None else self.clock() * 1000)
            if ts <= self._last_history_ms:
                ts = self._last_history_ms + 1
            if not self._last_history_ms:
                row = conn.execute(
                    'SELECT MAX(ts) FROM state_history').fetchone()
                if row[0] is not None and ts <= row[0]:
                    ts = row[0] + 1
            self._last_history_ms = ts
        conn.execute(
            'INSERT INTO state_history (tenant, alarm_id, ts, old_state, '
            'new_state, reason, reason_data, metrics, sub_alarms) '
            'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            (tenant, alarm_id, ts, old_state, new_state, reason, '{}',
             json.dumps([{'id': None, 'name': m['name'],
                          'dimensions': m['dimensions']} for m in metrics],
                        ensure_ascii=False),
             json.dumps(sub_alarms, ensure_ascii=False)))
        return ts


def _reason(state: str, expr: expr_mod.Expression,
            sub_states: list[dict[str, Any]]) -> str:
    """monasca-thresh's Alarm.buildStateChangeReason."""
    parts = []
    for sub, st in zip(expr.sub_expressions, sub_states, strict=False):
        if st['state'] != state:
            continue
        text = sub.expression
        if state != 'UNDETERMINED':
            text += f' with the values: {st["current_values"]}'
        parts.append(text)
    joined = ', '.join(parts)
    if state == 'UNDETERMINED':
        return f'No data was present for the sub-alarms: {joined}'
    if state == 'ALARM':
        return f'Thresholds were exceeded for the sub-alarms: {joined}'
    return ('The alarm threshold(s) have not been exceeded for the '
            f'sub-alarms: {joined}')


class Ticker(threading.Thread):
    """Runs Evaluator.tick every ``interval`` seconds until stopped."""

    def __init__(self, evaluator: Evaluator, interval: float) -> None:
        super().__init__(name='sandbox-evaluator', daemon=True)
        self.evaluator = evaluator
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                self.evaluator.tick()
            except Exception:  # noqa: BLE001 - keep ticking, log it
                LOG.exception('threshold evaluation failed')

    def stop(self) -> None:
        self.stopped.set()

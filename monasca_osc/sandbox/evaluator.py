"""The sandbox's monasca-thresh: the alarming engine over the SQLite store.

Nothing is evaluated here: ``monasca_osc.alarming`` decides (rules in
doc/source/reference/alarm-evaluation.rst). This module keeps the engine's
state in the store and calls it:

* a metric POST hands each series to the definitions it feeds
  (``on_metrics``): alarms are created or grow as monasca-thresh's
  AlarmCreationBolt does, born at the series' first timestamp in that POST;
  then, unless evaluation on POST is off, the touched alarms are stepped at
  the current time;
* ``tick(at)`` steps every alarm at ``at`` (the periodic ticker, or
  ``POST /sandbox/evaluate`` with an explicit instant).

Per alarm the ``alarms`` row holds the state, and ``sub_states`` the
engine's JSON (``Alarm.to_dict``). Alarms waiting for a metric of another
sub-expression live in memory only, as in monasca-thresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
import json
import logging
import threading
import time
from typing import Any
import uuid

from monasca_osc import alarming as al
from monasca_osc.common import expression as expr_mod
from monasca_osc.sandbox import web
from monasca_osc.sandbox.store import Store, canonical_dims

LOG = logging.getLogger('monasca_osc.sandbox')


class StoreSource(al.DataSource):
    """Measurements of the store, for metrics whose series ids are known."""

    def __init__(self, conn, series: dict[al.Metric, int]) -> None:
        self.conn = conn
        self.series = series

    def _ids(self, metrics: Sequence[al.Metric]) -> list[int]:
        return [self.series[m] for m in metrics if m in self.series]

    def measurements(self, metrics: Sequence[al.Metric], start_ms: int,
                     end_ms: int) -> Iterable[tuple[int, float]]:
        ids = self._ids(metrics)
        if not ids:
            return []
        return self.conn.execute(
            'SELECT ts, value FROM measurements WHERE series_id IN '
            f'({",".join("?" * len(ids))}) AND ts >= ? AND ts < ?',
            ids + [start_ms, end_ms]).fetchall()

    def last(self, metrics: Sequence[al.Metric], start_ms: int,
             end_ms: int) -> tuple[int, float] | None:
        ids = self._ids(metrics)
        if not ids:
            return None
        return self.conn.execute(
            'SELECT ts, value FROM measurements WHERE series_id IN '
            f'({",".join("?" * len(ids))}) AND ts >= ? AND ts < ? '
            'ORDER BY ts DESC LIMIT 1', ids + [start_ms, end_ms]).fetchone()


def definition_from_row(did: str, name: str, text: str, match_by: str,
                        actions_enabled: Any = 1) -> al.Definition | None:
    try:
        expression = expr_mod.parse(text)
    except expr_mod.ExpressionError:
        return None
    return al.Definition(did, name, expression,
                         match_by=tuple(match_by.split(',')) if match_by
                         else (),
                         actions_enabled=bool(actions_enabled))


class Evaluator:
    def __init__(self, store: Store,
                 clock: Callable[[], float] = time.time,
                 evaluate_on_post: bool = True) -> None:
        self.store = store
        self.clock = clock
        self.evaluate_on_post = evaluate_on_post
        self.lock = threading.RLock()
        # tenant -> metric name -> definitions with a sub-expression on it.
        self._definitions: dict[str, dict[str, list[al.Definition]]] | None \
            = None
        # definition id -> its AlarmMatcher (alarms loaded from the store).
        self._matchers: dict[str, al.AlarmMatcher] = {}
        self._waiting: dict[str, list[al.AlarmGroup]] = {}
        self._last_history_ms = 0
        # A leaf lock: API writers call record_transition inside their own
        # write transaction, so it must not take self.lock.
        self._history_lock = threading.Lock()

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    # -- caches ------------------------------------------------------------
    def definitions_changed(self) -> None:
        with self.lock:
            self._definitions = None
            self._forget_matchers()

    def alarms_changed(self) -> None:
        with self.lock:
            self._forget_matchers()

    def _forget_matchers(self) -> None:
        # Keep the waiting alarms (in memory upstream too); drop the rest.
        waiting = {did: m.waiting for did, m in self._matchers.items()
                   if m.waiting}
        self._matchers = {}
        self._waiting = waiting

    def _load_definitions(self) -> dict[str, dict[str, list[al.Definition]]]:
        if self._definitions is None:
            table: dict[str, dict[str, list[al.Definition]]] = {}
            with self.store.read() as conn:
                rows = conn.execute(
                    'SELECT id, tenant, name, expression, match_by, '
                    'actions_enabled FROM alarm_definitions '
                    'WHERE deleted_at IS NULL ORDER BY rowid').fetchall()
            for did, tenant, name, text, match_by, enabled in rows:
                definition = definition_from_row(did, name, text, match_by,
                                                 enabled)
                if definition is None:
                    continue
                names = {s.metric_name for s in
                         definition.expression.sub_expressions}
                for metric_name in names:
                    table.setdefault(tenant, {}).setdefault(
                        metric_name, []).append(definition)
            self._definitions = table
        return self._definitions

    def _matcher(self, conn, definition: al.Definition) -> al.AlarmMatcher:
        matcher = self._matchers.get(definition.id)
        if matcher is None:
            groups: dict[str, al.AlarmGroup] = {}
            for alarm_id, name, dims in conn.execute(
                    'SELECT a.id, s.name, s.dims FROM alarms a '
                    'JOIN alarm_metrics am ON am.alarm_id = a.id '
                    'JOIN series s ON s.id = am.series_id '
                    'WHERE a.definition_id = ? ORDER BY a.rowid, am.series_id',
                    (definition.id,)):
                group = groups.setdefault(alarm_id, al.AlarmGroup(id=alarm_id))
                group.metrics.append(al.Metric.of(name, json.loads(dims)))
            matcher = al.AlarmMatcher(definition, list(groups.values()))
            matcher.waiting = self._waiting.pop(definition.id, [])
            self._matchers[definition.id] = matcher
        return matcher

    def definition_updated(self, conn, did: str, old_text: str,
                           new_text: str, match_by: str) -> None:
        """Carry the alarms' sub-alarm states over to a new expression."""
        old = definition_from_row(did, '', old_text, match_by)
        new = definition_from_row(did, '', new_text, match_by)
        if old is None or new is None or old.expression.sub_expressions == \
                new.expression.sub_expressions:
            return
        now = self.now_ms()
        rows = conn.execute(
            'SELECT id, state, sub_states, created_at FROM alarms '
            'WHERE definition_id = ?', (did,)).fetchall()
        for alarm_id, state, sub_states, created_at in rows:
            alarm = al.Alarm.from_dict(
                old, alarm_id, [], state, json.loads(sub_states or '{}'),
                int(web.parse_iso(created_at) * 1000))
            conn.execute('UPDATE alarms SET sub_states = ? WHERE id = ?',
                         (json.dumps(alarm.redefine(new, now).to_dict()),
                          alarm_id))

    # -- entry points ------------------------------------------------------
    def on_metrics(self, tenant: str,
                   series: dict[int, tuple[str, dict[str, str], int]]
                   ) -> int:
        """Place new metrics in alarms; step the touched ones (if on)."""
        with self.lock:
            by_name = self._load_definitions().get(tenant)
            if not by_name:
                return 0
            # Only series some definition names: any other post opens no
            # write transaction (which would merge the staged rows).
            fed = [(sid, entry) for sid, entry in series.items()
                   if entry[0] in by_name]
            if not fed:
                return 0
            touched: set[str] = set()
            with self.store.write() as conn:
                for sid, (name, dims, first_ts) in fed:
                    metric = al.Metric.of(name, dims)
                    for definition in by_name[name]:
                        touched.update(self._place(
                            conn, tenant, definition, metric, sid, first_ts))
                if not touched or not self.evaluate_on_post:
                    return 0
                return self._evaluate(conn, self.now_ms(), touched)

    def _place(self, conn, tenant: str, definition: al.Definition,
               metric: al.Metric, sid: int, first_ts: int) -> set[str]:
        matcher = self._matcher(conn, definition)
        joined, created = matcher.add(metric, first_ts)
        if not joined and not created:
            # Already placed: the alarms holding it are touched.
            return {g.id for g in matcher.placed.get(metric, ())}
        for group in joined:
            self._attach(conn, tenant, group.id, [metric], sid)
        for group in created:
            group.id = str(uuid.uuid4())
            alarm = al.Alarm(definition, group.id, group)
            stamp = web.iso_now_seconds(self.clock())
            conn.execute(
                'INSERT INTO alarms (id, definition_id, tenant, match_key, '
                'state, lifecycle_state, link, created_at, updated_at, '
                'state_updated_at, sub_states) '
                'VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)',
                (group.id, definition.id, tenant, group.id, alarm.state,
                 stamp, stamp, stamp, json.dumps(alarm.to_dict())))
            self._attach(conn, tenant, group.id, group.metrics, sid,
                         metric)
        return {g.id for g in joined + created}

    def _attach(self, conn, tenant: str, alarm_id: str,
                metrics: Iterable[al.Metric], sid: int,
                current: al.Metric | None = None) -> None:
        for metric in metrics:
            series_id = sid
            if current is not None and metric != current:
                row = conn.execute(
                    'SELECT id FROM series WHERE tenant = ? AND name = ? '
                    'AND dims = ?', (tenant, metric.name,
                                     canonical_dims(metric.dimensions))
                ).fetchone()
                if row is None:
                    continue
                series_id = row[0]
            conn.execute('INSERT OR IGNORE INTO alarm_metrics '
                         '(alarm_id, series_id) VALUES (?, ?)',
                         (alarm_id, series_id))

    def tick(self, now_ms: int | None = None) -> dict[str, int]:
        """Step every alarm at ``now_ms`` (default: the clock)."""
        with self.lock:
            if now_ms is None:
                now_ms = self.now_ms()
            with self.store.write() as conn:
                count = conn.execute(
                    'SELECT COUNT(*) FROM alarms').fetchone()[0]
                transitions = self._evaluate(conn, now_ms, alarm_ids=None)
            return {'alarms': count, 'transitions': transitions}

    # -- internals ---------------------------------------------------------
    def _evaluate(self, conn, now_ms: int,
                  alarm_ids: set[str] | None) -> int:
        sql = ('SELECT a.id, a.tenant, a.state, a.sub_states, a.created_at, '
               'd.id, d.name, d.expression, d.match_by, d.actions_enabled '
               'FROM alarms a JOIN alarm_definitions d '
               'ON d.id = a.definition_id WHERE d.deleted_at IS NULL')
        args: list[str] = []
        if alarm_ids is not None:
            args = sorted(alarm_ids)
            sql += f' AND a.id IN ({",".join("?" * len(args))})'
        transitions = 0
        for row in conn.execute(sql + ' ORDER BY a.rowid', args).fetchall():
            (alarm_id, tenant, state, sub_states, created_at, did, name,
             text, match_by, enabled) = row
            definition = definition_from_row(did, name, text, match_by,
                                             enabled)
            if definition is None:
                continue
            if self._step(conn, tenant, alarm_id, state, sub_states,
                          created_at, definition, now_ms):
                transitions += 1
        return transitions

    def _step(self, conn, tenant: str, alarm_id: str, state: str,
              sub_states: str, created_at: str, definition: al.Definition,
              now_ms: int) -> bool:
        series: dict[al.Metric, int] = {}
        for sid, name, dims in conn.execute(
                'SELECT s.id, s.name, s.dims FROM alarm_metrics am '
                'JOIN series s ON s.id = am.series_id WHERE am.alarm_id = ? '
                'ORDER BY s.name, s.dims_key', (alarm_id,)):
            series[al.Metric.of(name, json.loads(dims))] = sid
        born = int(web.parse_iso(created_at) * 1000)
        alarm = al.Alarm.from_dict(definition, alarm_id, list(series), state,
                                   json.loads(sub_states or '{}'), born)
        transition = alarm.step(now_ms, StoreSource(conn, series))
        conn.execute('UPDATE alarms SET sub_states = ? WHERE id = ?',
                     (json.dumps(alarm.to_dict()), alarm_id))
        if transition is None:
            return False
        entry = transition.to_history()
        self.record_transition(conn, tenant, alarm_id, transition.old_state,
                               transition.new_state, transition.reason,
                               entry['sub_alarms'], entry['metrics'],
                               now_ms)
        stamp = web.iso_now_seconds(now_ms / 1000)
        conn.execute(
            'UPDATE alarms SET state = ?, state_updated_at = ?, '
            'updated_at = ? WHERE id = ?',
            (transition.new_state, stamp, stamp, alarm_id))
        return True

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

"""SQLite storage of the sandbox.

Metrics are a ``series`` table (tenant, name, canonical dimensions) with a
``series_dims`` row per dimension for filtering, and a ``measurements``
table clustered on (series_id, ts) so a page of one series is a range scan.
A repeated (series, timestamp) overwrites, as in InfluxDB and Cassandra.
Each measurement row also keeps its API form (``item``: the
``["<timestamp>", <value>, <value_meta>]`` JSON text of a measurements
page), rendered once when it is written, so serving a page is one range
scan joined by commas: rendering rows on every read was most of the
sandbox's CPU when a client pages through a long series. Rows of a database
written before that column existed have no ``item`` and are rendered on
read.

Writes are serialised by one lock on one connection and committed before
the API answers; WAL mode lets readers (a small pool of connections) run
beside the writer. ``:memory:`` uses a single connection for everything.

A metric POST appends its rows to ``measurements_staged`` (a rowid table:
a batch fills a few consecutive pages) and commits, so an acknowledged
metric survives a killed process. The rows move into ``measurements`` in
one transaction (``INSERT OR REPLACE`` in (series, timestamp, rowid)
order: each series' rows go in one after another, and the last write of a
(series, timestamp) wins, as before) when ``STAGE_ROWS`` have
gathered, before any read, before any other write, and on open and close.
Why: agents interleave their series, so a batch of 1,000 metrics touches
about 1,000 series, that is 1,000 leaf pages of the clustered table, and
committing each batch there wrote all of them to the WAL (and checkpointed
them again): two thirds of the sandbox's CPU in a bulk ingest. Merging
many batches at once writes each page once per merge.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
import contextlib
import json
import queue
import sqlite3
import threading
from typing import Any

from monasca_osc.sandbox.web import second_text

SCHEMA = """
CREATE TABLE IF NOT EXISTS series (
    id INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    dims TEXT NOT NULL,
    dims_key TEXT NOT NULL,
    UNIQUE (tenant, name, dims)
);
CREATE INDEX IF NOT EXISTS series_order ON series (tenant, name, dims_key);
CREATE TABLE IF NOT EXISTS series_dims (
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    series_id INTEGER NOT NULL,
    PRIMARY KEY (key, value, series_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS series_dims_series ON series_dims (series_id);
CREATE TABLE IF NOT EXISTS measurements (
    series_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    value REAL NOT NULL,
    value_meta TEXT,
    item TEXT,
    PRIMARY KEY (series_id, ts)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS measurements_staged (
    series_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    value REAL NOT NULL,
    value_meta TEXT,
    item TEXT
);
CREATE TABLE IF NOT EXISTS notification_methods (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    address TEXT NOT NULL,
    period INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alarm_definitions (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    expression TEXT NOT NULL,
    severity TEXT NOT NULL,
    match_by TEXT NOT NULL,
    actions_enabled INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE TABLE IF NOT EXISTS alarm_actions (
    definition_id TEXT NOT NULL,
    state TEXT NOT NULL,
    action_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alarm_actions_def ON alarm_actions (definition_id);
CREATE TABLE IF NOT EXISTS alarms (
    id TEXT PRIMARY KEY,
    definition_id TEXT NOT NULL,
    tenant TEXT NOT NULL,
    match_key TEXT NOT NULL,
    state TEXT NOT NULL,
    lifecycle_state TEXT,
    link TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    state_updated_at TEXT NOT NULL,
    sub_states TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS alarms_match ON alarms (definition_id,
                                                         match_key);
CREATE INDEX IF NOT EXISTS alarms_tenant ON alarms (tenant);
CREATE TABLE IF NOT EXISTS alarm_metrics (
    alarm_id TEXT NOT NULL,
    series_id INTEGER NOT NULL,
    PRIMARY KEY (alarm_id, series_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state_history (
    tenant TEXT NOT NULL,
    alarm_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    old_state TEXT NOT NULL,
    new_state TEXT NOT NULL,
    reason TEXT NOT NULL,
    reason_data TEXT NOT NULL,
    metrics TEXT NOT NULL,
    sub_alarms TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS state_history_alarm ON state_history (alarm_id, ts);
CREATE INDEX IF NOT EXISTS state_history_tenant ON state_history (tenant, ts);
"""


def canonical_dims(dims: dict[str, str] | None) -> str:
    """The stored form of a dimension set: compact JSON, keys sorted.

    Remembered per distinct set (``json.dumps`` with options builds an
    encoder on every call: a seventh of the CPU of a bulk post, where the
    same few thousand sets come back again and again).
    """
    if not dims:
        return '{}'
    try:
        key = frozenset(dims.items())
    except TypeError:   # unhashable values: not a stored dimension set
        return json.dumps(dims, sort_keys=True, ensure_ascii=False,
                          separators=(',', ':'))
    text = _CANONICAL.get(key)
    if text is None:
        if len(_CANONICAL) >= _CANONICAL_MAX:
            _CANONICAL.clear()
        text = _CANONICAL[key] = json.dumps(
            dims, sort_keys=True, ensure_ascii=False, separators=(',', ':'))
    return text


# Distinct dimension sets remembered by canonical_dims (a few MiB at most).
_CANONICAL_MAX = 50_000
_CANONICAL: dict[frozenset, str] = {}


_encode_meta = json.JSONEncoder(ensure_ascii=False).encode
_quote = json.encoder.encode_basestring     # the C function when there is one


def _meta_text(meta: dict[str, Any]) -> str:
    """``json.dumps(meta, ensure_ascii=False)``, the same text.

    value_meta is nearly always strings to strings: joined here in a third
    of the time the encoder takes for such a small object (an encoder is
    set up on every call).
    """
    try:
        if len(meta) == 1:      # the usual value_meta: one entry
            for key, value in meta.items():
                return '{' + _quote(key) + ': ' + _quote(value) + '}'
        return '{' + ', '.join([_quote(k) + ': ' + _quote(v)
                                for k, v in meta.items()]) + '}'
    except (TypeError, AttributeError):    # not a string: the encoder
        return _encode_meta(meta)


def measurement_item(ts: int, value: float, meta_text: str | None) -> str:
    """A measurement as a measurements page lists it (JSON text)."""
    return f'{item_head(ts)}{value!r}, {meta_text or "{}"}]'


def item_head(ts: int) -> str:
    """The start of a measurement's item, up to its value: its timestamp
    (``ts`` is an int; ``web.format_ms`` inlined)."""
    seconds, millis = divmod(ts, 1000)
    return f'["{second_text(seconds)}.{millis:03d}Z", '



# Staged rows that trigger a merge into ``measurements`` after a POST: about
# 200 posts of 1,000 (the merge then rewrites each touched leaf page once;
# 50,000 cost 15 % more CPU per million metrics, in merges and commits).
STAGE_ROWS = 200_000

_MERGE_STAGED = (
    'INSERT OR REPLACE INTO measurements '
    '(series_id, ts, value, value_meta, item) '
    'SELECT series_id, ts, value, value_meta, item '
    'FROM measurements_staged ORDER BY series_id, ts, rowid')


def dims_key(dims: dict[str, str] | None) -> str:
    """Influx series-key order: tags sorted by key."""
    return ','.join(f'{k}={dims[k]}' for k in sorted(dims or {}))


class Store:
    def __init__(self, path: str = ':memory:',
                 synchronous: str = 'NORMAL') -> None:
        self.path = path
        self.memory = path in (':memory:', '')
        self.synchronous = synchronous.upper()
        self.lock = threading.RLock()
        self._writer = self._connect()
        self._readers: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        with self.lock:
            self._writer.executescript(SCHEMA)
            columns = {row[1] for row in self._writer.execute(
                'PRAGMA table_info(measurements)')}
            if 'item' not in columns:   # a database from an older sandbox
                self._writer.execute(
                    'ALTER TABLE measurements ADD COLUMN item TEXT')
            # Rows a killed sandbox had staged: merged on the first write.
            self._staged = self._writer.execute(
                'SELECT COUNT(*) FROM measurements_staged').fetchone()[0]
        self.merge_staged()
        # (tenant, name, dimension items as posted) -> series id; filled
        # lazily (the canonical text is only built for a series not seen).
        self._series: dict[tuple[str, str, tuple], int] = {}

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path if not self.memory else ':memory:',
                               check_same_thread=False, isolation_level=None,
                               timeout=30)
        if not self.memory:
            conn.execute('PRAGMA journal_mode=WAL')
        # NORMAL in WAL mode survives a killed process (only an OS crash
        # can lose the last commits); FULL also survives power loss.
        conn.execute(f'PRAGMA synchronous={self.synchronous}')
        conn.execute('PRAGMA cache_size=-65536')
        conn.execute('PRAGMA temp_store=MEMORY')
        return conn

    def close(self) -> None:
        with self.lock:
            # Leave a database whose measurements are all in place (older
            # sandboxes read only ``measurements``).
            self.merge_staged()
            self._writer.close()
        while True:
            try:
                self._readers.get_nowait().close()
            except queue.Empty:
                break

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reads, inside one snapshot."""
        if self._staged:
            self.merge_staged()
        if self.memory:
            with self.lock:
                yield self._writer
            return
        try:
            conn = self._readers.get_nowait()
        except queue.Empty:
            conn = self._connect()
        conn.execute('BEGIN')
        try:
            yield conn
        finally:
            conn.execute('COMMIT')
            self._readers.put(conn)

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One serialised, committed write transaction (staged rows are
        merged first, so it sees every acknowledged measurement)."""
        with self._transaction(merge=True) as conn:
            yield conn

    def merge_staged(self) -> None:
        """Move the staged measurements into place (if there are any)."""
        if self._staged:
            with self._transaction(merge=True):
                pass

    @contextlib.contextmanager
    def _transaction(self, merge: bool) -> Iterator[sqlite3.Connection]:
        with self.lock:
            conn = self._writer
            conn.execute('BEGIN IMMEDIATE')
            staged = self._staged if merge else 0
            try:
                if staged:
                    conn.execute(_MERGE_STAGED)
                    conn.execute('DELETE FROM measurements_staged')
                yield conn
            except BaseException:
                conn.execute('ROLLBACK')
                raise
            conn.execute('COMMIT')
            self._staged -= staged

    # -- metrics --------------------------------------------------------
    def insert_metrics(self, tenant: str,
                       metrics: Iterable[dict[str, Any]]
                       ) -> dict[int, tuple[str, dict[str, str], int]]:
        """Store validated metrics.

        Returns {series_id: (name, dims, first timestamp in this call)}.
        """
        rows = []
        touched: dict[int, tuple[str, dict[str, str], int]] = {}
        cache = self._series
        fresh: dict[tuple[str, str, tuple], int] = {}
        # Local names: this loop runs for every posted metric. A batch
        # repeats few timestamps (an agent's collection cycle): each item's
        # head (its timestamp text) is built once per timestamp.
        known, append, text_of = cache.get, rows.append, _meta_text
        heads: dict[int, str] = {}
        with self._transaction(merge=False) as conn:
            for metric in metrics:
                name = metric['name']
                dims = metric.get('dimensions') or {}
                key = (tenant, name, tuple(dims.items()))
                sid = known(key) or fresh.get(key)
                if sid is None:
                    sid = self._series_id(conn, tenant, name, dims,
                                          canonical_dims(dims))
                    fresh[key] = sid
                ts = int(metric['timestamp'])
                seen = touched.get(sid)
                if seen is None or ts < seen[2]:
                    touched[sid] = (name, dims, ts)
                meta = metric.get('value_meta')
                meta_text = text_of(meta) if meta else None
                value = float(metric['value'])
                head = heads.get(ts)
                if head is None:
                    head = heads[ts] = item_head(ts)
                # measurement_item's text
                append((sid, ts, value, meta_text,
                        f'{head}{value!r}, {meta_text or "{}"}]'))
            conn.executemany(
                'INSERT INTO measurements_staged '
                '(series_id, ts, value, value_meta, item) '
                'VALUES (?, ?, ?, ?, ?)', rows)
            # Still under the lock (committed on leaving the block).
            self._staged += len(rows)
        # Only after the commit: a rolled-back series id must not be cached.
        cache.update(fresh)
        if self._staged >= STAGE_ROWS:
            self.merge_staged()
        return touched

    def _series_id(self, conn: sqlite3.Connection, tenant: str, name: str,
                   dims: dict[str, str], dims_json: str) -> int:
        row = conn.execute(
            'SELECT id FROM series WHERE tenant = ? AND name = ? AND dims = ?',
            (tenant, name, dims_json)).fetchone()
        if row:
            return row[0]
        cur = conn.execute(
            'INSERT INTO series (tenant, name, dims, dims_key) '
            'VALUES (?, ?, ?, ?)', (tenant, name, dims_json, dims_key(dims)))
        sid = cur.lastrowid
        conn.executemany(
            'INSERT INTO series_dims (key, value, series_id) VALUES (?, ?, ?)',
            [(k, v, sid) for k, v in dims.items()])
        return sid

    def forget_cache(self) -> None:
        self._series.clear()


def dimension_filter_sql(filters: dict[str, list[str]],
                         column: str = 's.id') -> tuple[str, list[Any]]:
    """SQL conditions for a decoded §5.4 filter (key -> values, [] = any)."""
    clauses = []
    args: list[Any] = []
    for key, values in filters.items():
        if values:
            marks = ','.join('?' * len(values))
            clauses.append(
                f' AND {column} IN (SELECT series_id FROM series_dims '
                f'WHERE key = ? AND value IN ({marks}))')
            args.append(key)
            args.extend(values)
        else:
            clauses.append(
                f' AND {column} IN (SELECT series_id FROM series_dims '
                f'WHERE key = ?)')
            args.append(key)
    return ''.join(clauses), args

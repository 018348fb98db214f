"""Sandbox query helpers: ``Select`` and ``found``."""

from __future__ import annotations

import sqlite3

import pytest

from monasca_osc.sandbox import query, web


def _conn() -> sqlite3.Connection:
    conn = sqlite3.connect(':memory:')
    conn.execute('CREATE TABLE t (tenant TEXT, name TEXT, ts INTEGER)')
    conn.executemany('INSERT INTO t VALUES (?, ?, ?)', [
        ('p1', 'a', 1), ('p1', 'b', 2), ('p1', 'b', 3), ('p2', 'b', 4)])
    return conn


def test_select_skips_the_conditions_whose_value_is_none() -> None:
    select = query.Select('SELECT ts FROM t WHERE tenant = ?', 'p1')
    select.where('name = ?', 'b')
    select.where('ts > ?', None)
    select.add(' ORDER BY ts LIMIT ?', 5)
    assert select.sql == ('SELECT ts FROM t WHERE tenant = ? AND name = ? '
                          'ORDER BY ts LIMIT ?')
    assert select.args == ['p1', 'b', 5]
    assert select.execute(_conn()).fetchall() == [(2,), (3,)]


def test_select_keeps_falsy_values_other_than_none() -> None:
    select = query.Select('SELECT name FROM t WHERE tenant = ?', 'p1')
    select.where('ts > ?', 0)
    assert select.args == ['p1', 0]
    assert len(select.execute(_conn()).fetchall()) == 3


def test_found_is_the_first_row_or_404() -> None:
    assert query.found([{'id': 'x'}]) == {'id': 'x'}
    with pytest.raises(web.ApiError) as raised:
        query.found([])
    assert raised.value.status == 404

"""Expressions the property tests draw from: and/or, every function,
``times``, deterministic sub-expressions, two metrics."""

EXPRESSIONS = [
    'avg(cpu{service=web}) > 5',
    'max(cpu{service=web}) > 7 times 3',
    'min(cpu{service=web}, 120) < 3 times 2',
    'sum(cpu{service=web}) >= 12',
    'count(cpu{service=web}) < 1',
    'last(cpu{service=web}) > 6',
    'avg(cpu{service=web}, deterministic) > 5 times 2',
    'count(cpu{service=web}, deterministic, 120) > 1',
    'max(cpu{service=web}) > 8 and min(mem) < 2',
    'avg(cpu{service=web}) > 6 or last(mem) <= 1 times 2',
    'sum(mem, deterministic) > 9 and count(cpu{service=web}, '
    'deterministic) >= 1',
    'min(cpu{service=web}) > 2 and (max(mem) > 5 or avg(mem) < 1)',
]

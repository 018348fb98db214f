"""The --follow loop: every item once, in order, across many polls."""

from __future__ import annotations

from typing import Any

import pytest

from monasca_osc.live import follow


class Server:
    """Items (stamp ms, name) the fake API holds; ``arrivals`` become
    visible at given polls (0 = the first fetch), like points posted while
    the loop runs. Records the ``since`` of every fetch."""

    def __init__(self, items: list[tuple[int, str]] | None = None,
                 arrivals: dict[int, list[tuple[int, str]]] | None = None,
                 failures: dict[int, BaseException] | None = None) -> None:
        self.items = list(items or [])
        self.arrivals = arrivals or {}
        self.failures = failures or {}
        self.fetches: list[int | None] = []

    def fetch(self, since: int | None) -> list[tuple[int, str]]:
        poll = len(self.fetches)
        self.fetches.append(since)
        self.items.extend(self.arrivals.get(poll, []))
        if poll in self.failures:
            raise self.failures[poll]
        return sorted(i for i in self.items if since is None or i[0] >= since)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def run(server: Server, polls: int, **kwargs: Any) -> list[tuple[int, str]]:
    clock = Clock()
    kwargs.setdefault('start_ms', 0)
    kwargs.setdefault('interval', 5.0)
    return list(follow.follow(
        server.fetch, key=lambda item: item, stamp=lambda item: item[0],
        sleep=clock.sleep, clock=clock, polls=polls, **kwargs))


def test_new_items_appear_once_at_the_next_poll() -> None:
    server = Server([(1000, 'a'), (2000, 'b')],
                    arrivals={2: [(3000, 'c')], 5: [(4000, 'd')]})
    assert run(server, polls=8) == [(1000, 'a'), (2000, 'b'), (3000, 'c'),
                                    (4000, 'd')]
    assert len(server.fetches) == 9


def test_the_window_overlaps_and_moves_with_server_stamps_only() -> None:
    server = Server([(500_000, 'a')], arrivals={1: [(600_000, 'b')]})
    run(server, polls=3, start_ms=100_000, interval=5.0)
    # First the --start, then the newest stamp seen minus the 60 s overlap
    # (never the client's clock, never before --start).
    assert server.fetches == [100_000, 440_000, 540_000, 540_000]


def test_late_items_within_the_overlap_are_printed_once() -> None:
    # An item stamped before the newest one seen, arriving later (lagging
    # agent clock, slow backend): inside the overlap, so still printed.
    server = Server([(100_000, 'a'), (200_000, 'b')],
                    arrivals={2: [(170_000, 'late')], 3: [(50_000, 'old')]})
    got = run(server, polls=5, overlap_ms=60_000)
    assert got == [(100_000, 'a'), (200_000, 'b'), (170_000, 'late')]


def test_overlap_option_widens_the_window() -> None:
    server = Server([(100_000, 'a'), (200_000, 'b')],
                    arrivals={2: [(50_000, 'very late')]})
    got = run(server, polls=3, overlap_ms=300_000)
    assert (50_000, 'very late') in got


def test_identical_items_are_counted_not_collapsed() -> None:
    # A merged series may hold two equal points: both are printed once.
    server = Server([(1000, 'x'), (1000, 'x')], arrivals={2: [(1000, 'x')]})
    assert run(server, polls=4) == [(1000, 'x')] * 3


def test_no_lower_bound_until_something_is_seen() -> None:
    server = Server(arrivals={2: [(7000, 'a')]})
    got = run(server, polls=3, start_ms=None)
    assert got == [(7000, 'a')]
    assert server.fetches[:3] == [None, None, None]


def test_transient_failure_is_reported_and_loses_nothing() -> None:
    warnings: list[str] = []
    server = Server([(1000, 'a')], arrivals={2: [(2000, 'b')]},
                    failures={2: ConnectionError('refused')})
    got = run(server, polls=4, transient=(ConnectionError,),
              warn=warnings.append)
    assert got == [(1000, 'a'), (2000, 'b')]
    assert warnings == ['Poll failed, trying again in 5s: refused']


def test_other_failures_end_the_loop() -> None:
    server = Server([(1000, 'a')], failures={1: ValueError('bad')})
    with pytest.raises(ValueError):
        run(server, polls=3, transient=(ConnectionError,))


def test_polls_are_spaced_by_the_interval() -> None:
    clock = Clock()
    server = Server([(1000, 'a')])
    list(follow.follow(server.fetch, key=lambda i: i, stamp=lambda i: i[0],
                       start_ms=0, interval=2.5, sleep=clock.sleep,
                       clock=clock, polls=4))
    assert clock.sleeps == [2.5, 2.5, 2.5, 2.5]


def test_every_item_once_across_many_polls() -> None:
    arrivals = {p: [(p * 5000, f'i{p}')] for p in range(1, 200)}
    server = Server([(0, 'i0')], arrivals=arrivals)
    got = run(server, polls=200, overlap_ms=20_000)
    assert got == sorted(got) and len(got) == len(set(got)) == 200


def test_keys_older_than_the_window_are_forgotten() -> None:
    from collections import Counter

    seen = Counter({'old': 1, 'edge': 2, 'new': 1})
    stamps = {'old': 999, 'edge': 1000, 'new': 5000}
    follow._forget_before(1000, seen, stamps)
    assert dict(seen) == {'edge': 2, 'new': 1}
    assert stamps == {'edge': 1000, 'new': 5000}
    follow._forget_before(None, seen, stamps)
    assert len(seen) == 2


def test_default_overlap() -> None:
    assert follow.default_overlap_ms(5) == 60_000
    assert follow.default_overlap_ms(30) == 90_000

"""The polling loop behind ``--follow``.

``follow(fetch, key=, stamp=, ...)`` yields every item of a first fetch,
then polls every ``interval`` seconds and yields each item it has not
yielded before, in the order the server returned it, until interrupted.

How nothing is lost or repeated at the edges of a poll:

* The window of each poll starts at the newest item timestamp seen so far
  minus ``overlap`` (never before the first fetch's own start). It advances
  only by timestamps the *server* returned, never by the client's clock, so
  a client clock ahead of or behind the server's cannot skip data; items
  that arrive late (an agent whose clock lags, a backend that makes data
  visible with a delay, two transitions committed out of order) are still
  inside the window when they show up, as long as they are no more than
  ``overlap`` behind the newest one.
* The window therefore overlaps the previous one; items are told apart by
  ``key`` (e.g. series + timestamp + value for a point). Keys are counted,
  not just remembered, so two identical points of one merged series are
  both printed, once each.
* Keys older than the window are forgotten (the window will never return
  them again), so memory stays bounded by what one window holds.

A poll that fails with one of the ``transient`` exceptions (after the REST
layer's own retries) is reported through ``warn`` and retried at the next
interval; the window has not moved, so nothing is lost. Any other exception
ends the loop. ``KeyboardInterrupt`` passes through (the CLI exits 130).
Standard library only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator
import time
from typing import Any, TypeVar

T = TypeVar('T')
DEFAULT_INTERVAL = 5.0
MIN_OVERLAP_MS = 60_000
OVERLAP_INTERVALS = 3


def default_overlap_ms(interval: float) -> int:
    """The larger of 60 s and three intervals."""
    return max(MIN_OVERLAP_MS, int(OVERLAP_INTERVALS * interval * 1000))


def follow(fetch: Callable[[int | None], Iterable[T]], *,
           key: Callable[[T], Hashable], stamp: Callable[[T], int],
           start_ms: int | None, interval: float = DEFAULT_INTERVAL,
           overlap_ms: int | None = None,
           transient: tuple[type[BaseException], ...] = (),
           warn: Callable[[str], None] = lambda message: None,
           sleep: Callable[[float], None] | None = None,
           clock: Callable[[], float] | None = None,
           polls: int | None = None) -> Iterator[T]:
    """Yield new items forever (or for ``polls`` polls after the first).

    ``fetch(since_ms)`` returns the items with timestamps at or after
    ``since_ms`` (None: no lower bound), ascending; ``stamp(item)`` is an
    item's timestamp in epoch milliseconds, ``key(item)`` what makes it
    unique.
    """
    if overlap_ms is None:
        overlap_ms = default_overlap_ms(interval)
    sleep = sleep or time.sleep
    clock = clock or time.monotonic
    seen: Counter = Counter()
    stamps: dict[Hashable, int] = {}
    newest: int | None = None

    def window() -> int | None:
        if newest is None:
            return start_ms
        since = newest - overlap_ms
        return since if start_ms is None else max(start_ms, since)

    def fresh(items: Iterable[T]) -> Iterator[T]:
        nonlocal newest
        this_poll: Counter = Counter()
        for item in items:
            item_key = key(item)
            this_poll[item_key] += 1
            if this_poll[item_key] <= seen[item_key]:
                continue        # already printed by an earlier poll
            seen[item_key] += 1
            at = stamp(item)
            stamps[item_key] = at
            if newest is None or at > newest:
                newest = at
            yield item

    yield from fresh(fetch(start_ms))
    done = 0
    next_at = clock() + interval
    while polls is None or done < polls:
        sleep(max(0.0, next_at - clock()))
        # A slow poll is not followed by a burst of catch-up polls.
        next_at = max(next_at + interval, clock())
        done += 1
        since = window()
        try:
            items = list(fetch(since))
        except transient as err:
            warn(f'Poll failed, trying again in {interval:g}s: {err}')
            continue
        yield from fresh(items)
        _forget_before(window(), seen, stamps)


def _forget_before(since: int | None, seen: Counter,
                   stamps: dict[Hashable, Any]) -> None:
    if since is None:
        return
    for item_key in [k for k, at in stamps.items() if at < since]:
        del stamps[item_key]
        del seen[item_key]

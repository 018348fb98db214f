"""The one pager for every Monasca collection.

Upstream ``next`` links are unreliable (double-encoded values, unencoded
name offsets, the notification-method UUID offset bug: API reference §3),
so the pager never follows an href. It reads only the ``offset`` value out
of a ``next`` link (decoded once) and re-issues its own request with the
original parameters plus that offset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
import contextlib
import contextvars
from typing import Any
from urllib.parse import parse_qs, urlsplit

from monasca_osc import exceptions as exc

MAX_PAGE_SIZE = 10000

# Where a listing stopped by its limit, while the server has more, reports
# the marker (offset) that continues it; see watch_more_results.
_more_results: contextvars.ContextVar[Callable[[str], None] | None] = \
    contextvars.ContextVar('monasca_osc_more_results', default=None)


@contextlib.contextmanager
def watch_more_results() -> Iterator[list[str]]:
    """Within the block, every listing that ``limit`` stops before the end
    appends the marker that continues it to the yielded list (the CLIs
    print the last one: ``more results: --marker VALUE``)."""
    found: list[str] = []
    token = _more_results.set(found.append)
    try:
        yield found
    finally:
        _more_results.reset(token)


def next_offset(body: Mapping[str, Any]) -> str | None:
    """The ``offset`` of the body's ``next`` link, or None when last page."""
    for link in body.get('links') or ():
        if isinstance(link, Mapping) and link.get('rel') == 'next':
            query = parse_qs(urlsplit(str(link.get('href', ''))).query,
                             keep_blank_values=True)
            values = query.get('offset')
            return values[0] if values else None
    return None


def iterate_pages(adapter: Any, path: str, params: Mapping[str, Any] | None,
                  *, limit: int | None = None, marker: str | None = None,
                  page_size: int | None = None,
                  count_offsets: bool = False,
                  elements_key: str = 'elements',
                  on_page: Callable[[Mapping[str, Any]], None] | None = None,
                  weight: Callable[[Any], int] | None = None,
                  ) -> Iterator[Any]:
    """Yield the elements of a collection across pages.

    ``limit`` caps the total number of elements (None: all of them);
    ``marker`` is the offset to start after; ``page_size`` is the per-request
    limit (at most 10,000, the server cap). ``count_offsets`` makes the next
    offset "previous offset + elements received" (for the integer-offset
    endpoints whose next link is broken upstream). ``on_page`` sees every
    raw page. ``weight`` says how many rows an element counts for against
    ``limit`` (measurements and statistics count points, not series).
    """
    base = {k: v for k, v in (params or {}).items()
            if v is not None and v != ''}
    size = min(page_size or MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    remaining = limit
    offset = marker
    seen_offsets: set[str] = set()
    pool = None

    def query_for(offset: str | None, remaining: int | None) -> dict:
        query = dict(base)
        query['limit'] = size if remaining is None else min(size, remaining)
        if offset is not None:
            query['offset'] = offset
        return query

    if remaining is not None and remaining <= 0:
        return
    pending: Any = None
    body = adapter.get_json(path, query_for(offset, remaining))
    try:
        while True:
            if pending is not None:
                body = pending.result()
            if not isinstance(body, Mapping):
                raise exc.InvalidResponse(
                    f'GET {path} returned {type(body).__name__}, not a '
                    f'collection')
            if on_page is not None:
                on_page(body)
            elements = body.get(elements_key) or []
            if remaining is not None and weight is None:
                # A server that ignores ``limit`` must not break --limit.
                elements = elements[:remaining]
            if remaining is not None:
                remaining -= (sum(weight(e) for e in elements) if weight
                              else len(elements))
            if remaining is not None and remaining <= 0 and elements:
                _report_more(body, offset, len(elements), count_offsets)
            nxt = None
            if elements and (remaining is None or remaining > 0):
                if count_offsets:
                    if next_offset(body) is not None:
                        nxt = str(int(offset or 0) + len(elements))
                else:
                    nxt = next_offset(body)
            if nxt is not None and (nxt in seen_offsets or nxt == offset):
                yield from elements
                raise exc.InvalidResponse(
                    f'The server repeated the page offset {nxt!r} on '
                    f'GET {path}; stopping to avoid an endless loop')
            if nxt is not None:
                seen_offsets.add(nxt)
                offset = nxt
                if pool is None:
                    from concurrent.futures import ThreadPoolExecutor

                    pool = ThreadPoolExecutor(
                        1, thread_name_prefix='monasca-pager')
                # Ask for the next page before handing out this one, so
                # the server works while the caller formats rows.
                pending = pool.submit(adapter.get_json, path,
                                      query_for(offset, remaining))
            yield from elements
            if nxt is None:
                return
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _report_more(body: Mapping[str, Any], offset: str | None, received: int,
                 count_offsets: bool) -> None:
    """The limit is reached: report the marker of the rest, if any."""
    report = _more_results.get()
    following = next_offset(body)
    if report is None or following is None:
        return
    if count_offsets:
        following = str(int(offset or 0) + received)
    report(following)

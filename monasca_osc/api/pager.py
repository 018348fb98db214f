"""The one pager for every Monasca collection.

Upstream ``next`` links are unreliable (double-encoded values, unencoded
name offsets, the notification-method UUID offset bug: contract section 3),
so the pager never follows an href. It reads only the ``offset`` value out
of a ``next`` link (decoded once) and re-issues its own request with the
original parameters plus that offset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from monasca_osc import exceptions as exc

MAX_PAGE_SIZE = 10000


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
    while remaining is None or remaining > 0:
        query = dict(base)
        query['limit'] = size if remaining is None else min(size, remaining)
        if offset is not None:
            query['offset'] = offset
        body = adapter.get_json(path, query)
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
        yield from elements
        if remaining is not None:
            remaining -= (sum(weight(e) for e in elements) if weight
                          else len(elements))
        if not elements:
            return
        if count_offsets:
            nxt = None
            if next_offset(body) is not None:
                nxt = str(int(offset or 0) + len(elements))
        else:
            nxt = next_offset(body)
        if nxt is None:
            return
        if nxt in seen_offsets or nxt == offset:
            raise exc.InvalidResponse(
                f'The server repeated the page offset {nxt!r} on GET {path}; '
                f'stopping to avoid an endless loop')
        seen_offsets.add(nxt)
        offset = nxt

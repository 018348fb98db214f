"""The one pager for every Monasca collection.

Upstream ``next`` links are unreliable (double-encoded values, unencoded
name offsets, the notification-method UUID offset bug: API reference §3),
so the pager never follows an href. It reads only the ``offset`` value out
of a ``next`` link (decoded once) and re-issues its own request with the
original parameters plus that offset.

Pages after the first come from one background thread (``_ReadAhead``),
at most ``MAX_AHEAD`` pages ahead of the one being handed out, so the
server and the caller work at the same time. Where the next offset does
not depend on the page's elements (no ``limit``, offsets from the links),
that thread reads it from the page's leading ``links`` before the body is
decoded (``peek_next_offset``), asks for the next page at once and leaves
the decoding to the caller; the caller checks that offset against the
decoded page before it uses the page asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
import contextlib
import contextvars
from typing import Any
from urllib.parse import parse_qs, urlsplit

from monasca_osc import exceptions as exc

MAX_PAGE_SIZE = 10000
# Set when the program exits (see _exiting), made by the first listing.
_EXITING: Any = None

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


def peek_next_offset(raw: bytes) -> str | None:
    """``next_offset`` of a page that starts with its ``links`` and has
    elements, read without decoding the elements; None when the page does
    not look like that (then only the decoded page can say)."""
    head = raw[:4096]
    start = head.find(b'"links"')
    cut = head.find(b', "elements": [')
    if start < 0 or cut < start or raw[cut + 15:cut + 16] in (b']', b''):
        return None
    import json

    try:
        links = json.loads(b'{' + head[start:cut] + b'}')
    except ValueError:
        return None
    return next_offset(links)


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

    def query_for(offset: str | None, remaining: int | None) -> dict:
        query = dict(base)
        query['limit'] = size if remaining is None else min(size, remaining)
        if offset is not None:
            query['offset'] = offset
        return query

    def advance(body: Mapping[str, Any], offset: str | None,
                remaining: int | None) -> tuple[list, int | None, str | None]:
        """A page's elements, the rows still wanted and the next offset."""
        elements = body.get(elements_key) or []
        if remaining is not None and weight is None:
            # A server that ignores ``limit`` must not break --limit.
            elements = elements[:remaining]
        if remaining is not None:
            remaining -= (sum(weight(e) for e in elements) if weight
                          else len(elements))
        nxt = None
        if elements and (remaining is None or remaining > 0):
            if count_offsets:
                if next_offset(body) is not None:
                    nxt = str(int(offset or 0) + len(elements))
            else:
                nxt = next_offset(body)
        return elements, remaining, nxt

    remaining = limit
    offset = marker
    if remaining is not None and remaining <= 0:
        return
    readahead = _ReadAhead(adapter, path, query_for, advance,
                           peek=not count_offsets)
    body = adapter.get_json(path, query_for(offset, remaining))
    chained = None
    seen_offsets: set[str] = set()
    try:
        while True:
            if not isinstance(body, Mapping):
                raise exc.InvalidResponse(
                    f'GET {path} returned {type(body).__name__}, not a '
                    f'collection')
            if on_page is not None:
                on_page(body)
            elements, remaining, nxt = advance(body, offset, remaining)
            if remaining is not None and remaining <= 0 and elements:
                _report_more(body, offset, len(elements), count_offsets)
            if nxt is not None and (nxt in seen_offsets or nxt == offset):
                yield from elements
                raise exc.InvalidResponse(
                    f'The server repeated the page offset {nxt!r} on '
                    f'GET {path}; stopping to avoid an endless loop')
            pending = None
            if nxt is not None:
                seen_offsets.add(nxt)
                pending = readahead.next_page(chained, nxt, remaining)
                offset = nxt
            yield from elements
            if pending is None:
                return
            body, chained = readahead.take(pending)
    finally:
        readahead.stop()


class _ReadAhead:
    """The pager's background requests (one thread, at most
    ``MAX_AHEAD`` pages fetched ahead of the one being handed out).

    The caller asks for the next page before it hands out this one, so
    the server works while the caller formats rows. And a page fetched in
    the background asks for the one after it as soon as it is decoded
    (waiting for a place when ``MAX_AHEAD`` pages are fetched ahead
    already): otherwise the next request would wait until the caller
    has finished the page before (on a million-row listing, a third of
    every page's time). The offset it asks for is the one
    the caller computes too (the same ``advance``); the caller checks that
    before using that page, and repeated offsets are never asked for in
    the background.
    """

    MAX_AHEAD = 2

    def __init__(self, adapter: Any, path: str,
                 query_for: Callable[[str | None, int | None], dict],
                 advance: Callable[..., tuple], peek: bool = False) -> None:
        import threading

        global _EXITING
        if _EXITING is None:
            _EXITING = _exiting()

        self._adapter = adapter
        self._peek = peek
        self._path = path
        self._query_for = query_for
        self._advance = advance
        self._places = threading.Semaphore(self.MAX_AHEAD)
        self._requested: set[str] = set()
        self._stopped = False
        self._pool: Any = None

    def next_page(self, chained: Any, offset: str,
                  remaining: int | None) -> Any:
        """The request for the page at ``offset``: the one the previous
        page asked for already, or a new one."""
        if chained is not None and chained[0] == (offset, remaining):
            return chained[1], True
        if chained is not None:     # not what was asked for: drop it
            chained[1].cancel()
            self._places.release()
        self._requested.add(offset)
        return self._submit(offset, remaining), False

    def take(self, pending: tuple) -> tuple:
        """The next page's body and the request it made, if any."""
        future, was_chained = pending
        if was_chained:
            # Its place is free before the wait: the page being waited for
            # may be waiting for a place itself, to ask for the next one.
            self._places.release()
        page, chained = future.result()
        if isinstance(page, _Undecoded):
            page = self._adapter.decode(page.response, 'GET')
        return page, chained

    def stop(self) -> None:
        self._stopped = True
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _submit(self, offset: str, remaining: int | None) -> Any:
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(
                1, thread_name_prefix='monasca-pager')
        return self._pool.submit(self._fetch, offset, remaining)

    def _fetch(self, offset: str, remaining: int | None) -> tuple:
        # In the pager thread: a decoded body, or (peeked) the response.
        query = self._query_for(offset, remaining)
        if self._peek and remaining is None:
            response = self._adapter.send('GET', self._path, params=query)
            nxt = peek_next_offset(response.content)
            if nxt is not None:
                page, after = _Undecoded(response), None
            else:
                page = self._adapter.decode(response, 'GET')
        else:
            page, nxt = self._adapter.get_json(self._path, query), None
        chained = None
        if isinstance(page, Mapping):
            try:
                _, after, nxt = self._advance(page, offset, remaining)
            except Exception:   # noqa: BLE001 - the caller raises it
                nxt = None
        if nxt is not None and nxt != offset and \
                nxt not in self._requested and self._wait_for_place():
            self._requested.add(nxt)
            try:
                chained = ((nxt, after), self._submit(nxt, after))
            except RuntimeError:    # stopped meanwhile
                self._places.release()
        return page, chained

    def _wait_for_place(self) -> bool:
        """Wait until the caller takes a page fetched ahead, unless the
        listing stops or the program ends (a listing left unfinished and
        never closed must not hold up the exit, which joins the thread)."""
        while not self._stopped and not _EXITING.is_set():
            if self._places.acquire(timeout=0.05):
                return True
        return False


class _Undecoded:
    """A page fetched ahead whose body the caller decodes."""

    __slots__ = ('response',)

    def __init__(self, response: Any) -> None:
        self.response = response


def _exiting() -> Any:
    """An event set when the program starts to exit, before it joins the
    pager threads (``threading``'s own exit hooks run in reverse order of
    registration, so this one runs before ``concurrent.futures``')."""
    import threading

    event = threading.Event()
    register = getattr(threading, '_register_atexit', None)
    if register is None:
        event.set()     # never wait for a place: the caller asks instead
    else:
        import concurrent.futures.thread  # noqa: F401 - register it first
        register(event.set)
    return event


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

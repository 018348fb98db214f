"""Collection bodies as the Monasca API returns them, for fake servers.

    page([{'id': '1'}], next_offset='1')
    -> {'links': [{'rel': 'self', 'href': ...},
                  {'rel': 'next', 'href': ...?offset=1}],
        'elements': [{'id': '1'}]}

Used by this project's unit tests (requests-mock and stub adapters) and
useful to anyone who fakes the API in theirs. Standard library only.
"""

from __future__ import annotations

from typing import Any

__all__ = ['page']

DEFAULT_HREF = 'http://monasca.test:8070/v2.0/metrics'


def page(elements: list[Any], next_offset: Any = None, *,
         next_href: str | None = None, href: str = DEFAULT_HREF,
         key: str = 'elements', **extra: Any) -> dict[str, Any]:
    """One page: a self link, a next link when there is a next page
    (``next_href`` verbatim, or ``href?offset=next_offset``), the items
    under ``key`` and any ``extra`` fields (``columns``, ``counts``...)."""
    links = [{'rel': 'self', 'href': href}]
    if next_href is None and next_offset is not None:
        next_href = f'{href}?offset={next_offset}'  # as given: not encoded
    if next_href is not None:
        links.append({'rel': 'next', 'href': next_href})
    return {'links': links, key: elements, **extra}

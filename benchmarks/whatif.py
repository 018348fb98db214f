"""Run ``openstack`` with proposed client-side fixes patched in.

    python whatif.py --patch logging,prefetch -- <openstack args>

A measuring aid for benchmarks/run (``--whatif``): it shows what the paging
case would cost with each proposed fix before anyone changes the code. The
patches:

``logging``
    keystoneauth logs every response body at DEBUG, and OSC leaves the root
    logger at DEBUG (its console handler filters), so each page is decoded
    a second time (``Session._remove_service_catalog``) and joined into a
    log string nobody sees. The fix: give ``MonascaAdapter`` a ``logger``
    that is DEBUG-enabled only with ``--debug``; here keystoneauth's
    loggers are simply set to INFO.
``prefetch``
    the pager requests page N+1 (in one background thread) before it
    yields the rows of page N, so the server works while the client
    formats; same requests, same order, at most one page ahead.

(The two fixes measured here earlier, a fast path for text cells and
``gc.freeze()`` on long listings, are in ``monasca_osc/v2/common.py``.)
"""

from __future__ import annotations

import argparse
import logging
import sys


def patch_logging() -> None:
    # keystoneauth names its loggers "keystoneauth.*".
    logging.getLogger('keystoneauth').setLevel(logging.INFO)


def patch_prefetch() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from monasca_osc.api import pager

    plain = pager.iterate_pages

    def iterate_pages(adapter, path, params, **kwargs):
        # Only the simple, unlimited case is patched; others run as before.
        if kwargs.get('limit') is not None or kwargs.get('count_offsets') \
                or kwargs.get('on_page'):
            return plain(adapter, path, params, **kwargs)
        return _prefetching(adapter, path, params, **kwargs)

    def _prefetching(adapter, path, params, *, marker=None, page_size=None,
                     elements_key='elements', **_ignored):
        base = {k: v for k, v in (params or {}).items()
                if v is not None and v != ''}
        size = min(page_size or pager.MAX_PAGE_SIZE, pager.MAX_PAGE_SIZE)

        def fetch(offset):
            query = dict(base, limit=size)
            if offset is not None:
                query['offset'] = offset
            return adapter.get_json(path, query)

        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(fetch, marker)
            for _ in range(100_000):  # bounded
                body = future.result()
                elements = body.get(elements_key) or []
                offset = pager.next_offset(body) if elements else None
                if offset is not None:
                    future = pool.submit(fetch, offset)
                yield from elements
                if offset is None:
                    return

    pager.iterate_pages = iterate_pages


PATCHES = {'logging': patch_logging, 'prefetch': patch_prefetch}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--patch', default='',
                        help='comma-separated: ' + ', '.join(PATCHES))
    parser.add_argument('argv', nargs=argparse.REMAINDER)
    args = parser.parse_args()
    for name in filter(None, args.patch.split(',')):
        PATCHES[name]()
    argv = args.argv[1:] if args.argv[:1] == ['--'] else args.argv
    from openstackclient.shell import main as openstack

    return openstack(argv)


if __name__ == '__main__':
    sys.exit(main())

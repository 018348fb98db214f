"""The plain ``requests`` baselines of benchmarks/run (and its data loader).

Run with the project's Python (it needs only ``requests``)::

    python plain_client.py pages  --url URL --token T --name N --start ISO
    python plain_client.py ingest --url URL --token T --file F --batch 1000

``pages`` fetches every page of ``GET /v2.0/metrics/measurements`` the way
a careful hand-written script would (``limit=10000``, take the ``offset``
out of the ``next`` link, stop on no link or an empty page), parses each
page's JSON and counts the points; it prints nothing per row. ``ingest``
reads JSON Lines, parses every line, and POSTs batches of ``--batch``
metrics as JSON arrays to ``/v2.0/metrics``. Both print one JSON summary
line on stdout. ``--token`` is sent as a lone ``X-Auth-Token``, which the
sandbox takes as the tenant id (as keystoneauth's ``none`` plugin does with
its ``notused`` token).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from urllib.parse import parse_qs, urlsplit

import requests


def _session(token: str) -> requests.Session:
    session = requests.Session()
    session.headers.update({'X-Auth-Token': token,
                            'Accept': 'application/json'})
    return session


def _next_offset(body: dict) -> str | None:
    for link in body.get('links') or ():
        if link.get('rel') == 'next':
            values = parse_qs(urlsplit(link['href']).query).get('offset')
            return values[0] if values else None
    return None


def pages(args: argparse.Namespace) -> dict:
    session = _session(args.token)
    url = args.url.rstrip('/') + '/metrics/measurements'
    params = {'name': args.name, 'start_time': args.start, 'limit': 10000}
    if args.dimensions:
        params['dimensions'] = args.dimensions
    requests_sent = points = 0
    while requests_sent < args.max_pages:  # bounded, whatever the server
        response = session.get(url, params=params)
        response.raise_for_status()
        body = response.json()
        requests_sent += 1
        elements = body.get('elements') or []
        for element in elements:
            points += len(element.get('measurements') or ())
        offset = _next_offset(body)
        if not elements or offset is None:
            break
        params['offset'] = offset
    return {'requests': requests_sent, 'points': points}


def ingest(args: argparse.Namespace) -> dict:
    session = _session(args.token)
    session.headers['Content-Type'] = 'application/json'
    url = args.url.rstrip('/') + '/metrics'
    sent = posts = 0
    batch: list = []

    def flush() -> None:
        nonlocal sent, posts
        response = session.post(url, data=json.dumps(batch))
        response.raise_for_status()
        sent += len(batch)
        posts += 1
        batch.clear()

    with open(args.file, encoding='utf-8') as lines:
        for line in lines:
            if line.strip():
                batch.append(json.loads(line))
                if len(batch) >= args.batch:
                    flush()
    if batch:
        flush()
    return {'metrics': sent, 'requests': posts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='mode', required=True)
    for name in ('pages', 'ingest'):
        one = sub.add_parser(name)
        one.add_argument('--url', required=True,
                         help='API root, ending in /v2.0')
        one.add_argument('--token', required=True)
    sub.choices['pages'].add_argument('--name', required=True)
    sub.choices['pages'].add_argument('--start', required=True)
    sub.choices['pages'].add_argument('--dimensions')
    sub.choices['pages'].add_argument('--max-pages', type=int, default=1000)
    sub.choices['ingest'].add_argument('--file', required=True)
    sub.choices['ingest'].add_argument('--batch', type=int, default=1000)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    summary = pages(args) if args.mode == 'pages' else ingest(args)
    summary['seconds'] = round(time.perf_counter() - started, 3)
    json.dump(summary, sys.stdout)
    sys.stdout.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())

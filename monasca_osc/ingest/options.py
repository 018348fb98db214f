"""Options of ``metric create`` for bulk ingest (stdlib only)."""

from __future__ import annotations

import argparse


def add_bulk_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        '--file', metavar='<path|->',
        help='Read many metrics from a file ("-" for stdin): JSON Lines, a '
             'JSON array or CSV')

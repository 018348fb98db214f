"""Options of ``metric create`` for bulk ingest (stdlib only).

Command modules import this at parse time, so it must stay cheap: the
standard library and ``common.argtable`` (standard library only too).
``Ingester`` takes its defaults from the constants here so the CLI and the
Python API agree.
"""

from __future__ import annotations

import argparse
import re

from monasca_osc.common.argtable import add_arguments, arg, repeatable, switch

FORMATS = ('auto', 'jsonl', 'json', 'csv')
TIMESTAMP_UNITS = ('auto', 's', 'ms', 'us', 'ns')

# 1,000 metrics of ~200 bytes is ~200 KB: large enough to amortise the
# request, small enough that a rejected batch bisects in ~10 requests.
DEFAULT_BATCH_SIZE = 1000
MAX_BATCH_SIZE = 100_000
DEFAULT_BATCH_BYTES = 1024 * 1024
MIN_BATCH_BYTES = 1024
DEFAULT_CONCURRENCY = 3
MAX_CONCURRENCY = 16
DEFAULT_RETRIES = 5
DEFAULT_BACKOFF = 0.5
# Slow input (a pipe, stdin): a partial batch waits at most this long.
DEFAULT_FLUSH_INTERVAL = 1.0

# Options that only make sense with --file (see bulk_options_given).
BULK_DESTS = ('input_format', 'batch_size', 'batch_bytes', 'concurrency',
              'retries', 'retry_backoff', 'errors_file', 'strict',
              'checkpoint', 'dry_run', 'allow_any_time', 'timestamp_unit',
              'dimension_columns', 'meta_columns', 'ignore_columns',
              'no_progress', 'flush_interval')

_SIZE = re.compile(r'^\s*(\d+)\s*([kmg]?)(i?b)?\s*$', re.IGNORECASE)
_SIZE_FACTORS = {'': 1, 'k': 1024, 'm': 1024 ** 2, 'g': 1024 ** 3}


def _bounded_int(low: int, high: int, what: str):
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f'{what} {text!r} must be a whole number') from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f'{what} {value} must be between {low} and {high}')
        return value
    return parse


def parse_size(text: str) -> int:
    """``1048576``, ``512K``, ``1M``, ``1MiB`` -> bytes (binary units)."""
    match = _SIZE.match(text or '')
    if not match:
        raise argparse.ArgumentTypeError(
            f'size {text!r} must be a number of bytes, optionally with K, M '
            f'or G (e.g. 512K, 1M)')
    value = int(match.group(1)) * _SIZE_FACTORS[match.group(2).lower()]
    if value < MIN_BATCH_BYTES:
        raise argparse.ArgumentTypeError(
            f'size {text!r} is below the minimum of {MIN_BATCH_BYTES} bytes')
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'{text!r} must be a number of seconds') from None
    if not value >= 0 or value == float('inf'):
        raise argparse.ArgumentTypeError(
            f'{text!r} must be a finite number of seconds >= 0')
    return value


BULK_ARGUMENTS = (
    arg('--file', metavar='<path|->',
        help='Read many metrics from a file ("-" for stdin): JSON Lines (one '
             'metric object per line, as the API takes it), a JSON array or '
             'CSV with a header; gzip-compressed input is accepted'),
    # Not --format: that is cliff's output format (-f).
    arg('--input-format', choices=FORMATS, default='auto',
        help='Input format (default: from the extension .jsonl/.ndjson, '
             '.json, .csv, else from the first character: "[" JSON array, '
             '"{" JSON Lines, anything else CSV)'),
    arg('--batch-size', metavar='<count>',
        type=_bounded_int(1, MAX_BATCH_SIZE, 'batch size'),
        default=DEFAULT_BATCH_SIZE,
        help=f'Metrics per request (default: {DEFAULT_BATCH_SIZE})'),
    arg('--batch-bytes', metavar='<size>', type=parse_size,
        default=DEFAULT_BATCH_BYTES,
        help='Largest request body, e.g. 512K, 1M (default: 1M); a single '
             'larger metric is sent alone'),
    arg('--concurrency', metavar='<count>',
        type=_bounded_int(1, MAX_CONCURRENCY, 'concurrency'),
        default=DEFAULT_CONCURRENCY,
        help=f'Requests in flight at once (default: {DEFAULT_CONCURRENCY})'),
    arg('--retries', metavar='<count>',
        type=_bounded_int(0, 100, 'retries'), default=DEFAULT_RETRIES,
        help='Retries of a batch after a transient failure (connection '
             'error, timeout, 429, 500, 502, 503, 504), with exponential '
             f'backoff, jitter and Retry-After (default: {DEFAULT_RETRIES})'),
    arg('--retry-backoff', metavar='<seconds>', type=_non_negative_float,
        default=DEFAULT_BACKOFF,
        help='First backoff delay; it doubles on each retry, up to 30s '
             f'(default: {DEFAULT_BACKOFF})'),
    arg('--flush-interval', metavar='<seconds>', type=_non_negative_float,
        default=DEFAULT_FLUSH_INTERVAL,
        help='Input that arrives slowly (stdin, a pipe such as tail -f): '
             'send a partial batch once its oldest record has waited this '
             'long (0: whenever no more input is ready) instead of holding '
             'records until --batch-size arrive (default: '
             f'{DEFAULT_FLUSH_INTERVAL:g})'),
    arg('--errors-file', metavar='<path>',
        help='Write each refused or unsent record here, one JSON object a '
             'line: {"line": N, "reason": "...", "record": ...} (default: '
             'the first 10 go to stderr)'),
    switch('--strict', 'Stop at the first invalid record: nothing after it '
           'is sent (exit status 1)'),
    arg('--checkpoint', metavar='<path>',
        help='Record progress in this file; run the same command again '
             'after a crash or interrupt to continue where it stopped '
             '(every record is counted once; --file must be a regular file, '
             'not stdin or a pipe)'),
    switch('--dry-run', 'Validate and print the normalised metrics as JSON '
           'lines on stdout; send nothing'),
    switch('--allow-any-time', 'Accept timestamps before 2000-01-01 or more '
           'than a day in the future (refused by default: usually a wrong '
           'unit)'),
    arg('--timestamp-unit', choices=TIMESTAMP_UNITS, default='auto',
        help='Unit of numeric timestamps (default: auto, by magnitude: '
             'seconds, milliseconds, microseconds or nanoseconds); ISO 8601 '
             'strings are accepted too; metrics are sent in milliseconds'),
    repeatable('--dimension-column', '<column[=key]>',
               dest='dimension_columns',
               help='CSV: this column is a dimension (named key); repeat '
                    'option for several. Columns other than name, value and '
                    'timestamp are dimensions by default; headers '
                    '"dim.<key>" are dimensions too'),
    repeatable('--meta-column', '<column[=key]>', dest='meta_columns',
               help='CSV: this column is a value_meta entry (named key); '
                    'repeat option for several; headers "meta.<key>" are '
                    'value_meta too'),
    repeatable('--ignore-column', '<column>', dest='ignore_columns',
               help='CSV: ignore this column; repeat option for several'),
    switch('--no-progress', 'No progress bar on stderr (shown only when '
           'stderr is a terminal)'),
)


def add_bulk_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        'bulk ingest',
        'With --file, <name>, --dimension, --value-meta and --time are '
        'defaults for records that lack them (a record\'s own dimensions and '
        'value_meta entries win); --value is not allowed. Records without '
        'a timestamp get --time or the current time (with --checkpoint: the '
        'time of the first run, so a resumed run re-sends identical points). '
        'Exit status 1 when any record was refused or not sent.')
    add_arguments(group, BULK_ARGUMENTS)


def parse_column_map(items: list[str] | None,
                     what: str) -> dict[str, str]:
    """``['rc', 'host=hostname']`` -> ``{'rc': 'rc', 'host': 'hostname'}``."""
    result: dict[str, str] = {}
    for item in items or ():
        column, sep, key = item.partition('=')
        column = column.strip()
        key = key.strip() if sep else column
        if not column or not key:
            raise ValueError(f'Malformed {what} {item!r}: use column or '
                             f'column=key')
        result[column] = key
    return result


def bulk_options_given(parsed_args: argparse.Namespace) -> list[str]:
    """Bulk options set to a non-default value (for "needs --file")."""
    parser_defaults = {
        'input_format': 'auto', 'batch_size': DEFAULT_BATCH_SIZE,
        'batch_bytes': DEFAULT_BATCH_BYTES,
        'concurrency': DEFAULT_CONCURRENCY, 'retries': DEFAULT_RETRIES,
        'retry_backoff': DEFAULT_BACKOFF, 'timestamp_unit': 'auto',
        'flush_interval': DEFAULT_FLUSH_INTERVAL}
    given = []
    for dest in BULK_DESTS:
        value = getattr(parsed_args, dest, None)
        if value in (None, False, []) or parser_defaults.get(dest) == value:
            continue
        given.append('--' + dest.replace('_', '-').replace(
            'columns', 'column'))
    return given

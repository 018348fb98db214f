"""Import cost of the OSC plugin module and all its command modules.

Run with the project's Python; prints one JSON object. Two fresh
interpreters are used per repetition:

* ``-X importtime``: after ``import openstackclient.shell`` (what OSC has
  loaded before it imports plugins) a marker is written to stderr, then
  ``monasca_osc.plugin`` and every module named by the
  ``openstack.monitoring.v2`` entry points are imported. Every importtime
  line after the marker is a module that our plugin added; the sum of their
  *self* times is the added import cost (equal to the sum of the cumulative
  times of the top-level imports, without double counting).
* plain wall clock (``time.perf_counter``) around the same imports, without
  the importtime instrumentation overhead (this one cannot include
  ``monasca_osc.plugin``, which ``openstackclient.shell`` imports itself).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys

GROUP = 'openstack.monitoring.v2'
MARK = '@@monasca-osc-benchmark-mark@@'

# Runs inside the measured interpreter.
SNIPPET = f'''
import importlib.metadata, sys, time
import openstackclient.shell  # noqa: F401 - the base OSC has loaded
modules = ['monasca_osc.plugin'] + sorted({{
    ep.value.split(':')[0]
    for ep in importlib.metadata.entry_points(group={GROUP!r})}})
sys.stderr.write({MARK!r} + '\\n')
sys.stderr.flush()
started = time.perf_counter()
for name in modules:
    __import__(name)  # importlib.import_module would bypass -X importtime
elapsed = time.perf_counter() - started
print(elapsed, len(modules))
'''

LINE = re.compile(r'import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)')


def importtime_once(python: str) -> dict:
    proc = subprocess.run([python, '-X', 'importtime', '-c', SNIPPET],
                          capture_output=True, text=True, check=True)
    before, after = proc.stderr.split(MARK, 1)
    ours = other = 0
    others: dict[str, int] = {}
    per_module: dict[str, int] = {}
    # OSC imports the plugin module itself (openstackclient.common.
    # clientmanager loads every openstack.cli.extension at import time), so
    # its lines come before the marker.
    for match in LINE.finditer(before):
        if match.group(4).startswith('monasca_osc'):
            ours += int(match.group(1))
            per_module[match.group(4)] = int(match.group(1))
    for match in LINE.finditer(after):
        self_us, _cumulative, _indent, name = match.groups()
        if name.startswith('monasca_osc'):
            ours += int(self_us)
            per_module[name] = int(self_us)
        else:
            other += int(self_us)
            others[name] = int(self_us)
    return {'ours_us': ours, 'other_us': other, 'per_module': per_module,
            'others': others}


def wall_once(python: str) -> tuple[float, int]:
    proc = subprocess.run([python, '-c', SNIPPET], capture_output=True,
                          text=True, check=True)
    elapsed, count = proc.stdout.split()
    return float(elapsed), int(count)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--python', default=sys.executable)
    parser.add_argument('--reps', type=int, default=5)
    args = parser.parse_args(argv)
    runs = []
    walls = []
    count = 0
    importtime_once(args.python)  # warm-up: write .pyc files
    for _ in range(args.reps):
        runs.append(importtime_once(args.python))
        elapsed, count = wall_once(args.python)
        walls.append(elapsed * 1000)
    totals = [(r['ours_us'] + r['other_us']) / 1000 for r in runs]
    median_run = sorted(runs, key=lambda r: r['ours_us'] + r['other_us'])[
        len(runs) // 2]
    json.dump({
        'modules': count,
        'importtime_total_ms': totals,
        'importtime_ours_ms': [r['ours_us'] / 1000 for r in runs],
        'importtime_other_ms': [r['other_us'] / 1000 for r in runs],
        'wall_ms': walls,
        'median_total_ms': statistics.median(totals),
        'median_wall_ms': statistics.median(walls),
        # The modules of the median run, slowest first.
        'top_modules': sorted(
            median_run['per_module'].items(), key=lambda kv: -kv[1])[:10],
        'third_party': sorted(
            median_run['others'].items(), key=lambda kv: -kv[1])[:15],
    }, sys.stdout)
    sys.stdout.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())

"""The README's main job: the tour runs against the embedded sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile


def test_tour_runs_every_step_against_the_embedded_sandbox() -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('OS_', 'MONASCA_'))}
    env['XDG_CACHE_HOME'] = tempfile.mkdtemp(prefix='tour-cache-')
    result = subprocess.run(
        [sys.executable, '-m', 'monasca_osc.tour'], env=env,
        capture_output=True, text=True, timeout=600)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert 'Traceback' not in out + result.stderr
    # Tables for people, JSON for scripts, an alarm that fired, the legacy
    # command, and the one-line error for bad input.
    assert '| cpu.idle_perc | hostname=web1 |' in out
    assert '"Dimensions": {' in out
    assert '| ALARM |' in out
    assert "Metric name 'bad name' contains the forbidden character ' '" \
        in out
    assert '| name          | dimensions    |' in out
    assert out.rstrip().endswith(
        'tour: done. Start your own sandbox with: '
        'monasca-sandbox --port 8070')

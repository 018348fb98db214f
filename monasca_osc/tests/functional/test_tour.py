"""The README's main job: the tour runs against the embedded sandbox."""

from __future__ import annotations

import os
from pathlib import Path
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
    # It hands over: the exact lines to paste (the venv, a sandbox, the
    # variables or a clouds.yaml entry that reach it), as the README has.
    from monasca_osc import tour

    assert out.rstrip().endswith(tour.handover(sys.prefix))
    assert f'source {sys.prefix}/bin/activate' in out


# -- the hand-over and the README's sandbox story, run as written -----------

README = Path(__file__).resolve().parents[3] / 'README.rst'


def _readme_block(after: str) -> list[str]:
    """The ``$`` lines of the first console block after ``after``."""
    text = README.read_text()
    lines = text[text.index(after):].splitlines()
    start = next(i for i, line in enumerate(lines)
                 if line.startswith('.. code-block:: console'))
    block: list[str] = []
    continued = False
    for line in lines[start + 2:]:
        if line and not line.startswith('   '):
            break
        text = line.strip()
        if continued:
            block[-1] = block[-1][:-1] + text
        elif text.startswith('$ '):
            block.append(text[2:])
        continued = bool(block) and block[-1].endswith('\\') and (
            continued or text.startswith('$ '))
    return block


def test_readme_sandbox_story_is_the_tour_handover() -> None:
    from monasca_osc import tour

    readme = _readme_block('Your own sandbox\n')
    pasted = [line.strip() for line in tour.handover('.venv').splitlines()
              if line.startswith('  ') and not line.startswith('    ')]
    assert readme == pasted[:len(readme)], (readme, pasted)
    assert readme[0] == 'source .venv/bin/activate'


def test_readme_sandbox_story_runs_as_written(tmp_path: Path) -> None:
    """The hand-over lines, then the README's monasca example, in one
    shell: one project, so each command sees what the other posted; then
    the clouds.yaml entry of the hand-over reaches the same project."""
    from monasca_osc import tour
    from monasca_osc.testing import free_port

    port = str(free_port())
    story = _readme_block('Your own sandbox\n')
    legacy = _readme_block('The ``monasca`` command\n=')
    clouds = tour.handover().split('clouds:', 1)[1]
    (tmp_path / 'clouds.yaml').write_text(
        'clouds:' + clouds.replace('8070', port) + '\n')
    venv = str(Path(sys.executable).parent.parent)
    script = [
        'set -e',
        story[0].replace('.venv', venv),
        story[1],                 # the sandbox, in the background
        'trap "kill $!" EXIT',
        *story[2:], *legacy,
        'echo ==scripting',
        _readme_block('so every formatter is usable:')[0],
        'echo ==clouds.yaml',
        'env -u OS_AUTH_TYPE -u OS_ENDPOINT -u OS_TOKEN '
        f'OS_CLIENT_CONFIG_FILE={tmp_path}/clouds.yaml '
        'openstack --os-cloud sandbox monitoring metric list -f value',
    ]
    script = [line.replace('8070', port) for line in script]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('OS_', 'MONASCA_'))}
    env['XDG_CACHE_HOME'] = tempfile.mkdtemp(prefix='tour-cache-')
    result = subprocess.run(['bash', '-c', '\n'.join(script)], env=env,
                            cwd=tmp_path, capture_output=True, text=True,
                            timeout=300)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert 'Traceback' not in out + result.stderr
    before, after = out.split('==clouds.yaml')
    before, scripting = before.split('==scripting')
    # The Scripting example, on the metric the hand-over posted.
    assert scripting.split() == [
        '"Name","Dimensions","Timestamp","Value","Value',
        'Meta"', scripting.split()[2]]
    assert scripting.split()[2].startswith('"cpu.idle_perc","hostname=web1"')
    assert scripting.split()[2].endswith(',42.0,""')
    # monasca metric-list shows what openstack posted...
    assert 'cpu.idle_perc' in before.split('monasca-sandbox')[-1]
    # ...and openstack lists what monasca posted.
    assert '| metric1 | instance_id=123, service=ourservice |' in before
    assert 'cpu.idle_perc hostname=web1' in after
    assert 'metric1 instance_id=123,service=ourservice' in after
    assert (tmp_path / 'monasca-sandbox.db').exists()

"""Start-up rule: the plugin and the command modules import nothing heavy.

OSC imports every plugin module on every run and (with cliff >= 3.4) every
command module of every installed plugin on every command run, so these
must add no third-party package beyond what ``openstackclient.shell``
itself has loaded, and none of our heavy modules (REST layer, sandbox,
ingest engine, legacy CLI). Measured in a fresh interpreter.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

HEAVY = ('monasca_osc.api', 'monasca_osc.sandbox',
         'monasca_osc.ingest.ingester', 'monasca_osc.ingest.run',
         'monasca_osc.ingest.readers', 'monasca_osc.ingest.command',
         'monasca_osc.legacy', 'monasca_osc.client', 'monasca_osc.shell')

SCRIPT = textwrap.dedent('''
    import importlib
    import importlib.abc
    import importlib.metadata
    import json
    import sys


    class Block(importlib.abc.MetaPathFinder):
        """Keep OSC from loading our plugin into the baseline."""

        def find_spec(self, name, path=None, target=None):
            if name == 'monasca_osc' or name.startswith('monasca_osc.'):
                raise ImportError('blocked for the baseline')
            return None


    blocker = Block()
    sys.meta_path.insert(0, blocker)
    import openstackclient.shell  # noqa: F401  (the baseline)
    sys.meta_path.remove(blocker)
    for name in [m for m in sys.modules if m.split('.')[0] == 'monasca_osc']:
        del sys.modules[name]
    entry_points = list(importlib.metadata.entry_points(
        group='openstack.monitoring.v2'))
    extension = [ep.value for ep in importlib.metadata.entry_points(
        group='openstack.cli.extension') if ep.name == 'monitoring']
    before = set(sys.modules)

    importlib.import_module('monasca_osc.plugin')
    classes = []
    for ep in entry_points:
        module, _, attr = ep.value.partition(':')
        classes.append(getattr(importlib.import_module(module), attr))
    after_import = sorted(set(sys.modules) - before)

    # What a command run adds on top: building the command's parser.
    import types
    app = types.SimpleNamespace(stdin=sys.stdin, stdout=sys.stdout,
                                stderr=sys.stderr, options=None)
    for cls in classes:
        cls(app, None).get_parser('openstack ' + cls.__name__)
    after_parsers = sorted(set(sys.modules) - before)

    print(json.dumps({
        'entry_points': [ep.value for ep in entry_points],
        'extension': extension,
        'after_import': after_import, 'after_parsers': after_parsers,
        'stdlib': sorted(sys.stdlib_module_names)}))
''')


@pytest.fixture(scope='module')
def measured() -> dict:
    result = subprocess.run([sys.executable, '-c', SCRIPT],
                            capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _top(name: str) -> str:
    return name.split('.')[0]


def test_entry_points_are_installed(measured: dict) -> None:
    assert measured['extension'] == ['monasca_osc.plugin']
    assert len(measured['entry_points']) >= 27
    assert all(value.startswith('monasca_osc.v2.')
               for value in measured['entry_points'])


def test_no_new_top_level_package(measured: dict) -> None:
    stdlib = set(measured['stdlib'])
    new = {_top(m) for m in measured['after_import']}
    assert 'monasca_osc' in new  # the measurement saw our imports
    assert new - stdlib - {'monasca_osc'} == set()


def test_command_modules_were_imported(measured: dict) -> None:
    modules = {ep.partition(':')[0] for ep in measured['entry_points']}
    assert modules <= set(measured['after_import'])
    assert 'monasca_osc.plugin' in measured['after_import']


@pytest.mark.parametrize('phase', ['after_import', 'after_parsers'])
def test_heavy_modules_stay_unloaded(measured: dict, phase: str) -> None:
    loaded = [m for m in measured[phase]
              if any(m == h or m.startswith(h + '.') for h in HEAVY)]
    assert loaded == []


def test_parsers_add_only_light_modules(measured: dict) -> None:
    added = set(measured['after_parsers']) - set(measured['after_import'])
    ours = {m for m in added if _top(m) == 'monasca_osc'}
    # metric create's --file option lives in the stdlib-only options module
    assert ours <= {'monasca_osc.ingest', 'monasca_osc.ingest.options'}

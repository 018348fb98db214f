"""The sandbox's layout: one module per resource, no import cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import monasca_osc.sandbox

ROOT = Path(monasca_osc.sandbox.__file__).parent


def _sandbox_imports(path: Path) -> set[str]:
    """Sandbox modules imported anywhere (TYPE_CHECKING blocks included)."""
    deps: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == 'monasca_osc.sandbox':
                deps |= {alias.name for alias in node.names}
            elif node.module.startswith('monasca_osc.sandbox.'):
                deps.add(node.module.rsplit('.', 1)[1])
    return deps


def test_no_import_cycle() -> None:
    graph = {p.stem: _sandbox_imports(p) for p in ROOT.glob('*.py')}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, ' -> '.join(path + (name,))
        if name in done:
            return
        for dep in graph.get(name, ()):
            visit(dep, path + (name,))
        done.add(name)

    for name in graph:
        visit(name, ())
    # Resource modules never import one another nor the server: they see
    # the application through context.AppContext.
    resources = {'metrics', 'notifications', 'alarm_definitions', 'alarms',
                 'versions', 'testapi'}
    for name in resources | {'query'}:
        assert not graph[name] & (resources | {'server'}), name
        assert 'context' in graph[name], name


def test_modules_stay_small() -> None:
    sizes = {p.name: len(p.read_text().splitlines())
             for p in ROOT.glob('*.py')}
    assert max(sizes.values()) <= 600, sizes

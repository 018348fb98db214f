"""The package's layout rules: no import cycle, no module over 600 lines.

Imports are read from the source (every ``import`` anywhere in a module,
including those inside functions and under ``if TYPE_CHECKING:``), so a
cycle cannot hide behind a lazy or type-only import. Tests are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import monasca_osc

PACKAGE = Path(monasca_osc.__file__).parent
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob('*.py'):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix('').parts)
        if 'tests' in parts:
            continue
        if parts[-1] == '__init__':
            parts.pop()
        found['.'.join(parts)] = path
    return found


MODULES = _modules()


def _owner(name: str) -> str | None:
    """The module of ours that ``import name`` loads (None: not ours)."""
    while name and name not in MODULES:
        name = name.rpartition('.')[0]
    return name or None


def imports_of(module: str) -> set[str]:
    """Our modules that ``module`` imports, wherever the import stands."""
    path = MODULES[module]
    package = module if path.name == '__init__.py' else \
        module.rpartition('.')[0]
    deps: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            deps |= {_owner(alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                parent = package.split('.')
                parent = parent[:len(parent) - node.level + 1]
                base = '.'.join(parent + ([base] if base else []))
            for alias in node.names:
                full = f'{base}.{alias.name}'
                deps.add(full if full in MODULES else _owner(base))
    deps.discard(None)
    deps.discard(module)
    return deps  # type: ignore[return-value]


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as a path, or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        if name in path:
            return path[path.index(name):] + [name]
        if name in done:
            return None
        path.append(name)
        for dep in sorted(graph.get(name, ())):
            cycle = visit(dep)
            if cycle:
                return cycle
        path.pop()
        done.add(name)
        return None

    for name in sorted(graph):
        cycle = visit(name)
        if cycle:
            return cycle
    return None


def test_finder_sees_a_cycle() -> None:
    graph = {'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}
    assert find_cycle(graph) == ['a', 'b', 'c', 'a']
    assert find_cycle({'a': {'b'}, 'b': set()}) is None


def test_reader_sees_lazy_and_type_only_imports() -> None:
    # v2/live.py imports monasca_osc.live.* inside functions only, and the
    # sandbox handlers import their context; both must be seen.
    assert 'monasca_osc.live.follow' in imports_of('monasca_osc.v2.live')
    assert 'monasca_osc.sandbox.context' in imports_of(
        'monasca_osc.sandbox.metrics')


def test_no_import_cycle() -> None:
    graph = {name: imports_of(name) for name in MODULES}
    cycle = find_cycle(graph)
    assert cycle is None, ' -> '.join(cycle)


def test_modules_stay_small() -> None:
    big = {name: n for name, path in MODULES.items()
           if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not big, big

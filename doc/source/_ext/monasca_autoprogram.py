"""``autoprogram-monasca``: cliff's autoprogram-cliff for the `monasca` CLI.

cliff's directive finds commands through an entry-point namespace. The
``monasca`` command keeps its legacy command table in code (no entry-point
scan, for start-up speed: see ``monasca_osc/shell.py``), so this directive
reuses cliff's rendering and only swaps where the commands come from. The
reference therefore comes from the same parsers ``monasca <cmd> --help``
prints, and cannot drift from them.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from cliff import sphinxext


class AutoprogramMonascaDirective(sphinxext.AutoprogramCliffDirective):
    """Document the commands of ``monasca_osc.shell``'s command table."""

    required_arguments = 0

    def _load_app(self) -> None:
        return None

    def _load_commands(self) -> dict[str, Any]:
        from monasca_osc import shell

        # The same table `monasca` dispatches on (private by design: it is
        # the shell's, and this directive is its only other reader).
        manager = shell._Commands()
        pattern = self.options.get('command') or '*'
        names = sorted(name for name in manager.commands
                       if fnmatch.fnmatch(name, pattern))
        if not names:
            raise self.error(f'no monasca command matches {pattern!r}')
        return {name: manager.find_command([name])[0] for name in names}


def setup(app: Any) -> dict[str, Any]:
    app.add_directive('autoprogram-monasca', AutoprogramMonascaDirective)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}

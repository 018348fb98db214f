"""cliff's ``autoprogram-cliff`` for both of our CLIs.

* ``autoprogram-monasca``: cliff's directive finds commands through an
  entry-point namespace. The ``monasca`` command keeps its legacy command
  table in code (no entry-point scan, for start-up speed: see
  ``monasca_osc/shell.py``), so this directive reuses cliff's rendering and
  only swaps where the commands come from.
* ``autoprogram-cliff`` is re-registered so that help texts are shown as
  written: cliff pastes them into reStructuredText, where the ``*`` of
  ``--prune-scope 'team-a-*'`` or a `` ` `` would start markup.

Either way the reference comes from the same parsers ``--help`` prints,
and cannot drift from them.
"""

from __future__ import annotations

from argparse import SUPPRESS
import fnmatch
import re
from typing import Any

from cliff import sphinxext

# Characters that start inline markup in reStructuredText.
_MARKUP = re.compile(r'([*`|\\]|_(?=\W|$))')


class LiteralHelpDirective(sphinxext.AutoprogramCliffDirective):
    """autoprogram-cliff with help texts escaped for reStructuredText."""

    def _drop_ignored_options(self, parser: Any, ignored_opts: list[str]
                              ) -> None:
        # Called with every parser cliff renders: the place to escape.
        super()._drop_ignored_options(parser, ignored_opts)
        for action in parser._actions:
            if isinstance(action.help, str) and action.help != SUPPRESS:
                action.help = _MARKUP.sub(r'\\\1', action.help)


class AutoprogramMonascaDirective(LiteralHelpDirective):
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
    app.setup_extension('cliff.sphinxext')
    app.add_directive('autoprogram-cliff', LiteralHelpDirective,
                      override=True)
    app.add_directive('autoprogram-monasca', AutoprogramMonascaDirective)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}

"""Sphinx configuration of the monasca-osc documentation site.

Built by ``tox -e docs`` (and by CI) with ``sphinx-build -W``: every
warning is an error, so a command whose help no longer parses, a broken
cross-reference or a page left out of every toctree fails the build.
"""

import os
import sys

# The local extension that documents the `monasca` command's in-code
# command table with cliff's autoprogram-cliff machinery.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), '_ext'))

extensions = [
    'sphinx.ext.autodoc',
    'sphinx.ext.viewcode',
    'cliff.sphinxext',
    'openstackdocstheme',
    'monasca_autoprogram',
]

project = 'monasca-osc'
copyright = '2026, monasca-osc developers'
master_doc = 'index'
exclude_patterns = []
pygments_style = 'native'
# Help texts name options (--prune) and quote values: keep them as typed
# rather than turning -- into a dash and quotes into curly ones.
smartquotes = False

# openstackdocstheme
html_theme = 'openstackdocs'
openstackdocs_repo_name = 'openstack/monasca-osc'
openstackdocs_bug_project = 'monasca-osc'
openstackdocs_bug_tag = 'docs'
openstackdocs_auto_name = False
openstackdocs_use_storyboard = False

# autoprogram-cliff: the OSC plugin's commands are documented as
# `openstack monitoring ...`; --help is in every command and says nothing.
autoprogram_cliff_application = 'openstack'
autoprogram_cliff_ignored = ['--help', '--fit-width', '--print-empty',
                             '--noindent', '--max-width']

autodoc_member_order = 'bysource'
autodoc_default_options = {'members': True, 'show-inheritance': True}

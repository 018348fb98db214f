"""Sphinx configuration of the release notes (reno's Sphinx extension).

``tox -e releasenotes`` lints the notes (``reno lint``) and builds this
site with ``sphinx-build -W``.
"""

extensions = [
    'reno.sphinxext',
    'openstackdocstheme',
]

project = 'monasca-osc release notes'
copyright = '2026, monasca-osc developers'
master_doc = 'index'
exclude_patterns = []

html_theme = 'openstackdocs'
openstackdocs_repo_name = 'openstack/monasca-osc'
openstackdocs_bug_project = 'monasca-osc'
openstackdocs_bug_tag = 'releasenotes'
openstackdocs_auto_name = False
openstackdocs_use_storyboard = False

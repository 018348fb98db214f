"""A local Monasca API v2.0 (SQLite) for the tour, tests and CI.

``monasca-sandbox`` / ``python -m monasca_osc.sandbox`` runs it;
``monasca_osc.sandbox.server.make_app`` builds the WSGI application.
See README.rst in this directory.
"""

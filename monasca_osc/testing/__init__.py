"""Test support for monasca-osc and for your own CI (standard library only).

* :class:`Sandbox`: start ``monasca-sandbox`` on a free loopback port, wait
  for it, stop it, read its log; its test API (fault rules, request
  counter, evaluation on demand);
* :func:`free_port`, :func:`wait_for_http`, :func:`stop_process`: the
  pieces it is made of, for other servers (a test Keystone, a proxy);
* :func:`page`: a collection body as the API returns it, for fake servers.

The project's own tests, the tour (``monasca-osc-tour``) and the
benchmarks all start the sandbox through :class:`Sandbox`.
"""

from monasca_osc.testing.pages import page
from monasca_osc.testing.sandbox import (
    Sandbox,
    free_port,
    stop_process,
    wait_for_http,
)

__all__ = ['Sandbox', 'free_port', 'page', 'stop_process', 'wait_for_http']

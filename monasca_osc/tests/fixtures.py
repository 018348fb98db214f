"""Moved to :mod:`monasca_osc.testing` (``Sandbox``, ``free_port``).

Kept as an alias only while tests written against the old name are rebased;
new code imports ``monasca_osc.testing``.
"""

from monasca_osc.testing import Sandbox as SandboxServer
from monasca_osc.testing import free_port

__all__ = ['SandboxServer', 'free_port']

"""What a resource handler may use of the sandbox application.

The resource modules (``metrics``, ``notifications``, ``alarm_definitions``,
``alarms``, ``versions``, ``testapi``, and ``query``'s helpers) take an
``AppContext`` as their first argument; ``server.SandboxApp`` implements it
and routes requests to them. Handlers import this module, never
``server``, so imports point one way: server -> handlers -> context ->
store/evaluator/faults/auth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from monasca_osc.sandbox import auth, faults
from monasca_osc.sandbox.evaluator import Evaluator
from monasca_osc.sandbox.store import Store
from monasca_osc.sandbox.web import Request

# monasca-notification's default enabled plugins.
DEFAULT_NOTIFICATION_TYPES = ('EMAIL', 'WEBHOOK', 'PAGERDUTY')


@dataclass
class SandboxConfig:
    notification_types: list[str] = field(
        default_factory=lambda: list(DEFAULT_NOTIFICATION_TYPES))
    valid_periods: list[int] = field(default_factory=lambda: [0, 60])
    roles: auth.Roles = field(default_factory=auth.Roles)
    enable_test_api: bool = False
    keystone: dict[str, str] | None = None


class AppContext(Protocol):
    """The application as its handlers see it."""

    store: Store
    config: SandboxConfig
    evaluator: Evaluator
    faults: faults.Faults
    requests: faults.RequestLog

    def allowed(self, req: Request, rule: str) -> bool:
        """Whether the request's roles grant the policy ``rule``."""
        ...

    def authorize(self, req: Request, rule: str) -> None:
        """Raise the API's 401 unless the request is ``allowed``."""
        ...

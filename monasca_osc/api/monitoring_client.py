"""The REST client: one adapter, one manager per resource."""

from __future__ import annotations

from typing import Any

from monasca_osc.api.alarm_definitions import AlarmDefinitionsManager
from monasca_osc.api.alarms import AlarmsManager
from monasca_osc.api.http import MonascaAdapter
from monasca_osc.api.metrics import MetricsManager
from monasca_osc.api.notifications import (
    NotificationsManager,
    NotificationTypesManager,
)
from monasca_osc.api.versions import VersionsManager


class MonitoringClient:
    """What ``client_manager.monitoring`` and ``client.Client`` return."""

    def __init__(self, session: Any = None, *, adapter: MonascaAdapter | None
                 = None, **adapter_kwargs: Any):
        if adapter is None:
            adapter = MonascaAdapter(session, **adapter_kwargs)
        self.adapter = adapter
        self.metrics = MetricsManager(adapter)
        self.alarm_definitions = AlarmDefinitionsManager(adapter)
        self.alarms = AlarmsManager(adapter)
        self.notifications = NotificationsManager(adapter)
        self.notificationtypes = NotificationTypesManager(adapter)
        self.versions = VersionsManager(adapter)

    @property
    def endpoint(self) -> str:
        return self.adapter.root

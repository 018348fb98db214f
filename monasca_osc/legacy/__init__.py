"""The legacy ``monasca`` commands (python-monascaclient's syntax).

Each command is a thin subclass of the matching ``monasca_osc.v2`` command
(see ``legacy/base.py``); this table maps the 29 legacy names to them and
is the only thing ``monasca_osc.shell`` imports at start-up. A command's
module is imported when that command runs (or for ``help``/``complete``).
"""

from __future__ import annotations

import importlib
from typing import Any

# name -> "module:Class" under monasca_osc.legacy
COMMANDS: dict[str, str] = {
    'metric-create': 'metrics:MetricCreate',
    'metric-create-raw': 'metrics:MetricCreateRaw',
    'metric-list': 'metrics:MetricList',
    'metric-name-list': 'metrics:MetricNameList',
    'dimension-name-list': 'metrics:DimensionNameList',
    'dimension-value-list': 'metrics:DimensionValueList',
    'measurement-list': 'metrics:MeasurementList',
    'metric-statistics': 'metrics:MetricStatistics',
    'notification-create': 'notifications:NotificationCreate',
    'notification-list': 'notifications:NotificationList',
    'notification-show': 'notifications:NotificationShow',
    'notification-update': 'notifications:NotificationUpdate',
    'notification-patch': 'notifications:NotificationPatch',
    'notification-delete': 'notifications:NotificationDelete',
    'notification-type-list': 'notifications:NotificationTypeList',
    'alarm-definition-create': 'alarm_definitions:AlarmDefinitionCreate',
    'alarm-definition-list': 'alarm_definitions:AlarmDefinitionList',
    'alarm-definition-show': 'alarm_definitions:AlarmDefinitionShow',
    'alarm-definition-update': 'alarm_definitions:AlarmDefinitionUpdate',
    'alarm-definition-patch': 'alarm_definitions:AlarmDefinitionPatch',
    'alarm-definition-delete': 'alarm_definitions:AlarmDefinitionDelete',
    'alarm-list': 'alarms:AlarmList',
    'alarm-show': 'alarms:AlarmShow',
    'alarm-update': 'alarms:AlarmUpdate',
    'alarm-patch': 'alarms:AlarmPatch',
    'alarm-delete': 'alarms:AlarmDelete',
    'alarm-count': 'alarms:AlarmCount',
    'alarm-history': 'alarms:AlarmHistory',
    'alarm-history-list': 'alarms:AlarmHistoryList',
}


class LazyCommand:
    """A cliff command-manager entry that imports its class on load()."""

    def __init__(self, name: str, target: str):
        self.name = name
        self.target = target

    @property
    def value(self) -> str:
        return f'{__name__}.{self.target}'

    def load(self) -> Any:
        module, _, cls = self.target.partition(':')
        return getattr(importlib.import_module(f'{__name__}.{module}'), cls)


def load(name: str) -> Any:
    """The command class of a legacy command name."""
    return LazyCommand(name, COMMANDS[name]).load()

"""``openstack monitoring version ...`` and ``health show``."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from monasca_osc.v2.base import commands

COLUMNS = ('ID', 'Status', 'Updated')
FIELDS = ('id', 'status', 'updated')


class ListVersion(commands.Lister):
    """List the API versions the server offers"""

    columns = commands.ListColumns(COLUMNS,
                                   dict(zip(COLUMNS, FIELDS, strict=True)))

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.versions.list()


class ShowVersion(commands.ShowOne):
    """Show one API version"""

    show_fields = FIELDS

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('version', metavar='<version>', nargs='?',
                            default='v2.0', help='Version (default: v2.0)')
        return parser

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        return self.client.versions.get(parsed_args.version)


class ShowHealth(commands.ShowOne):
    """Show the API health check (exit 1 when unhealthy)"""

    _healthy = True

    def fetch(self, parsed_args: argparse.Namespace) -> Any:
        health = self.client.versions.healthcheck()
        self._healthy = health.get('status') == 200
        return health

    def shape(self, parsed_args: argparse.Namespace,
              health: Mapping[str, Any]) -> tuple:
        fields = tuple(sorted(health))
        return fields, tuple(health[f] for f in fields)

    def run(self, parsed_args: argparse.Namespace) -> int:
        result = super().run(parsed_args)
        if not self._healthy:
            self.log.error('The monitoring API reports itself unhealthy')
            return 1
        return result

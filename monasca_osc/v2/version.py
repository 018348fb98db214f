"""``openstack monitoring version ...`` and ``health show``."""

from __future__ import annotations

import argparse
from typing import Any

from monasca_osc.v2.base import cells, commands

COLUMNS = ('ID', 'Status', 'Updated')
FIELDS = ('id', 'status', 'updated')


class ListVersion(commands.Lister):
    """List the API versions the server offers"""

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        versions = self.client.versions.list()
        return COLUMNS, (cells.get_fields(v, FIELDS) for v in versions)


class ShowVersion(commands.ShowOne):
    """Show one API version"""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument('version', metavar='<version>', nargs='?',
                            default='v2.0', help='Version (default: v2.0)')
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        version = self.client.versions.get(parsed_args.version)
        return FIELDS, cells.get_fields(version, FIELDS)


class ShowHealth(commands.ShowOne):
    """Show the API health check (exit 1 when unhealthy)"""

    _healthy = True

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        health = self.client.versions.healthcheck()
        fields = tuple(sorted(health))
        self._healthy = health.get('status') == 200
        return fields, tuple(health[f] for f in fields)

    def run(self, parsed_args: argparse.Namespace) -> int:
        result = super().run(parsed_args)
        if not self._healthy:
            self.log.error('The monitoring API reports itself unhealthy')
            return 1
        return result

"""OpenStackClient plugin hook for ``openstack monitoring ...``.

Imported on every ``openstack`` run (even ``--version``), so it imports
nothing but the standard library and osc_lib.utils, which OSC has loaded
already. The REST layer is imported inside make_client.
"""

from __future__ import annotations

import argparse
from typing import Any

from osc_lib import utils

from monasca_osc import masking
from monasca_osc.common import argtypes

API_NAME = 'monitoring'
API_VERSION_OPTION = 'os_monitoring_api_version'
DEFAULT_API_VERSION = '2'
# Dotted integers only: OSC sorts these with int() in its warning path.
API_VERSIONS = ('2', '2.0')


def make_client(instance: Any) -> Any:
    """Build the Monasca REST client on OSC's keystoneauth session."""
    from keystoneauth1 import exceptions as ks_exc

    from monasca_osc import client

    config = instance.get_configuration()
    masking.register_config(config)
    try:
        endpoint = instance.get_endpoint_for_service_type(
            API_NAME, region_name=instance.region_name,
            interface=instance.interface)
    except ks_exc.EndpointNotFound:
        # The first request explains it (ConnectionFailed with the options).
        endpoint = None
    # The one builder shared with the monasca command and Client().
    return client.make_client(
        instance.session, endpoint=endpoint,
        region_name=instance.region_name, interface=instance.interface,
        settings=config, logger=client.http_logger())


def check_api_version(version: str) -> bool:
    """Accept 2, 2.0 and 2_0; for others OSC prints its version warning."""
    return str(version) in API_VERSIONS or str(version) == '2_0'


def _add_monitoring_option(parser: argparse.ArgumentParser, name: str,
                           metavar: str, help: str,
                           clouds_yaml: bool = True, **options: Any) -> None:
    """``--os-monitoring-<name>``, defaulting to $OS_MONITORING_<NAME>;
    the help names the variable and, with ``clouds_yaml``, the clouds.yaml
    key ``monitoring_<name>`` that sets it too."""
    key = name.replace('-', '_')
    env = f'OS_MONITORING_{key.upper()}'
    where = f'Env: {env}; clouds.yaml: monitoring_{key}' if clouds_yaml \
        else f'Env: {env}'
    parser.add_argument(f'--os-monitoring-{name}', metavar=metavar,
                        default=utils.env(env), help=f'{help} ({where})',
                        **options)


def build_option_parser(parser: argparse.ArgumentParser
                        ) -> argparse.ArgumentParser:
    # Called by OSC before it logs the command line: from here on no
    # secret option, variable or clouds.yaml value reaches a log line.
    masking.guard(parser)
    # No argparse defaults: a default here would hide clouds.yaml values.
    _add_monitoring_option(
        parser, 'api-version', '<monitoring-api-version>',
        'Monitoring API version, default=2', clouds_yaml=False)
    _add_monitoring_option(
        parser, 'retries', '<count>', 'Retries of a failed monitoring API '
        'request (connection errors, timeouts, 429, 500, 502, 503, 504), '
        'default=3', type=argtypes.retries)
    _add_monitoring_option(
        parser, 'timeout', '<seconds>', 'Timeout of one monitoring API '
        'request in seconds, default: the session timeout',
        type=argtypes.seconds)
    return parser

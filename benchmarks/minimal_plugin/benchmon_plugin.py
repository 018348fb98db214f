"""Minimal OSC plugin: ``openstack benchmon metric list`` (benchmarks only).

It sends the same request as ``openstack monitoring metric list`` (one
``GET <endpoint>/metrics?limit=10000`` on OSC's keystoneauth session) and
prints the same two columns, with no validation, paging or error mapping:
the floor a plugin command can reach on top of OSC.
"""

from osc_lib.command import command

API_NAME = 'benchmon'
API_VERSION_OPTION = 'os_benchmon_api_version'
DEFAULT_API_VERSION = '1'
API_VERSIONS = ('1',)


def make_client(instance):
    return instance  # the ClientManager: its session and endpoint lookup


def build_option_parser(parser):
    parser.add_argument('--os-benchmon-api-version', help='(benchmarks)')
    return parser


class ListMetric(command.Lister):
    """GET /v2.0/metrics and list name and dimensions"""

    def take_action(self, parsed_args):
        manager = self.app.client_manager.benchmon
        url = manager.get_endpoint_for_service_type(
            'monitoring', region_name=manager.region_name,
            interface=manager.interface).rstrip('/')
        if not url.endswith('/v2.0'):
            url += '/v2.0'
        body = manager.session.get(url + '/metrics',
                                   params={'limit': 10000}).json()
        return ('Name', 'Dimensions'), (
            (m['name'], m['dimensions']) for m in body['elements'])

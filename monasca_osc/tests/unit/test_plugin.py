"""The OSC plugin hook: module attributes, global options, make_client."""

from __future__ import annotations

import argparse
import configparser
import importlib
from pathlib import Path
import re
from unittest import mock

from cliff import command as cliff_command
from keystoneauth1 import noauth
from keystoneauth1 import session as ks_session
import pytest

from monasca_osc import exceptions, plugin
from monasca_osc.api import http
from monasca_osc.api.monitoring_client import MonitoringClient

REPO = Path(__file__).resolve().parents[3]
ENV = ('OS_MONITORING_API_VERSION', 'OS_MONITORING_RETRIES',
       'OS_MONITORING_TIMEOUT')


def test_module_attributes() -> None:
    assert plugin.API_NAME == 'monitoring'
    assert plugin.API_VERSION_OPTION == 'os_monitoring_api_version'
    assert plugin.DEFAULT_API_VERSION == '2'
    assert plugin.DEFAULT_API_VERSION in plugin.API_VERSIONS
    for version in plugin.API_VERSIONS:
        assert re.fullmatch(r'\d+(\.\d+)*', version), version
    # OSC's warning path sorts the versions with int().
    assert sorted(plugin.API_VERSIONS,
                  key=lambda v: [int(p) for p in v.split('.')])


def test_command_group_is_v2() -> None:
    # OSC: 'openstack.' + api + '.v' + version.replace('.', '_').split('_')[0]
    for version in (plugin.DEFAULT_API_VERSION, *plugin.API_VERSIONS):
        group = 'openstack.{}.v{}'.format(
            plugin.API_NAME, version.replace('.', '_').split('_')[0])
        assert group == 'openstack.monitoring.v2'


@pytest.mark.parametrize('version, ok', [
    ('2', True), ('2.0', True), ('2_0', True), (2, True), ('3', False),
    ('2.1', False)])
def test_check_api_version(version, ok: bool) -> None:
    assert plugin.check_api_version(version) is ok


def _parser(monkeypatch, env: dict[str, str]) -> argparse.ArgumentParser:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return plugin.build_option_parser(argparse.ArgumentParser())


def test_options_default_to_none_so_clouds_yaml_is_honoured(
        monkeypatch) -> None:
    parsed = _parser(monkeypatch, {}).parse_args([])
    assert parsed.os_monitoring_api_version is None
    assert parsed.os_monitoring_retries is None
    assert parsed.os_monitoring_timeout is None


def test_options_from_environment(monkeypatch) -> None:
    parsed = _parser(monkeypatch, {'OS_MONITORING_API_VERSION': '2.0',
                                   'OS_MONITORING_RETRIES': '1',
                                   'OS_MONITORING_TIMEOUT': '9'}
                     ).parse_args([])
    assert (parsed.os_monitoring_api_version, parsed.os_monitoring_retries,
            parsed.os_monitoring_timeout) == ('2.0', 1, 9.0)


def test_options_on_the_command_line_win(monkeypatch) -> None:
    parsed = _parser(monkeypatch, {'OS_MONITORING_API_VERSION': '2.0'}
                     ).parse_args(['--os-monitoring-api-version', '2',
                                   '--os-monitoring-retries', '0',
                                   '--os-monitoring-timeout', '1.5'])
    assert (parsed.os_monitoring_api_version, parsed.os_monitoring_retries,
            parsed.os_monitoring_timeout) == ('2', 0, 1.5)
    assert 'default=2' in plugin.build_option_parser(
        argparse.ArgumentParser()).format_help()


class FakeInstance:
    """The bits of OSC's ClientManager that make_client uses."""

    def __init__(self, config: dict | None = None,
                 endpoint: str = 'https://mon.example/metrics/v2.0'):
        self.session = ks_session.Session(auth=noauth.NoAuth())
        self.region_name = 'RegionTwo'
        self.interface = 'internal'
        self._config = config or {}
        self.get_endpoint_for_service_type = mock.Mock(
            return_value=endpoint)

    def get_configuration(self) -> dict:
        return dict(self._config)


def test_make_client_defaults() -> None:
    instance = FakeInstance()
    client = plugin.make_client(instance)
    assert isinstance(client, MonitoringClient)
    instance.get_endpoint_for_service_type.assert_called_once_with(
        'monitoring', region_name='RegionTwo', interface='internal')
    adapter = client.adapter
    assert isinstance(adapter, http.MonascaAdapter)
    assert adapter.session is instance.session
    assert adapter.endpoint_override == 'https://mon.example/metrics/v2.0'
    assert adapter.region_name == 'RegionTwo'
    assert adapter.interface == 'internal'
    assert adapter.retries == http.DEFAULT_RETRIES == 3
    assert adapter.request_timeout is None
    assert client.endpoint == 'https://mon.example/metrics/v2.0'


def test_make_client_settings_from_configuration() -> None:
    client = plugin.make_client(FakeInstance(
        {'monitoring_retries': '5', 'monitoring_timeout': '2.5'}))
    assert client.adapter.retries == 5
    assert client.adapter.request_timeout == 2.5
    client = plugin.make_client(FakeInstance(
        {'monitoring_retries': 0, 'monitoring_timeout': ''}))
    assert client.adapter.retries == 0
    assert client.adapter.request_timeout is None


@pytest.mark.parametrize('args,env,message', [
    (['--os-monitoring-retries', 'many'], {},
     "argument --os-monitoring-retries: 'many' is not a number of retries"),
    (['--os-monitoring-retries=-1'], {},
     "argument --os-monitoring-retries: '-1' is not a number of retries"),
    ([], {'OS_MONITORING_TIMEOUT': '0'},
     "argument --os-monitoring-timeout: '0' is not a positive number"),
    (['--os-monitoring-timeout', 'inf'], {},
     "argument --os-monitoring-timeout: 'inf' is not a positive number")])
def test_bad_options_are_usage_errors(monkeypatch, capsys, args: list,
                                      env: dict, message: str) -> None:
    parser = _parser(monkeypatch, env)
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args(args)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize('config', [{'monitoring_retries': 'many'},
                                    {'monitoring_retries': -2},
                                    {'monitoring_timeout': '5s'},
                                    {'monitoring_timeout': 0}])
def test_make_client_bad_settings(config: dict) -> None:
    with pytest.raises(exceptions.ValidationError) as err:
        plugin.make_client(FakeInstance(config))
    assert 'Invalid monitoring setting' in str(err.value)


def test_make_client_talks_to_the_endpoint(requests_mock) -> None:
    requests_mock.get('https://mon.example/metrics/v2.0/metrics',
                      json={'links': [], 'elements': [{'id': '0'}]})
    client = plugin.make_client(FakeInstance(
        endpoint='https://mon.example/metrics'))
    assert client.metrics.list() == [{'id': '0'}]


def _setup_cfg_commands() -> dict[str, str]:
    config = configparser.ConfigParser()
    config.read(REPO / 'setup.cfg')
    lines = config['entry_points']['openstack.monitoring.v2'].strip()
    return dict(line.split(' = ') for line in lines.splitlines())


def test_every_setup_cfg_command_loads() -> None:
    commands = _setup_cfg_commands()
    assert len(commands) >= 27
    for name, target in commands.items():
        assert name.startswith('monitoring_'), name
        module, _, attr = target.partition(':')
        cls = getattr(importlib.import_module(module), attr)
        assert issubclass(cls, cliff_command.Command), target
        assert cls.__doc__ and not cls.__doc__.strip().endswith('.')


def test_every_setup_cfg_command_has_command_tests() -> None:
    text = '\n'.join(p.read_text() for p in
                     (Path(__file__).parent / 'v2').glob('test_*.py'))
    missing = [target for target in _setup_cfg_commands().values()
               if '.' + target.partition(':')[2] + ',' not in text
               and '.' + target.partition(':')[2] + ')' not in text]
    assert missing == []


def test_make_client_without_a_catalog_entry(requests_mock) -> None:
    from keystoneauth1 import exceptions as ks_exc

    from monasca_osc import exceptions as exc

    instance = FakeInstance()
    instance.get_endpoint_for_service_type.side_effect = \
        ks_exc.EndpointNotFound('Could not find requested endpoint')
    client = plugin.make_client(instance)
    with pytest.raises(exc.ConnectionFailed) as err:
        client.metrics.list()
    assert "the catalog has no 'monitoring' service" in str(err.value)
    assert '--os-endpoint' in str(err.value)
    assert requests_mock.call_count == 0

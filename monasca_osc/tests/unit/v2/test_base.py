"""v2.base: cell formatters, option helpers, TimeRange, delete_each."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
from unittest import mock

from osc_lib import exceptions as osc_exc
import pytest

from monasca_osc.common import timeutil
from monasca_osc.common.validation import ValidationError
from monasca_osc.tests.unit.v2 import fakes
from monasca_osc.v2.base import arguments, cells, commands, options

NOW = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


def test_dimensions_column() -> None:
    col = cells.DimensionsColumn({'service': 'api', 'hostname': 'web1'})
    assert col.human_readable() == 'hostname=web1, service=api'
    assert col.machine_readable() == {'service': 'api', 'hostname': 'web1'}
    assert isinstance(col.machine_readable(), dict)
    assert col.text_readable() == 'hostname=web1,service=api'
    empty = cells.DimensionsColumn(None)
    assert (empty.human_readable(), empty.machine_readable(),
            empty.text_readable()) == ('', {}, '')


def test_list_column() -> None:
    col = cells.ListColumn(('a', 'b'))
    assert col.human_readable() == 'a, b'
    assert col.machine_readable() == ['a', 'b']
    assert isinstance(col.machine_readable(), list)
    assert col.text_readable() == 'a,b'
    assert cells.ListColumn(None).machine_readable() == []


def test_metrics_column() -> None:
    metrics = [{'name': 'cpu', 'dimensions': {'b': '2', 'a': '1'}},
               {'name': 'up', 'dimensions': {}}]
    col = cells.MetricsColumn(metrics)
    assert col.human_readable() == 'cpu{a=1,b=2}\nup'
    assert col.text_readable() == 'cpu{a=1,b=2} up'
    assert col.machine_readable() == metrics


def test_json_and_value_meta_columns() -> None:
    col = cells.JSONColumn([{'b': 1, 'a': 'é'}])
    assert col.human_readable() == '[{"a": "é", "b": 1}]'
    assert col.machine_readable() == [{'b': 1, 'a': 'é'}]
    assert cells.JSONColumn(None).human_readable() == ''
    assert cells.ValueMetaColumn(None).machine_readable() == {}
    assert cells.ValueMetaColumn({'k': 'v'}).text_readable() == \
        '{"k": "v"}'


@pytest.mark.parametrize('value, text', [
    (True, 'true'), (False, 'false'), (None, ''), (0, 0), ('x', 'x'),
    (cells.DimensionsColumn({'a': '1', 'b': '2'}), 'a=1,b=2'),
    (cells.ListColumn(['a']), 'a')])
def test_as_text(value, text) -> None:
    assert cells.as_text(value) == text


def test_get_fields() -> None:
    row = cells.get_fields({'a': 1, 'd': {'k': 'v'}}, ['a', 'd', 'missing'],
                           {'d': cells.DimensionsColumn})
    assert row[0] == 1 and row[2] is None
    assert row[1].machine_readable() == {'k': 'v'}


@pytest.mark.parametrize('items, expected', [
    ([], None), (['name'], ['name']),
    (['name:desc', 'ID:ASC'], ['name desc', 'ID ASC'])])
def test_sort_by(items, expected) -> None:
    # Syntax only: the manager checks the fields and directions (see
    # tests/unit/api and the commands' tests).
    parsed = argparse.Namespace(sort=items)
    assert arguments.sort_by(parsed) == expected


@pytest.mark.parametrize('text, ok', [
    ('1', True), ('10000', True), ('50000', True), ('0', False),
    ('-1', False), ('x', False), ('1.5', False)])
def test_positive_int(text: str, ok: bool) -> None:
    if ok:
        assert options.positive_int(text) == int(text)
    else:
        with pytest.raises(argparse.ArgumentTypeError):
            options.positive_int(text)


def test_time_range_one_instant() -> None:
    with mock.patch.object(timeutil, 'utcnow', fakes.Clock(NOW)):
        times = arguments.TimeRange('-30m', 'now-10m')
    assert times.now == NOW
    assert times.start_iso == '2024-05-01T11:30:00.000Z'
    assert times.end_iso == '2024-05-01T11:50:00.000Z'


def test_time_range_empty_and_order() -> None:
    times = arguments.TimeRange(None, None)
    assert (times.start, times.end, times.start_iso, times.end_iso) == (
        None, None, None, None)
    # An empty value (an unset shell variable) is an error, not "unset".
    with pytest.raises(ValidationError) as err:
        arguments.TimeRange(None, '')
    assert str(err.value) == 'Empty --end time'
    with pytest.raises(ValidationError) as err:
        arguments.TimeRange('now', '-1h')
    assert 'must be before --end' in str(err.value)
    reverse = arguments.TimeRange('now', '-1h', check_order=False)
    assert reverse.start > reverse.end
    with pytest.raises(ValidationError) as err:
        arguments.TimeRange('x', None, start_name='--since')
    assert str(err.value).startswith("Invalid --since time 'x'")


def test_paging_kwargs() -> None:
    parsed = argparse.Namespace(limit=5, marker='m', page_size=2)
    assert arguments.paging_kwargs(parsed) == {'limit': 5, 'offset': 'm',
                                               'page_size': 2}
    assert arguments.paging_kwargs(argparse.Namespace()) == {
        'limit': None, 'offset': None, 'page_size': None}


def test_delete_each() -> None:
    log = logging.getLogger('test.delete_each')
    deleted = []

    def delete(item: str) -> None:
        if item.startswith('bad'):
            raise ValueError(f'cannot delete {item}')
        deleted.append(item)

    commands.delete_each(['a', 'b'], 'widget', delete, log)
    assert deleted == ['a', 'b']
    with mock.patch.object(log, 'error') as error:
        with pytest.raises(osc_exc.CommandError) as err:
            commands.delete_each(['bad1', 'c', 'bad2'], 'widget', delete, log)
    assert str(err.value) == '2 of 3 widgets failed to delete'
    assert deleted == ['a', 'b', 'c']
    assert error.call_count == 2
    assert error.call_args_list[0].args[1:] == (
        'widget', 'bad1', mock.ANY)



@pytest.mark.parametrize('app_module', ['openstackclient.shell',
                                        'monasca_osc.shell'])
def test_epilog_is_cliffs_without_its_distribution_scan(
        app_module: str) -> None:
    import importlib

    from cliff import command as cliff_command

    from monasca_osc.v2 import metric

    importlib.import_module(app_module)
    app = type('App', (), {'__module__': app_module})()
    cmd = metric.ListMetric(app, None)
    cmd._epilog = 'Extra words.'
    hook = mock.Mock()
    hook.obj.get_epilog.return_value = 'From a hook.'
    cmd._hooks = [hook, mock.Mock(obj=None)]
    ours = cmd.get_epilog()
    assert ours == cliff_command.Command.get_epilog(cmd)
    assert ours.startswith('Extra words.\n\nFrom a hook.')
    assert ('This command is provided by the monasca-osc plugin.' in ours) \
        == (app_module == 'openstackclient.shell')
    with mock.patch.object(cliff_command, 'packages_distributions') as scan:
        cmd.get_epilog()
    scan.assert_not_called()

"""The legacy table cells: text for tables, native values for json."""

from __future__ import annotations

from monasca_osc.legacy import base


def test_dimensions_one_per_line_in_server_order() -> None:
    column = base.Dimensions({'service': 'x', 'hostname': 'h'})
    assert column.human_readable() == 'service:x\nhostname:h'
    assert column.machine_readable() == {'service': 'x', 'hostname': 'h'}
    assert base.Dimensions(None).human_readable() == ''
    assert base.Dimensions({}).machine_readable() == {}


def test_odd_values_never_crash_or_print_reprs() -> None:
    column = base.Dimensions({'a': None, 'b': ['x'], 'c': {'k': 1},
                              'd': b'raw'})
    assert column.human_readable() == 'a:None\nb:["x"]\nc:{"k": 1}\nd:raw'
    assert base.format_number(None) == ''
    assert base.format_number('n/a') == 'n/a'
    assert base.format_number(1234.56) == '    1234.560'
    assert base.format_number(True) == 'True'
    assert base.format_value_meta({'rc': '404', 'n': 5}) == 'rc: 404,n: 5'
    assert base.format_value_meta(None) == ''
    assert base.Text(None).human_readable() == ''
    assert base.Text({'a': 1}).human_readable() == '{"a": 1}'
    assert base.Text({'a': 1}).machine_readable() == {'a': 1}


def test_stacked_cells() -> None:
    column = base.Stacked([1.5, None, 2], base.format_number)
    assert column.human_readable() == '       1.500\n\n       2.000'
    assert column.machine_readable() == [1.5, None, 2]
    assert column.text_readable() == '1.5  2'
    assert base.Stacked(['hostname', 'service']).human_readable() == \
        'hostname\nservice'
    assert base.Stacked([]).human_readable() == ''


def test_alarm_metric_cells_stay_aligned() -> None:
    metrics = [{'name': 'no.dims', 'dimensions': {}},
               {'name': 'two.dims', 'dimensions': {'a': '1', 'b': '2'}},
               {'name': 'none.dims', 'dimensions': None}]
    names, dims = base.metric_lines(metrics)
    assert names == ['no.dims', 'two.dims', '', 'none.dims']
    assert dims == ['', 'a: 1', 'b: 2', '']
    assert base.MetricNames(metrics).machine_readable() == [
        'no.dims', 'two.dims', 'none.dims']
    assert base.MetricDimensions(metrics).machine_readable() == [
        {}, {'a': '1', 'b': '2'}, {}]
    assert base.MetricNames(metrics).human_readable().split('\n') == names


def test_show_item_is_sorted_and_legacy_formatted() -> None:
    fields, values = base.show_item(raw=('link',), item={
        'name': 'n', 'id': 'x', 'link': None,
        'links': [{'rel': 'self', 'href': 'h'}],
        'match_by': ['hostname'], 'actions_enabled': True,
        'created_timestamp': '2015-01-01T00:00:00Z',
        'expression_data': {'function': 'MAX',
                            'dimensions': {'hostname': 'h1'}}})
    assert fields == ('actions_enabled', 'created_timestamp',
                      'expression_data', 'id', 'link', 'links', 'match_by',
                      'name')
    text = {f: v.human_readable()
            for f, v in zip(fields, values, strict=True)}
    assert text['actions_enabled'] == 'true'
    assert text['name'] == '"n"'
    assert text['match_by'] == '[\n  "hostname"\n]'
    assert text['links'] == 'href:h,rel:self'
    assert text['link'] == ''
    assert text['created_timestamp'] == '2015-01-01T00:00:00Z'
    assert text['expression_data'] == (
        'function: MAX\ndimensions: {\n  hostname: h1\n}')
    native = {f: v.machine_readable()
              for f, v in zip(fields, values, strict=True)}
    assert native['match_by'] == ['hostname']
    assert native['actions_enabled'] is True
    assert native['link'] is None


def test_rows_are_lazy_and_built_from_the_api_items() -> None:
    seen = []

    def items():
        for i in range(2):
            seen.append(i)
            yield {'name': f'm{i}', 'dimensions': {'k': str(i)}}

    out = base.rows(items(), (('name', 'name', None),
                              ('dimensions', 'dimensions', base.Dimensions)))
    assert seen == []
    first = next(iter(out))
    assert seen == [0]
    assert first[0] == 'm0' and first[1].machine_readable() == {'k': '0'}

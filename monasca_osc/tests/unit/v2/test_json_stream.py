"""``-f json`` lists are streamed with exactly cliff's output."""

import io
import json

import pytest

from monasca_osc.v2.base import cells, output

COLUMNS = ('Name', 'Dimensions', 'Value', 'Value Meta')
ROWS = [
    ('cpu', cells.DimensionsColumn({'h': 'a', 'z': 'b\nc'}), 1.5,
     cells.ValueMetaColumn({'k': 'v "q"'})),
    ('mem', cells.DimensionsColumn({}), 2, cells.ValueMetaColumn(None)),
    ('disk', cells.DimensionsColumn({'u': 'é'}), True, None),
]


def _cliff(rows, indent):
    items = [{n: v.machine_readable() if hasattr(v, 'machine_readable')
              else v for n, v in zip(COLUMNS, row, strict=True)}
             for row in rows]
    return json.dumps(items, indent=indent) + '\n'


@pytest.mark.parametrize('indent', [2, None])
@pytest.mark.parametrize('count', [0, 1, 3])
def test_same_text_as_cliff(indent, count):
    out = io.StringIO()
    output.write_json_list(out, COLUMNS, iter(ROWS[:count]), indent)
    assert out.getvalue() == _cliff(ROWS[:count], indent)
    assert json.loads(out.getvalue())[:1] == (
        [{'Name': 'cpu', 'Dimensions': {'h': 'a', 'z': 'b\nc'},
          'Value': 1.5, 'Value Meta': {'k': 'v "q"'}}] if count else [])


def test_rows_are_consumed_lazily():
    produced = []

    def rows():
        for row in ROWS:
            produced.append(row[0])
            yield row

    out = io.StringIO()
    output.write_json_list(out, COLUMNS, rows(), 2)
    assert produced == ['cpu', 'mem', 'disk']
    assert out.getvalue().count('"Name"') == 3


def _cliff_formatter(columns, rows, indent):
    """What cliff's own JSON formatter prints for these rows."""
    import argparse

    from cliff.formatters import json_format

    out = io.StringIO()
    json_format.JSONFormatter().emit_list(
        columns, rows, out, argparse.Namespace(noindent=indent is None))
    return out.getvalue()


class _Text(str):
    pass


def _random_value(rnd, depth=0, yaml=False):
    choice = rnd.randrange(14 if depth < 2 else 9)
    if yaml and choice == 5:
        choice = 0  # SafeDumper (cliff's) cannot represent str subclasses
    if choice == 0:
        return rnd.choice(['', 'plain', 'quote " back \\ slash', 'tab\tnl\n',
                           'é ü 漢字 \U0001f600', '\x00\x1f', '</script>'])
    if choice == 1:
        return rnd.choice([0.0, -0.0, 1.5, 1e300, -2.5e-310, 1 / 3,
                           float('nan'), float('inf'), float('-inf')])
    if choice == 2:
        return rnd.choice([0, -1, 7, 2 ** 70, -(2 ** 64)])
    if choice in (3, 4):
        return rnd.choice([True, False, None])
    if choice == 5:
        return _Text('sub-classed text')
    if choice == 6 and depth == 0:
        return cells.ValueMetaColumn(rnd.choice([None, {}, {'k': 'v'}]))
    if choice == 7 and depth == 0:
        return cells.DimensionsColumn({'host': 'web1', 'zone': 'a b'})
    if choice in (6, 7, 8):
        return rnd.choice([{}, [], (), {'n': None}])
    if choice in (9, 10):
        return {rnd.choice(['a', 'b', 'é', '"']):
                _random_value(rnd, depth + 1, yaml)
                for _ in range(rnd.randrange(4))}
    return [_random_value(rnd, depth + 1, yaml)
            for _ in range(rnd.randrange(4))]


@pytest.mark.parametrize('indent', [2, None])
@pytest.mark.parametrize('seed', range(6))
def test_random_rows_same_text_as_cliff_formatter(indent, seed):
    import random

    rnd = random.Random(seed)
    columns = ('Name', 'Dimensions', 'Value', 'Meta "x"', 'Ünï')
    shared = {'hostname': 'web1', 'list': [1, 2.5, 'x']}
    count = rnd.choice([1, 7, output.WRITE_CHUNK_ROWS,
                        output.WRITE_CHUNK_ROWS * 2 + 3])
    rows = []
    for _ in range(count):
        # Shared objects across rows, as a series' dimensions are.
        row = [_random_value(rnd) for _ in columns]
        if rnd.random() < 0.5:
            row[1] = shared
        rows.append(tuple(row))
    out = io.StringIO()
    output.write_json_list(out, columns, iter(rows), indent)
    assert out.getvalue() == _cliff_formatter(columns, rows, indent)


def _cliff_yaml(columns, rows):
    import argparse

    from cliff.formatters import yaml_format

    out = io.StringIO()
    yaml_format.YAMLFormatter().emit_list(columns, rows, out,
                                          argparse.Namespace())
    return out.getvalue()


@pytest.mark.parametrize('seed', range(4))
def test_yaml_rows_same_text_as_cliff_formatter(seed):
    import random

    rnd = random.Random(seed)
    columns = ('Name', 'Dimensions', 'Value', 'Meta', 'Ünï')
    count = rnd.choice([0, 1, 9, output.WRITE_CHUNK_ROWS + 1])
    # Every row's nested values are its own objects, as commands build them.
    rows = [tuple(_random_value(rnd, yaml=True) for _ in columns)
            for _ in range(count)]
    out = io.StringIO()
    output.write_yaml_list(out, columns, iter(rows))
    assert out.getvalue() == _cliff_yaml(columns, rows)


def test_yaml_rows_are_consumed_lazily():
    written = []

    class Out(io.StringIO):
        def write(self, text):
            written.append(text)
            return super().write(text)

    def rows():
        for i in range(output.WRITE_CHUNK_ROWS * 2):
            # The first chunk is out before the last rows are made.
            assert i < output.WRITE_CHUNK_ROWS or written
            yield (f'm{i}', {'i': i})

    output.write_yaml_list(Out(), ('Name', 'Dims'), rows())
    assert len(written) >= 2


def _cliff_value(columns, rows):
    import argparse

    from cliff.formatters import value

    out = io.StringIO()
    value.ValueFormatter().emit_list(columns, rows, out, argparse.Namespace())
    return out.getvalue()


@pytest.mark.parametrize('count', [0, 1, 7, output.WRITE_CHUNK_ROWS * 2 + 1])
def test_value_rows_same_text_as_cliff_formatter(count):
    # Text rows, as commands hand them over for csv/value: str and numbers.
    rows = [(f'm{i}', 'host=web1,zone=a b', f'2024-05-01T10:00:0{i % 10}Z',
             i + 0.5, i, '', 'tab\there', 'é "q"') for i in range(count)]
    out = io.StringIO()
    output.write_value(out, iter(rows))
    assert out.getvalue() == _cliff_value(('a',) * 8, rows)

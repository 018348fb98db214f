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

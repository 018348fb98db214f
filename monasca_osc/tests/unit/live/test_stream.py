"""Rows printed as they come (--follow output)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from monasca_osc.live import stream
from monasca_osc.v2.base import cells

COLUMNS = ('Name', 'Dimensions', 'Value')


class Out(io.StringIO):
    """Records what was written before each flush."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed: list[str] = []

    def flush(self) -> None:
        self.flushed.append(self.getvalue())


def rows() -> list[tuple]:
    return [('cpu', cells.DimensionsColumn({'b': '2', 'a': '1'}), 1.5),
            ('cpu', cells.DimensionsColumn({}), 20)]


def write(formatter: str, data: Any = None, **kwargs: Any) -> Out:
    out = Out()
    stream.write_rows(out, formatter, COLUMNS, rows() if data is None
                      else data, text=cells.as_text,
                      machine=lambda c: c.machine_readable()
                      if hasattr(c, 'machine_readable') else c, **kwargs)
    return out


def test_json_lines_keep_native_types_and_flush_per_row() -> None:
    out = write('json')
    lines = out.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == [
        {'Name': 'cpu', 'Dimensions': {'a': '1', 'b': '2'}, 'Value': 1.5},
        {'Name': 'cpu', 'Dimensions': {}, 'Value': 20}]
    assert out.flushed == [lines[0] + '\n', lines[0] + '\n' + lines[1] + '\n']


def test_csv_header_then_rows() -> None:
    out = write('csv', quoting=csv.QUOTE_NONNUMERIC)
    assert out.getvalue().splitlines() == [
        '"Name","Dimensions","Value"', '"cpu","a=1,b=2",1.5',
        '"cpu","",20']
    assert len(out.flushed) == 3


def test_value_rows() -> None:
    assert write('value').getvalue() == 'cpu a=1,b=2 1.5\ncpu  20\n'


def test_table_rows_align_and_grow() -> None:
    data = [('cpu', cells.DimensionsColumn({'a': '1'}), 1.5),
            ('a-much-longer-name', cells.DimensionsColumn({}), 2)]
    assert write('table', data).getvalue().splitlines() == [
        'Name  Dimensions  Value',
        '----  ----------  -----',
        'cpu   a=1         1.5',
        'a-much-longer-name              2']
    wide = [('cpu', cells.DimensionsColumn({'hostname': 'web1'}), 1.5)]
    assert write('table', wide).getvalue().splitlines() == [
        'Name  Dimensions     Value',
        '----  -------------  -----',
        'cpu   hostname=web1  1.5']


def test_no_rows() -> None:
    assert write('csv', []).getvalue().splitlines() == [
        '"Name","Dimensions","Value"']
    assert write('json', []).getvalue() == ''
    assert write('table', []).getvalue() == ''

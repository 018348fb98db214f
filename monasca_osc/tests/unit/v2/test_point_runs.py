"""A series' points printed as one run (``output.PointRun``): the same
bytes as cliff's formatters print for the rows one by one."""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
from typing import Any

import pytest

from monasca_osc.tests.unit.v2 import fakes
from monasca_osc.v2 import measurement
from monasca_osc.v2.base import cells, output

COLUMNS = measurement.MEASUREMENT_COLUMNS
QUOTE_MODES = ('nonnumeric', 'all', 'minimal', 'none')
STAMP = '2024-05-01T10:00:00.000Z'


def _cliff(formatter: str, elements: list[dict], **options: Any) -> str:
    """What cliff's own formatter prints for the rows one by one (text
    cells for csv/value, as the command hands them over)."""
    from cliff.formatters import commaseparated, json_format, value

    rows = list(measurement.measurement_rows(elements))
    out = io.StringIO()
    args = argparse.Namespace(**{'quote_mode': 'nonnumeric',
                                 'noindent': False, **options})
    if formatter == 'json':
        json_format.JSONFormatter().emit_list(COLUMNS, rows, out, args)
        return out.getvalue()
    rows = [[cells.as_text(c) for c in row] for row in rows]
    cls = commaseparated.CSVLister if formatter == 'csv' \
        else value.ValueFormatter
    cls().emit_list(COLUMNS, rows, out, args)
    return out.getvalue()


def _ours(formatter: str, elements: list[dict], **options: Any) -> str:
    from cliff.formatters import commaseparated

    out = io.StringIO()
    runs = measurement.measurement_runs(elements, formatter != 'json')
    if formatter == 'csv':
        quoting = commaseparated.CSVLister.QUOTE_MODES[
            options.get('quote_mode', 'nonnumeric')]
        output.write_csv(out, quoting, COLUMNS, runs)
    elif formatter == 'value':
        output.write_value(out, runs)
    else:
        output.write_json_list(out, COLUMNS, runs,
                               None if options.get('noindent') else 2)
    return out.getvalue()


FORMATS = [('csv', {'quote_mode': mode}) for mode in QUOTE_MODES] + [
    ('value', {}), ('json', {'noindent': False}), ('json', {'noindent': True})]


def _series(name: Any, dimensions: Any, points: list, **extra: Any) -> dict:
    return {'id': '0', 'name': name, 'dimensions': dimensions,
            'columns': ['timestamp', 'value', 'value_meta'],
            'measurements': points, **extra}


def _plain_points(count: int, first: int = 0) -> list:
    return [[f'2024-05-01T10:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z',
             (i % 7) * 1.25 - 3 if i % 3 else i, {}]
            for i in range(first, first + count)]


@pytest.mark.parametrize('formatter, options', FORMATS)
def test_plain_series_take_the_fast_path(formatter, options, monkeypatch):
    elements = [
        _series('cpu.idle_perc', {'hostname': 'web1', 'zone': 'a b'},
                _plain_points(1200)),
        _series('cpu', {}, _plain_points(3, 5)),          # no dimensions
        _series('mem', {'h': 'x'}, []),                   # an empty page
        _series('cpu', {'h': 'y'}, [[STAMP, 1e300], [STAMP, -0.0]],
                columns=['timestamp', 'value']),          # no value_meta
    ]
    fast = []
    text = output.PointRun.text

    def spy(run, *args):
        result = text(run, *args)
        fast.append(result is not None)
        return result

    monkeypatch.setattr(output.PointRun, 'text', spy)
    assert _ours(formatter, elements, **options) == \
        _cliff(formatter, elements, **options)
    assert fast == [True] * 3      # the empty page has no rows, no run


# Cells that make a run fall back to row by row, or that must be printed
# exactly in the head of a fast run.
AWKWARD_NAMES = ['cpu', 'a,b', 'say "hi"', 'back\\slash', 'new\nline',
                 'ünï 漢字 \U0001f600', '100%', '%s %r', 'zQ7stampQz',
                 repr(1.0000000000000002), '']
AWKWARD_DIMENSIONS = [{}, {'hostname': 'web1'}, {'k': 'v,w'},
                      {'k': '"q"', 'é': 'ü'}, {'x': '1.0000000000000002'},
                      None]
AWKWARD_STAMPS = [STAMP, '2024-05-01T10:00:00,5Z', 'with "quote"',
                  'back\\slash', 'é', 'tab\there', 'nl\n', '', None, 17,
                  'zQ7stampQz']
AWKWARD_VALUES = [1.5, -0.0, 0, 7, 2 ** 70, 1e300, 1 / 3, float('nan'),
                  float('inf'), float('-inf'), True, False, None, '2.5',
                  1.0000000000000002]
AWKWARD_META = [{}, None, {'note': 'x "y"'}, {'é': [1, 2]}, '', []]


ODD_CELLS = [(0, cell) for cell in AWKWARD_STAMPS] + \
    [(1, cell) for cell in AWKWARD_VALUES] + \
    [(2, cell) for cell in AWKWARD_META]


@pytest.mark.parametrize('formatter, options', FORMATS)
@pytest.mark.parametrize('at, cell', ODD_CELLS)
def test_one_odd_cell_in_a_series(formatter, options, at, cell):
    points = _plain_points(3)
    points[1][at] = cell
    elements = [_series('cpu', {'h': 'a'}, points)]
    assert _ours(formatter, elements, **options) == \
        _cliff(formatter, elements, **options)


@pytest.mark.parametrize('formatter, options', FORMATS)
def test_odd_names_and_dimensions(formatter, options):
    for name in AWKWARD_NAMES:
        for dimensions in AWKWARD_DIMENSIONS:
            elements = [_series(name, dimensions, _plain_points(2))]
            assert _ours(formatter, elements, **options) == \
                _cliff(formatter, elements, **options), (name, dimensions)


def _random_elements(rnd: random.Random) -> list[dict]:
    elements = []
    for _ in range(rnd.randrange(4)):
        columns = rnd.choice([['timestamp', 'value', 'value_meta'],
                              ['timestamp', 'value'],
                              ['value', 'timestamp', 'value_meta'],
                              None])
        # One kind of odd cell in most series, one odd value of it per
        # series, so that each check of the fast path is what decides.
        odd = rnd.choice(['', 'stamp', 'value', 'meta', 'all'])
        odd_cells = [rnd.choice(AWKWARD_STAMPS), rnd.choice(AWKWARD_VALUES),
                     rnd.choice(AWKWARD_META)]
        short = rnd.random() < 0.1      # one point without value_meta
        points = []
        for i in range(rnd.choice([0, 1, 5, 40])):
            point = [STAMP, float(i), {}]
            for at, kind in enumerate(('stamp', 'value', 'meta')):
                if odd in (kind, 'all') and rnd.random() < 0.3:
                    point[at] = odd_cells[at]
            if columns == ['timestamp', 'value'] or (short and i == 0):
                point = point[:2]
            if columns and columns[0] == 'value':
                point[0], point[1] = point[1], point[0]
            points.append(point)
        element = _series(rnd.choice(AWKWARD_NAMES),
                          rnd.choice(AWKWARD_DIMENSIONS), points)
        if columns is None:
            del element['columns']
        else:
            element['columns'] = columns
        elements.append(element)
    return elements


@pytest.mark.parametrize('formatter, options', FORMATS)
@pytest.mark.parametrize('seed', range(40))
def test_random_series_same_text_as_cliff(formatter, options, seed):
    elements = _random_elements(random.Random(seed))
    assert _ours(formatter, elements, **options) == \
        _cliff(formatter, elements, **options)


def test_points_of_other_kinds_are_printed_row_by_row():
    def run(points):
        element = _series('cpu', {'h': 'a'}, points)
        return next(measurement.measurement_runs([element], text=True))

    def render(row):
        return ' '.join(map(str, row)) + '\n'

    def text(points, plain=lambda s: True, finite=False):
        return run(points).text(render, plain, finite)

    assert text([[STAMP, 1.5, {}]]) == f'cpu h=a {STAMP} 1.5 \n'
    assert text([[STAMP, 1.5, {'k': 'v'}]]) is None     # value_meta
    assert text([[STAMP, True, {}]]) is None            # not a number
    assert text([[STAMP, None, {}]]) is None
    assert text([[None, 1.5, {}]]) is None              # not a text
    assert text([[STAMP, 1.5, {}], [STAMP, 1.5]]) is None
    assert text([[STAMP, 1.5, {}, 'x']]) is None
    assert text([[STAMP, float('nan'), {}]], finite=True) is None
    assert text([[STAMP, 1.5, {}]], plain=lambda s: False) is None
    assert output.PointRun(('cpu', 'h=a'), [], '', list).text(
        render, lambda s: True, False) == ''
    assert text([[STAMP, 1.0000000000000002, {}]]) is not None


def test_runs_are_written_in_order_with_other_rows():
    # A writer may get plain rows and runs mixed (output order kept).
    element = _series('cpu', {}, [[STAMP, 1.5, {}]])
    rows = [('a', '', STAMP, 1, ''),
            *measurement.measurement_runs([element], text=True),
            ('b', '', STAMP, 2, '')]
    out = io.StringIO()
    output.write_csv(out, csv.QUOTE_NONNUMERIC, COLUMNS, iter(rows))
    assert out.getvalue().splitlines()[1:] == [
        f'"a","","{STAMP}",1,""', f'"cpu","","{STAMP}",1.5,""',
        f'"b","","{STAMP}",2,""']


def _page(points: list, next_offset: str | None = None) -> dict:
    body = fakes.page([_series('cpu', {'hostname': 'web1'}, points)])
    if next_offset:
        body['links'] = [{'rel': 'next',
                          'href': f'http://x/v2.0/m?offset={next_offset}'}]
    return body


class TestCommandOutput(fakes.TestCommand):
    """The command prints the runs, and every other option still works."""

    START = ['--name', 'cpu', '--start', '2024-05-01T10:00:00Z']

    def run_with(self, *args: str) -> str:
        """The command's output over three pages (the last one empty)."""
        pages = iter([_page(_plain_points(3), 'o1'),
                      _page(_plain_points(2, 3), 'o2'), _page([])])
        self.api.on('GET', 'metrics/measurements',
                    lambda params, body: next(pages))
        self.fake_stdout.content.clear()
        return self.output(measurement.ListMeasurement, [*self.START, *args])

    def test_csv_value_json_across_pages(self) -> None:
        elements = [_series('cpu', {'hostname': 'web1'}, _plain_points(5))]
        for formatter in ('csv', 'value', 'json'):
            self.assertEqual(_cliff(formatter, elements),
                             self.run_with('-f', formatter))
        self.assertEqual(_cliff('json', elements, noindent=True),
                         self.run_with('-f', 'json', '--noindent'))
        self.assertEqual(_cliff('csv', elements, quote_mode='minimal'),
                         self.run_with('-f', 'csv', '--quote', 'minimal'))

    def test_column_selection_and_sorting(self) -> None:
        out = self.run_with('-f', 'csv', '-c', 'Value', '-c', 'Timestamp')
        self.assertEqual(['"Timestamp","Value"',
                          '"2024-05-01T10:00:00.000Z",0',
                          '"2024-05-01T10:00:01.001Z",-1.75'],
                         out.splitlines()[:3])
        out = self.run_with('-f', 'value', '--sort-column', 'Value',
                            '-c', 'Value')
        self.assertEqual(['-1.75', '-0.5', '0', '2.0', '3'],
                         out.splitlines())
        rows = json.loads(self.run_with('-f', 'json', '-c', 'Value'))
        self.assertEqual([{'Value': 0}, {'Value': -1.75}], rows[:2])


def test_listing_collects_young_objects_less_often(monkeypatch):
    import gc

    calls = []
    monkeypatch.setattr(gc, 'freeze', lambda: calls.append('freeze'))
    monkeypatch.setattr(gc, 'get_threshold', lambda: (700, 10, 10))
    monkeypatch.setattr(gc, 'set_threshold', lambda *t: calls.append(t))
    output.freeze_startup_objects()
    assert calls == ['freeze', (output.GC_YOUNG_THRESHOLD, 10, 10)]
    # Collection switched off (0) or already rarer: left alone.
    for threshold in ((0, 10, 10), (10 ** 6, 10, 10)):
        calls.clear()
        monkeypatch.setattr(gc, 'get_threshold', lambda t=threshold: t)
        output.freeze_startup_objects()
        assert calls == ['freeze']

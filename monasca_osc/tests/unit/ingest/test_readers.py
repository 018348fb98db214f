"""The lazy JSON Lines, JSON array and CSV readers."""

from __future__ import annotations

import gzip
import io
import json

import pytest

from monasca_osc.ingest import readers


def records(data: bytes, fmt: str, chunk: int | None = None, **layout):
    stream = io.BufferedReader(io.BytesIO(data))
    if fmt == 'jsonl':
        return list(readers.read_jsonl(stream))
    if fmt == 'json':
        return list(readers.read_json_array(stream))
    return list(readers.read_csv(
        stream, lambda header: readers.CsvLayout(header, **layout)))


def summary(recs):
    return [(r.index, r.line, r.value, r.error) for r in recs]


# -- JSON Lines ------------------------------------------------------------

def test_jsonl_lines_indexes_and_errors():
    data = (b'\xef\xbb\xbf{"name": "a", "value": 1}\n'
            b'\n'
            b'   \n'
            b'{"name": "b"\n'
            b'[1, 2]\r\n'
            b'{"name": "c", "value": 3}')  # no final newline
    got = records(data, 'jsonl')
    assert [(r.index, r.line) for r in got] == [(0, 1), (1, 4), (2, 5),
                                                (3, 6)]
    assert got[0].value == {'name': 'a', 'value': 1}
    assert got[1].value is None and got[1].original == '{"name": "b"'
    assert got[1].error.startswith('Not valid JSON: ')
    assert got[2].value == [1, 2] and got[2].error is None
    assert got[3].value == {'name': 'c', 'value': 3}


def test_jsonl_skips_done_records_without_parsing():
    data = b'{"a": 1}\nnot json\n{"a": 3}\n'
    stream = io.BufferedReader(io.BytesIO(data))
    got = list(readers.read_jsonl(stream, lambda i: i == 1))
    assert got[1] is readers.SKIPPED
    assert got[2].index == 2 and got[2].line == 3


# -- JSON array --------------------------------------------------------------

def metric(i: int) -> dict:
    return {'name': f'm{i}', 'value': i, 'timestamp': 1714557600000 + i,
            'dimensions': {'k': 'v,}]"' + 'x' * (i % 7)},
            'value_meta': {'s': 'a\\"b\n{['}}


@pytest.mark.parametrize('chunk', [1, 2, 3, 7, 64, 4096])
def test_json_array_streams_across_any_chunk_boundary(monkeypatch, chunk):
    monkeypatch.setattr(readers, 'CHUNK', chunk)
    items = [metric(i) for i in range(25)] + [12345, 'é', None, [1, {}]]
    data = json.dumps(items, indent=1, ensure_ascii=False).encode()
    got = records(data, 'json')
    assert [r.value for r in got] == items
    assert [r.index for r in got] == list(range(len(items)))
    assert all(r.error is None for r in got)
    # The line is where the element starts.
    lines = data.decode().split('\n')
    for r in got[:25]:
        assert lines[r.line - 1].strip() == '{'


def test_json_array_numbers_split_by_chunks(monkeypatch):
    monkeypatch.setattr(readers, 'CHUNK', 2)
    got = records(b'[123456789, 1.5e10,-7]', 'json')
    assert [r.value for r in got] == [123456789, 1.5e10, -7]


def test_json_array_bad_element_is_a_record_error_and_reading_goes_on(
        monkeypatch):
    monkeypatch.setattr(readers, 'CHUNK', 5)
    data = (b'[\n{"name": "a", "value": 1},\n'
            b'{"name": "b", "value": NaNx, "d": {"x": [1, "]"]}},\n'
            b'{"name": "c", "value": 3}\n]\n')
    got = records(data, 'json')
    assert [r.index for r in got] == [0, 1, 2]
    assert got[0].value == {'name': 'a', 'value': 1}
    assert got[1].value is None and 'Not valid JSON' in got[1].error
    assert got[1].line == 3
    assert got[1].original.startswith('{"name": "b"')
    assert got[1].original.endswith('}}')
    assert got[2].value == {'name': 'c', 'value': 3} and got[2].line == 4


@pytest.mark.parametrize('data, message', [
    (b'{"name": "a"}', 'not a JSON array'),
    (b'[{"a": 1} {"b": 2}]', 'expected "," or "]"'),
    (b'[{"a": 1},', 'ends inside the JSON array'),
    (b'[{"a": 1}', 'ends inside the JSON array'),
    (b'[{"a": 1}] x', 'Unexpected data after the JSON array'),
    (b'[\xff]', 'not UTF-8'),
])
def test_json_array_structure_errors(data, message):
    with pytest.raises(readers.InputError, match=message):
        records(data, 'json')


def test_json_array_empty_and_blank():
    assert records(b'  [ ]  \n', 'json') == []
    assert records(b'', 'json') == []


def test_json_array_element_size_is_bounded(monkeypatch):
    monkeypatch.setattr(readers, 'CHUNK', 16)
    monkeypatch.setattr(readers, 'MAX_ELEMENT_BYTES', 100)
    data = b'[{"name": "' + b'x' * 500 + b'"}]'
    with pytest.raises(readers.InputError, match='larger than 100 bytes'):
        records(data, 'json')


def test_json_array_memory_stays_flat(monkeypatch):
    """The buffer never holds much more than a chunk and one element."""
    monkeypatch.setattr(readers, 'CHUNK', 1024)
    sizes = []
    original = readers._Buffer.fill

    def fill(self):
        result = original(self)
        sizes.append(len(self.text))
        return result
    monkeypatch.setattr(readers._Buffer, 'fill', fill)
    items = [metric(i) for i in range(3000)]
    data = json.dumps(items).encode()
    assert len(data) > 300_000
    count = sum(1 for _ in records(data, 'json'))
    assert count == 3000
    assert max(sizes) < 2 * 1024 + 200


# -- CSV -------------------------------------------------------------------

def test_csv_default_layout():
    data = (b'\xef\xbb\xbfname,value,timestamp,hostname,dim.service,'
            b'meta.rc,Other\r\n'
            b'cpu,1.5,1714557600,web1,api,0,x\r\n'
            b'\r\n'
            b'cpu,2,,web2,,,\r\n'
            b'"mem ""q""",3,2024-05-01T10:00:00Z,"multi\nline",s,1,y\r\n'
            b'disk,4,1714557600,h\r\n'
            b'disk,,1714557600,h,s,m,o\r\n')
    got = records(data, 'csv')
    assert [(r.index, r.line) for r in got] == [(0, 2), (1, 4), (2, 5),
                                                (3, 7), (4, 8)]
    assert got[0].value == {
        'name': 'cpu', 'value': 1.5, 'timestamp': '1714557600',
        'dimensions': {'hostname': 'web1', 'service': 'api', 'Other': 'x'},
        'value_meta': {'rc': '0'}}
    # Empty cells are left out.
    assert got[1].value == {'name': 'cpu', 'value': 2,
                            'dimensions': {'hostname': 'web2'}}
    assert got[2].value['name'] == 'mem "q"'
    assert got[2].value['dimensions']['hostname'] == 'multi\nline'
    assert got[3].error == 'The row has 4 fields; the header has 7'
    assert got[3].original == ['disk', '4', '1714557600', 'h']
    assert got[4].error == 'The value is empty'
    assert got[4].original['name'] == 'disk'


def test_csv_column_options():
    data = b'name,value,host,rc,junk\ncpu,1,web1,0,zz\n'
    got = records(data, 'csv', dimension_columns={'host': 'hostname'},
                  meta_columns={'rc': 'return_code'},
                  ignore_columns=['junk'])
    assert got[0].value == {'name': 'cpu', 'value': 1,
                            'dimensions': {'hostname': 'web1'},
                            'value_meta': {'return_code': '0'}}


@pytest.mark.parametrize('header, layout, message', [
    (b'name,timestamp\n', {}, 'no "value" column'),
    (b'value,host\n', {}, 'no "name" column'),
    (b'name,value,a,a\n', {}, "repeats the column 'a'"),
    (b'name,value\n', {'meta_columns': {'rc': 'rc'}},
     "no column 'rc' \\(given with --meta-column\\)"),
])
def test_csv_header_errors(header, layout, message):
    with pytest.raises(readers.InputError, match=message):
        records(header + b'x,1\n', 'csv', **layout)


def test_csv_without_name_column_when_a_default_name_is_given():
    got = records(b'value,host\n1,a\n', 'csv', name_required=False)
    assert got[0].value == {'value': 1, 'dimensions': {'host': 'a'}}


def test_csv_value_not_a_number():
    got = records(b'name,value\ncpu,abc\n', 'csv')
    assert got[0].error == "Metric value 'abc' is not a number"


# -- sources and formats ------------------------------------------------------

def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize('name, data, fmt', [
    ('m.jsonl', b'[1]', 'jsonl'),
    ('m.ndjson', b'{}', 'jsonl'),
    ('m.csv', b'[', 'csv'),
    ('m.json', b'  \n[{}]', 'json'),
    ('m.json', b'{"a": 1}\n{"a": 2}', 'jsonl'),
    ('m.txt', b'\xef\xbb\xbf[', 'json'),
    ('m.txt', b'{', 'jsonl'),
    ('m.txt', b'name,value', 'csv'),
    ('m', b'', 'csv'),
])
def test_detect_format(tmp_path, name, data, fmt):
    source = readers.open_source(write(tmp_path, name, data))
    try:
        assert readers.detect_format(source) == fmt
        assert readers.detect_format(source, 'csv') == 'csv'
    finally:
        source.close()


def test_gzip_input_is_decompressed(tmp_path):
    raw = b''.join(json.dumps(metric(i)).encode() + b'\n'
                   for i in range(100))
    path = write(tmp_path, 'm.jsonl.gz', gzip.compress(raw))
    source = readers.open_source(path)
    try:
        assert readers.detect_format(source) == 'jsonl'
        got = list(readers.read_jsonl(source.stream))
        assert [r.value for r in got] == [metric(i) for i in range(100)]
        assert source.position() == source.size
    finally:
        source.close()


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(readers.InputError, match='Cannot read'):
        readers.open_source(str(tmp_path / 'nope.jsonl'))


def test_fingerprint_changes_with_content(tmp_path):
    path = write(tmp_path, 'a', b'x' * 200_000)
    first = readers.fingerprint(path)
    assert first['size'] == 200_000
    assert readers.fingerprint(path) == first
    data = bytearray(b'x' * 200_000)
    data[-1:] = b'y'
    (tmp_path / 'a').write_bytes(bytes(data))
    assert readers.fingerprint(path) != first

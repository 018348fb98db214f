"""Done ranges and the checkpoint file."""

from __future__ import annotations

import json
import os
import random

import pytest

from monasca_osc.ingest import checkpoint as ckpt

INFO = {'path': '/data/m.jsonl', 'format': 'jsonl', 'size': 10,
        'sha256': 'ab' * 32}


def test_done_ranges_merge_like_a_set():
    rng = random.Random(7)
    for _ in range(200):
        done = ckpt.DoneRanges()
        model: set[int] = set()
        for _ in range(rng.randint(1, 15)):
            start = rng.randint(0, 60)
            end = start + rng.randint(0, 10)
            done.add(start, end)
            model.update(range(start, end))
        assert {i for i in range(80) if i in done} == model
        assert done.count() == len(model)
        # Disjoint, sorted, and no two ranges touch (they would be merged).
        pairs = done.as_list()
        for (s1, e1), (s2, e2) in zip(pairs, pairs[1:], strict=False):
            assert s1 < e1 < s2 < e2
        prefix = 0
        while prefix in model:
            prefix += 1
        assert done.prefix() == prefix


def test_batches_completing_out_of_order_collapse_to_a_prefix():
    done = ckpt.DoneRanges()
    order = [3, 1, 4, 0, 2]
    for n, i in enumerate(order):
        done.add(i * 100, i * 100 + 100)
        if n == 2:
            assert done.as_list() == [[100, 200], [300, 500]]
            assert done.prefix() == 0
    assert done.as_list() == [[0, 500]] and done.prefix() == 500


def test_cursor_answers_increasing_queries():
    done = ckpt.DoneRanges([[0, 3], [5, 6], [9, 12]])
    cursor = done.cursor()
    assert [i for i in range(15) if cursor(i)] == [0, 1, 2, 5, 9, 10, 11]


def test_save_and_load_round_trip(tmp_path):
    path = str(tmp_path / 'c.ckpt')
    point = ckpt.Checkpoint.open(path, INFO)
    assert not point.resumed and point.done.count() == 0
    point.mark_done(0, 10, {'read': 10, 'sent': 9, 'invalid': 1})
    point.mark_done(20, 25, {'read': 5, 'sent': 5})
    point.errors_file = '/tmp/e.jsonl'
    point.errors_size = 123
    point.default_timestamp = 1714557600000
    point.runs = 1
    point.save()
    assert not os.path.exists(path + '.tmp')
    again = ckpt.Checkpoint.open(path, INFO)
    assert again.resumed
    assert again.done.as_list() == [[0, 10], [20, 25]]
    assert again.totals == {'read': 15, 'sent': 14, 'invalid': 1,
                            'rejected': 0, 'failed': 0}
    assert (again.errors_file, again.errors_size) == ('/tmp/e.jsonl', 123)
    assert again.default_timestamp == 1714557600000
    assert not again.complete


@pytest.mark.parametrize('change', ['size', 'sha256', 'format'])
def test_checkpoint_of_another_input_is_refused(tmp_path, change):
    path = str(tmp_path / 'c.ckpt')
    ckpt.Checkpoint.open(path, INFO).save()
    other = dict(INFO)
    other[change] = 'csv' if change == 'format' else 'other'
    with pytest.raises(ckpt.CheckpointError) as err:
        ckpt.Checkpoint.open(path, other)
    text = str(err.value)
    assert 'was written for another input' in text
    assert 'delete it to start over' in text and '\n' not in text


@pytest.mark.parametrize('content, message', [
    ('{not json', 'Cannot read the checkpoint'),
    ('[]', 'not a checkpoint of this version'),
    (json.dumps({'version': 99}), 'not a checkpoint of this version'),
])
def test_damaged_checkpoints(tmp_path, content, message):
    path = tmp_path / 'c.ckpt'
    path.write_text(content)
    with pytest.raises(ckpt.CheckpointError, match=message):
        ckpt.Checkpoint.open(str(path), INFO)


def test_save_is_atomic_when_the_write_fails(tmp_path, monkeypatch):
    path = str(tmp_path / 'c.ckpt')
    point = ckpt.Checkpoint.open(path, INFO)
    point.mark_done(0, 5, {'read': 5, 'sent': 5})
    point.save()
    point.mark_done(5, 10, {'read': 5, 'sent': 5})

    def broken_fsync(fd):
        raise OSError(28, 'No space left on device')
    monkeypatch.setattr(os, 'fsync', broken_fsync)
    with pytest.raises(OSError):
        point.save()
    monkeypatch.undo()
    # The old state is intact.
    assert ckpt.Checkpoint.open(path, INFO).done.as_list() == [[0, 5]]

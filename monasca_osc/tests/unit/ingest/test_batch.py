"""Batch bodies: one join, and slices of it for splits and the errors file."""

import json

from monasca_osc.ingest.batch import Batch, load_piece

PIECES = [b'{"name":"a","value":1}', b'{"name":"bb","value":2.5}',
          b'{"name":"c","value":3}']


def filled(pieces=PIECES) -> Batch:
    batch = Batch(0, 10)
    for i, piece in enumerate(pieces):
        batch.add(piece, 100 + i, 10 + i)
    batch.finish()
    return batch


def test_body_pieces_and_sub_ranges_are_slices_of_one_join():
    batch = filled()
    assert batch.body == b'[' + b','.join(PIECES) + b']'
    assert batch.size == len(batch.body)
    assert (batch.count, batch.start, batch.end) == (3, 10, 13)
    assert [batch.piece(i) for i in range(3)] == PIECES
    assert batch.body_of(0, 3) is batch.body
    for lo in range(3):
        for hi in range(lo + 1, 4):
            assert json.loads(batch.body_of(lo, hi)) == \
                [json.loads(p) for p in PIECES[lo:hi]]
    assert load_piece(batch.piece(1)) == {'name': 'bb', 'value': 2.5}


def test_errors_count_as_entries_and_an_empty_batch_is_an_empty_array():
    batch = Batch(1, 5)
    batch.add_error(7, 'bad', {'x': 1}, 5)
    batch.finish()
    assert (batch.count, batch.entries, batch.end) == (0, 1, 6)
    assert batch.body == b'[]'
    one = filled(PIECES[:1])
    assert one.piece(0) == PIECES[0] and one.body_of(0, 1) == one.body

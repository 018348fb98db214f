"""The ingest engine against a fake sender: batching, splitting, retries,
accounting, strict mode, dry run and resume."""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import threading
import time
import tracemalloc

import pytest

from monasca_osc import exceptions as exc
from monasca_osc.ingest import batch as batch_mod
from monasca_osc.ingest import readers
from monasca_osc.ingest import run as run_mod
from monasca_osc.ingest.ingester import Ingester
from monasca_osc.ingest.report import IngestInterrupted, IngestStopped
from monasca_osc.tests.unit.ingest.fakes import FakeSender, metric


def write_jsonl(path, items) -> str:
    with open(path, 'w') as handle:
        for item in items:
            handle.write(item if isinstance(item, str) else json.dumps(item))
            handle.write('\n')
    return str(path)


def errors_of(path) -> list[dict]:
    with open(path) as handle:
        return [json.loads(line) for line in handle]


def by_value(metrics) -> list:
    return sorted(m['value'] for m in metrics)


# -- batching -----------------------------------------------------------------

def test_batches_by_count_and_everything_arrives_once(tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(2500)))
    sender = FakeSender()
    report = Ingester(sender=sender, batch_size=1000).ingest_file(path)
    # Several senders post at once: batches may arrive in any order.
    assert sorted(len(json.loads(b)) for b in sender.bodies) == [500, 1000,
                                                                 1000]
    assert by_value(sender.received) == list(range(2500))
    assert (report.read, report.sent, report.invalid, report.rejected,
            report.failed, report.unsent) == (2500, 2500, 0, 0, 0, 0)
    assert report.ok and report.batches == 3 and report.requests == 3
    assert report.format == 'jsonl'
    assert 'read 2500, sent 2500' in report.summary()


def test_batches_by_bytes(tmp_path):
    items = [metric(i, value_meta={'pad': 'x' * (i % 300)})
             for i in range(400)]
    items.append(metric(400, value_meta={'pad': 'y' * 1900}))
    path = write_jsonl(tmp_path / 'm.jsonl', items)
    sender = FakeSender()
    report = Ingester(sender=sender, batch_size=1000,
                      batch_bytes=4096).ingest_file(path)
    assert report.sent == 401
    for body in sender.bodies:
        assert len(body) <= 4096
    assert len(sender.bodies) > 10
    # Batches are full: adding the next metric would have crossed the limit.
    sizes = [len(b) for b in sender.bodies]
    assert min(sizes[:-1]) > 4096 - 2100


def test_a_metric_larger_than_batch_bytes_is_sent_alone(tmp_path):
    items = [metric(0), metric(1, value_meta={'p': 'z' * 2000}), metric(2)]
    path = write_jsonl(tmp_path / 'm.jsonl', items)
    sender = FakeSender()
    report = Ingester(sender=sender, batch_bytes=1024).ingest_file(path)
    assert report.sent == 3
    assert [len(json.loads(b)) for b in sender.bodies] == [1, 1, 1]


def test_bodies_are_the_lines_as_read_or_compact_json(tmp_path):
    lines = [json.dumps(metric(0)),  # sent as it is
             json.dumps(metric(1, value_meta={'é': 'ü'}), ensure_ascii=False),
             json.dumps(metric(2, timestamp=1714557600)),  # seconds
             json.dumps(metric(3, value_meta={'e': '\u00e9'})),  # escape
             json.dumps(metric(4, value_meta={'n': 'NaN'}))]
    path = write_jsonl(tmp_path / 'm.jsonl', lines)
    sender = FakeSender()
    Ingester(sender=sender).ingest_file(path)
    compact = [json.dumps(m, separators=(',', ':'), ensure_ascii=False)
               for m in (metric(2, timestamp=1714557600000),
                         metric(3, value_meta={'e': '\u00e9'}),
                         metric(4, value_meta={'n': 'NaN'}))]
    assert sender.bodies == [('[' + ','.join(lines[:2] + compact) + ']'
                              ).encode()]


def test_a_lone_surrogate_is_refused_not_a_crash(tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', [
        '{"name": "a", "value": 1, "timestamp": 1714557600000, '
        '"value_meta": {"x": "\\ud800"}}'])
    sender = FakeSender()
    stream = io.StringIO()
    report = Ingester(sender=sender, error_stream=stream).ingest_file(path)
    assert report.invalid == 1 and sender.requests == 0
    assert 'lone surrogate' in stream.getvalue()


def test_concurrency_is_bounded_and_used(tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(600)))
    sender = FakeSender(delay=0.05)
    report = Ingester(sender=sender, batch_size=20,
                      concurrency=3).ingest_file(path)
    assert report.sent == 600
    assert sender.max_in_flight == 3
    assert len(sender.threads) == 3


def test_memory_is_flat_whatever_the_input_size():
    """Peak memory does not grow with the number of records."""
    def peak(count: int) -> int:
        sender = FakeSender(delay=0.001, keep=False)

        def generate():
            for i in range(count):
                yield metric(i, value_meta={'pad': 'p' * 100})
        tracemalloc.start()
        try:
            report = Ingester(sender=sender, batch_size=200,
                              concurrency=2).ingest_records(
                generate())
            used = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert report.sent == sender.accepted == count
        return used
    small, large = peak(1_000), peak(20_000)
    # 19,000 more metrics of ~230 bytes (4.4 MB as JSON): the peaks may
    # differ by how many batches wait at that moment (at most 2 x
    # concurrency + 1, ~100 KB each here), not by the input size.
    assert large - small < 1_000_000, (small, large)
    assert large < 2_000_000


def test_in_flight_batches_are_bounded(tmp_path, monkeypatch):
    """At most 2 x concurrency batches exist besides the one being filled.
    """
    path = write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(3000)))
    alive = {'now': 0, 'max': 0}
    lock = threading.Lock()
    original_finish = batch_mod.Batch.finish
    original_complete = run_mod.Run._complete

    def finish(self):
        with lock:
            alive['now'] += 1
            alive['max'] = max(alive['max'], alive['now'])
        original_finish(self)

    def complete(self, batch, outcome):
        with lock:
            alive['now'] -= 1
        original_complete(self, batch, outcome)
    monkeypatch.setattr(batch_mod.Batch, 'finish', finish)
    monkeypatch.setattr(run_mod.Run, '_complete', complete)
    sender = FakeSender(delay=0.01)
    report = Ingester(sender=sender, batch_size=10,
                      concurrency=2).ingest_file(path)
    assert report.sent == 3000
    assert alive['max'] <= 2 * 2 + 1


# -- validation and the errors file -----------------------------------------

def test_invalid_records_go_to_the_errors_file_line_by_line(tmp_path):
    lines = [json.dumps(metric(0)),
             '{"name": "broken"',
             json.dumps(metric(2, value='42')),
             '',
             json.dumps(metric(3, timestamp=5)),
             json.dumps(metric(4)),
             '[1, 2]',
             json.dumps({'value': 1, 'timestamp': 1714557600000}),
             json.dumps(metric(7, value=float('nan'))).replace('NaN', 'NaN')]
    path = write_jsonl(tmp_path / 'm.jsonl', lines)
    errors = tmp_path / 'errors.jsonl'
    sender = FakeSender()
    report = Ingester(sender=sender, errors_file=str(errors)).ingest_file(
        path)
    assert by_value(sender.received) == [0, 4]
    assert (report.read, report.sent, report.invalid) == (8, 2, 6)
    assert not report.ok
    got = errors_of(errors)
    assert [e['line'] for e in got] == [2, 3, 5, 7, 8, 9]
    assert got[0] == {'line': 2, 'reason': got[0]['reason'],
                      'record': '{"name": "broken"'}
    assert got[0]['reason'].startswith('Not valid JSON')
    assert got[1]['reason'] == \
        "Metric value must be a number, not '42': for metric ingest.test"
    assert got[1]['record'] == metric(2, value='42')
    assert 'before 2000-01-01' in got[2]['reason']
    assert got[2]['record']['timestamp'] == 5  # the original, not converted
    assert got[3]['reason'] == 'A metric must be a JSON object, not list ' \
                               '[1, 2]'
    assert got[4]['reason'] == "Metric is missing the field 'name'"
    assert 'not a finite number' in got[5]['reason']


def test_without_errors_file_the_first_errors_go_to_the_stream(tmp_path):
    lines = ['{"bad' for _ in range(15)] + [json.dumps(metric(0))]
    path = write_jsonl(tmp_path / 'm.jsonl', lines)
    stream = io.StringIO()
    report = Ingester(sender=FakeSender(), error_stream=stream).ingest_file(
        path)
    out = stream.getvalue().splitlines()
    assert len(out) == 11
    assert out[0].startswith('line 1: Not valid JSON')
    assert out[-1] == '... and 5 more (give --errors-file to keep them all)'
    assert report.invalid == 15 and report.sent == 1
    assert len(report.first_errors) == 10


def test_strict_stops_at_the_first_invalid_record(tmp_path):
    items = [metric(i) for i in range(2500)]
    items[1500] = metric(1500, value='bad')
    path = write_jsonl(tmp_path / 'm.jsonl', items)
    errors = tmp_path / 'e.jsonl'
    sender = FakeSender()
    report = Ingester(sender=sender, batch_size=1000, strict=True,
                      errors_file=str(errors)).ingest_file(path)
    assert by_value(sender.received) == list(range(1500))
    assert report.stopped == 'invalid record at line 1501 (--strict)'
    assert (report.read, report.sent, report.invalid) == (1501, 1500, 1)
    assert [e['line'] for e in errors_of(errors)] == [1501]
    assert not report.ok


# -- server rejections --------------------------------------------------------

def poison(m: dict) -> str | None:
    return 'Poisoned value' if m['value'] in (13, 500, 999) else None


def test_422_batches_are_split_to_isolate_rejected_records(tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(1000)))
    errors = tmp_path / 'e.jsonl'
    sender = FakeSender(reject=poison)
    report = Ingester(sender=sender, batch_size=1000, concurrency=1,
                      errors_file=str(errors)).ingest_file(path)
    assert by_value(sender.received) == sorted(
        set(range(1000)) - {13, 500, 999})
    assert (report.sent, report.rejected, report.failed) == (997, 3, 0)
    got = errors_of(errors)
    assert [e['line'] for e in got] == [14, 501, 1000]
    assert all(e['status'] == 422 for e in got)
    assert got[0]['reason'] == 'Poisoned value: for metric ingest.test'
    assert got[0]['record'] == metric(13)
    # Splitting costs about 2 log2(n) requests per bad record, not n.
    assert report.requests == sender.requests <= 3 * 2 * 11
    assert not report.ok


def test_400_and_413_split_too(tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(64)))

    def fail(n, metrics):
        if len(metrics) > 16:
            return exc.ClientError(http_status=413,
                                   title='Request Entity Too Large')
        if any(m['value'] == 40 for m in metrics):
            return exc.BadRequest(http_status=400, title='Bad request',
                                  description='Request body is not valid')
        return None
    sender = FakeSender(fail=fail)
    errors = tmp_path / 'e.jsonl'
    report = Ingester(sender=sender, errors_file=str(errors)).ingest_file(
        path)
    assert report.sent == 63 and report.rejected == 1
    assert errors_of(errors)[0]['status'] == 400
    assert errors_of(errors)[0]['line'] == 41


def test_strict_stops_after_a_server_rejection(tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(5000)))
    sender = FakeSender(reject=poison)
    report = Ingester(sender=sender, batch_size=100, concurrency=1,
                      strict=True).ingest_file(path)
    assert report.rejected == 1
    assert report.stopped == ('record at line 14 rejected by the server '
                              '(--strict)')
    assert report.sent < 500
    assert report.read == report.sent + report.rejected + report.unsent


# -- transient and fatal failures -------------------------------------------

def unavailable() -> exc.MonascaError:
    return exc.ServiceUnavailable(http_status=503, title='Service '
                                  'unavailable', method='POST',
                                  url='http://x/v2.0/metrics')


def test_a_batch_that_still_fails_is_written_with_its_records(tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(300)))
    errors = tmp_path / 'e.jsonl'
    sender = FakeSender(fail=lambda n, ms: unavailable()
                        if ms[0]['value'] == 100 else None)
    report = Ingester(sender=sender, batch_size=100, concurrency=1,
                      errors_file=str(errors)).ingest_file(path)
    assert (report.sent, report.failed) == (200, 100)
    got = errors_of(errors)
    assert [e['line'] for e in got] == list(range(101, 201))
    assert got[0]['reason'].startswith('Not sent: Service unavailable '
                                       '(HTTP 503')
    assert got[0]['record'] == metric(100)
    assert 'status' not in got[0]
    assert not report.ok


def test_consecutive_failed_batches_stop_the_run(tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(5000)))
    sender = FakeSender(fail=lambda n, ms: unavailable())
    report = Ingester(sender=sender, batch_size=100,
                      concurrency=2).ingest_file(path)
    assert report.stopped.startswith('3 batches in a row were not sent; '
                                     'last error: Service unavailable')
    assert report.sent == 0 and report.failed >= 300
    assert sender.requests < 10
    assert report.read == report.failed + report.unsent


@pytest.mark.parametrize('status', [401, 403, 404])
def test_auth_and_endpoint_errors_stop_the_run(tmp_path, status):
    path = write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(5000)))
    sender = FakeSender(fail=lambda n, ms: exc.from_status(status)(
        http_status=status, title='Nope') if n >= 3 else None)
    with pytest.raises(IngestStopped, match='Nope') as err:
        Ingester(sender=sender, batch_size=100,
                 concurrency=2).ingest_file(path)
    report = err.value.report
    assert report is not None and report.sent >= 200
    assert sender.requests < 10
    assert report.read == report.sent + report.unsent


def test_an_ingester_can_run_again_after_a_stop(tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(500)))
    # Every batch of the first run fails (which batch the stop lands on
    # depends on thread timing); the second run's batches all succeed.
    first_run = [True]
    sender = FakeSender(
        fail=lambda n, ms: unavailable() if first_run[0] else None)
    ingester = Ingester(sender=sender, batch_size=100, concurrency=1)
    first = ingester.ingest_file(path)
    assert first.stopped and first.sent == 0
    first_run[0] = False
    second = ingester.ingest_file(path)
    assert second.ok and second.sent == 500


def test_retries_are_reported(tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(10)))
    sender = FakeSender()
    sender.retry_count = 4
    report = Ingester(sender=sender).ingest_file(path)
    assert report.retried == 4
    assert 'retried 4' in report.summary()


# -- dry run ---------------------------------------------------------------

def test_dry_run_prints_the_normalised_payload_and_sends_nothing(tmp_path):
    items = [dict(metric(0), timestamp=1714557600),
             json.dumps(metric(1, value='x')),
             {'name': 'n', 'value': 2}]
    path = write_jsonl(tmp_path / 'm.jsonl', items)
    out = io.StringIO()
    report = Ingester(dry_run=True, dry_run_output=out,
                      default_timestamp=1714557600999,
                      error_stream=io.StringIO()).ingest_file(path)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines == [metric(0), {'name': 'n', 'value': 2,
                                 'timestamp': 1714557600999}]
    assert report.dry_run and report.invalid == 1 and report.sent == 0
    assert report.summary().startswith('Checked ')


def test_dry_run_refuses_a_checkpoint(tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', [metric(0)])
    with pytest.raises(exc.ValidationError, match='--dry-run'):
        Ingester(dry_run=True, checkpoint=str(
            tmp_path / 'c')).ingest_file(path)


# -- resume ------------------------------------------------------------------

def crash_copy(sender, checkpoint, errors, threshold: int, dest,
               stored: set):
    """on_post hook: once the checkpoint on disk has ``threshold`` records
    done, copy it, the errors file and what the server has stored: the
    state a kill -9 then leaves behind. Requests in flight at that moment
    count as lost (the worst case)."""
    def hook(n):
        if stored:
            return
        try:
            state = json.loads(open(checkpoint).read())
        except (OSError, ValueError):
            return
        done = sum(e - s for s, e in state['done'])
        if done < threshold:
            return
        # Crash while the errors file has entries the checkpoint does not
        # cover yet: a resumed run must drop them, not repeat them. Thread
        # timing decides whether such a moment comes; 1,000 records later
        # the crash happens anyway.
        if os.path.getsize(errors) <= state['errors_size'] and \
                done < threshold + 1000:
            return
        with sender.lock:
            stored.update(m['value'] for m in sender.received)
        # The checkpoint first: the errors file only grows after it.
        shutil.copy(checkpoint, dest / 'c.ckpt')
        shutil.copy(errors, dest / 'e.jsonl')
    return hook


@pytest.mark.parametrize('concurrency, crash_at', [(1, 300), (3, 1500),
                                                   (4, 2500)])
def test_resume_after_a_crash_counts_every_record_once(
        tmp_path, monkeypatch, concurrency, crash_at):
    # Saves lag behind completions, as they do at full speed.
    monkeypatch.setattr(run_mod, 'CHECKPOINT_INTERVAL', 0.02)
    items = [metric(i) for i in range(6000)]
    bad = set(range(5, 6000, 37)) | {5999}
    for i in bad:
        items[i] = metric(i, value='bad')
    path = write_jsonl(tmp_path / 'm.jsonl', items)
    errors, point = tmp_path / 'e.jsonl', tmp_path / 'c.ckpt'
    saved = tmp_path / 'saved'
    saved.mkdir()
    rng = random.Random(crash_at)
    stored: set[int] = set()
    first = FakeSender(reject=lambda m: 'No' if m['value'] == 2000 else None)
    hook = crash_copy(first, point, errors, crash_at, saved, stored)
    first.on_post = lambda n: (time.sleep(rng.random() / 100), hook(n))
    Ingester(sender=first, batch_size=50, concurrency=concurrency,
             errors_file=str(errors), checkpoint=str(point)
             ).ingest_file(path)
    assert stored, 'the crash point was not reached'
    # "kill -9" then: put back the files of that moment.
    shutil.copy(saved / 'c.ckpt', point)
    shutil.copy(saved / 'e.jsonl', errors)
    second = FakeSender(reject=lambda m: 'No' if m['value'] == 2000 else None)
    report = Ingester(sender=second, batch_size=50, concurrency=concurrency,
                      errors_file=str(errors), checkpoint=str(point)
                      ).ingest_file(path)
    # Nothing skipped: every valid record was accepted by one of the runs.
    union = stored | {m['value'] for m in second.received}
    expected = set(range(6000)) - bad - {2000}
    assert union == expected
    # The second run skipped what the checkpoint had as done.
    assert report.resumed >= crash_at
    # (done ranges count input lines, invalid ones included)
    assert len(second.received) <= len(expected) - crash_at + 50 + len(bad)
    # The report counts each record exactly once across both runs.
    assert (report.read, report.sent, report.invalid, report.rejected,
            report.failed) == (6000, 6000 - len(bad) - 1, len(bad), 1, 0)
    # ... and so does the errors file.
    got = errors_of(errors)
    assert sorted(e['line'] for e in got) == sorted(
        [i + 1 for i in bad] + [2001])


def test_records_without_timestamp_get_the_same_instant_on_resume(tmp_path):
    items = [{'name': 'a', 'value': i} for i in range(10)]
    path = write_jsonl(tmp_path / 'm.jsonl', items)
    point = str(tmp_path / 'c.ckpt')
    first = FakeSender()
    Ingester(sender=first, checkpoint=point).ingest_file(path)
    stamps = {m['timestamp'] for m in first.received}
    assert len(stamps) == 1
    state = json.loads(open(point).read())
    assert state['default_timestamp'] == stamps.pop()
    assert state['complete'] is True


def test_a_complete_checkpoint_sends_nothing_again(tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(100)))
    point = str(tmp_path / 'c.ckpt')
    Ingester(sender=FakeSender(), checkpoint=point).ingest_file(path)
    again = FakeSender()
    report = Ingester(sender=again, checkpoint=point).ingest_file(path)
    assert again.requests == 0
    assert (report.read, report.sent, report.resumed) == (100, 100, 100)
    assert report.ok


def test_a_checkpoint_for_another_file_is_refused(tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(100)))
    point = str(tmp_path / 'c.ckpt')
    Ingester(sender=FakeSender(), checkpoint=point).ingest_file(path)
    write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(101)))
    sender = FakeSender()
    with pytest.raises(IngestStopped,
                       match='was written for another input'):
        Ingester(sender=sender, checkpoint=point).ingest_file(path)
    assert sender.requests == 0


def test_a_checkpoint_written_with_other_options_is_refused(tmp_path):
    path = write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(10)))
    point = str(tmp_path / 'c.ckpt')
    Ingester(sender=FakeSender(), checkpoint=point, dimensions={'a': 'b'},
             batch_size=3).ingest_file(path)
    # Batching and sending options may change; these may not.
    Ingester(sender=FakeSender(), checkpoint=point, dimensions={'a': 'b'},
             batch_size=7, concurrency=1).ingest_file(path)
    with pytest.raises(IngestStopped) as err:
        Ingester(sender=FakeSender(), checkpoint=point, allow_any_time=True,
                 tenant_id='other').ingest_file(path)
    assert str(err.value) == (
        f'The checkpoint {point} was written with other options that '
        f'change the metrics sent (--allow-any-time, --dimension, '
        f'--project); '
        f'run with the same options, or delete it to start over')


def test_checkpoint_refuses_stdin(tmp_path):
    with pytest.raises(exc.ValidationError, match='stdin'):
        Ingester(sender=FakeSender(), checkpoint=str(
            tmp_path / 'c')).ingest_file('-')


def test_interrupt_saves_progress_and_a_rerun_finishes(tmp_path,
                                                       monkeypatch):
    path = write_jsonl(tmp_path / 'm.jsonl', (metric(i) for i in range(1000)))
    point = str(tmp_path / 'c.ckpt')
    original = readers.read_jsonl

    first = FakeSender()

    def interrupted(stream, is_done=None):
        for n, record in enumerate(original(stream, is_done)):
            if n == 450:
                # Ctrl-C once the first batches have been sent.
                deadline = time.monotonic() + 10
                while len(first.received) < 300 and \
                        time.monotonic() < deadline:
                    time.sleep(0.01)
                raise KeyboardInterrupt
            yield record
    monkeypatch.setattr(readers, 'read_jsonl', interrupted)
    with pytest.raises(IngestInterrupted) as err:
        Ingester(sender=first, batch_size=100, checkpoint=point
                 ).ingest_file(path)
    assert err.value.report.interrupted
    assert err.value.report.read == 450
    monkeypatch.setattr(readers, 'read_jsonl', original)
    second = FakeSender()
    report = Ingester(sender=second, batch_size=100, checkpoint=point
                      ).ingest_file(path)
    # What was sent before Ctrl-C is not sent again.
    assert report.resumed >= 300
    assert not {m['value'] for m in first.received[:300]} & \
        {m['value'] for m in second.received}
    assert {m['value'] for m in first.received} | \
        {m['value'] for m in second.received} == set(range(1000))
    assert (report.read, report.sent) == (1000, 1000) and report.ok


# -- other inputs ----------------------------------------------------------

def test_ingest_records_from_an_iterable():
    sender = FakeSender()
    report = Ingester(sender=sender, batch_size=7).ingest_records(
        metric(i) for i in range(20))
    assert report.sent == 20 and len(sender.bodies) == 3


def test_json_array_and_csv_files(tmp_path):
    array = tmp_path / 'm.json'
    array.write_text(json.dumps([metric(i) for i in range(30)], indent=2))
    sender = FakeSender()
    report = Ingester(sender=sender, batch_size=8).ingest_file(str(array))
    assert report.format == 'json' and report.sent == 30
    assert by_value(sender.received) == list(range(30))
    table = tmp_path / 'm.csv'
    table.write_text('value,timestamp,host,rc\n' + ''.join(
        f'{i},{1714557600 + i},h{i},{i % 2}\n' for i in range(30)))
    sender = FakeSender()
    report = Ingester(sender=sender, name='csv.metric',
                      meta_columns={'rc': 'rc'},
                      dimensions={'region': 'r1'}
                      ).ingest_file(str(table))
    assert report.format == 'csv' and report.sent == 30
    assert sender.received[3] == {
        'name': 'csv.metric', 'value': 3, 'timestamp': 1714557603000,
        'dimensions': {'region': 'r1', 'host': 'h3'},
        'value_meta': {'rc': '1'}}


@pytest.mark.parametrize('data, message', [
    (None, 'Compressed file ended before the end-of-stream marker'),
    (b'\x1f\x8bxxxxxxxxxxxxxx', 'Unknown compression method'),
])
def test_damaged_gzip_input_is_one_clear_error(tmp_path, data, message):
    import gzip

    whole = gzip.compress(b''.join(json.dumps(metric(i)).encode() + b'\n'
                                   for i in range(2000)))
    path = tmp_path / 'm.jsonl.gz'
    path.write_bytes(data if data is not None else whole[:len(whole) // 2])
    sender = FakeSender()
    with pytest.raises(IngestStopped) as err:
        Ingester(sender=sender, batch_size=100).ingest_file(str(path))
    assert str(err.value).startswith(f'Cannot read {path}: ')
    assert message in str(err.value)
    assert err.value.report is None or err.value.report.read == \
        err.value.report.sent + err.value.report.unsent


def test_structural_input_errors_stop_after_what_was_read(tmp_path):
    array = tmp_path / 'm.json'
    array.write_text('[' + ','.join(json.dumps(metric(i))
                                    for i in range(10)) + ' {"x": 1}]')
    sender = FakeSender()
    with pytest.raises(IngestStopped, match='expected "," or "]"'):
        Ingester(sender=sender).ingest_file(str(array))

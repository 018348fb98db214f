"""Partial batches for slow input (``--flush-interval``).

The timer is tested with a fake clock and the pump with events, so neither
depends on how threads happen to be scheduled. The end-to-end tests wait
for a condition (with a generous timeout) instead of sleeping and hoping:
a generator or a pipe holds the input open until the sender has received
what was written before, which can only happen if a partial batch was
sent.
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading
import time

import pytest

from monasca_osc import exceptions as exc
from monasca_osc.ingest import flush, readers
from monasca_osc.ingest.ingester import Ingester
from monasca_osc.ingest.report import IngestStopped
from monasca_osc.tests.unit.ingest.fakes import FakeSender, metric

WAIT = 20.0  # seconds: only ever reached when the behaviour is broken


class Clock:
    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


# -- the timer (pure) ------------------------------------------------------

def test_no_open_batch_is_never_due_and_waits_the_poll_interval():
    timer = flush.FlushTimer(1.0, clock=Clock())
    assert not timer.due()
    assert timer.wait(0.2) == 0.2


def test_a_batch_is_due_when_its_oldest_record_is_interval_old():
    clock = Clock(100.0)
    timer = flush.FlushTimer(1.0, clock=clock)
    timer.opened()
    clock.now = 100.5
    assert not timer.due()
    assert timer.wait(0.2) == 0.2  # the poll interval caps the wait
    clock.now = 100.9
    assert timer.wait(0.2) == pytest.approx(0.1)
    clock.now = 101.0
    assert timer.due() and timer.wait(0.2) == 0.0
    clock.now = 105.0
    assert timer.due() and timer.wait(0.2) == 0.0
    timer.closed()
    assert not timer.due() and timer.wait(0.2) == 0.2


def test_the_age_counts_from_the_first_record_not_the_last():
    # Records arriving every 0.4 s never leave the input idle for 1 s, yet
    # the batch is sent 1 s after its first record.
    clock = Clock(0.0)
    timer = flush.FlushTimer(1.0, clock=clock)
    timer.opened()
    for clock.now in (0.4, 0.8):
        assert not timer.due()
    clock.now = 1.2
    assert timer.due()


def test_interval_zero_is_due_at_once_and_negative_is_refused():
    timer = flush.FlushTimer(0.0, clock=Clock())
    timer.opened()
    assert timer.due() and timer.wait() == 0.0
    with pytest.raises(ValueError):
        flush.FlushTimer(-1.0)


# -- the pump ---------------------------------------------------------------

def gated(items, gate: threading.Event, after: int):
    """Yield ``after`` items, then wait for ``gate``, then the rest."""
    for i, item in enumerate(items):
        if i == after:
            assert gate.wait(WAIT)
        yield item


def test_take_returns_what_arrived_and_empty_while_the_input_is_silent():
    gate = threading.Event()
    pump = flush.Pump(gated(range(5), gate, after=2))
    got = []
    while len(got) < 2:
        chunk = pump.take(WAIT)
        assert chunk  # woken by the records, not by the timeout
        got += chunk
    assert got == [0, 1]
    assert pump.take(0.05) == []  # the reader is blocked on the gate
    assert pump.reading
    gate.set()
    while (chunk := pump.take(WAIT)) is not None:
        got += chunk
    assert got == [0, 1, 2, 3, 4]
    assert pump.take(0.0) is None


def test_a_reader_error_comes_after_the_records_read_before_it():
    def reader():
        yield 'a'
        yield 'b'
        raise readers.InputError('Malformed JSON array at line 3')
    pump = flush.Pump(reader())
    got = []
    with pytest.raises(readers.InputError, match='line 3'):
        while (chunk := pump.take(WAIT)) is not None:
            got += chunk
    assert got == ['a', 'b']


def test_the_pump_holds_at_most_max_pending_records():
    produced = []

    def reader():
        for i in range(100):
            produced.append(i)
            yield i
    pump = flush.Pump(reader(), max_pending=8)
    got = []
    while (chunk := pump.take(WAIT)) is not None:
        assert len(chunk) <= 8
        # The reader is at most one record ahead of what is pending.
        assert len(produced) - len(got) <= 8 + 1
        got += chunk
    assert got == list(range(100))


def test_close_stops_a_reader_waiting_for_room():
    pump = flush.Pump(iter(range(1000)), max_pending=4)
    assert pump.take(WAIT)
    pump.close()
    deadline = time.monotonic() + WAIT
    while pump.reading and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not pump.reading


# -- end to end: a generator ---------------------------------------------

def waiting_generator(sender: FakeSender, first: int, total: int,
                      timeout: float = WAIT):
    """``first`` metrics, then wait until the sender has them, then the
    rest; ``seen`` tells whether they arrived while the input was open."""
    seen = {}

    def generate():
        for i in range(first):
            yield metric(i)
        deadline = time.monotonic() + timeout
        while sender.accepted < first and time.monotonic() < deadline:
            time.sleep(0.005)
        seen['while_open'] = sender.accepted
        for i in range(first, total):
            yield metric(i)
    return generate(), seen


def test_a_partial_batch_is_sent_while_a_generator_waits():
    sender = FakeSender()
    records, seen = waiting_generator(sender, 3, 5)
    report = Ingester(sender=sender, flush_interval=0.05).ingest_records(
        records)
    assert seen['while_open'] == 3
    # Exact accounting: two partial batches, every record once.
    assert (report.read, report.sent, report.batches, report.requests) == \
        (5, 5, 2, 2)
    assert sorted(m['value'] for m in sender.received) == list(range(5))
    assert report.ok


def test_without_a_flush_interval_records_wait_for_a_full_batch():
    sender = FakeSender()
    records, seen = waiting_generator(sender, 3, 5, timeout=0.3)
    report = Ingester(sender=sender, flush_interval=None).ingest_records(
        records)
    assert seen['while_open'] == 0
    assert (report.sent, report.batches) == (5, 1)


def test_a_list_is_read_in_the_calling_thread():
    threads = set()

    class Spy(list):
        def __iter__(self):
            threads.add(threading.current_thread().name)
            return super().__iter__()
    report = Ingester(sender=FakeSender()).ingest_records(
        Spy(metric(i) for i in range(3)))
    assert report.sent == 3
    assert threads == {threading.current_thread().name}


def test_a_fatal_error_stops_the_run_while_the_input_is_silent():
    gate = threading.Event()  # never set: the input stays open
    sender = FakeSender(fail=lambda n, ms: exc.Unauthorized(
        http_status=401, title='Unauthorized'))
    started = time.monotonic()
    with pytest.raises(IngestStopped) as err:
        Ingester(sender=sender, flush_interval=0.05).ingest_records(
            gated([metric(i) for i in range(10)], gate, after=2))
    assert time.monotonic() - started < WAIT / 2
    report = err.value.report
    assert (report.read, report.sent, report.unsent) == (2, 0, 2)


def test_stop_from_another_thread_ends_a_silent_run():
    gate = threading.Event()
    sender = FakeSender()
    ingester = Ingester(sender=sender, flush_interval=0.05)
    timer = threading.Timer(0.3, ingester.stop)
    timer.start()
    try:
        report = ingester.ingest_records(gated(
            [metric(i) for i in range(10)], gate, after=2))
    finally:
        timer.cancel()
        gate.set()
    assert report.read == 2 and report.sent == 2


# -- end to end: stdin is a pipe ---------------------------------------------

def csv_lines(values):
    return ''.join(f'flush.csv,{i},{1714557600 + i}\n' for i in values)


FORMATS = {
    'jsonl': ('', lambda vs: ''.join(json.dumps(metric(i)) + '\n'
                                     for i in vs), ''),
    # Each element is followed by its comma: the reader knows it is whole.
    'json': ('[', lambda vs: ''.join(json.dumps(metric(i)) + ','
                                     for i in vs), '{"name":"x","value":99,'
             '"timestamp":1714557600099}]'),
    'csv': ('name,value,timestamp\n', csv_lines, ''),
}


@pytest.mark.parametrize('fmt', sorted(FORMATS))
def test_stdin_pipe_records_are_sent_while_the_pipe_is_open(monkeypatch,
                                                            fmt):
    head, body, tail = FORMATS[fmt]
    read_fd, write_fd = os.pipe()
    stdin = io.TextIOWrapper(os.fdopen(read_fd, 'rb'))
    monkeypatch.setattr(sys, 'stdin', stdin)
    sender = FakeSender()
    result = {}

    def ingest():
        try:
            result['report'] = Ingester(
                sender=sender, flush_interval=0.05).ingest_file('-', fmt)
        except BaseException as err:  # noqa: BLE001 - checked below
            result['error'] = err
    worker = threading.Thread(target=ingest, daemon=True)
    writer = os.fdopen(write_fd, 'w')
    try:
        writer.write(head + body(range(3)))
        writer.flush()
        worker.start()
        deadline = time.monotonic() + WAIT
        while sender.accepted < 3 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert sender.accepted == 3, 'not sent while the pipe was open'
        assert worker.is_alive()
        writer.write(body(range(3, 5)) + tail)
    finally:
        writer.close()
    worker.join(WAIT)
    assert 'error' not in result, result
    report = result['report']
    expected = 6 if tail else 5
    assert (report.read, report.sent) == (expected, expected)
    assert report.batches == 2 and report.ok
    stdin.close()


def test_a_regular_file_needs_no_reader_thread(tmp_path):
    path = tmp_path / 'm.jsonl'
    path.write_text(json.dumps(metric(0)) + '\n')
    source = readers.open_source(str(path))
    try:
        assert not source.can_block
    finally:
        source.close()


def test_a_named_pipe_is_read_as_it_comes_and_refuses_a_checkpoint(
        tmp_path):
    fifo = tmp_path / 'metrics.fifo'
    os.mkfifo(fifo)
    sender = FakeSender()
    at_close: list[int] = []

    def feed(lines: int, wait_for: int) -> None:
        try:
            with open(fifo, 'w') as writer:  # blocks until a reader opens
                writer.write(''.join(json.dumps(metric(i)) + '\n'
                                     for i in range(lines)))
                writer.flush()
                deadline = time.monotonic() + WAIT
                while sender.accepted < wait_for and \
                        time.monotonic() < deadline:
                    time.sleep(0.005)
                at_close.append(sender.accepted)
        except BrokenPipeError:  # the reader refused and closed it
            pass
    writer = threading.Thread(target=feed, args=(2, 2), daemon=True)
    writer.start()
    report = Ingester(sender=sender, flush_interval=0.05).ingest_file(
        str(fifo))
    writer.join(WAIT)
    # Sent while the writer held the pipe open, then the end of input.
    assert at_close == [2]
    assert (report.read, report.sent) == (2, 2) and report.ok
    writer = threading.Thread(target=feed, args=(1, 0), daemon=True)
    writer.start()
    with pytest.raises(exc.ValidationError, match='needs a regular file'):
        Ingester(sender=FakeSender(), checkpoint=str(tmp_path / 'c')
                 ).ingest_file(str(fifo))
    writer.join(WAIT)

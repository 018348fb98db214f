"""What one ingest did: the counts, and the two ways a run ends early.

Invariants of ``IngestReport`` (checked by the tests):

* for a run that went to the end, ``read = sent + invalid + rejected +
  failed``; a run that stopped early also counts ``unsent`` (records read
  but left for a resumed run), so ``read`` is always the sum of the five;
* with a checkpoint the counts include earlier runs (``resumed`` says how
  many records those did), so the last run's summary covers the whole file
  and counts every record once;
* ``summary()`` is the one line the CLI prints on stderr and ``as_dict()``
  the counts ``-f json`` gives to scripts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from monasca_osc import exceptions as exc


@dataclass
class IngestReport:
    """Counts of one ingest, including earlier runs of a resumed one.

    ``read`` = ``sent + invalid + rejected + failed`` for a run that went
    to the end; ``unsent`` counts records read but left unprocessed by a
    run that stopped early (they are sent by a resumed run).
    """

    source: str = ''
    format: str = ''
    # Records, by what became of them (read is the sum of the next five).
    read: int = 0
    sent: int = 0       # accepted by the API (204)
    invalid: int = 0    # refused here, before sending (errors file)
    rejected: int = 0   # refused by the API (4xx; errors file)
    failed: int = 0     # not delivered after retries (errors file)
    unsent: int = 0     # read but left for a resumed run
    # Requests and batches; retries made by the adapter.
    retried: int = 0
    requests: int = 0
    batches: int = 0
    # Resumed runs: records done before; the rate counts this run only.
    resumed: int = 0
    sent_this_run: int = 0
    elapsed: float = 0.0
    dry_run: bool = False
    stopped: str | None = None
    interrupted: bool = False
    errors_file: str | None = None
    checkpoint: str | None = None
    first_errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.invalid or self.rejected or self.failed
                    or self.unsent or self.stopped or self.interrupted)

    @property
    def rate(self) -> float:
        count = self.read - self.resumed if self.dry_run \
            else self.sent_this_run
        return count / self.elapsed if self.elapsed > 0 else 0.0

    def summary(self) -> str:
        verb = 'Checked' if self.dry_run else 'Ingested'
        parts = [f'read {self.read}']
        if self.dry_run:
            parts.append(f'valid {self.read - self.invalid - self.unsent}')
            parts.append(f'invalid {self.invalid}')
        else:
            parts += [f'sent {self.sent}', f'invalid {self.invalid}',
                      f'rejected {self.rejected}', f'failed {self.failed}']
            if self.unsent:
                parts.append(f'unsent {self.unsent}')
            parts.append(f'retried {self.retried}')
        parts.append(f'{self.elapsed:.1f}s')
        unit = 'checked' if self.dry_run else 'sent'
        parts.append(f'{self.rate:,.0f} metrics/s {unit}')
        line = f'{verb} {self.source}: ' + ', '.join(parts)
        if self.resumed:
            line += f' (resumed: {self.resumed} done by earlier runs)'
        if self.errors_file and (self.invalid or self.rejected
                                 or self.failed):
            line += f'; errors in {self.errors_file}'
        if self.stopped:
            line += f'; stopped: {self.stopped}'
        return line

    def as_dict(self) -> dict[str, Any]:
        return {'source': self.source, 'format': self.format,
                'read': self.read, 'sent': self.sent,
                'invalid': self.invalid, 'rejected': self.rejected,
                'failed': self.failed, 'unsent': self.unsent,
                'retried': self.retried, 'requests': self.requests,
                'batches': self.batches, 'resumed': self.resumed,
                'elapsed': round(self.elapsed, 3),
                'rate': round(self.rate, 1), 'dry_run': self.dry_run,
                'stopped': self.stopped, 'errors_file': self.errors_file,
                'checkpoint': self.checkpoint}


class IngestStopped(exc.MonascaError):
    """The run could not go on (bad input structure, auth, endpoint).

    ``report`` holds the counts up to that point (None if nothing ran).
    """

    report: IngestReport | None = None


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C: progress was saved; ``report`` holds the counts."""

    def __init__(self, report: IngestReport):
        super().__init__()
        self.report = report

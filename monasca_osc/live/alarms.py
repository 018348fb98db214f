"""The state logic of ``alarm wait`` and ``alarm check``, on API alarm dicts.

``check_status(alarms)`` is the Nagios/Icinga plugin verdict: the exit
code and the one status line with perfdata. Worst state wins, in the order
CRITICAL > WARNING > UNKNOWN > OK: an alarm that fired says more than one
that lacks data.

* an alarm in ALARM is CRITICAL when its definition's severity is HIGH or
  CRITICAL, WARNING when LOW or MEDIUM;
* an UNDETERMINED alarm is UNKNOWN (OK with ``undetermined_ok``);
* no alarm at all is OK.

``wait_summary(alarms, state)`` says whether every alarm is in ``state``
(at least one alarm must exist) and describes where they are.
Standard library only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from monasca_osc.common import dimensions as dims

OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
STATUS = {OK: 'OK', WARNING: 'WARNING', CRITICAL: 'CRITICAL',
          UNKNOWN: 'UNKNOWN'}
SERVICE = 'MONASCA'
STATES = ('ALARM', 'OK', 'UNDETERMINED')
CRITICAL_SEVERITIES = ('HIGH', 'CRITICAL')
# Worst first: the order of the verdict and of the alarms named in it.
_RANK = (CRITICAL, WARNING, UNKNOWN, OK)
NAMED = 3


def status_line(code: int, text: str, perfdata: str = '') -> str:
    """``MONASCA CRITICAL - text | perfdata`` (one line)."""
    text = ' '.join(str(text).split())
    line = f'{SERVICE} {STATUS[code]} - {text}'
    return f'{line} | {perfdata}' if perfdata else line


def alarm_status(alarm: Mapping[str, Any], undetermined_ok: bool = False
                 ) -> int:
    state = alarm.get('state')
    if state == 'ALARM':
        return CRITICAL if _severity(alarm) in CRITICAL_SEVERITIES \
            else WARNING
    if state == 'UNDETERMINED' and not undetermined_ok:
        return UNKNOWN
    return OK


def check_status(alarms: Sequence[Mapping[str, Any]],
                 undetermined_ok: bool = False) -> tuple[int, str]:
    """The plugin's exit code and output line."""
    counts = Counter(a.get('state') for a in alarms)
    perfdata = ' '.join(f'{s}={counts.get(s, 0)}' for s in STATES)
    statuses = [alarm_status(a, undetermined_ok) for a in alarms]
    code = next((c for c in _RANK if c in statuses), OK)
    total = len(alarms)
    if code == OK:
        if not total:
            return OK, status_line(OK, 'no alarms', perfdata)
        text = f'{total} alarm{"s" if total != 1 else ""}, none in ALARM'
        if counts.get('UNDETERMINED'):
            text += f' ({counts["UNDETERMINED"]} UNDETERMINED)'
        return OK, status_line(OK, text, perfdata)
    bad = sorted((a for a, s in zip(alarms, statuses, strict=True)
                  if s != OK),
                 key=lambda a: _RANK.index(alarm_status(a, undetermined_ok)))
    parts = []
    if counts.get('ALARM'):
        parts.append(f'{counts["ALARM"]} of {total} in ALARM')
    if counts.get('UNDETERMINED') and not undetermined_ok:
        parts.append(f'{counts["UNDETERMINED"]} of {total} UNDETERMINED')
    named = ', '.join(describe(a) for a in bad[:NAMED])
    if len(bad) > NAMED:
        named += f' and {len(bad) - NAMED} more'
    return code, status_line(code, f'{", ".join(parts)}: {named}', perfdata)


def describe(alarm: Mapping[str, Any]) -> str:
    """``web-5xx[HIGH] ALARM hostname=web1``: definition, severity, state
    and the dimensions its metrics share."""
    definition = alarm.get('alarm_definition') or {}
    text = f'{definition.get("name") or alarm.get("id")}'
    if _severity(alarm):
        text += f'[{_severity(alarm)}]'
    text += f' {alarm.get("state")}'
    shared = _shared_dimensions(alarm.get('metrics') or ())
    if shared:
        text += ' ' + dims.format_dimensions(shared, ',')
    return text


def _severity(alarm: Mapping[str, Any]) -> str | None:
    definition = alarm.get('alarm_definition') or {}
    severity = definition.get('severity') or alarm.get('severity')
    return str(severity).upper() if severity else None


def _shared_dimensions(metrics: Sequence[Mapping[str, Any]]
                       ) -> dict[str, Any]:
    """The dimensions all the alarm's metrics have in common (its match_by
    values, in practice)."""
    shared: dict[str, Any] | None = None
    for metric in metrics:
        these = dict(metric.get('dimensions') or {})
        shared = these if shared is None else {
            k: v for k, v in shared.items() if these.get(k) == v}
    return shared or {}


def wait_summary(alarms: Sequence[Mapping[str, Any]], state: str,
                 what: str, one: bool = False) -> tuple[bool, str]:
    """(every alarm is in ``state``, a one-line description).

    ``what`` names the alarms looked at: ``alarm 123`` when ``one``, else
    what qualifies them, like ``of definition 'web-5xx' matching
    hostname=web1``.
    """
    if one:
        state_now = alarms[0].get('state') if alarms else None
        return state_now == state, f'{what} is {state_now}'
    total = len(alarms)
    if not total:
        return False, f'there are no alarms {what}'
    counts = Counter(a.get('state') for a in alarms)
    plural = 's' if total != 1 else ''
    if counts.get(state) == total:
        return True, (f'{"all" if total != 1 else "the"} {total} '
                      f'alarm{plural} {what} {_are(total)} {state}')
    others = ', '.join(f'{s}: {n}' for s, n in sorted(counts.items())
                       if s != state)
    bad = total - counts.get(state, 0)
    return False, (f'{bad} of {total} alarm{plural} {what} {_are(bad)} '
                   f'not {state} ({others})')


def _are(count: int) -> str:
    return 'is' if count == 1 else 'are'

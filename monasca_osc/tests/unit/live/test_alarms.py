"""alarm check's verdict and alarm wait's summary."""

from __future__ import annotations

from typing import Any

import pytest

from monasca_osc.live import alarms as logic


def alarm(state: str, severity: str = 'LOW', name: str = 'web-5xx',
          host: str | None = 'web1', ident: str = 'a1') -> dict[str, Any]:
    metrics = [{'name': 'http.5xx',
                'dimensions': {'hostname': host, 'svc': 'api'} if host
                else {}}]
    if host:
        metrics.append({'name': 'http.5xx',
                        'dimensions': {'hostname': host, 'svc': 'web'}})
    return {'id': ident, 'state': state, 'metrics': metrics,
            'alarm_definition': {'id': 'd1', 'name': name,
                                 'severity': severity}}


@pytest.mark.parametrize('alarms, code', [
    ([], logic.OK),
    ([alarm('OK'), alarm('OK')], logic.OK),
    ([alarm('ALARM', 'LOW')], logic.WARNING),
    ([alarm('ALARM', 'MEDIUM')], logic.WARNING),
    ([alarm('ALARM', 'HIGH')], logic.CRITICAL),
    ([alarm('ALARM', 'CRITICAL')], logic.CRITICAL),
    ([alarm('UNDETERMINED')], logic.UNKNOWN),
    # Worst wins: CRITICAL > WARNING > UNKNOWN > OK.
    ([alarm('ALARM', 'LOW'), alarm('ALARM', 'HIGH')], logic.CRITICAL),
    ([alarm('UNDETERMINED'), alarm('ALARM', 'LOW')], logic.WARNING),
    ([alarm('UNDETERMINED'), alarm('OK')], logic.UNKNOWN),
])
def test_exit_codes(alarms: list, code: int) -> None:
    got, line = logic.check_status(alarms)
    assert got == code
    assert line.startswith(f'MONASCA {logic.STATUS[code]} - ')
    assert '\n' not in line


def test_undetermined_ok() -> None:
    code, line = logic.check_status([alarm('UNDETERMINED'), alarm('OK')],
                                    undetermined_ok=True)
    assert (code, line) == (logic.OK, 'MONASCA OK - 2 alarms, none in ALARM '
                            '(1 UNDETERMINED) | ALARM=0 OK=1 UNDETERMINED=1')


def test_line_names_the_worst_alarms_and_has_perfdata() -> None:
    alarms = [alarm('OK', ident='o'), alarm('ALARM', 'LOW', 'disk', 'db1'),
              alarm('ALARM', 'HIGH', 'web-5xx', 'web1'),
              alarm('UNDETERMINED', 'LOW', 'cpu', 'web2'),
              alarm('ALARM', 'LOW', 'disk', 'db2'),
              alarm('ALARM', 'LOW', 'disk', 'db3')]
    code, line = logic.check_status(alarms)
    assert code == logic.CRITICAL
    assert line == (
        'MONASCA CRITICAL - 4 of 6 in ALARM, 1 of 6 UNDETERMINED: '
        'web-5xx[HIGH] ALARM hostname=web1, disk[LOW] ALARM hostname=db1, '
        'disk[LOW] ALARM hostname=db2 and 2 more '
        '| ALARM=4 OK=1 UNDETERMINED=1')


def test_no_alarms_line() -> None:
    assert logic.check_status([]) == (
        logic.OK, 'MONASCA OK - no alarms | ALARM=0 OK=0 UNDETERMINED=0')


def test_describe_without_dimensions_or_severity() -> None:
    bare = {'id': 'x1', 'state': 'ALARM', 'metrics': [],
            'alarm_definition': {}}
    assert logic.describe(bare) == 'x1 ALARM'
    assert logic.alarm_status(bare) == logic.WARNING


def test_status_line_is_one_line() -> None:
    assert logic.status_line(logic.UNKNOWN, 'a\nb  c') == \
        'MONASCA UNKNOWN - a b c'


def test_wait_one_alarm() -> None:
    assert logic.wait_summary([alarm('OK')], 'OK', 'alarm a1', one=True) == \
        (True, 'alarm a1 is OK')
    assert logic.wait_summary([alarm('ALARM')], 'OK', 'alarm a1',
                              one=True) == (False, 'alarm a1 is ALARM')


def test_wait_every_alarm_of_a_definition() -> None:
    what = "of definition 'web-5xx'"
    assert logic.wait_summary([], 'OK', what) == (
        False, "there are no alarms of definition 'web-5xx'")
    assert logic.wait_summary([alarm('OK')], 'OK', what) == (
        True, "the 1 alarm of definition 'web-5xx' is OK")
    assert logic.wait_summary([alarm('OK'), alarm('OK')], 'OK', what) == (
        True, "all 2 alarms of definition 'web-5xx' are OK")
    assert logic.wait_summary(
        [alarm('OK'), alarm('ALARM'), alarm('UNDETERMINED'),
         alarm('ALARM')], 'OK', what) == (
        False, "3 of 4 alarms of definition 'web-5xx' are not OK "
               "(ALARM: 2, UNDETERMINED: 1)")

"""The explanation structure and its tree drawing."""

from __future__ import annotations

from monasca_osc.alarmtools import explain, replay, testfile

T0 = 1_714_557_600_000


def test_tree_of_an_or_with_last_and_windows() -> None:
    definition = {'name': 'd', 'match_by': ['hostname'],
                  'expression': 'last(disk{mount=/}) > 90 or '
                                'avg(cpu, 120) > 50 times 2'}
    series = [
        testfile.Series('disk', {'hostname': 'a', 'mount': '/'},
                        [(T0 + 1000, 95.0)]),
        testfile.Series('cpu', {'hostname': 'a'},
                        [(T0 + i * 60_000 + 1000, 10.0) for i in range(2)])]
    (alarm,) = replay.replay_series(definition, series, T0, T0 + 600_000)
    data = alarm.explain(T0 + 300_000, title='alarm of d',
                         stored_state='OK')
    assert (data['state'], data['agrees']) == ('ALARM', False)
    node = data['expression']
    assert node['op'] == 'OR' and 'state' not in node
    last, avg = node['operands']
    assert (last['function'], last['windows'], last['current_values']) == \
        ('LAST', [], [95.0])
    assert [w['value'] for w in avg['windows']] == [10.0, None]
    text = '\n'.join(explain.render(data))
    assert text == '\n'.join([
        'alarm of d',
        'state: ALARM (stored: OK, DISAGREES)',
        'OR',
        '├─ last(disk{mount=/}) > 90.0: ALARM',
        '│     LAST of disk{mount=/}: the newest measurement, > 90.0',
        '│       newest: 95.0  breaches',
        '└─ avg(cpu, 120) > 50.0 times 2: OK',
        '      AVG of cpu, 2 x 120s windows, > 50.0',
        '        2024-05-01T10:00:00Z .. 10:02:00Z  10.0  does not breach',
        '        2024-05-01T10:02:00Z .. 10:04:00Z  (no data)  empty'])

"""Bad-input corpus of the legacy ``monasca`` command (see ``__init__``).

argv rows are the arguments after ``monasca``; the endpoint and token come
from the environment (``MONASCA_API_URL``, ``OS_AUTH_TOKEN``,
``OS_NO_CLIENT_AUTH=1``). These are the inputs that made the retired
python-monascaclient print to stdout and exit 0, crash with a traceback or
send a request the API had to refuse (legacy-monasca-cli.md section 5).
"""

from __future__ import annotations

from monasca_osc.tests.functional.corpus import (
    METRIC_NAME_FORBIDDEN,
    UNKNOWN_ID,
    Case,
    invalid,
    long_text,
    missing,
    rejected,
    usage,
)

HUGE = long_text(100_000, 'huge-')
CASES: list[Case] = []
add = CASES.append

# -- metric-create / metric-create-raw ---
for i, char in enumerate(METRIC_NAME_FORBIDDEN):
    add(invalid(f'metric-create-name-forbidden-{i}',
                ['metric-create', f'cpu{char}x', '1'], repr(char)))
add(invalid('metric-create-name-256',
            ['metric-create', long_text(256), '1'], '256 characters'))
add(invalid('metric-create-name-huge', ['metric-create', HUGE, '1'],
            '100000 characters'))
add(invalid('metric-create-name-empty', ['metric-create', '', '1'],
            'Metric name', 'empty'))
add(invalid('metric-create-name-non-utf8', ['metric-create', b'm\xe9t', '1'],
            'm\\xe9t', 'UTF-8'))
for i, value in enumerate(['abc', 'nan', 'inf', '-inf', '1e400', '']):
    add(usage(f'metric-create-value-{i}',
              ['metric-create', 'cpu', '--', value], repr(value)))
add(usage('metric-create-no-value', ['metric-create', 'cpu'],
          '<METRIC_VALUE>'))
add(invalid('metric-create-dimension-no-equals',
            ['metric-create', 'cpu', '1', '--dimensions', 'hostname'],
            "'hostname'"))
add(invalid('metric-create-dimension-empty-value',
            ['metric-create', 'cpu', '1', '--dimensions', 'a=1,b='], "'b'",
            'empty'))
add(invalid('metric-create-dimension-underscore',
            ['metric-create', 'cpu', '1', '--dimensions', '_a=1'], '_a'))
add(invalid('metric-create-dimension-forbidden',
            ['metric-create', 'cpu', '1', '--dimensions', 'a=<1>'], "'<'"))
add(invalid('metric-create-dimension-value-256',
            ['metric-create', 'cpu', '1', '--dimensions',
             'a=' + long_text(256, 'v')], '256 characters'))
add(invalid('metric-create-value-meta-17',
            ['metric-create', 'cpu', '1', '--value-meta',
             ','.join(f'k{n}=v' for n in range(17))], 'entries 17'))
add(invalid('metric-create-value-meta-too-large',
            ['metric-create', 'cpu', '1', '--value-meta',
             'k=' + long_text(2100, 'v')], '2048'))
add(invalid('metric-create-value-meta-no-equals',
            ['metric-create', 'cpu', '1', '--value-meta', 'rc'], "'rc'"))
for i, value in enumerate(['1.5', 'now', 'abc', '', '9' * 30]):
    add(usage(f'metric-create-time-{i}',
              ['metric-create', 'cpu', '1', f'--time={value}'], '--time',
              repr(value)))
add(usage('metric-create-raw-bad-json', ['metric-create-raw', '{bad'],
          'invalid JSON'))
add(usage('metric-create-raw-empty', ['metric-create-raw', ''],
          'invalid JSON'))
add(usage('metric-create-raw-non-utf8', ['metric-create-raw', b'{"\xff"}'],
          'invalid JSON'))
add(invalid('metric-create-raw-not-object', ['metric-create-raw', '42'],
            '42'))
add(invalid('metric-create-raw-string', ['metric-create-raw', '"cpu"'],
            "'cpu'"))
add(invalid('metric-create-raw-no-name',
            ['metric-create-raw', '{"value": 1, "timestamp": 1}'],
            "'name'"))
add(invalid('metric-create-raw-no-timestamp',
            ['metric-create-raw', '{"name": "cpu", "value": 1}'],
            "'timestamp'"))
add(invalid('metric-create-raw-value-string',
            ['metric-create-raw',
             '{"name": "cpu", "value": "1", "timestamp": 1}'], "'1'"))
add(invalid('metric-create-raw-value-nan',
            ['metric-create-raw',
             '{"name": "cpu", "value": NaN, "timestamp": 1}'], 'nan'))
add(invalid('metric-create-raw-value-infinity',
            ['metric-create-raw',
             '{"name": "cpu", "value": -Infinity, "timestamp": 1}'],
            '-inf'))
add(invalid('metric-create-raw-name-forbidden',
            ['metric-create-raw',
             '{"name": "a{b", "value": 1, "timestamp": 1}'], "'{'"))
add(invalid('metric-create-raw-dimensions-list',
            ['metric-create-raw', '{"name": "cpu", "value": 1, '
             '"timestamp": 1, "dimensions": ["a"]}'], "['a']"))
add(invalid('metric-create-raw-dimension-int',
            ['metric-create-raw', '{"name": "cpu", "value": 1, '
             '"timestamp": 1, "dimensions": {"a": 1}}'], "'a'"))
add(invalid('metric-create-raw-value-meta-17',
            ['metric-create-raw', '{"name": "cpu", "value": 1, '
             '"timestamp": 1, "value_meta": {'
             + ', '.join(f'"k{n}": "v"' for n in range(17)) + '}}'],
            'entries 17'))
add(invalid('metric-create-raw-array-bad-item',
            ['metric-create-raw', '[{"name": "ok", "value": 1, '
             '"timestamp": 1}, {"name": "", "value": 1, "timestamp": 1}]'],
            'empty'))
add(invalid('metric-create-raw-timestamp-string',
            ['metric-create-raw',
             '{"name": "cpu", "value": 1, "timestamp": "now"}'], "'now'"))

# -- metric-list, names, dimensions ---
add(invalid('metric-list-name', ['metric-list', '--name', 'a b'], "' '"))
add(invalid('metric-list-name-empty', ['metric-list', '--name', ''],
            'empty'))
add(invalid('metric-list-dimensions-underscore',
            ['metric-list', '--dimensions', 'a=1,_b'], '_b'))
add(invalid('metric-list-starttime', ['metric-list', '--starttime', 'x'],
            "'x'"))
add(invalid('metric-list-starttime-fraction',
            ['metric-list', '--starttime=-1.5'], "'-1.5'"))
add(invalid('metric-list-reversed',
            ['metric-list', '--starttime', '-60', '--endtime', '-120'],
            'must be before'))
add(invalid('metric-list-endtime', ['metric-list', '--starttime', '-5',
                                    '--endtime', '2014-99-01'],
            "'2014-99-01'"))
add(usage('metric-list-limit', ['metric-list', '--limit', 'ten'], "'ten'"))
add(usage('metric-list-limit-zero', ['metric-list', '--limit', '0'],
          '--limit'))
add(invalid('metric-list-name-non-utf8', ['metric-list', '--name', b'\x80'],
            '\\x80', 'UTF-8'))
add(invalid('metric-name-list-dimensions',
            ['metric-name-list', '--dimensions', 'k=a|'], "'k'"))
add(usage('metric-name-list-limit', ['metric-name-list', '--limit', '-1'],
          '--limit'))
add(invalid('dimension-name-list-metric-name',
            ['dimension-name-list', '--metric-name', 'a=b'], "'='"))
add(invalid('dimension-name-list-starttime',
            ['dimension-name-list', '--starttime', 'yesterday'],
            "'yesterday'"))
add(usage('dimension-value-list-no-name', ['dimension-value-list'],
          '<DIMENSION_NAME>'))
add(invalid('dimension-value-list-underscore',
            ['dimension-value-list', '_host'], '_host'))
add(invalid('dimension-value-list-empty', ['dimension-value-list', ''],
            'empty'))
add(invalid('dimension-value-list-metric-name',
            ['dimension-value-list', 'host', '--metric-name', 'x&y'],
            "'&'"))

# -- measurement-list, metric-statistics ---
add(usage('measurement-list-no-start', ['measurement-list', 'cpu'],
          '<UTC_START_TIME>'))
add(invalid('measurement-list-name', ['measurement-list', 'a,b', '-5'],
            "','"))
add(invalid('measurement-list-start', ['measurement-list', 'cpu', 'then'],
            "'then'"))
add(invalid('measurement-list-start-empty', ['measurement-list', 'cpu', ''],
            'Empty'))
add(invalid('measurement-list-start-fraction',
            ['measurement-list', 'cpu', '--', '-1.5'], "'-1.5'"))
add(invalid('measurement-list-reversed',
            ['measurement-list', 'cpu', '-5', '--endtime', '-10'],
            'must be before'))
add(invalid('measurement-list-group-by',
            ['measurement-list', 'cpu', '-5', '--group_by', '_x'], '_x'))
add(usage('measurement-list-limit',
          ['measurement-list', 'cpu', '-5', '--limit', 'x'], "'x'"))
add(invalid('measurement-list-dimensions',
            ['measurement-list', 'cpu', '-5', '--dimensions', 'a={b}'],
            "'{'"))
add(invalid('metric-statistics-statistic',
            ['metric-statistics', 'cpu', 'median', '-5'], "'median'"))
add(invalid('metric-statistics-statistic-spaced',
            ['metric-statistics', 'cpu', 'avg,,max', '-5'], "''"))
add(invalid('metric-statistics-statistic-empty',
            ['metric-statistics', 'cpu', '', '-5'], "''"))
for i, value in enumerate(['0', 'abc', '1.5', '-300']):
    add(invalid(f'metric-statistics-period-{i}',
                ['metric-statistics', 'cpu', 'avg', '-5',
                 f'--period={value}'], value))
add(invalid('metric-statistics-start',
            ['metric-statistics', 'cpu', 'avg', 'later'], "'later'"))
add(usage('metric-statistics-missing',
          ['metric-statistics', 'cpu', 'avg'], '<UTC_START_TIME>'))

# -- notifications ---
add(usage('notification-create-missing',
          ['notification-create', 'n', 'EMAIL'], '<ADDRESS>'))
add(usage('notification-create-period',
          ['notification-create', 'n', 'EMAIL', 'a@b.c', '--period', 'x'],
          "'x'"))
add(rejected('notification-create-period-not-allowed',
             ['notification-create', 'n', 'EMAIL', 'a@b.c', '--period',
              '45'], '45'))
add(invalid('notification-create-period-negative',
            ['notification-create', 'n', 'EMAIL', 'a@b.c',
             '--period=-60'], '-60'))
add(invalid('notification-create-email',
            ['notification-create', 'n', 'EMAIL', 'nobody'], 'nobody'))
add(invalid('notification-create-webhook',
            ['notification-create', 'n', 'WEBHOOK', 'gopher://x'],
            'gopher://x'))
add(invalid('notification-create-type-empty',
            ['notification-create', 'n', '', 'a@b.c'], "''"))
add(invalid('notification-create-name-empty',
            ['notification-create', '', 'EMAIL', 'a@b.c'], 'empty'))
add(invalid('notification-create-address-empty',
            ['notification-create', 'n', 'EMAIL', ''], "Address ''"))
add(rejected('notification-create-unknown-type',
             ['notification-create', 'n', 'SMOKE_SIGNAL', 'a@b.c'],
             'SMOKE_SIGNAL'))
add(invalid('notification-list-sort-by',
            ['notification-list', '--sort-by', 'period'], "'period'"))
add(invalid('notification-list-sort-by-trailing-comma',
            ['notification-list', '--sort-by', 'name,'], "'name,'"))
add(invalid('notification-list-sort-by-direction',
            ['notification-list', '--sort-by', 'name up'], "'up'"))
add(invalid('notification-list-sort-by-three-words',
            ['notification-list', '--sort-by', 'name asc desc'],
            "'name asc desc'"))
add(invalid('notification-list-offset',
            ['notification-list', '--offset', 'x'], 'x'))
add(missing('notification-show-unknown', ['notification-show', UNKNOWN_ID]))
add(missing('notification-delete-unknown',
            ['notification-delete', UNKNOWN_ID]))
add(usage('notification-update-period',
          ['notification-update', UNKNOWN_ID, 'n', 'EMAIL', 'a@b.c', 'x'],
          "'x'"))
add(usage('notification-update-missing',
          ['notification-update', UNKNOWN_ID, 'n', 'EMAIL', 'a@b.c'],
          '<PERIOD>'))
add(invalid('notification-update-email',
            ['notification-update', UNKNOWN_ID, 'n', 'EMAIL', 'x', '0'],
            'x'))
add(missing('notification-update-unknown',
            ['notification-update', UNKNOWN_ID, 'n', 'EMAIL', 'a@b.c',
             '0']))
add(invalid('notification-patch-nothing', ['notification-patch', 'x'],
            'Nothing to set'))
add(usage('notification-patch-period',
          ['notification-patch', 'x', '--period', 'soon'], "'soon'"))
add(invalid('notification-patch-period-invalid',
            ['notification-patch', 'x', '--period=-30'], '-30'))
add(missing('notification-patch-unknown',
            ['notification-patch', UNKNOWN_ID, '--name', 'n2']))
add(usage('notification-type-list-extra',
          ['notification-type-list', 'EMAIL'], 'EMAIL'))

# -- alarm definitions ---
for i, expression in enumerate([
        'avg(cpu) >', 'cpu = 1', 'avg(cpu, 30) > 1', 'foo(cpu) > 1',
        'avg(cpu) > 1 times -1', 'avg(cpu{a=b) > 1', '', ' ',
        'avg(cpu) > 1 or', 'max(a b) > 1']):
    add(invalid(f'alarm-definition-create-expression-{i}',
                ['alarm-definition-create', 'd', expression],
                'expression'))
add(invalid('alarm-definition-create-severity',
            ['alarm-definition-create', 'd', 'avg(cpu) > 1', '--severity',
             'urgent'], "'urgent'"))
add(invalid('alarm-definition-create-severity-or',
            ['alarm-definition-create', 'd', 'avg(cpu) > 1', '--severity',
             'LOW|HIGH'], "'LOW|HIGH'"))
add(invalid('alarm-definition-create-match-by',
            ['alarm-definition-create', 'd', 'avg(cpu) > 1', '--match-by',
             'host,_x'], '_x'))
add(invalid('alarm-definition-create-name-empty',
            ['alarm-definition-create', '', 'avg(cpu) > 1'], 'empty'))
add(invalid('alarm-definition-create-description-256',
            ['alarm-definition-create', 'd', 'avg(cpu) > 1',
             '--description', long_text(256)], '256 characters'))
add(missing('alarm-definition-create-unknown-action',
            ['alarm-definition-create', 'd', 'avg(cpu) > 1',
             '--alarm-actions', UNKNOWN_ID]))
add(invalid('alarm-definition-list-severity',
            ['alarm-definition-list', '--severity', 'MEGA'], "'MEGA'"))
add(invalid('alarm-definition-list-sort-by',
            ['alarm-definition-list', '--sort-by', 'expression'],
            "'expression'"))
add(invalid('alarm-definition-list-sort-by-empty',
            ['alarm-definition-list', '--sort-by', ''], "''"))
add(invalid('alarm-definition-list-offset',
            ['alarm-definition-list', '--offset', 'abc'], 'abc'))
add(missing('alarm-definition-show-unknown',
            ['alarm-definition-show', UNKNOWN_ID]))
add(invalid('alarm-definition-show-empty', ['alarm-definition-show', ''],
            'ID'))
add(missing('alarm-definition-delete-unknown',
            ['alarm-definition-delete', UNKNOWN_ID]))
add(usage('alarm-definition-delete-two',
          ['alarm-definition-delete', 'a', 'b'], 'b'))
UPDATE = ['alarm-definition-update', UNKNOWN_ID, 'n', 'd', 'avg(cpu) > 1',
          '', '', '', 'true', '', 'LOW']
add(invalid('alarm-definition-update-actions-enabled',
            UPDATE[:8] + ['maybe'] + UPDATE[9:], "'maybe'"))
add(invalid('alarm-definition-update-severity', UPDATE[:-1] + ['SEVERE'],
            "'SEVERE'"))
add(invalid('alarm-definition-update-expression',
            UPDATE[:4] + ['avg(cpu) >'] + UPDATE[5:], "'avg(cpu) >'"))
add(usage('alarm-definition-update-missing', UPDATE[:-1], '<SEVERITY>'))
add(missing('alarm-definition-update-unknown', UPDATE))
add(invalid('alarm-definition-patch-nothing',
            ['alarm-definition-patch', UNKNOWN_ID], 'Nothing to set'))
add(invalid('alarm-definition-patch-actions-enabled',
            ['alarm-definition-patch', UNKNOWN_ID, '--actions-enabled',
             'yes'], "'yes'"))
add(invalid('alarm-definition-patch-severity',
            ['alarm-definition-patch', UNKNOWN_ID, '--severity', 'x'],
            "'x'"))
add(invalid('alarm-definition-patch-expression',
            ['alarm-definition-patch', UNKNOWN_ID, '--expression',
             'max(cpu) >> 1'], 'max(cpu) >> 1'))
add(missing('alarm-definition-patch-unknown',
            ['alarm-definition-patch', UNKNOWN_ID, '--severity', 'LOW']))

# -- alarms ---
add(invalid('alarm-list-state', ['alarm-list', '--state', 'ok-ish'],
            "'ok-ish'"))
add(invalid('alarm-list-severity', ['alarm-list', '--severity', 'LOW|X'],
            "'X'"))
add(invalid('alarm-list-sort-by', ['alarm-list', '--sort-by', 'name'],
            "'name'"))
add(invalid('alarm-list-sort-by-trailing-comma',
            ['alarm-list', '--sort-by', 'state,'], "'state,'"))
add(invalid('alarm-list-sort-by-direction',
            ['alarm-list', '--sort-by', 'state upward'], "'upward'"))
add(invalid('alarm-list-offset', ['alarm-list', '--offset', 'x1'], 'x1'))
add(invalid('alarm-list-metric-dimensions',
            ['alarm-list', '--metric-dimensions', '_k=v'], '_k'))
add(invalid('alarm-list-state-updated',
            ['alarm-list', '--state-updated-start-time', 'soonish'],
            "'soonish'"))
add(missing('alarm-list-unknown-definition',
            ['alarm-list', '--alarm-definition-id', UNKNOWN_ID]))
add(missing('alarm-show-unknown', ['alarm-show', UNKNOWN_ID]))
add(missing('alarm-delete-unknown', ['alarm-delete', UNKNOWN_ID]))
add(invalid('alarm-update-state',
            ['alarm-update', UNKNOWN_ID, 'FIRE', 'OPEN', 'http://x'],
            "'FIRE'"))
add(invalid('alarm-update-link-513',
            ['alarm-update', UNKNOWN_ID, 'OK', 'OPEN',
             long_text(513, 'http://')], '513 characters'))
add(usage('alarm-update-missing', ['alarm-update', UNKNOWN_ID, 'OK'],
          '<LIFECYCLE_STATE>'))
add(missing('alarm-update-unknown',
            ['alarm-update', UNKNOWN_ID, 'OK', 'OPEN', 'http://x']))
add(invalid('alarm-patch-nothing', ['alarm-patch', UNKNOWN_ID],
            'Nothing to set'))
add(invalid('alarm-patch-state', ['alarm-patch', UNKNOWN_ID, '--state',
                                  'okay'], "'okay'"))
add(invalid('alarm-patch-lifecycle-51',
            ['alarm-patch', UNKNOWN_ID, '--lifecycle-state', long_text(51)],
            '51 characters'))
add(missing('alarm-patch-unknown',
            ['alarm-patch', UNKNOWN_ID, '--state', 'OK']))
add(invalid('alarm-count-group-by', ['alarm-count', '--group-by', 'host'],
            "'host'"))
add(invalid('alarm-count-group-by-spaced',
            ['alarm-count', '--group-by', 'state,,severity'], "''"))
add(invalid('alarm-count-state', ['alarm-count', '--state', 'BAD'],
            "'BAD'"))
add(invalid('alarm-count-offset', ['alarm-count', '--offset', '-'], '-'))
add(usage('alarm-history-no-id', ['alarm-history'], '<ALARM_ID>'))
add(usage('alarm-history-limit', ['alarm-history', 'x', '--limit', '0'],
          '--limit'))
add(invalid('alarm-history-list-dimensions',
            ['alarm-history-list', '--dimensions', 'k=|'], "'k'"))
add(invalid('alarm-history-list-starttime',
            ['alarm-history-list', '--starttime', 'dawn'], "'dawn'"))

# -- global options and unknown commands ---
add(usage('global-retries', ['--retries', 'many', 'metric-list'],
          '--retries', "'many'"))
add(usage('global-retries-negative', ['--retries=-2', 'metric-list'],
          '--retries', "'-2'"))
add(usage('global-timeout-zero', ['--timeout', '0', 'metric-list'],
          '--timeout', "'0'"))
add(usage('global-timeout-text', ['--timeout', 'slow', 'metric-list'],
          '--timeout', "'slow'"))
add(usage('global-unknown-option', ['metric-list', '--bogus'], '--bogus'))
add(invalid('global-api-version', ['--monasca-api-version', '3_0',
                                   'metric-list'], "'3_0'"))

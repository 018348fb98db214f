"""Bad-input corpus of ``openstack monitoring ...`` (see ``__init__``).

argv rows start after the auth options (``--os-auth-type none
--os-endpoint E``), so they begin with ``monitoring``.
"""

from __future__ import annotations

from monasca_osc.tests.functional.corpus import (
    DIMENSION_FORBIDDEN,
    METRIC_NAME_FORBIDDEN,
    UNKNOWN_ID,
    Case,
    invalid,
    long_text,
    missing,
    rejected,
    usage,
)

M = 'monitoring'
MC = [M, 'metric', 'create']
ML = [M, 'metric', 'list']
MNL = [M, 'metric', 'name', 'list']
DNL = [M, 'metric', 'dimension', 'name', 'list']
DVL = [M, 'metric', 'dimension', 'value', 'list', '--dimension-name', 'host']
MEAS = [M, 'measurement', 'list', '--name', 'cpu', '--start', '-1h']
STAT = [M, 'statistics', 'list', '--name', 'cpu', '--start', '-1h',
        '--statistic', 'avg']
ADC = [M, 'alarm', 'definition', 'create', 'corpus-def',
       '--expression', 'avg(cpu) > 1']
ADL = [M, 'alarm', 'definition', 'list']
ADSET = [M, 'alarm', 'definition', 'set', UNKNOWN_ID]
AL = [M, 'alarm', 'list']
ASET = [M, 'alarm', 'set', UNKNOWN_ID]
AC = [M, 'alarm', 'count']
AHL = [M, 'alarm', 'history', 'list']
NC = [M, 'notification', 'method', 'create', 'corpus-nm', '--type', 'EMAIL',
      '--address', 'ops@example.com']
NCW = [M, 'notification', 'method', 'create', 'corpus-nm', '--type',
       'WEBHOOK']
NL = [M, 'notification', 'method', 'list']
NSET = [M, 'notification', 'method', 'set', UNKNOWN_ID]

HUGE = long_text(100_000, 'huge-')
CASES: list[Case] = []
add = CASES.append

# -- metric create ---
for i, char in enumerate(METRIC_NAME_FORBIDDEN):
    add(invalid(f'metric-create-name-forbidden-{i}',
                MC + [f'cpu{char}load', '--value', '1'], repr(char),
                'forbidden character'))
add(invalid('metric-create-name-256', MC + [long_text(256), '--value', '1'],
            '256 characters'))
add(invalid('metric-create-name-huge', MC + [HUGE, '--value', '1'],
            '100000 characters', "'huge-xxx"))
add(invalid('metric-create-name-empty', MC + ['', '--value', '1'],
            'Metric name', 'empty'))
add(invalid('metric-create-name-non-utf8', MC + [b'cpu\xff', '--value', '1'],
            'cpu\\xff', 'UTF-8'))
add(invalid('metric-create-no-value', MC + ['cpu'], '--value'))
for i, value in enumerate(['abc', 'nan', 'inf', '-inf', '1e999', '',
                           '1,5']):
    add(usage(f'metric-create-value-{i}', MC + ['cpu', f'--value={value}'],
              '--value', repr(value)))
add(invalid('metric-create-dimension-no-equals',
            MC + ['cpu', '--value', '1', '--dimension', 'hostname'],
            "'hostname'", 'key=value'))
add(invalid('metric-create-dimension-empty-key',
            MC + ['cpu', '--value', '1', '--dimension', '=web1'],
            "'=web1'", 'key is empty'))
add(invalid('metric-create-dimension-empty-value',
            MC + ['cpu', '--value', '1', '--dimension', 'hostname='],
            "'hostname'", 'empty'))
add(invalid('metric-create-dimension-underscore',
            MC + ['cpu', '--value', '1', '--dimension', '_host=web1'],
            '_host', "start with '_'"))
# Each forbidden character once, in a key or in a value (',', ';', '='
# and '\\' are the syntax's own separators and escape).
for i, char in enumerate(c for c in DIMENSION_FORBIDDEN if c not in '=,;\\'):
    pair = f'ho{char}st=web1' if i % 2 else f'host=we{char}b1'
    add(invalid(f'metric-create-dimension-forbidden-{i}',
                MC + ['cpu', '--value', '1', '--dimension', pair],
                repr(char)))
add(invalid('metric-create-dimension-key-256',
            MC + ['cpu', '--value', '1', '--dimension',
                  long_text(256, 'k') + '=v'], '256 characters'))
add(invalid('metric-create-dimension-value-256',
            MC + ['cpu', '--value', '1', '--dimension',
                  'k=' + long_text(256, 'v')], '256 characters'))
add(invalid('metric-create-dimension-empty-arg',
            MC + ['cpu', '--value', '1', '--dimension', ''],
            'Empty dimension'))
add(invalid('metric-create-dimension-trailing-key',
            MC + ['cpu', '--value', '1', '--dimension', 'a=1,b'], "'b'"))
add(invalid('metric-create-dimension-non-utf8',
            MC + ['cpu', '--value', '1', '--dimension', b'host=\xfe\xff'],
            '\\xfe\\xff', 'UTF-8'))
add(invalid('metric-create-value-meta-17',
            MC + ['cpu', '--value', '1'] + [
                a for n in range(17) for a in ('--value-meta', f'k{n}=v')],
            'value_meta entries 17', '16'))
add(invalid('metric-create-value-meta-too-large',
            MC + ['cpu', '--value', '1', '--value-meta',
                  'note=' + long_text(2100, 'v')], 'value_meta', '2048'))
add(invalid('metric-create-value-meta-no-equals',
            MC + ['cpu', '--value', '1', '--value-meta', 'note'], "'note'"))
add(invalid('metric-create-value-meta-empty-key',
            MC + ['cpu', '--value', '1', '--value-meta', '=v'], "'=v'"))
add(invalid('metric-create-value-meta-key-256',
            MC + ['cpu', '--value', '1', '--value-meta',
                  long_text(256, 'k') + '=v'], '256 characters'))
for i, value in enumerate(['yesterday', '2024-13-45', '2024-02-30T10:00',
                           '-5x', '9999999999999999', '']):
    add(invalid(f'metric-create-time-{i}',
                MC + ['cpu', '--value', '1', f'--time={value}'], '--time',
                repr(value) if value else 'Empty'))
add(invalid('metric-create-file-empty', MC + ['--file', ''], 'Empty --file'))
add(invalid('metric-create-file-missing',
            MC + ['--file', '/nonexistent.jsonl'], '/nonexistent.jsonl'))
add(invalid('metric-create-file-and-value',
            MC + ['--file', '/nonexistent.jsonl', '--value', '1'], '--value',
            '--file'))
add(usage('metric-create-file-batch-size',
          MC + ['--file', '-', '--batch-size', '0'], '--batch-size', '0'))
add(usage('metric-create-file-input-format',
          MC + ['--file', '-', '--input-format', 'xml'], "'xml'"))
add(usage('metric-create-unknown-option',
          MC + ['cpu', '--value', '1', '--bogus'], '--bogus'))

# -- metric list / names / dimensions ---
add(invalid('metric-list-name-space', ML + ['--name', 'cpu load'], "' '"))
add(invalid('metric-list-name-empty', ML + ['--name', ''], 'empty'))
add(invalid('metric-list-name-256', ML + ['--name', long_text(256)],
            '256 characters'))
add(invalid('metric-list-name-non-utf8', ML + ['--name', b'\xffcpu'],
            '\\xffcpu', 'UTF-8'))
add(invalid('metric-list-dimension-underscore', ML + ['--dimension', '_x'],
            '_x'))
add(invalid('metric-list-dimension-empty-alternative',
            ML + ['--dimension', 'k=a|'], "'k'", 'empty'))
add(invalid('metric-list-dimension-value-forbidden',
            ML + ['--dimension', 'k=a|b>c'], "'>'"))
add(invalid('metric-list-dimension-key-forbidden',
            ML + ['--dimension', 'k{'], "'{'"))
add(invalid('metric-list-dimension-empty', ML + ['--dimension', ''],
            'Empty dimension filter'))
add(invalid('metric-list-start-garbage', ML + ['--start', 'tomorrowish'],
            "'tomorrowish'"))
add(invalid('metric-list-start-bad-date', ML + ['--start', '2024-02-30'],
            "'2024-02-30'"))
add(invalid('metric-list-start-bad-relative', ML + ['--start=-1.5h'],
            "'-1.5h'"))
add(invalid('metric-list-end-garbage', ML + ['--start', '-1h', '--end', 'x'],
            '--end', "'x'"))
add(invalid('metric-list-start-empty', ML + ['--start', ''], '--start',
            'Empty'))
add(invalid('metric-list-reversed-relative',
            ML + ['--start', 'now', '--end', '-1h'], 'must be before'))
add(invalid('metric-list-reversed-absolute',
            ML + ['--start', '2024-01-02', '--end', '2024-01-01'],
            '2024-01-02T00:00:00.000Z', 'must be before'))
add(invalid('metric-list-equal-times',
            ML + ['--start', '2024-01-01', '--end', '2024-01-01T00:00Z'],
            'must be before'))
for i, value in enumerate(['0', '-5', 'abc', '']):
    add(usage(f'metric-list-limit-{i}', ML + [f'--limit={value}'],
              '--limit', f'Limit {value}' if i < 2 else f'Limit {value!r}'))
add(usage('metric-list-page-size-0', ML + ['--page-size', '0'],
          '--page-size', '0'))
add(usage('metric-list-unknown-option', ML + ['--bogus'], '--bogus'))
add(invalid('metric-name-list-dimension-underscore',
            MNL + ['--dimension', '_x'], '_x'))
add(invalid('metric-name-list-dimension-equals-in-value',
            MNL + ['--dimension', 'a=b=c'], "'='"))
add(usage('metric-name-list-limit-0', MNL + ['--limit', '0'], '--limit'))
add(invalid('dimension-name-list-metric-name-comma',
            DNL + ['--metric-name', 'a,b'], "','"))
add(invalid('dimension-name-list-start-garbage', DNL + ['--start', 'soon'],
            "'soon'"))
add(usage('dimension-name-list-page-size-negative',
          DNL + ['--page-size', '-1'], '--page-size', '-1'))
add(usage('dimension-value-list-no-name',
          [M, 'metric', 'dimension', 'value', 'list'], '--dimension-name'))
add(invalid('dimension-value-list-underscore',
            DVL[:-1] + ['_host'], '_host'))
add(invalid('dimension-value-list-empty-name', DVL[:-1] + [''],
            'Dimension key', 'empty'))
add(invalid('dimension-value-list-equals', DVL[:-1] + ['a=b'], "'='"))
add(invalid('dimension-value-list-metric-name',
            DVL + ['--metric-name', 'x y'], "' '"))
add(invalid('dimension-value-list-end-garbage', DVL + ['--end', 'later'],
            "'later'"))

# -- measurements and statistics ---
add(usage('measurement-list-no-name',
          [M, 'measurement', 'list', '--start', '-1h'], '--name'))
add(usage('measurement-list-no-start',
          [M, 'measurement', 'list', '--name', 'cpu'], '--start'))
add(invalid('measurement-list-name-space',
            [M, 'measurement', 'list', '--name', 'cpu load', '--start',
             '-1h'], "'cpu load'"))
add(invalid('measurement-list-name-empty',
            [M, 'measurement', 'list', '--name', '', '--start', '-1h'],
            'Metric name', 'empty'))
add(invalid('measurement-list-start-garbage',
            [M, 'measurement', 'list', '--name', 'cpu', '--start', 'bad'],
            "'bad'"))
add(invalid('measurement-list-start-empty',
            [M, 'measurement', 'list', '--name', 'cpu', '--start', ''],
            '--start', 'Empty'))
add(invalid('measurement-list-reversed',
            MEAS + ['--end', '-2h'], 'must be before'))
add(usage('measurement-list-merge-and-group',
          MEAS + ['--merge-metrics', '--group-by', 'host'], '--group-by',
          '--merge-metrics'))
add(invalid('measurement-list-group-by-underscore',
            MEAS + ['--group-by', '_x'], '_x'))
add(invalid('measurement-list-group-by-empty', MEAS + ['--group-by', ''],
            'empty'))
add(invalid('measurement-list-group-by-forbidden',
            MEAS + ['--group-by', 'a{b'], "'{'"))
add(invalid('measurement-list-dimension-empty-alternative',
            MEAS + ['--dimension', 'k=v|'], "'k'"))
add(usage('measurement-list-limit-0', MEAS + ['--limit', '0'], '--limit'))
add(usage('measurement-list-page-size-abc', MEAS + ['--page-size', 'abc'],
          "'abc'"))
add(usage('measurement-list-unknown-option', MEAS + ['--bogus'], '--bogus'))
add(invalid('statistics-list-no-statistic',
            [M, 'statistics', 'list', '--name', 'cpu', '--start', '-1h'],
            '--statistic'))
for i, value in enumerate(['median', 'avg,', 'AVG MAX']):
    bad = [v.strip() for v in value.split(',')
           if v.strip().lower() not in ('avg', 'max')]
    add(invalid(f'statistics-list-statistic-{i}',
                STAT[:-1] + [value], f"Invalid statistic {bad[0]!r}"))
for i, value in enumerate(['0', '-60', 'abc', '']):
    add(invalid(f'statistics-list-period-{i}',
                STAT + [f'--period={value}'], '--period',
                value if value in ('0', '-60') else repr(value)))
add(invalid('statistics-list-start-garbage',
            [M, 'statistics', 'list', '--name', 'cpu', '--start', 'soon',
             '--statistic', 'avg'], "'soon'"))
add(invalid('statistics-list-reversed', STAT + ['--end', '-3h'],
            'must be before'))
add(invalid('statistics-list-name-semicolon',
            [M, 'statistics', 'list', '--name', 'a;b', '--start', '-1h',
             '--statistic', 'avg'], "';'"))

# -- alarm definitions ---
add(usage('alarm-definition-create-no-expression',
          [M, 'alarm', 'definition', 'create', 'x'], '--expression'))
add(invalid('alarm-definition-create-expression-empty',
            ADC[:-1] + [''], 'expression', 'empty'))
for i, expression in enumerate([
        'avg(cpu) >', 'avg(cpu) = 5', 'avg(cpu) == 5', 'avg(cpu) != 5',
        'avg(cpu, 90) > 1', 'avg(cpu, 0) > 1', 'median(cpu) > 1',
        'avg(cpu) > 1 times 0', 'avg(cpu{a=b) > 1', 'avg(cpu) > 1e3',
        '(avg(cpu) > 1', 'count(x, 120, deterministic) > 1',
        'avg(cpu load) > 1', 'avg(cpu{a}) > 1', 'avg(cpu) > 1\nor max(']):
    add(invalid(f'alarm-definition-create-expression-{i}',
                ADC[:-1] + [expression], 'Invalid alarm expression',
                repr(expression)[1:-1][:40]))
add(invalid('alarm-definition-create-expression-huge',
            ADC[:-1] + [HUGE + ' > 1'], 'Invalid alarm expression',
            "'huge-xxx"))
add(invalid('alarm-definition-create-expression-non-utf8',
            ADC[:-1] + [b'avg(cpu\xff) > 1'], 'cpu\\xff', 'UTF-8'))
add(invalid('alarm-definition-create-severity',
            ADC + ['--severity', 'HUGE'], "'HUGE'"))
add(invalid('alarm-definition-create-severity-empty',
            ADC + ['--severity', ''], "Severity ''"))
add(invalid('alarm-definition-create-match-by-underscore',
            ADC + ['--match-by', '_host'], '_host'))
add(invalid('alarm-definition-create-match-by-equals',
            ADC + ['--match-by', 'a=b'], 'a=b'))
add(invalid('alarm-definition-create-name-empty',
            [M, 'alarm', 'definition', 'create', '', '--expression',
             'avg(cpu) > 1'], 'name', 'empty'))
add(invalid('alarm-definition-create-name-256',
            [M, 'alarm', 'definition', 'create', long_text(256),
             '--expression', 'avg(cpu) > 1'], '256 characters'))
add(invalid('alarm-definition-create-description-256',
            ADC + ['--description', long_text(256)], 'Description',
            '256 characters'))
add(missing('alarm-definition-create-unknown-action',
            ADC + ['--alarm-action', UNKNOWN_ID]))
add(usage('alarm-definition-create-unknown-option', ADC + ['--bogus'],
          '--bogus'))
add(invalid('alarm-definition-list-severity', ADL + ['--severity', 'HUGE'],
            "'HUGE'"))
add(invalid('alarm-definition-list-severity-empty-alternative',
            ADL + ['--severity', 'LOW|'], "Severity ''"))
add(invalid('alarm-definition-list-sort-field', ADL + ['--sort', 'bogus'],
            "'bogus'"))
add(invalid('alarm-definition-list-sort-direction',
            ADL + ['--sort', 'name:up'], "'up'"))
add(invalid('alarm-definition-list-sort-alarm-field',
            ADL + ['--sort', 'state'], "'state'"))
add(invalid('alarm-definition-list-sort-empty', ADL + ['--sort', ''],
            'sort'))
add(invalid('alarm-definition-list-marker', ADL + ['--marker', 'abc'],
            'abc'))
add(invalid('alarm-definition-list-marker-negative',
            ADL + ['--marker', '-3'], '-3'))
add(usage('alarm-definition-list-limit-0', ADL + ['--limit', '0'],
          '--limit'))
add(invalid('alarm-definition-list-dimension', ADL + ['--dimension', '_x'],
            '_x'))
add(missing('alarm-definition-show-unknown',
            [M, 'alarm', 'definition', 'show', UNKNOWN_ID]))
add(invalid('alarm-definition-show-empty',
            [M, 'alarm', 'definition', 'show', ''], 'ID'))
add(usage('alarm-definition-show-extra',
          [M, 'alarm', 'definition', 'show', 'a', 'b'],
          'unrecognized arguments: b'))
add(missing('alarm-definition-set-unknown', ADSET + ['--severity', 'HIGH']))
add(invalid('alarm-definition-set-nothing', ADSET, 'Nothing to set'))
add(invalid('alarm-definition-set-severity', ADSET + ['--severity', 'meh'],
            "'meh'"))
add(invalid('alarm-definition-set-expression',
            ADSET + ['--expression', 'avg(cpu) >'], "'avg(cpu) >'"))
add(invalid('alarm-definition-set-replace-no-expression',
            ADSET + ['--replace', '--name', 'x'], '--expression'))
add(invalid('alarm-definition-set-match-by-no-replace',
            ADSET + ['--match-by', 'host'], '--match-by'))
add(usage('alarm-definition-set-enable-disable',
          ADSET + ['--enable-actions', '--disable-actions'],
          '--disable-actions', '--enable-actions'))
add(invalid('alarm-definition-set-name-empty', ADSET + ['--name', ''],
            'name', 'empty'))
add(invalid('alarm-definition-set-description-256',
            ADSET + ['--description', long_text(256)], '256 characters'))
add(missing('alarm-definition-delete-unknown',
            [M, 'alarm', 'definition', 'delete', UNKNOWN_ID]))
add(usage('alarm-definition-delete-none',
          [M, 'alarm', 'definition', 'delete'], '<definition>'))

# -- alarms ---
add(invalid('alarm-list-state', AL + ['--state', 'bogus'], "'bogus'"))
add(invalid('alarm-list-two-states',
            AL + ['--state', 'OK', '--state', 'ALARM'], '--state'))
add(invalid('alarm-list-state-empty', AL + ['--state', ''], "State ''"))
add(invalid('alarm-list-severity', AL + ['--severity', 'bogus'],
            "'bogus'"))
add(invalid('alarm-list-severity-alternative',
            AL + ['--severity', 'HIGH|nope'], "'nope'"))
add(invalid('alarm-list-sort-field', AL + ['--sort', 'bogus'], "'bogus'"))
add(invalid('alarm-list-sort-direction', AL + ['--sort', 'state:sideways'],
            "'sideways'"))
add(invalid('alarm-list-sort-definition-field', AL + ['--sort', 'name'],
            "'name'"))
add(invalid('alarm-list-marker', AL + ['--marker', 'abc'], 'abc'))
add(invalid('alarm-list-metric-name', AL + ['--metric-name', 'a b'],
            "' '"))
add(invalid('alarm-list-metric-dimension',
            AL + ['--metric-dimension', '_x'], '_x'))
add(invalid('alarm-list-state-updated-since',
            AL + ['--state-updated-since', 'whenever'], "'whenever'"))
add(invalid('alarm-list-state-updated-since-empty',
            AL + ['--state-updated-since', ''], '--state-updated-since',
            'Empty'))
add(missing('alarm-list-unknown-definition',
            AL + ['--definition', UNKNOWN_ID]))
add(usage('alarm-list-limit-0', AL + ['--limit', '0'], '--limit'))
add(missing('alarm-show-unknown', [M, 'alarm', 'show', UNKNOWN_ID]))
add(invalid('alarm-show-empty', [M, 'alarm', 'show', ''], 'ID'))
add(invalid('alarm-set-nothing', ASET, 'Nothing to set'))
add(invalid('alarm-set-state', ASET + ['--state', 'FIRING'], "'FIRING'"))
add(invalid('alarm-set-replace-incomplete',
            ASET + ['--replace', '--state', 'OK'], 'lifecycle_state',
            'link'))
add(invalid('alarm-set-lifecycle-51',
            ASET + ['--lifecycle-state', long_text(51)], '51 characters'))
add(invalid('alarm-set-link-513',
            ASET + ['--link', long_text(513, 'http://')], '513 characters'))
add(missing('alarm-set-unknown', ASET + ['--state', 'OK']))
add(missing('alarm-delete-unknown', [M, 'alarm', 'delete', UNKNOWN_ID]))
add(usage('alarm-delete-none', [M, 'alarm', 'delete'], '<alarm-id>'))
add(invalid('alarm-count-group-by', AC + ['--group-by', 'bogus'],
            "'bogus'"))
add(invalid('alarm-count-group-by-empty', AC + ['--group-by', ''],
            "Group-by field ''"))
add(invalid('alarm-count-group-by-trailing-comma',
            AC + ['--group-by', 'state,'], "Group-by field ''"))
add(invalid('alarm-count-state', AC + ['--state', 'bogus'], "'bogus'"))
add(invalid('alarm-count-marker', AC + ['--marker', 'abc'], 'abc'))
add(usage('alarm-count-limit-0', AC + ['--limit', '0'], '--limit'))
add(invalid('alarm-history-list-alarm-and-start',
            AHL + ['--alarm', 'x', '--start', '-1h'], '--start', '--alarm'))
add(invalid('alarm-history-list-start', AHL + ['--start', 'soon'],
            "'soon'"))
add(invalid('alarm-history-list-dimension', AHL + ['--dimension', '_x'],
            '_x'))
add(usage('alarm-history-list-limit-0', AHL + ['--limit', '0'], '--limit'))

# -- notification methods ---
add(usage('notification-create-no-type',
          [M, 'notification', 'method', 'create', 'n', '--address',
           'a@b.c'], '--type'))
add(usage('notification-create-no-address',
          [M, 'notification', 'method', 'create', 'n', '--type', 'EMAIL'],
          '--address'))
add(invalid('notification-create-type-empty',
            NCW[:-1] + ['', '--address', 'http://h/'], "type ''"))
add(invalid('notification-create-type-21',
            NCW[:-1] + [long_text(21, 'T'), '--address', 'http://h/'],
            'longer than 20'))
add(invalid('notification-create-address-empty', NCW + ['--address', ''],
            "Address ''"))
add(invalid('notification-create-email-format',
            NC[:-1] + ['not-an-email'], 'not-an-email'))
add(invalid('notification-create-webhook-scheme',
            NCW + ['--address', 'ftp://x/'], 'ftp://x/'))
add(invalid('notification-create-webhook-no-host',
            NCW + ['--address', 'http://'], 'http://'))
add(invalid('notification-create-address-513',
            NCW + ['--address', long_text(513, 'http://h/')],
            '513 characters'))
for i, value in enumerate(['-30', '1.5', '']):
    add(invalid(f'notification-create-period-{i}',
                NC + [f'--period={value}'],
                value if value == '-30' else repr(value)))
# Which periods are allowed is server configuration: the server says no.
add(rejected('notification-create-period-not-allowed',
             NC + ['--period', '30'], '30'))
add(invalid('notification-create-name-empty',
            [M, 'notification', 'method', 'create', '', '--type', 'EMAIL',
             '--address', 'a@b.c'], 'name', 'empty'))
add(invalid('notification-create-name-251',
            [M, 'notification', 'method', 'create', long_text(251),
             '--type', 'EMAIL', '--address', 'a@b.c'], '251 characters'))
add(rejected('notification-create-unknown-type',
             NCW[:-1] + ['PIGEON', '--address', 'http://h/'], 'PIGEON'))
add(invalid('notification-list-sort', NL + ['--sort', 'period'],
            "'period'"))
add(invalid('notification-list-marker', NL + ['--marker', 'abc'], 'abc'))
add(usage('notification-list-limit-0', NL + ['--limit', '0'], '--limit'))
add(missing('notification-show-unknown',
            [M, 'notification', 'method', 'show', UNKNOWN_ID]))
add(invalid('notification-show-empty',
            [M, 'notification', 'method', 'show', ''], 'ID'))
add(invalid('notification-set-nothing', NSET, 'Nothing to set'))
add(invalid('notification-set-replace-incomplete',
            NSET + ['--replace', '--name', 'x'], '--type', '--address'))
add(invalid('notification-set-period', NSET + ['--period', 'abc'],
            "'abc'"))
add(invalid('notification-set-type-empty', NSET + ['--type', ''],
            "type ''"))
add(invalid('notification-set-name-empty', NSET + ['--name', ''], 'name',
            'empty'))
add(missing('notification-set-unknown', NSET + ['--name', 'x']))
add(missing('notification-delete-unknown',
            [M, 'notification', 'method', 'delete', UNKNOWN_ID]))
add(usage('notification-type-list-extra',
          [M, 'notification', 'method', 'type', 'list', 'x'],
          'unrecognized arguments: x'))
add(rejected('version-show-unknown', [M, 'version', 'show', 'v9'], 'v9'))

# -- global monitoring options (and their variables) ---
RETRIES, TIMEOUT = '--os-monitoring-retries', '--os-monitoring-timeout'
for i, (option, value) in enumerate([(RETRIES, 'abc'), (RETRIES, '-1'),
                                     (TIMEOUT, '0'), (TIMEOUT, 'slow')]):
    add(usage(f'global-{option[15:]}-{i}',
              [f'{option}={value}'] + ML, option, repr(value)))

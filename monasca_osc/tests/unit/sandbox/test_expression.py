"""The alarm-expression parser (API reference §6)."""

from __future__ import annotations

import pytest

from monasca_osc.common.expression import ExpressionError, parse


@pytest.mark.parametrize('text', [
    'max(foo)>=100',
    'max(x)>1or min(y)<1',
    '3test_metric5 lt 3',
    'ntp.offset > 1 or ntp.offset < -5',
    'avg(cpu{hostname=a}, 120) > 95 times 3',
    'count(log.error{}, deterministic) > 1',
    'count(x, deterministic, 120) > 1',
    'max  (  3test_metric5  {  this  =  that  })  lt  5 times    3',
    "max(3test_metric5{it's this=that's it}) lt 5 times 3",
    'foo > 1 and (bar > 2 or baz < 1)',
    'foo>1&&bar>2',
    'AVG(x, DETERMINISTIC, 120) GTE 1 TIMES 3',
    'max(foo{hostname=mini-mon,千=千}, 120) > 100',
])
def test_contract_examples_parse(text: str) -> None:
    assert parse(text).sub_expressions


def test_sub_expression_fields() -> None:
    expr = parse('avg(cpu{hostname=a, b=c d}, 120) >= 95.5 times 3 '
                 'and cpu.idle lt -2')
    first, second = expr.sub_expressions
    assert (first.function, first.metric_name, first.dimensions,
            first.operator, first.threshold, first.period,
            first.periods) == ('AVG', 'cpu', (('hostname', 'a'),
                                              ('b', 'c d')),
                               'GTE', 95.5, 120, 3)
    # Bare form: min for < and max for >.
    assert (second.function, second.operator, second.threshold) == \
        ('MIN', 'LT', -2.0)
    assert second.period == 60 and second.periods == 1
    assert not expr.deterministic


def test_whitespace_in_dimensions_is_kept() -> None:
    sub = parse('avg(cpu{a = b c }) > 1').sub_expressions[0]
    assert sub.dimensions == (('a ', 'b c '),)


def test_deterministic_flag() -> None:
    assert parse('count(x, deterministic) > 1').deterministic
    assert not parse('count(x, deterministic) > 1 or max(y) > 2'
                     ).deterministic
    assert parse('count(x, deterministic) > 1 and count(y, '
                 'deterministic, 60) > 2').deterministic


@pytest.mark.parametrize('text,column,msg', [
    ('avg(cpu, 90) > 1', 10, 'Period 90 must be a multiple of 60'),
    ('avg(cpu, 0) > 1', 10, 'Period must not be 0'),
    ('avg(cpu) > 1 times 0', 20, 'Periods 0 must be 1 or greater'),
    ('max(foo) > 1e3', 13, 'Expected string_end'),
    ('foo > 1)', 8, 'Expected string_end'),
    ('foo > 1 times', 9, 'Expected string_end'),
    ('max(foo) > 1 xyz', 14, 'Expected string_end'),
    ('(foo > 1', 9, 'Unbalanced parentheses or expression syntax error'),
])
def test_error_columns_and_messages(text: str, column: int, msg: str
                                    ) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.column == column
    assert info.value.msg == msg
    assert str(info.value) == (f"parser failed on expression '{text}' at "
                               f'column {column}: {msg}')


@pytest.mark.parametrize('text,column', [
    # Columns as the upstream pyparsing grammar reports them.
    ('max(foo) >', 1),
    ('max(foo) > .5', 1),
    ('max(foo) > +1', 1),
    ('max(foo) = 1', 1),
    ('count(x, 120, deterministic) > 1', 1),
    ('foo > 1 and', 12),
    ('foo > 1 and bar', 13),
    ('foo > 1 or bar >', 12),
    ('(foo > 1) and (bar', 16),
    ('', 1),
    ('avg(cpu{a=b,}) > 1', 1),
    ('cpu\U0001F600 > 1', 1),
])
def test_error_columns_like_upstream(text: str, column: int) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.column == column
    assert isinstance(info.value, ValueError)


def test_keywords_need_no_word_boundary() -> None:
    # Upstream uses literals, not keywords: 'andbar' is 'and' + 'bar'.
    assert len(parse('foo > 1 andbar > 2').sub_expressions) == 2
    assert parse('max > 1').sub_expressions[0].metric_name == 'max'


def test_evaluate_tristate() -> None:
    expr = parse('a > 1 and (b > 1 or c > 1)')
    assert expr.evaluate(['ALARM', 'OK', 'ALARM']) == 'ALARM'
    assert expr.evaluate(['ALARM', 'OK', 'OK']) == 'OK'
    assert expr.evaluate(['OK', 'UNDETERMINED', 'OK']) == 'UNDETERMINED'
    assert expr.evaluate([True, False, True]) == 'ALARM'
    assert expr.evaluate({0: 'OK', 1: 'ALARM', 2: 'ALARM'}) == 'OK'


def test_normalised_text_and_dict() -> None:
    sub = parse('avg(cpu{a=b}, deterministic, 120) gt 5 times 2'
                ).sub_expressions[0]
    assert sub.expression == 'avg(cpu{a=b}, deterministic, 120) > 5.0 ' \
                             'times 2'
    assert sub.to_dict() == {
        'function': 'AVG', 'metric_name': 'cpu', 'dimensions': {'a': 'b'},
        'operator': 'GT', 'threshold': 5.0, 'period': 120, 'periods': 2,
        'deterministic': True}
    assert sub.matches('cpu', {'a': 'b', 'c': 'd'})
    assert not sub.matches('cpu', {'a': 'x'})

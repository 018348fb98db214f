"""Alarm-definition expressions (API reference §6), parsed without pyparsing.

Used client-side to validate an expression before it is sent, and by the
sandbox to store definitions and evaluate alarms. Standard library only.

    >>> expr = parse('avg(cpu{hostname=a}, 120) > 95 times 3 or max(x) > 1')
    >>> [s.function for s in expr.sub_expressions]
    ['AVG', 'MAX']
    >>> expr.evaluate(['ALARM', 'OK'])
    'ALARM'

The grammar, backtracking and error columns follow the upstream pyparsing
parser: a failing sub-expression is reported at the column where it starts
(the parser backtracks to there), trailing text at the column where it
begins ("Expected string_end"), bad periods at the column of the number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Union

__all__ = ['ExpressionError', 'SubExpression', 'BoolOp', 'Expression',
           'parse', 'FUNCTIONS', 'OPERATORS']

FUNCTIONS = ('MIN', 'MAX', 'SUM', 'COUNT', 'AVG', 'LAST')
OPERATORS = ('LT', 'LTE', 'GT', 'GTE')
DEFAULT_PERIOD = 60
DEFAULT_PERIODS = 1
MAX_WORD = 255

_WHITE = ' \t\n\r'
_ASCII_ALNUM = frozenset(
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')
_PUNCT = frozenset(".-_#!$%&'*+/:;?@[\\]^`|~")
# Order matters: the longer literal first, as upstream.
_RELOPS = (('<=', 'LTE'), ('lte', 'LTE'), ('<', 'LT'), ('lt', 'LT'),
           ('>=', 'GTE'), ('gte', 'GTE'), ('>', 'GT'), ('gt', 'GT'))
_FUNCS = ('max', 'min', 'avg', 'count', 'sum', 'last')
_SYMBOLS = {'LT': '<', 'LTE': '<=', 'GT': '>', 'GTE': '>='}
_UNBALANCED = 'Unbalanced parentheses or expression syntax error'


class ExpressionError(ValueError):
    """The expression does not parse.

    ``column`` is 1-based, ``msg`` the bare reason; ``str()`` is the API's
    description: ``parser failed on expression '<expr>' at column <n>: <msg>``.
    """

    def __init__(self, expression: str, column: int, msg: str) -> None:
        self.expression = expression
        self.column = column
        self.msg = msg
        super().__init__(
            f"parser failed on expression '{expression}' at column "
            f"{column}: {msg}")


@dataclass(frozen=True)
class SubExpression:
    """One ``func(metric{dims}, [deterministic,] period) op threshold``."""

    function: str                      # normalised: AVG, MAX, ...
    metric_name: str
    dimensions: tuple[tuple[str, str], ...]  # as written, in order
    operator: str                      # normalised: LT, LTE, GT, GTE
    threshold: float
    period: int = DEFAULT_PERIOD
    periods: int = DEFAULT_PERIODS
    deterministic: bool = False
    text: str = field(default='', compare=False)
    column: int = field(default=1, compare=False)

    @property
    def dimensions_dict(self) -> dict[str, str]:
        return dict(self.dimensions)

    @property
    def metric_key(self) -> tuple[str, frozenset[tuple[str, str]]]:
        """What must not change on update: metric name + dimension set."""
        return self.metric_name, frozenset(self.dimensions)

    def matches(self, name: str, dimensions: Mapping[str, str]) -> bool:
        """Does a metric feed this sub-expression (dimensions a subset)?"""
        if name != self.metric_name:
            return False
        for key, value in self.dimensions:
            if dimensions.get(key) != value:
                return False
        return True

    def compare(self, value: float) -> bool:
        """True when ``value`` breaches the threshold."""
        if self.operator == 'GT':
            return value > self.threshold
        if self.operator == 'GTE':
            return value >= self.threshold
        if self.operator == 'LT':
            return value < self.threshold
        return value <= self.threshold

    @property
    def expression(self) -> str:
        """Normalised text, as monasca-thresh writes it in reasons."""
        out = f'{self.function.lower()}({self.metric_name}'
        if self.dimensions:
            out += '{' + ','.join(f'{k}={v}' for k, v in self.dimensions) + '}'
        if self.deterministic:
            out += ', deterministic'
        if self.period != DEFAULT_PERIOD:
            out += f', {self.period}'
        out += f') {_SYMBOLS[self.operator]} {self.threshold}'
        if self.periods != DEFAULT_PERIODS:
            out += f' times {self.periods}'
        return out

    def to_dict(self) -> dict:
        """The ``sub_alarm_expression`` object of state history."""
        data = {
            'function': self.function,
            'metric_name': self.metric_name,
            'dimensions': self.dimensions_dict,
            'operator': self.operator,
            'threshold': self.threshold,
            'period': self.period,
            'periods': self.periods,
        }
        if self.deterministic:
            data['deterministic'] = True
        return data


@dataclass(frozen=True)
class BoolOp:
    op: str                            # 'AND' or 'OR'
    operands: tuple[Node, ...]


Node = Union[SubExpression, BoolOp]
StateLike = Union[str, bool, None]


@dataclass(frozen=True)
class Expression:
    text: str
    tree: Node
    sub_expressions: tuple[SubExpression, ...]

    @property
    def deterministic(self) -> bool:
        """True only if every sub-expression is deterministic."""
        return all(s.deterministic for s in self.sub_expressions)

    def evaluate(self, states: Sequence[StateLike] | Mapping) -> str:
        """Alarm state from sub-alarm states, as monasca-thresh decides.

        ``states`` is aligned with ``sub_expressions`` (or a mapping keyed
        by index or SubExpression); values are 'OK'/'ALARM'/'UNDETERMINED'
        or booleans (True = threshold exceeded, None = undetermined). Any
        UNDETERMINED sub-alarm makes the alarm UNDETERMINED; otherwise the
        boolean expression decides between ALARM and OK.
        """
        values: list[bool] = []
        for index, sub in enumerate(self.sub_expressions):
            if isinstance(states, Mapping):
                state = states.get(index, states.get(sub))
            else:
                state = states[index]
            if state is None or state == 'UNDETERMINED':
                return 'UNDETERMINED'
            values.append(state is True or state == 'ALARM')
        positions = {id(s): i for i, s in enumerate(self.sub_expressions)}

        def walk(node: Node) -> bool:
            if isinstance(node, SubExpression):
                return values[positions[id(node)]]
            results = (walk(child) for child in node.operands)
            return all(results) if node.op == 'AND' else any(results)

        return 'ALARM' if walk(self.tree) else 'OK'


class _Fail(Exception):
    """A recoverable parse failure (the parser may backtrack)."""

    def __init__(self, loc: int, msg: str) -> None:
        super().__init__(msg)
        self.loc = loc
        self.msg = msg


def _is_word_char(char: str) -> bool:
    return (char in _ASCII_ALNUM or char in _PUNCT
            # Upstream allows the Basic Multilingual Plane only.
            or (128 <= ord(char) < 65536 and not char.isspace()))


class _Parser:
    def __init__(self, text: str) -> None:
        self.s = text
        self.n = len(text)
        self.furthest: _Fail | None = None
        # Deepest point a failing sub-expression reached, for the message.
        self.detail: tuple[int, str] | None = None

    # -- tokens ---------------------------------------------------------
    def skip(self, pos: int) -> int:
        s, n = self.s, self.n
        while pos < n and s[pos] in _WHITE:
            pos += 1
        return pos

    def literal(self, pos: int, lit: str) -> int | None:
        pos = self.skip(pos)
        end = pos + len(lit)
        if self.s[pos:end].lower() == lit:
            return end
        return None

    def word(self, pos: int, spaces: bool = False) -> tuple[str, int] | None:
        pos = self.skip(pos)
        s, n = self.s, self.n
        end = pos
        while end < n and (_is_word_char(s[end])
                           or (spaces and s[end] == ' ')):
            end += 1
        if end == pos or end - pos > MAX_WORD:
            return None
        return s[pos:end], end

    def digits(self, pos: int) -> tuple[str, int, int] | None:
        pos = self.skip(pos)
        end = pos
        while end < self.n and self.s[end] in '0123456789':
            end += 1
        if end == pos:
            return None
        return self.s[pos:end], pos, end

    def expect(self, pos: int, what: str) -> None:
        pos = self.skip(pos)
        if self.detail is None or pos >= self.detail[0]:
            found = repr(self.s[pos]) if pos < self.n else 'end of text'
            self.detail = (pos, f'expected {what} at column {pos + 1}, '
                                f'found {found}')

    # -- grammar --------------------------------------------------------
    def metric(self, pos: int) -> tuple[str, tuple, int] | None:
        got = self.word(pos)
        if got is None:
            self.expect(pos, 'a metric name')
            return None
        name, pos = got
        dims: list[tuple[str, str]] = []
        brace = self.literal(pos, '{')
        if brace is None:
            return name, (), pos
        first = self.dimension(brace)
        if first is not None:
            dims.append(first[0])
            after = first[1]
            while True:
                comma = self.literal(after, ',')
                if comma is None:
                    break
                nxt = self.dimension(comma)
                if nxt is None:
                    break
                dims.append(nxt[0])
                after = nxt[1]
        else:
            after = brace
        close = self.literal(after, '}')
        if close is None:
            self.expect(after, "'}' or ',' in the dimension list")
            return None
        return name, tuple(dims), close

    def dimension(self, pos: int) -> tuple[tuple[str, str], int] | None:
        got = self.word(pos, spaces=True)
        if got is None:
            self.expect(pos, 'a dimension name')
            return None
        key, pos = got
        eq = self.literal(pos, '=')
        if eq is None:
            self.expect(pos, "'=' after the dimension name")
            return None
        got = self.word(eq, spaces=True)
        if got is None:
            self.expect(eq, 'a dimension value')
            return None
        value, pos = got
        return (key, value), pos

    def optional_period(self, pos: int, keyword: str, fatal_what: str,
                        default: int) -> tuple[int, int]:
        """``keyword <number>`` at ``pos``: (number, end); else (default,
        pos)."""
        after = self.literal(pos, keyword)
        if after is not None:
            got = self.period(after, fatal_what)
            if got is not None:
                return got
        return default, pos

    def period(self, pos: int, fatal_what: str) -> tuple[int, int] | None:
        got = self.digits(pos)
        if got is None:
            return None
        text, start, end = got
        value = int(text)
        if fatal_what == 'period':
            if value == 0:
                raise ExpressionError(self.s, start + 1,
                                      'Period must not be 0')
            if value % 60:
                raise ExpressionError(
                    self.s, start + 1,
                    f'Period {value} must be a multiple of 60')
        elif value < 1:
            raise ExpressionError(
                self.s, start + 1, f'Periods {value} must be 1 or greater')
        return value, end

    def function_form(self, pos: int):
        func = None
        for name in _FUNCS:
            end = self.literal(pos, name)
            if end is not None:
                func, pos = name, end
                break
        if func is None:
            return None
        lparen = self.literal(pos, '(')
        if lparen is None:
            return None
        got = self.metric(lparen)
        if got is None:
            return None
        name, dims, pos = got
        deterministic = False
        comma = self.literal(pos, ',')
        if comma is not None:
            det = self.literal(comma, 'deterministic')
            if det is not None:
                deterministic, pos = True, det
        period, pos = self.optional_period(pos, ',', 'period',
                                           DEFAULT_PERIOD)
        rparen = self.literal(pos, ')')
        if rparen is None:
            self.expect(pos, "')' closing the function (deterministic must "
                             "come before the period)")
            return None
        return func, name, dims, deterministic, period, rparen

    def sub_expression(self, pos: int) -> tuple[SubExpression, int]:
        start = self.skip(pos)
        self.detail = None
        got = self.function_form(start)
        if got is None:
            bare = self.metric(start)
            if bare is None:
                raise self.sub_failure(start)
            name, dims, pos = bare
            func, deterministic, period = None, False, DEFAULT_PERIOD
        else:
            func, name, dims, deterministic, period, pos = got
        operator = None
        for lit, norm in _RELOPS:
            end = self.literal(pos, lit)
            if end is not None:
                operator, pos = norm, end
                break
        if operator is None:
            self.expect(pos, 'a relational operator (<, <=, >, >=, lt, lte, '
                             'gt, gte)')
            raise self.sub_failure(start)
        threshold, pos = self.threshold(pos, start)
        periods, pos = self.optional_period(pos, 'times', 'periods',
                                            DEFAULT_PERIODS)
        if func is None:
            func = 'max' if operator in ('GT', 'GTE') else 'min'
        sub = SubExpression(
            function=func.upper(), metric_name=name, dimensions=dims,
            operator=operator, threshold=threshold, period=period,
            periods=periods, deterministic=deterministic,
            text=self.s[start:pos], column=start + 1)
        return sub, pos

    def threshold(self, pos: int, start: int) -> tuple[float, int]:
        text = ''
        minus = self.literal(pos, '-')
        if minus is not None:
            text, pos = '-', minus
        got = self.digits(pos)
        if got is None:
            self.expect(pos, 'a threshold number')
            raise self.sub_failure(start)
        text += got[0]
        pos = got[2]
        dot = self.literal(pos, '.')
        if dot is not None:
            frac = self.digits(dot)
            if frac is not None:
                text += '.' + frac[0]
                pos = frac[2]
        return float(text), pos

    def sub_failure(self, start: int) -> _Fail:
        msg = ('Expected a sub-expression such as '
               'avg(metric{dim=value}, 60) > 10')
        if self.detail is not None:
            msg += f': {self.detail[1]}'
        return _Fail(start, msg)

    def operand(self, pos: int) -> tuple[Node, int]:
        start = self.skip(pos)
        try:
            return self.sub_expression(start)
        except _Fail:
            if start >= self.n or self.s[start] != '(':
                raise
        node, after = self.or_expr(start + 1)
        close = self.literal(after, ')')
        if close is None:
            raise _Fail(self.skip(after), _UNBALANCED)
        return node, close

    def record(self, fail: _Fail) -> None:
        if self.furthest is None or fail.loc > self.furthest.loc:
            self.furthest = fail

    def chain(self, pos: int, op: str, literals: tuple[str, ...],
              inner) -> tuple[Node, int]:
        node, pos = inner(pos)
        items = [node]
        while True:
            after = None
            for lit in literals:
                after = self.literal(pos, lit)
                if after is not None:
                    break
            if after is None:
                break
            try:
                node, pos = inner(after)
            except _Fail as fail:
                self.record(fail)
                break
            items.append(node)
        if len(items) == 1:
            return items[0], pos
        return BoolOp(op, tuple(items)), pos

    def and_expr(self, pos: int) -> tuple[Node, int]:
        return self.chain(pos, 'AND', ('and', '&&'), self.operand)

    def or_expr(self, pos: int) -> tuple[Node, int]:
        return self.chain(pos, 'OR', ('or', '||'), self.and_expr)

    def parse(self) -> Node:
        try:
            tree, pos = self.or_expr(0)
        except _Fail as fail:
            self.record(fail)
            raise ExpressionError(self.s, self.furthest.loc + 1,
                                  self.furthest.msg) from None
        end = self.skip(pos)
        if end < self.n:
            fail = _Fail(end, 'Expected string_end')
            if self.furthest is not None and self.furthest.loc > end:
                fail = self.furthest
            raise ExpressionError(self.s, fail.loc + 1, fail.msg)
        return tree


def _flatten(node: Node) -> Iterable[SubExpression]:
    if isinstance(node, SubExpression):
        yield node
    else:
        for child in node.operands:
            yield from _flatten(child)


def parse(expression: str) -> Expression:
    """Parse an alarm expression; raise ExpressionError on failure."""
    if not isinstance(expression, str):
        raise ExpressionError(str(expression), 1,
                              'Expression must be a string')
    tree = _Parser(expression).parse()
    return Expression(expression, tree, tuple(_flatten(tree)))


def is_deterministic(expression: str) -> bool:
    """The definition-level ``deterministic`` flag of an expression."""
    return parse(expression).deterministic


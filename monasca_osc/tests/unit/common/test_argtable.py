"""Argument tables: ``Arg`` and its builders add what argparse expects."""

from __future__ import annotations

import argparse

from monasca_osc.common import argtable


def _parser(*table: argtable.Arg) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog='x')
    argtable.add_arguments(parser, table)
    return parser


def test_switch_is_off_unless_given() -> None:
    parser = _parser(argtable.switch('--dry-run', 'Send nothing'))
    assert parser.parse_args([]).dry_run is False
    assert parser.parse_args(['--dry-run']).dry_run is True


def test_repeatable_collects_every_use() -> None:
    parser = _parser(argtable.repeatable('--var', '<name=value>', 'A value',
                                         dest='variables'))
    assert parser.parse_args([]).variables == []
    assert parser.parse_args(['--var', 'a=1', '--var', 'b=2']).variables \
        == ['a=1', 'b=2']
    assert '--var <name=value>' in parser.format_help()


def test_a_table_goes_into_an_argument_group() -> None:
    parser = argparse.ArgumentParser(prog='x')
    group = parser.add_argument_group('bulk')
    argtable.add_arguments(group, (argtable.arg('--file', metavar='<path>'),
                                   argtable.switch('--strict', 'Stop')))
    parsed = parser.parse_args(['--file', 'f', '--strict'])
    assert (parsed.file, parsed.strict) == ('f', True)
    assert group._group_actions[0].dest == 'file'

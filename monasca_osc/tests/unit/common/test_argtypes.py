"""argparse types shared by both CLIs: what they accept and their one line."""

from __future__ import annotations

import argparse

import pytest

from monasca_osc.common import argtypes


@pytest.mark.parametrize('text, value', [('0', 0), ('3', 3), (' 7 ', 7)])
def test_counts(text: str, value: int) -> None:
    assert argtypes.non_negative_int(text) == value
    assert argtypes.retries(text) == value


@pytest.mark.parametrize('text', ['-1', 'x', '1.5', ''])
def test_bad_counts(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as err:
        argtypes.non_negative_int(text)
    assert str(err.value) == f"'{text}' is not a whole number of 0 or more"


@pytest.mark.parametrize('text', ['-1', 'x', '1.5'])
def test_bad_retries(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as err:
        argtypes.retries(text)
    assert str(err.value) == f'{text!r} is not a number of retries (0 or more)'


def test_retries_not_given() -> None:
    assert argtypes.retries('') is None
    assert argtypes.retries(None) is None

"""Output files of bulk ingest are checked before anything is sent."""

import pytest

from monasca_osc import exceptions as exc
from monasca_osc.ingest import command


def test_missing_directory_is_one_clear_error(tmp_path):
    path = str(tmp_path / 'nope' / 'errors.jsonl')
    with pytest.raises(exc.ValidationError) as info:
        command._check_writable('--errors-file', path)
    assert str(info.value) == (
        f'--errors-file {path}: the directory {tmp_path / "nope"} does not '
        f'exist')


def test_writable_paths_and_none_pass(tmp_path):
    command._check_writable('--errors-file', None)
    command._check_writable('--errors-file', str(tmp_path / 'new.jsonl'))

"""File stamps decide when a running server reads KPI and dashboard files again."""

from __future__ import annotations

import os
from pathlib import Path

from stip.stamps import file_stamp, files_stamp


def test_a_stamp_changes_with_an_edit_and_a_missing_file_has_none(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    assert file_stamp(path) is None
    path.write_text("one", encoding="utf-8")
    first = file_stamp(path)
    assert first is not None and first[1] == 3
    path.write_text("three", encoding="utf-8")
    os.utime(path, ns=(first[0] + 1_000_000, first[0] + 1_000_000))
    assert file_stamp(path) == (first[0] + 1_000_000, 5)


def test_files_that_vanish_between_listing_and_stamping_are_left_out(tmp_path: Path) -> None:
    """A file deleted after the folder was listed (an editor's swap file) is not an error."""
    kept, gone = tmp_path / "kept.yaml", tmp_path / "gone.yaml"
    kept.write_text("x", encoding="utf-8")
    stamps = files_stamp([kept, gone])
    assert [name for name, *_ in stamps] == [str(kept)]
    gone.write_text("y", encoding="utf-8")
    assert files_stamp([kept, gone]) != stamps

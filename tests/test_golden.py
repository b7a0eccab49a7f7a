"""The golden-file check itself: a missing file fails instead of being written and passing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.golden import assert_golden


def test_missing_golden_file_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOZIALFORUM_GOLDEN_UPDATE", raising=False)
    with pytest.raises(pytest.fail.Exception, match="fehlt"):
        assert_golden(tmp_path / "neu.txt", "Inhalt")
    assert not (tmp_path / "neu.txt").exists()


def test_golden_compares_bytes_and_update_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOZIALFORUM_GOLDEN_UPDATE", "1")
    assert_golden(tmp_path / "a.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    monkeypatch.delenv("SOZIALFORUM_GOLDEN_UPDATE")
    assert_golden(tmp_path / "a.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    with pytest.raises(AssertionError, match="weicht ab"):
        assert_golden(tmp_path / "a.ics", "BEGIN:VCALENDAR\nEND:VCALENDAR\n")

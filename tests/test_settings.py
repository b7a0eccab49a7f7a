"""Settings: TOML file, environment overrides, and German messages for bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from sozialforum.settings import SettingsError, load_settings
from tests.conftest import REPO


def test_shipped_config_is_valid() -> None:
    settings = load_settings(REPO / "config" / "sozialforum.toml")
    assert settings.kommune == "Landkreis Musterland"
    assert settings.db_url.startswith("sqlite:///")
    assert settings.mail.smtp_host is None  # the embedded default: .eml outbox


def test_environment_overrides_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOZIALFORUM_MAIL__SMTP_HOST", "smtp.example")
    monkeypatch.setenv("SOZIALFORUM_DATABASE_URL", "postgresql://u@h/db")
    settings = load_settings(REPO / "config" / "sozialforum.toml")
    assert settings.mail.smtp_host == "smtp.example"
    assert settings.db_url == "postgresql://u@h/db"


def test_bad_values_get_a_german_report(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text('[mail]\nsmtp_port = "viele"\nabsender = "kein-at"\n[portal]\npoort = 1\n', encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(config)
    text = str(caught.value)
    assert f"Konfigurationsfehler in {config}" in text
    assert "Feld mail.smtp_port: muss eine ganze Zahl sein" in text
    assert "Feld mail.absender: ist keine gültige E-Mail-Adresse" in text
    assert "Feld portal.poort: ist unbekannt (Tippfehler?)" in text


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="nicht gefunden"):
        load_settings(tmp_path / "fehlt.toml")
    broken = tmp_path / "kaputt.toml"
    broken.write_text("kommune = \n", encoding="utf-8")
    with pytest.raises(SettingsError, match="kein gültiges TOML"):
        load_settings(broken)


def test_generated_secret_is_kept_private(tmp_path: Path) -> None:
    settings = load_settings(REPO / "config" / "sozialforum.toml", data_dir=tmp_path)
    key = settings.secret_key()
    assert len(key) >= 48 and settings.secret_key() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0

"""The storage API every stage writes its outputs through: folder default, S3 signing."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from sozialforum import ablage
from sozialforum.ablage.s3 import EMPTY_SHA256, sign
from sozialforum.settings import load_settings


def test_folder_round_trip_list_and_delete(tmp_path) -> None:
    settings = load_settings(None, data_dir=tmp_path / "var")
    assert ablage.auflisten(settings) == []
    ablage.schreiben(settings, "berichte/2026/leitungsbericht.pdf", b"%PDF-1")
    ablage.schreiben(settings, "berichte/2026/leitungsbericht.pdf", b"%PDF-2")  # replaced whole
    ablage.schreiben(settings, "outbox/1.eml", b"Subject: x\r\n\r\n")
    assert ablage.lesen(settings, "berichte/2026/leitungsbericht.pdf") == b"%PDF-2"
    assert ablage.auflisten(settings, "berichte/") == ["berichte/2026/leitungsbericht.pdf"]
    assert ablage.vorhanden(settings, "outbox/1.eml")
    ablage.loeschen(settings, "outbox/1.eml")
    assert not ablage.vorhanden(settings, "outbox/1.eml")
    with pytest.raises(FileNotFoundError):
        ablage.lesen(settings, "outbox/1.eml")
    assert (tmp_path / "var" / "berichte" / "2026" / "leitungsbericht.pdf").exists()


def test_files_written_below_data_dir_are_in_the_folder_storage_already(tmp_path) -> None:
    settings = load_settings(None, data_dir=tmp_path / "var")
    report = settings.reports_dir / "leitung" / "bericht.html"
    report.parent.mkdir(parents=True)
    report.write_text("<h1>Leitungsbericht</h1>", encoding="utf-8")
    assert ablage.ablegen(settings, report) == "berichte/leitung/bericht.html"
    assert ablage.lesen(settings, "berichte/leitung/bericht.html") == report.read_bytes()
    elsewhere = tmp_path / "export.csv"
    elsewhere.write_bytes(b"a;b")
    assert ablage.ablegen(settings, elsewhere) == "dateien/export.csv"
    assert not ablage.vorhanden(settings, "dateien/export.csv")  # the default copies nothing
    shared = load_settings(None, data_dir=tmp_path / "var", ablage={"ordner": str(tmp_path / "gemeinsam")})
    assert ablage.ablegen(shared, elsewhere) == "dateien/export.csv"
    assert ablage.ablegen(shared, report) == "berichte/leitung/bericht.html"
    assert ablage.lesen(shared, "dateien/export.csv") == b"a;b"
    assert ablage.auflisten(shared) == ["berichte/leitung/bericht.html", "dateien/export.csv"]


@pytest.mark.parametrize("key", ["../secret_key", "/etc/passwd", "berichte//x", "", "a/./b", "berichte/\x00x", "a\nb"])
def test_keys_that_leave_the_folder_are_refused(tmp_path, key) -> None:
    settings = load_settings(None, data_dir=tmp_path / "var")
    with pytest.raises(ablage.AblageFehler, match="Ungültiger Ablageschlüssel"):
        ablage.schreiben(settings, key, b"x")


def test_s3_without_credentials_is_refused_in_german(tmp_path) -> None:
    settings = load_settings(None, data_dir=tmp_path / "var", ablage={"art": "s3", "s3_endpunkt": "http://x"})
    with pytest.raises(ablage.AblageFehler, match="braucht s3_endpunkt, s3_bucket"):
        ablage.schreiben(settings, "a.txt", b"x")


# Reference signatures computed with botocore's S3SigV4Auth for the same requests and instants.
@pytest.mark.parametrize(
    ("method", "url", "headers", "body", "instant", "signature"),
    [
        (
            "PUT",
            "http://127.0.0.1:9000/sozialforum/berichte/2026/bericht%20%C3%BC.pdf",
            {"content-type": "application/pdf"},
            b"hallo",
            datetime(2026, 12, 5, 2, 19, 40, tzinfo=UTC),
            "11e5e435dc7828469343520c470b98ed2b73f16a11117cb7ae206b64553a24d9",
        ),
        (
            "GET",
            "http://127.0.0.1:9000/sozialforum?list-type=2&prefix=berichte%2F",
            {},
            b"",
            datetime(2026, 12, 5, 2, 19, 49, tzinfo=UTC),
            "95f2725674a5fdfbbf936a38cb79dc7e4a0523b4c84915e3205c2fb27f34024b",
        ),
    ],
)
def test_sigv4_matches_reference(method, url, headers, body, instant, signature) -> None:
    payload = hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
    signed = sign(
        method,
        url,
        headers,
        payload,
        access_key="AKIDEXAMPLE",
        secret_key="geheim/123",
        region="eu-central-1",
        now=instant,
    )
    assert signed["Authorization"].endswith(f"Signature={signature}")
    assert signed["x-amz-content-sha256"] == payload


def test_a_symlink_out_of_the_folder_is_no_file_of_the_storage(tmp_path) -> None:
    settings = load_settings(None, data_dir=tmp_path / "var")
    ablage.schreiben(settings, "berichte/echt.txt", b"ok")
    secret = tmp_path / "secret_key"
    secret.write_bytes(b"GEHEIM")
    (tmp_path / "var" / "berichte" / "verweis.txt").symlink_to(secret)
    with pytest.raises(FileNotFoundError):
        ablage.lesen(settings, "berichte/verweis.txt")
    assert ablage.auflisten(settings, "berichte/") == ["berichte/echt.txt"]

"""``sozialforum doctor`` against real services: a loopback SMTP server (plain with login, and
STARTTLS with a certificate of our own CA), SQLite and PostgreSQL, a Maildir; every failure is
explained in German with a fix, and the exit codes tell configuration (2) from service (3)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from sozialforum.betrieb import doktor, doktor_post
from sozialforum.betrieb.befund import Befund
from sozialforum.settings import Settings, load_settings
from sozialforum.store.db import make_engine, migrate
from tests.conftest import REPO, new_pg_database
from tests.konferenz.smtp_server import Collector, free_port
from tests.support.postgres import PgCluster


def _auth(server: object, session: object, envelope: object, mechanism: str, data: object) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == b"gs" and data.password == b"geheim"
    return AuthResult(success=ok, handled=False)


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, as a Landkreis' internal CA would issue."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "ca.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@pytest.fixture
def smtp_plain() -> Iterator[int]:
    controller = Controller(
        Collector(),
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=_auth,
        auth_require_tls=False,
        auth_exclude_mechanism=["LOGIN"],
    )
    controller.start()
    yield int(controller.port)
    controller.stop()


@pytest.fixture
def smtp_starttls(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    import ssl

    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(
        Collector(),
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        authenticator=_auth,
        auth_exclude_mechanism=["LOGIN"],
    )
    controller.start()
    yield int(controller.port), cert
    controller.stop()


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"database_url": f"sqlite:///{tmp_path / 'var' / 'sf.db'}", **overrides}
    return load_settings(REPO / "config" / "sozialforum.toml", data_dir=tmp_path / "var", **values)


def _only(found: list[Befund]) -> Befund:
    assert len(found) == 1, found
    return found[0]


def test_smtp_login_ok_and_wrong_password_explained(tmp_path: Path, smtp_plain: int) -> None:
    mail = {
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_plain,
        "sicherheit": "keine",
        "benutzer": "gs",
        "passwort": "geheim",
        "timeout_sekunden": 5,
    }
    assert _only(doktor_post.smtp(_settings(tmp_path, mail=mail))).stufe == "ok"
    wrong = _only(doktor_post.smtp(_settings(tmp_path, mail={**mail, "passwort": "falsch"})))
    assert wrong.stufe == "fehler" and "Anmeldung als gs abgelehnt" in wrong.meldung
    assert "mail.passwort" in (wrong.abhilfe or "")
    no_tls = _only(doktor_post.smtp(_settings(tmp_path, mail={**mail, "sicherheit": "starttls"})))
    assert no_tls.stufe == "fehler" and "kein STARTTLS" in no_tls.meldung


def test_starttls_with_the_landkreis_ca_and_without_it(tmp_path: Path, smtp_starttls: tuple[int, Path]) -> None:
    port, ca = smtp_starttls
    mail = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "sicherheit": "starttls",
        "benutzer": "gs",
        "passwort": "geheim",
        "timeout_sekunden": 5,
    }
    untrusted = _only(doktor_post.smtp(_settings(tmp_path, mail=mail)))
    assert untrusted.stufe == "fehler" and "STARTTLS" in untrusted.meldung
    assert "mail.ca_datei" in (untrusted.abhilfe or "")
    trusted = _only(doktor_post.smtp(_settings(tmp_path, mail={**mail, "ca_datei": str(ca)})))
    assert trusted.stufe == "ok" and "angemeldet als gs" in trusted.meldung


def test_unreachable_smtp_and_imap_are_explained(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    mail = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "imap_host": "127.0.0.1",
        "imap_port": port,
        "imap_sicherheit": "keine",
        "timeout_sekunden": 5,
    }
    settings = _settings(tmp_path, mail=mail)
    for befund in (_only(doktor_post.smtp(settings)), _only(doktor_post.postfach(settings))):
        assert befund.stufe == "fehler" and befund.art == "dienst"
        assert "antwortet kein Dienst" in (befund.abhilfe or "")


def test_maildir_and_dkim(tmp_path: Path) -> None:
    missing = _only(doktor_post.postfach(_settings(tmp_path, mail={"maildir": str(tmp_path / "box")})))
    assert missing.stufe == "fehler" and missing.art == "konfiguration" and "kein Maildir" in missing.meldung
    for sub in ("cur", "new", "tmp"):
        (tmp_path / "box" / sub).mkdir(parents=True)
    assert _only(doktor_post.postfach(_settings(tmp_path, mail={"maildir": str(tmp_path / "box")}))).stufe == "ok"

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "dkim.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    )
    dkim = {"dkim_domain": "landkreis-musterland.example", "dkim_selector": "sf2026", "dkim_schluessel_datei": str(pem)}
    assert _only(doktor_post.dkim(_settings(tmp_path, mail=dkim))).stufe == "ok"
    half = _only(doktor_post.dkim(_settings(tmp_path, mail={"dkim_domain": "x.example"})))
    assert half.stufe == "fehler" and "dkim_selector" in half.meldung
    pem.write_text("kein Schlüssel", encoding="utf-8")
    broken = _only(doktor_post.dkim(_settings(tmp_path, mail=dkim)))
    assert broken.stufe == "fehler" and "PEM" in (broken.abhilfe or "")


def test_calendar_replies_taken_without_proven_sender_are_warned_about(tmp_path: Path) -> None:
    box = {"maildir": str(tmp_path / "box")}
    assert doktor_post.absenderpruefung(_settings(tmp_path)) == []  # no mailbox read
    default = _only(doktor_post.absenderpruefung(_settings(tmp_path, mail=box)))
    assert default.stufe == "hinweis" and "nur im Bericht genannt" in default.meldung
    assert "streng" in (default.abhilfe or "")
    aus = _only(doktor_post.absenderpruefung(_settings(tmp_path, mail={**box, "antworten_pruefen": "aus"})))
    assert aus.stufe == "hinweis" and "ohne Absenderprüfung" in aus.meldung
    streng = {**box, "antworten_pruefen": "streng"}
    selbst = _only(doktor_post.absenderpruefung(_settings(tmp_path, mail=streng)))
    assert selbst.stufe == "hinweis" and "eigener DKIM-Prüfung" in selbst.meldung
    exchange = _only(doktor_post.absenderpruefung(_settings(tmp_path, mail={**streng, "authserv_id": ""})))
    assert exchange.stufe == "ok" and "Exchange Online" in exchange.meldung


def test_database_state_sqlite(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    found = doktor.datenbank(settings)
    assert [b.stufe for b in found] == ["ok", "fehler"] and found[1].abhilfe == "sozialforum db migrieren"
    migrate(make_engine(settings.db_url))
    assert [b.stufe for b in doktor.datenbank(settings)] == ["ok", "ok"]


@pytest.mark.postgres
def test_database_state_postgres(tmp_path: Path, pg_cluster: PgCluster) -> None:
    url = new_pg_database(pg_cluster)
    missing = _only(doktor.datenbank(_settings(tmp_path, database_url=url.rsplit("/", 1)[0] + "/gibt_es_nicht")))
    assert missing.stufe == "fehler" and "createdb" in (missing.abhilfe or "")
    migrate(make_engine(url))
    assert [b.stufe for b in doktor.datenbank(_settings(tmp_path, database_url=url))] == ["ok", "ok"]


def test_several_machines_need_one_signing_key_and_say_where_outputs_live(tmp_path: Path) -> None:
    shared = "postgresql+psycopg://sozialforum@db.example/sozialforum"
    assert doktor.verteilung(_settings(tmp_path)) == []  # embedded: one machine
    key, storage = doktor.verteilung(_settings(tmp_path, database_url=shared))
    assert key.stufe == "fehler" and "SOZIALFORUM_PORTAL__SECRET_KEY" in (key.abhilfe or "")
    assert storage.stufe == "hinweis" and "nur auf dieser Maschine" in storage.meldung
    configured = _settings(
        tmp_path,
        database_url=shared,
        portal={"secret_key": "k" * 48},
        ablage={"art": "s3", "s3_endpunkt": "http://127.0.0.1:9", "s3_bucket": "b"},
    )
    key, storage = doktor.verteilung(configured)
    assert key.stufe == "ok" and storage.stufe == "fehler" and "braucht s3_endpunkt" in storage.meldung


def _cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SOZIALFORUM_DATA_DIR": str(tmp_path / "var"), "COLUMNS": "200", **env}
    environment.pop("PREFECT_API_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "sozialforum", *args, "doctor"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_exit_codes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[mail]\nsmtp_port = 0\n", encoding="utf-8")
    config_error = _cli(tmp_path, "-k", str(bad))
    assert config_error.returncode == 2 and "Feld mail.smtp_port: ist zu klein" in config_error.stdout
    not_migrated = _cli(tmp_path)
    assert not_migrated.returncode == 3 and "sozialforum db migrieren" in not_migrated.stdout
    migrate(make_engine(f"sqlite:///{tmp_path / 'var' / 'sozialforum.db'}"))
    healthy = _cli(tmp_path)
    # The default links (127.0.0.1) and sender (.example) only work on this machine: said, not "Alles in Ordnung".
    assert healthy.returncode == 0 and "Keine Fehler; 6 Hinweise vor dem Betrieb prüfen." in healthy.stdout, (
        healthy.stdout
    )
    assert "Links in Einladungen und Formularen zeigen auf http://127.0.0.1:8765" in healthy.stdout


def test_links_and_sender_must_be_reachable_from_outside_when_mail_leaves_the_house(tmp_path: Path) -> None:
    local = doktor.erreichbarkeit(_settings(tmp_path))  # outbox as files: notes
    assert [(b.bereich, b.stufe) for b in local] == [("Links", "hinweis"), ("Absender", "hinweis")]
    assert "127.0.0.1 ist dieser Rechner selbst" in local[0].meldung
    sending = doktor.erreichbarkeit(
        _settings(
            tmp_path,
            mail={"smtp_host": "mail.landkreis-musterland.de", "absender": "sozialplanung@kreis.example"},
            portal={"base_url": "http://10.1.2.3:8765"},
        )
    )
    assert [(b.bereich, b.stufe, b.art) for b in sending] == [
        ("Links", "fehler", "konfiguration"),
        ("Absender", "fehler", "konfiguration"),
    ]
    assert "10.1.2.3 ist eine Adresse im internen Netz" in sending[0].meldung
    assert "„kreis.example“ ist ein reservierter Name" in sending[1].meldung
    for host, internal in [("localhost", True), ("portal.intern.local", True), ("::1", True), ("192.168.0.7", True)]:
        assert (doktor._nur_intern(host) is not None) is internal, host
    assert doktor._nur_intern("portal.landkreis-musterland.de") is None
    assert doktor._nur_intern("93.184.215.14") is None


def test_the_portal_is_asked_whether_it_answers(tmp_path: Path) -> None:
    import http.server
    import threading

    class Anmeldung(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/gs/anmelden" else 404)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Anmeldung)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        answering = doktor._portal_antwortet(f"http://127.0.0.1:{server.server_port}/", timeout=5)
        assert answering.stufe == "ok" and "antwortet unter" in answering.meldung
    finally:
        server.shutdown()
    silent = doktor._portal_antwortet(f"http://127.0.0.1:{free_port()}", timeout=5)
    assert silent.stufe == "fehler" and "antwortet nicht" in silent.meldung

"""SMTP with STARTTLS and SSL (verified certificates) and login against aiosmtpd, DKIM signatures
that verify, and header injection refused at rendering."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime
from pathlib import Path

import dkim
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr
from sqlmodel import Session

from sozialforum import outbox
from sozialforum.channels.mail import Attachment, OutgoingMail, render_message
from tests.konferenz.smtp_server import Collector, free_port

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _private_key():  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key) -> bytes:  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost/127.0.0.1 (the test's own CA)."""
    import ipaddress
    from datetime import timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = _private_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    key_path, cert_path = folder / "key.pem", folder / "cert.pem"
    key_path.write_bytes(_pem(key))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def _authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"sozialplanung", b"geheim")
    return AuthResult(success=ok, handled=False)


def _server(certificate, *, implicit: bool) -> tuple[Controller, Collector]:
    key, cert = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    collector = Collector()
    # aiosmtpd does not count implicit TLS as TLS for AUTH; the connection is encrypted all the same.
    options = (
        {"ssl_context": context, "auth_require_tls": False}
        if implicit
        else {"tls_context": context, "require_starttls": True}
    )
    controller = Controller(
        collector, hostname="127.0.0.1", port=free_port(), authenticator=_authenticator, auth_required=True, **options
    )
    controller.start()
    return controller, collector


def _queue(engine, settings, n: int = 2) -> None:
    with Session(engine) as session:
        for i in range(n):
            outbox.enqueue(
                session,
                schluessel=f"tls-{i}",
                art="einladung",
                person_id=None,
                bezug={},
                now=NOW,
                settings=settings,
                mail=OutgoingMail(to=f"p{i}@traeger.example", to_name=None, subject="Test", text="Hallo"),
            )
        session.commit()


@pytest.mark.parametrize("sicherheit", ["starttls", "ssl"])
def test_tls_and_login(sqlite_engine, tmp_path, certificate, sicherheit) -> None:
    from sozialforum.settings import load_settings

    settings = load_settings(None, data_dir=tmp_path, database_url=str(sqlite_engine.url))
    controller, collector = _server(certificate, implicit=sicherheit == "ssl")
    try:
        settings.mail.smtp_host, settings.mail.smtp_port = "127.0.0.1", controller.port
        settings.mail.sicherheit, settings.mail.benutzer = sicherheit, "sozialplanung"
        settings.mail.passwort, settings.mail.ca_datei = SecretStr("geheim"), certificate[1]
        _queue(sqlite_engine, settings)
        report = outbox.deliver_pending(sqlite_engine, settings, now=NOW)
        assert report.sent == 2 and len(collector.messages) == 2

        settings.mail.ca_datei = None  # the self-signed certificate is not trusted: refuse to send
        _queue(sqlite_engine, settings, 3)
        report = outbox.deliver_pending(sqlite_engine, settings, now=NOW)
        with pytest.raises(outbox.DeliveryError, match="nicht erreichbar"):
            report.raise_if_all_failed()
        assert len(collector.messages) == 2

        settings.mail.ca_datei, settings.mail.passwort = certificate[1], SecretStr("falsch")
        with pytest.raises(outbox.DeliveryError, match="Anmeldung am Mailserver abgelehnt"):
            outbox.deliver_pending(sqlite_engine, settings, now=NOW)
    finally:
        controller.stop()


def test_dkim_signature_verifies(settings, tmp_path) -> None:
    import base64

    from cryptography.hazmat.primitives import serialization

    private = _private_key()
    key = tmp_path / "dkim.pem"
    key.write_bytes(_pem(private))
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    settings.mail.dkim_domain, settings.mail.dkim_selector = "landkreis-musterland.example", "sf2026"
    settings.mail.dkim_schluessel_datei = key
    agenda = Attachment("Tagesordnung Süd.pdf", b"%PDF-1.4", "application/pdf")
    mail = OutgoingMail(
        to="erika@awo.example",
        to_name="Erika Müller",
        subject="Einladung: Süd",
        text="Hallo",
        html="<p>Hallo</p>",
        attachments=(agenda,),
    )
    message = render_message(mail, settings, message_id="<x1@landkreis-musterland.example>", date=NOW)
    assert message.startswith(b"DKIM-Signature:")
    expected = b"sf2026._domainkey.landkreis-musterland.example."
    assert dkim.verify(message, dnsfunc=lambda name, timeout=5: record if name == expected else None)
    assert not dkim.verify(message.replace(b"Hallo", b"Hallx", 1), dnsfunc=lambda name, timeout=5: record)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("to", "erika@awo.example\r\nBcc: alle@welt.example", "Zeilenumbruch"),
        ("to", "keine-adresse", "ungültige E-Mail-Adresse"),
        ("to_name", "Erika\nBcc: alle@welt.example", "Zeilenumbruch"),
        ("to_name", "<script>Erika</script>", "spitze Klammern"),
        ("subject", "Einladung\r\nBcc: alle@welt.example", "Betreff"),
    ],
)
def test_header_injection_is_refused(settings, field, value, reason) -> None:
    values = {"to": "erika@awo.example", "to_name": "Erika", "subject": "Einladung", "text": "Hallo"}
    values[field] = value
    with pytest.raises(ValueError, match=reason):
        render_message(OutgoingMail(**values), settings, message_id="<x@y.example>", date=NOW)

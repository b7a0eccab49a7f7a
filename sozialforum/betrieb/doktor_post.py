"""``sozialforum doctor``, the mail part: the SMTP server (connection, TLS, login), DKIM for the
sender's domain, the mailbox for replies (IMAP or a maildir) and how their sender is proven."""

from __future__ import annotations

import contextlib
import imaplib
import smtplib
import socket
import ssl
from pathlib import Path

from sozialforum.betrieb.befund import Befund, fehler, hinweis, ok
from sozialforum.settings import Settings


def tls_kontext(settings: Settings) -> ssl.SSLContext:
    cafile = getattr(settings.mail, "ca_datei", None)
    return ssl.create_default_context(cafile=str(cafile) if cafile else None)


def _netz_hint(exc: BaseException, host: str, port: int) -> str:
    if isinstance(exc, socket.gaierror):
        return f"Den Namen {host} kennt das DNS nicht: Schreibweise prüfen."
    if isinstance(exc, ConnectionRefusedError):
        return f"Auf {host}:{port} antwortet kein Dienst: Port prüfen (587 STARTTLS, 465 SSL, 993 IMAPS)."
    if isinstance(exc, TimeoutError | socket.timeout):
        return "Zeitüberschreitung: Firewall oder Proxy lassen die Verbindung nicht durch."
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            "Das Zertifikat des Servers ist nicht vertrauenswürdig: mit eigener Zertifizierungsstelle "
            "deren Zertifikat als mail.ca_datei angeben."
        )
    if isinstance(exc, ssl.SSLError):
        return "TLS schlug fehl: passt mail.sicherheit (starttls/ssl/keine) zum Port?"
    return "Host, Port und Netzwerk prüfen."


def smtp(settings: Settings) -> list[Befund]:
    mail = settings.mail
    if not mail.smtp_host:
        return [
            Befund(
                "SMTP",
                "hinweis",
                f"kein smtp_host: Nachrichten werden als .eml-Dateien in "
                f"{settings.outbox_dir} geschrieben, nicht versandt.",
                "Für den Versand mail.smtp_host (und Zugangsdaten) eintragen.",
            )
        ]
    host, port = mail.smtp_host, mail.smtp_port
    step = "Verbindung"
    client: smtplib.SMTP | None = None
    try:
        if mail.sicherheit == "ssl":
            client = smtplib.SMTP_SSL(host, port, timeout=mail.timeout_sekunden, context=tls_kontext(settings))
        else:
            client = smtplib.SMTP(host, port, timeout=mail.timeout_sekunden)
        step = "EHLO"
        client.ehlo()
        if mail.sicherheit == "starttls":
            step = "STARTTLS"
            if not client.has_extn("starttls"):
                return [
                    fehler(
                        "SMTP",
                        f"{host}:{port} bietet kein STARTTLS an.",
                        'mail.sicherheit = "ssl" mit Port 465 versuchen, oder den Server fragen.',
                    )
                ]
            client.starttls(context=tls_kontext(settings))
            client.ehlo()
        if mail.benutzer:
            step = "Anmeldung"
            client.login(mail.benutzer, mail.passwort.get_secret_value() if mail.passwort else "")
        return [
            ok(
                "SMTP",
                f"{host}:{port} erreichbar ({mail.sicherheit}"
                + (f", angemeldet als {mail.benutzer})" if mail.benutzer else ", ohne Anmeldung)"),
            )
        ]
    except smtplib.SMTPAuthenticationError as exc:
        return [
            fehler(
                "SMTP",
                f"Anmeldung als {mail.benutzer} abgelehnt ({exc.smtp_code}).",
                "mail.benutzer und mail.passwort prüfen (Passwort besser per SOZIALFORUM_MAIL__PASSWORT).",
            )
        ]
    except smtplib.SMTPNotSupportedError:
        return [
            fehler(
                "SMTP",
                f"{host}:{port} bietet keine Anmeldung an (AUTH) – oft erst nach STARTTLS.",
                'mail.sicherheit = "starttls" setzen oder mail.benutzer leer lassen.',
            )
        ]
    except (OSError, smtplib.SMTPException) as exc:
        return [fehler("SMTP", f"{step} zu {host}:{port} fehlgeschlagen: {exc!r}", _netz_hint(exc, host, port))]
    finally:
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


def dkim(settings: Settings) -> list[Befund]:
    mail = settings.mail
    parts = {
        "dkim_domain": mail.dkim_domain,
        "dkim_selector": mail.dkim_selector,
        "dkim_schluessel_datei": mail.dkim_schluessel_datei,
    }
    if not any(parts.values()):
        return [
            Befund(
                "DKIM",
                "hinweis",
                "keine DKIM-Signatur konfiguriert.",
                "Empfohlen, damit Einladungen nicht im Spam landen (docs/betrieb.md, SMTP und DKIM).",
            )
        ]
    missing = [k for k, v in parts.items() if not v]
    if missing:
        return [
            fehler(
                "DKIM",
                f"unvollständig, es fehlt: {', '.join(missing)}",
                "Alle drei Felder angeben oder alle weglassen.",
                "konfiguration",
            )
        ]
    import dkim as dkimpy

    try:
        key = Path(str(mail.dkim_schluessel_datei)).read_bytes()
        message = b"From: a@" + str(mail.dkim_domain).encode() + b"\r\nSubject: t\r\n\r\nt\r\n"
        dkimpy.sign(message, str(mail.dkim_selector).encode(), str(mail.dkim_domain).encode(), key)
    except OSError as exc:
        return [fehler("DKIM", f"Schlüsseldatei nicht lesbar: {exc}", "Pfad und Leserechte prüfen.", "konfiguration")]
    except Exception as exc:  # dkimpy raises its own KeyFormatError and friends
        return [
            fehler(
                "DKIM",
                f"Schlüssel unbrauchbar: {exc}",
                "Einen privaten RSA-Schlüssel im PEM-Format angeben (openssl genrsa -out dkim.pem 2048).",
                "konfiguration",
            )
        ]
    return [
        ok(
            "DKIM",
            f"Signatur mit {mail.dkim_selector}._domainkey.{mail.dkim_domain} möglich "
            "(den öffentlichen Schlüssel im DNS prüft dieser Test nicht)",
        )
    ]


def postfach(settings: Settings) -> list[Befund]:
    mail = settings.mail
    if mail.imap_host:
        host, port = mail.imap_host, mail.imap_port
        try:
            if mail.imap_sicherheit == "ssl":
                client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    host, port, ssl_context=tls_kontext(settings), timeout=mail.timeout_sekunden
                )
            else:
                client = imaplib.IMAP4(host, port, timeout=mail.timeout_sekunden)
                if mail.imap_sicherheit == "starttls":
                    client.starttls(ssl_context=tls_kontext(settings))
        except (OSError, imaplib.IMAP4.error) as exc:
            return [
                fehler(
                    "Postfach (IMAP)",
                    f"Verbindung zu {host}:{port} fehlgeschlagen: {exc!r}",
                    _netz_hint(exc, host, port),
                )
            ]
        try:
            try:
                client.login(
                    mail.imap_benutzer or "", mail.imap_passwort.get_secret_value() if mail.imap_passwort else ""
                )
            except imaplib.IMAP4.error as exc:
                return [
                    fehler(
                        "Postfach (IMAP)",
                        f"Anmeldung als {mail.imap_benutzer} abgelehnt: {exc}",
                        "mail.imap_benutzer und mail.imap_passwort prüfen.",
                    )
                ]
            status, _ = client.select('"' + mail.imap_ordner.replace('"', '\\"') + '"', readonly=True)
            if status != "OK":
                return [
                    fehler(
                        "Postfach (IMAP)",
                        f"Ordner {mail.imap_ordner!r} lässt sich nicht öffnen.",
                        "mail.imap_ordner prüfen (Groß-/Kleinschreibung, z. B. INBOX).",
                    )
                ]
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                client.logout()
        return [ok("Postfach (IMAP)", f"{host}:{port}, Ordner {mail.imap_ordner} lesbar")]
    if mail.maildir:
        folder = Path(mail.maildir)
        if not (folder / "cur").is_dir() and not (folder / "new").is_dir():
            return [
                fehler(
                    "Postfach (Maildir)",
                    f"{folder} ist kein Maildir (es fehlen cur/ und new/).",
                    "Pfad in mail.maildir prüfen.",
                    "konfiguration",
                )
            ]
        return [ok("Postfach (Maildir)", f"{folder} lesbar")]
    return [
        Befund(
            "Postfach",
            "hinweis",
            "kein Postfach konfiguriert: Kalenderantworten und Unzustellbarkeits"
            "meldungen werden nicht gelesen (Zusagen per Link gehen trotzdem).",
            "mail.imap_host (oder mail.maildir) eintragen.",
        )
    ]


def absenderpruefung(settings: Settings) -> list[Befund]:
    """Calendar replies change attendance lists and places: is who sent one proven?"""
    mail = settings.mail
    if not (mail.imap_host or mail.maildir):
        return []  # no mailbox is read (the mailbox finding says so)
    bereich = "Kalenderantworten"
    if mail.authserv_id is None:
        wie = "DKIM-Signatur, von sozialforum geprüft"
    else:
        wie = f"Prüfergebnis von {'Exchange Online' if mail.authserv_id == '' else mail.authserv_id}"
    streng = 'mail.antworten_pruefen = "streng" setzen: dann hält sozialforum sie zurück (docs/betrieb.md).'
    if mail.antworten_pruefen == "aus":
        return [
            hinweis(
                bereich,
                "Zu- und Absagen per Kalender werden ohne Absenderprüfung übernommen: wer eine Mail unter "
                "fremder Adresse schickt, ändert Teilnehmerlisten und Plätze.",
                "mail.authserv_id eintragen und " + streng,
            )
        ]
    if mail.antworten_pruefen == "melden":
        return [
            hinweis(
                bereich,
                f"Antworten ohne belegten Absender ({wie}) werden übernommen und nur im Bericht genannt.",
                streng,
            )
        ]
    if mail.authserv_id is None:
        return [
            hinweis(
                bereich,
                "streng, mit eigener DKIM-Prüfung: Antworten von Trägern ohne DKIM-Signatur werden zurückgehalten.",
                "mail.authserv_id eintragen: der Posteingangsserver prüft auch SPF und DMARC (docs/betrieb.md).",
            )
        ]
    return [ok(bereich, f"streng: eine Antwort zählt nur mit belegtem Absender ({wie})")]

"""``sozialforum doctor``: check configuration, folders, database, SMTP, DKIM, mailbox and the
Prefect server, and explain every failure in German with what to do about it.

Each check returns a ``Befund``; nothing is changed except that missing data folders are
created (as every command would). Network checks use the configured timeouts.
"""

from __future__ import annotations

import contextlib
import imaplib
import ipaddress
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import httpx
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from sozialforum import ablage
from sozialforum.konten import verzeichnis
from sozialforum.settings import Settings, SettingsError, load_settings
from sozialforum.store.db import alembic_config, current_revision, make_engine

Stufe = Literal["ok", "hinweis", "fehler"]
Art = Literal["konfiguration", "dienst"]


@dataclass(frozen=True)
class Befund:
    bereich: str
    stufe: Stufe
    meldung: str
    abhilfe: str | None = None
    art: Art = "dienst"  # what a failure is: a configuration error (exit 2) or a service (exit 3)


def _ok(bereich: str, meldung: str) -> Befund:
    return Befund(bereich, "ok", meldung)


def _hinweis(bereich: str, meldung: str, abhilfe: str) -> Befund:
    return Befund(bereich, "hinweis", meldung, abhilfe)


def _fehler(bereich: str, meldung: str, abhilfe: str, art: Art = "dienst") -> Befund:
    return Befund(bereich, "fehler", meldung, abhilfe, art)


def konfiguration(config_file: Path | None) -> tuple[Befund, Settings | None]:
    try:
        settings = load_settings(config_file)
    except SettingsError as exc:
        return _fehler(
            "Konfiguration",
            str(exc),
            "Datei korrigieren; alle Felder stehen in docs/konfiguration.md.",
            "konfiguration",
        ), None
    where = config_file or "config/sozialforum.toml bzw. SOZIALFORUM_CONFIG"
    return _ok("Konfiguration", f"gültig ({where}, Umgebungsvariablen SOZIALFORUM_* eingerechnet)"), settings


def _writable(folder: Path) -> str | None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".sozialforum-doctor"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        return f"{folder}: {exc.strerror or exc}"
    return None


def verzeichnisse(settings: Settings) -> list[Befund]:
    found = []
    folders = {"Arbeitsverzeichnis (data_dir)": settings.data_dir, "Berichte": settings.reports_dir}
    if not settings.mail.smtp_host:
        folders["Postausgang (mail.outbox_dir)"] = settings.outbox_dir
    for name, folder in folders.items():
        problem = _writable(folder)
        found.append(
            _fehler(
                name,
                f"nicht beschreibbar: {problem}",
                "Ordner anlegen und dem Benutzer, unter dem "
                "sozialforum läuft, Schreibrechte geben (oder data_dir ändern).",
                "konfiguration",
            )
            if problem
            else _ok(name, f"beschreibbar: {folder.resolve()}")
        )
    files = {
        "daten.katalog": settings.daten.katalog,
        "portal.formulare": settings.portal.formulare,
        "fristen.meilensteine": settings.fristen.meilensteine,
    }
    missing = [f"{key} = {path}" for key, path in files.items() if not Path(path).is_file()]
    if missing:
        found.append(
            _fehler(
                "Konfigurationsdateien",
                "nicht gefunden: " + "; ".join(missing),
                "Pfade relativ zum Projektverzeichnis angeben (dort aufrufen) oder absolut.",
                "konfiguration",
            )
        )
    return found


def _db_hint(message: str) -> str:
    text = message.lower()
    if "password authentication failed" in text or "authentication" in text:
        return "Benutzer oder Passwort in database_url prüfen."
    if "does not exist" in text:
        return "Datenbank anlegen (createdb) oder den Namen in database_url korrigieren."
    if "unable to open database file" in text:
        return "Ordner der SQLite-Datei anlegen und Schreibrechte geben."
    return "Läuft der Datenbankserver? Host und Port in database_url prüfen (Firewall?)."


def datenbank(settings: Settings) -> list[Befund]:
    url = settings.db_url
    shown = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1)).render_as_string(
        hide_password=True
    )
    engine = make_engine(url, connect_args={"connect_timeout": 5}) if url.startswith("postgres") else make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        revision = current_revision(engine)
    except sa.exc.SQLAlchemyError as exc:
        message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return [_fehler("Datenbank", f"keine Verbindung zu {shown}: {message}", _db_hint(message))]
    finally:
        engine.dispose()
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    found = [_ok("Datenbank", f"Verbindung zu {shown}")]
    if revision == head:
        found.append(_ok("Migrationen", f"auf dem neuesten Stand ({head})"))
    elif revision is None:
        found.append(
            _fehler("Migrationen", "Die Datenbank ist leer (noch nicht angelegt).", "sozialforum db migrieren")
        )
    elif revision in {s.revision for s in script.walk_revisions()}:
        found.append(
            _fehler(
                "Migrationen",
                f"Stand {revision}, diese Version braucht {head}.",
                "Sicherung anlegen (docs/betrieb.md), dann sozialforum db migrieren",
            )
        )
    else:
        found.append(
            _fehler(
                "Migrationen",
                f"unbekannter Stand {revision}: die Datenbank ist neuer als diese sozialforum-Version.",
                "sozialforum auf die Version aktualisieren, die die Datenbank migriert hat.",
            )
        )
    return found


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
                    _fehler(
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
            _ok(
                "SMTP",
                f"{host}:{port} erreichbar ({mail.sicherheit}"
                + (f", angemeldet als {mail.benutzer})" if mail.benutzer else ", ohne Anmeldung)"),
            )
        ]
    except smtplib.SMTPAuthenticationError as exc:
        return [
            _fehler(
                "SMTP",
                f"Anmeldung als {mail.benutzer} abgelehnt ({exc.smtp_code}).",
                "mail.benutzer und mail.passwort prüfen (Passwort besser per SOZIALFORUM_MAIL__PASSWORT).",
            )
        ]
    except smtplib.SMTPNotSupportedError:
        return [
            _fehler(
                "SMTP",
                f"{host}:{port} bietet keine Anmeldung an (AUTH) – oft erst nach STARTTLS.",
                'mail.sicherheit = "starttls" setzen oder mail.benutzer leer lassen.',
            )
        ]
    except (OSError, smtplib.SMTPException) as exc:
        return [_fehler("SMTP", f"{step} zu {host}:{port} fehlgeschlagen: {exc!r}", _netz_hint(exc, host, port))]
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
            _fehler(
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
        return [_fehler("DKIM", f"Schlüsseldatei nicht lesbar: {exc}", "Pfad und Leserechte prüfen.", "konfiguration")]
    except Exception as exc:  # dkimpy raises its own KeyFormatError and friends
        return [
            _fehler(
                "DKIM",
                f"Schlüssel unbrauchbar: {exc}",
                "Einen privaten RSA-Schlüssel im PEM-Format angeben (openssl genrsa -out dkim.pem 2048).",
                "konfiguration",
            )
        ]
    return [
        _ok(
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
                _fehler(
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
                    _fehler(
                        "Postfach (IMAP)",
                        f"Anmeldung als {mail.imap_benutzer} abgelehnt: {exc}",
                        "mail.imap_benutzer und mail.imap_passwort prüfen.",
                    )
                ]
            status, _ = client.select('"' + mail.imap_ordner.replace('"', '\\"') + '"', readonly=True)
            if status != "OK":
                return [
                    _fehler(
                        "Postfach (IMAP)",
                        f"Ordner {mail.imap_ordner!r} lässt sich nicht öffnen.",
                        "mail.imap_ordner prüfen (Groß-/Kleinschreibung, z. B. INBOX).",
                    )
                ]
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                client.logout()
        return [_ok("Postfach (IMAP)", f"{host}:{port}, Ordner {mail.imap_ordner} lesbar")]
    if mail.maildir:
        folder = Path(mail.maildir)
        if not (folder / "cur").is_dir() and not (folder / "new").is_dir():
            return [
                _fehler(
                    "Postfach (Maildir)",
                    f"{folder} ist kein Maildir (es fehlen cur/ und new/).",
                    "Pfad in mail.maildir prüfen.",
                    "konfiguration",
                )
            ]
        return [_ok("Postfach (Maildir)", f"{folder} lesbar")]
    return [
        Befund(
            "Postfach",
            "hinweis",
            "kein Postfach konfiguriert: Kalenderantworten und Unzustellbarkeits"
            "meldungen werden nicht gelesen (Zusagen per Link gehen trotzdem).",
            "mail.imap_host (oder mail.maildir) eintragen.",
        )
    ]


def prefect_server(api_url: str | None, *, herzschlag_sekunden: int = 90, reparieren: bool = False) -> list[Befund]:
    if not api_url:
        return [
            Befund(
                "Prefect-Server",
                "hinweis",
                "kein Server eingetragen (PREFECT_API_URL): sozialforum serve startet einen eigenen auf 127.0.0.1.",
            )
        ]
    try:
        response = httpx.get(api_url.rstrip("/") + "/health", timeout=5)
    except httpx.HTTPError as exc:
        return [
            _fehler(
                "Prefect-Server",
                f"{api_url} nicht erreichbar: {exc}",
                "prefect server start auf dem Server laufen lassen; Adresse mit /api am Ende angeben.",
            )
        ]
    if response.status_code != 200:
        return [
            _fehler(
                "Prefect-Server",
                f"{api_url} antwortet mit {response.status_code}.",
                "Adresse prüfen: sie endet auf /api (z. B. http://prefect.intern:4200/api).",
            )
        ]
    repaired = reparatur(api_url, herzschlag_sekunden) if reparieren else []
    return [
        _ok("Prefect-Server", f"{api_url} erreichbar"),
        *repaired,
        *prefect_betrieb(api_url, herzschlag_sekunden=herzschlag_sekunden),
    ]


def reparatur(api_url: str, herzschlag_sekunden: int, *, now: datetime | None = None) -> list[Befund]:
    """``--reparieren``: set up the automation and the pool's heartbeat, end dead runs, free
    slots nobody holds (prefect_pflege); one finding per thing done or failed."""
    from sozialforum.betrieb import prefect_pflege

    done, failed = prefect_pflege.zeilen(
        [
            prefect_pflege.einrichten(api_url, herzschlag_sekunden),
            prefect_pflege.reparieren(api_url, tot_nach=prefect_pflege.frist(herzschlag_sekunden), now=now),
        ]
    )
    found = [_ok("Reparatur", line) for line in done]
    found += [_fehler("Reparatur", line, "Prefect-Server und Arbeitspool prüfen (docs/betrieb.md).") for line in failed]
    return found or [_ok("Reparatur", "nichts zu tun")]


def prefect_betrieb(
    api_url: str,
    *,
    herzschlag_sekunden: int = 90,
    haengt_nach: timedelta | None = None,
    now: datetime | None = None,
) -> list[Befund]:
    """Deployments, workers, concurrency limits, stuck runs and the dead-run automation on the
    server (prefect_pruefung, prefect_pflege)."""
    from sozialforum.betrieb import deployments, prefect_pflege, prefect_pruefung

    try:
        expected = deployments.lade_deployments()
    except deployments.DeploymentFehler:
        expected = []

    def melden(bereich: str, stufe: str, meldung: str, abhilfe: str | None) -> Befund:
        return Befund(bereich, stufe, meldung, abhilfe)  # type: ignore[arg-type]  # stufe is one of Stufe

    after = prefect_pruefung.HAENGT_NACH if haengt_nach is None else haengt_nach
    found = prefect_pruefung.pruefen(api_url, expected, melden, now=now, haengt_nach=after)
    try:
        missing = prefect_pflege.fehlende_einrichtung(api_url, herzschlag_sekunden)
    except httpx.HTTPError as exc:
        return [*found, _fehler("Absturzerkennung", f"Abfrage gescheitert: {exc}", "Prefect-Server prüfen.")]
    if missing:
        return [
            *found,
            _hinweis(
                "Absturzerkennung",
                f"es fehlt {' und '.join(missing)}: ein Lauf, dessen Rechner ausfällt, bleibt „Running“ "
                "und hält den Platz seines Deployments.",
                "'sozialforum doctor --reparieren' legt sie an (docs/betrieb.md, Schritt 3).",
            ),
        ]
    window = prefect_pflege.frist(herzschlag_sekunden).total_seconds()
    return [*found, _ok("Absturzerkennung", f"Läufe ohne Herzschlag seit {window:g} s werden „Crashed“ gesetzt")]


def verteilung(settings: Settings) -> list[Befund]:
    """What several machines must share: the link-signing key and the storage for outputs.
    Only for a shared store (PostgreSQL); the embedded set-up is one machine."""
    if settings.db_url.startswith("sqlite"):
        return []
    found: list[Befund] = []
    if settings.portal.secret_key is None:
        found.append(
            _fehler(
                "Signierschlüssel (portal.secret_key)",
                "nicht konfiguriert: jede Maschine erzeugte einen eigenen in data_dir/secret_key, "
                "und das Portal lehnt die Links ab, die eine andere Maschine verschickt hat.",
                "Auf allen Maschinen denselben Schlüssel setzen, als Geheimnis in der Umgebung: "
                "SOZIALFORUM_PORTAL__SECRET_KEY (bisher: Inhalt von data_dir/secret_key der ersten Maschine).",
                "konfiguration",
            )
        )
    else:
        found.append(_ok("Signierschlüssel (portal.secret_key)", "konfiguriert"))
    if settings.ablage.art == "ordner":
        found.append(
            Befund(
                "Ablage",
                "hinweis",
                f"Ordner {ablage.ordner(settings).resolve()}: Berichte und Ausgaben liegen nur auf dieser Maschine.",
                'Für mehrere Maschinen [ablage] art = "s3" (Objektspeicher) setzen, siehe docs/betrieb.md.',
                "konfiguration",
            )
        )
        return found
    try:
        ablage.auflisten(settings, "doctor/")
    except ablage.AblageFehler as exc:
        found.append(_fehler("Ablage (Objektspeicher)", str(exc), "Endpunkt, Bucket und Zugangsdaten prüfen."))
    else:
        where = f"{settings.ablage.s3_endpunkt}, Bucket {settings.ablage.s3_bucket}"
        found.append(_ok("Ablage (Objektspeicher)", where))
    return found


def verzeichnisdienst(settings: Settings) -> list[Befund]:
    """The directory of the staff login (only when ``[verzeichnis] aktiv``): bind as the service
    account and read the base DN."""
    config = settings.verzeichnis
    if not config.aktiv:
        return []
    found: list[Befund] = []
    host = urlsplit(config.url).hostname or ""
    if config.url.startswith("ldap://") and not config.starttls and host not in ("127.0.0.1", "::1", "localhost"):
        found.append(
            Befund(
                "Verzeichnisdienst",
                "hinweis",
                f"{config.url} ohne STARTTLS: Passwörter gehen unverschlüsselt durchs Netz.",
                "ldaps:// verwenden oder verzeichnis.starttls = true setzen.",
                "konfiguration",
            )
        )
    try:
        erreicht = verzeichnis.verbindung_pruefen(config)
    except verzeichnis.VerzeichnisNichtErreichbar as exc:
        found.append(
            _fehler(
                "Verzeichnisdienst",
                f"nicht erreichbar: {exc.detail}",
                "url, bind_dn, bind_passwort (SOZIALFORUM_VERZEICHNIS__BIND_PASSWORT), basis_dn und ca_datei "
                "prüfen; solange meldet sich nur an, wer ein lokales Passwort hat.",
            )
        )
    else:
        found.append(_ok("Verzeichnisdienst", erreicht))
    return found


# Names that never reach anyone outside: RFC 2606 and RFC 6761 reserve them.
RESERVIERT = (".example", ".invalid", ".test", ".localhost", ".local", ".internal")


def _nur_intern(host: str) -> str | None:
    """Why ``host`` cannot be reached from outside the administration's network, or None."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(RESERVIERT):
        return f"„{name}“ ist ein reservierter Name, den außerhalb dieses Rechners niemand auflöst"
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return None
    if address.is_loopback:
        return f"{name} ist dieser Rechner selbst"
    if address.is_private or address.is_link_local:
        return f"{name} ist eine Adresse im internen Netz"
    return None


def erreichbarkeit(settings: Settings) -> list[Befund]:
    """Can a Träger open the links in a mail, and can anybody answer it? Links are made from
    ``portal.base_url``; answers go to ``mail.absender``. With a real SMTP server mails leave the
    house, so an internal address there is an error; in the local mode (outbox as files) a note."""

    def intern(bereich: str, meldung: str, abhilfe: str) -> Befund:
        if settings.mail.smtp_host:
            return _fehler(bereich, meldung, abhilfe, "konfiguration")
        return _hinweis(bereich, meldung, abhilfe)

    url = settings.portal.base_url
    parts = urlsplit(url)
    found: list[Befund] = []
    if grund := _nur_intern(parts.hostname or ""):
        found.append(
            intern(
                "Links",
                f"Links in Einladungen und Formularen zeigen auf {url}: {grund}; Träger können sie nicht öffnen.",
                "portal.base_url auf die öffentliche Adresse des Portals setzen (https://…).",
            )
        )
    else:
        found.append(_portal_antwortet(url, timeout=min(settings.mail.timeout_sekunden, 10)))
        if parts.scheme != "https":
            meldung = f"{url} ohne HTTPS: persönliche Links gingen unverschlüsselt durchs Netz."
            found.append(_hinweis("Links", meldung, "https://… eintragen."))
    absender = settings.mail.absender
    if grund := _nur_intern(absender.rsplit("@", 1)[-1]):
        abhilfe = "mail.absender auf das Postfach der Geschäftsstelle setzen."
        found.append(intern("Absender", f"Antworten gehen an {absender}: {grund}.", abhilfe))
    else:
        found.append(_ok("Absender", f"Antworten gehen an {absender}."))
    return found


def _portal_antwortet(url: str, *, timeout: float) -> Befund:
    try:
        httpx.get(f"{url.rstrip('/')}/gs/anmelden", timeout=timeout, follow_redirects=True).raise_for_status()
    except httpx.HTTPError as exc:
        return _fehler(
            "Links",
            f"das Portal unter {url} antwortet nicht ({exc.__class__.__name__}).",
            "Läuft „sozialforum portal“ hinter dieser Adresse? DNS-Eintrag, Proxy und Firewall prüfen.",
        )
    return _ok("Links", f"das Portal antwortet unter {url}.")


def untersuchen(config_file: Path | None, *, prefect_api_url: str | None, reparieren: bool = False) -> list[Befund]:
    """All checks in order; without valid settings only the configuration finding."""
    first, settings = konfiguration(config_file)
    if settings is None:
        return [first]
    checks: list[Callable[[Settings], list[Befund]]] = [
        verzeichnisse,
        datenbank,
        verteilung,
        smtp,
        dkim,
        postfach,
        verzeichnisdienst,
        erreichbarkeit,
    ]
    found = [first]
    for check in checks:
        found += check(settings)
    api_url = prefect_api_url or settings.betrieb.prefect_api_url
    herzschlag = settings.betrieb.herzschlag_sekunden
    return found + prefect_server(api_url, herzschlag_sekunden=herzschlag, reparieren=reparieren)

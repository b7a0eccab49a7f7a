"""``sozialforum doctor``: check configuration, folders, database, SMTP, DKIM, mailbox and the
Prefect server, and explain every failure in German with what to do about it.

Each check returns a ``Befund``; nothing is changed except that missing data folders are
created (as every command would). Network checks use the configured timeouts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from sozialforum import ablage
from sozialforum.betrieb.befund import Befund, fehler, hinweis, ok
from sozialforum.betrieb.doktor_post import absenderpruefung, dkim, postfach, smtp
from sozialforum.betrieb.doktor_prefect import prefect_server
from sozialforum.konten import verzeichnis
from sozialforum.settings import Settings, SettingsError, load_settings
from sozialforum.store.db import alembic_config, current_revision, make_engine


def konfiguration(config_file: Path | None) -> tuple[Befund, Settings | None]:
    try:
        settings = load_settings(config_file)
    except SettingsError as exc:
        return fehler(
            "Konfiguration",
            str(exc),
            "Datei korrigieren; alle Felder stehen in docs/konfiguration.md.",
            "konfiguration",
        ), None
    where = config_file or "config/sozialforum.toml bzw. SOZIALFORUM_CONFIG"
    return ok("Konfiguration", f"gültig ({where}, Umgebungsvariablen SOZIALFORUM_* eingerechnet)"), settings


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
            fehler(
                name,
                f"nicht beschreibbar: {problem}",
                "Ordner anlegen und dem Benutzer, unter dem "
                "sozialforum läuft, Schreibrechte geben (oder data_dir ändern).",
                "konfiguration",
            )
            if problem
            else ok(name, f"beschreibbar: {folder.resolve()}")
        )
    files = {
        "daten.katalog": settings.daten.katalog,
        "portal.formulare": settings.portal.formulare,
        "fristen.meilensteine": settings.fristen.meilensteine,
    }
    missing = [f"{key} = {path}" for key, path in files.items() if not Path(path).is_file()]
    if missing:
        found.append(
            fehler(
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
        return [fehler("Datenbank", f"keine Verbindung zu {shown}: {message}", _db_hint(message))]
    finally:
        engine.dispose()
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    found = [ok("Datenbank", f"Verbindung zu {shown}")]
    if revision == head:
        found.append(ok("Migrationen", f"auf dem neuesten Stand ({head})"))
    elif revision is None:
        found.append(fehler("Migrationen", "Die Datenbank ist leer (noch nicht angelegt).", "sozialforum db migrieren"))
    elif revision in {s.revision for s in script.walk_revisions()}:
        found.append(
            fehler(
                "Migrationen",
                f"Stand {revision}, diese Version braucht {head}.",
                "Sicherung anlegen (docs/betrieb.md), dann sozialforum db migrieren",
            )
        )
    else:
        found.append(
            fehler(
                "Migrationen",
                f"unbekannter Stand {revision}: die Datenbank ist neuer als diese sozialforum-Version.",
                "sozialforum auf die Version aktualisieren, die die Datenbank migriert hat.",
            )
        )
    return found


def verteilung(settings: Settings) -> list[Befund]:
    """What several machines must share: the link-signing key and the storage for outputs.
    Only for a shared store (PostgreSQL); the embedded set-up is one machine."""
    if settings.db_url.startswith("sqlite"):
        return []
    found: list[Befund] = []
    if settings.portal.secret_key is None:
        found.append(
            fehler(
                "Signierschlüssel (portal.secret_key)",
                "nicht konfiguriert: jede Maschine erzeugte einen eigenen in data_dir/secret_key, "
                "und das Portal lehnt die Links ab, die eine andere Maschine verschickt hat.",
                "Auf allen Maschinen denselben Schlüssel setzen, als Geheimnis in der Umgebung: "
                "SOZIALFORUM_PORTAL__SECRET_KEY (bisher: Inhalt von data_dir/secret_key der ersten Maschine).",
                "konfiguration",
            )
        )
    else:
        found.append(ok("Signierschlüssel (portal.secret_key)", "konfiguriert"))
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
        found.append(fehler("Ablage (Objektspeicher)", str(exc), "Endpunkt, Bucket und Zugangsdaten prüfen."))
    else:
        where = f"{settings.ablage.s3_endpunkt}, Bucket {settings.ablage.s3_bucket}"
        found.append(ok("Ablage (Objektspeicher)", where))
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
            fehler(
                "Verzeichnisdienst",
                f"nicht erreichbar: {exc.detail}",
                "url, bind_dn, bind_passwort (SOZIALFORUM_VERZEICHNIS__BIND_PASSWORT), basis_dn und ca_datei "
                "prüfen; solange meldet sich nur an, wer ein lokales Passwort hat.",
            )
        )
    else:
        found.append(ok("Verzeichnisdienst", erreicht))
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
            return fehler(bereich, meldung, abhilfe, "konfiguration")
        return hinweis(bereich, meldung, abhilfe)

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
            found.append(hinweis("Links", meldung, "https://… eintragen."))
    absender = settings.mail.absender
    if grund := _nur_intern(absender.rsplit("@", 1)[-1]):
        abhilfe = "mail.absender auf das Postfach der Geschäftsstelle setzen."
        found.append(intern("Absender", f"Antworten gehen an {absender}: {grund}.", abhilfe))
    else:
        found.append(ok("Absender", f"Antworten gehen an {absender}."))
    return found


def _portal_antwortet(url: str, *, timeout: float) -> Befund:
    try:
        httpx.get(f"{url.rstrip('/')}/gs/anmelden", timeout=timeout, follow_redirects=True).raise_for_status()
    except httpx.HTTPError as exc:
        return fehler(
            "Links",
            f"das Portal unter {url} antwortet nicht ({exc.__class__.__name__}).",
            "Läuft „sozialforum portal“ hinter dieser Adresse? DNS-Eintrag, Proxy und Firewall prüfen.",
        )
    return ok("Links", f"das Portal antwortet unter {url}.")


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
        absenderpruefung,
        verzeichnisdienst,
        erreichbarkeit,
    ]
    found = [first]
    for check in checks:
        found += check(settings)
    api_url = prefect_api_url or settings.betrieb.prefect_api_url
    herzschlag = settings.betrieb.herzschlag_sekunden
    return found + prefect_server(api_url, herzschlag_sekunden=herzschlag, reparieren=reparieren)

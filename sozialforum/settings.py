"""Settings from ``config/sozialforum.toml`` and ``SOZIALFORUM_*`` environment variables.

Nothing global: ``load_settings()`` returns a validated object that callers pass on, so tests
build their own instead of patching. Environment beats the file; nested fields use ``__``
(``SOZIALFORUM_MAIL__SMTP_HOST``). A bad value is reported in German with the field's path.
"""

from __future__ import annotations

import os
import secrets
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_CONFIG = Path("config/sozialforum.toml")
CONFIG_ENV = "SOZIALFORUM_CONFIG"


class SettingsError(Exception):
    """Invalid configuration; the message is German and names file and field."""


class Section(BaseModel):
    """A settings section; unknown keys are errors, since a typo must not pass silently."""

    model_config = ConfigDict(extra="forbid")


class GeschaeftsstelleSettings(Section):
    name: str = "Geschäftsstelle Sozialplanung"
    email: EmailStr = "sozialplanung@landkreis-musterland.example"
    telefon: str | None = None
    adresse: str | None = None
    # Who the leadership is, for escalations and reports.
    leitung: list[EmailStr] = Field(default_factory=list)


class RechtlichesSettings(Section):
    """What the portal's Impressum, Datenschutzerklärung and Barrierefreiheitserklärung name
    (§ 5 DDG, Art. 13 DSGVO, § 12b BGG / the Land's BITV). Unset fields fall back to the
    Geschäftsstelle; ``doctor`` names what is still missing before the portal goes public."""

    # The public body that runs the portal, its address and who represents it.
    herausgeber: str | None = None
    anschrift: str | None = None
    vertreten_durch: str | None = None
    # Data protection officer (Art. 37 DSGVO) and the supervisory authority (Art. 77 DSGVO).
    datenschutzbeauftragte: str | None = None
    datenschutzbeauftragte_email: EmailStr | None = None
    aufsichtsbehoerde: str | None = None
    aufsichtsbehoerde_url: str | None = None
    # Months after which answers and comments of Träger staff are deleted once the Sitzung or
    # request is over (minutes and decisions are kept by archive law).
    speicherdauer_monate: int = Field(default=24, ge=1)
    # Accessibility statement: date of the last review, how it was reviewed, what is not yet
    # accessible, and the Land's Schlichtungsstelle (name and web address).
    barrierefreiheit_stand: date | None = None
    barrierefreiheit_methode: str = "Selbstbewertung"
    nicht_barrierefrei: list[str] = Field(default_factory=list)
    schlichtungsstelle: str | None = None
    schlichtungsstelle_url: str | None = None


class MailSettings(Section):
    # No smtp_host: messages are written as .eml files to outbox_dir (the offline demo).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    sicherheit: Literal["starttls", "ssl", "keine"] = "starttls"
    benutzer: str | None = None
    passwort: SecretStr | None = None
    timeout_sekunden: float = Field(default=30, gt=0)
    absender: EmailStr = "sozialplanung@landkreis-musterland.example"
    absender_name: str = "Geschäftsstelle Sozialplanung"
    # The mail server's limit: at most this many messages per second over SMTP. Without SMTP
    # the .eml files go into the outbox folder unthrottled (no server to protect).
    nachrichten_pro_sekunde: float = Field(default=20, gt=0)
    max_versuche: int = Field(default=5, ge=1)
    # A message the server refuses for now (4xx, e.g. 451 greylisting) stays queued and is tried
    # again with growing pauses (at most 6 hours apart) until it is this many hours old and has
    # had max_versuche attempts; only then is it a permanent failure (as mail servers do).
    aufgeben_nach_stunden: float = Field(default=72, gt=0)
    # Sent (or bounced, or withdrawn) messages keep their whole content this many days; then the
    # retention run keeps only what the record needs (headers, size, SHA-256) and drops the
    # text, the HTML and the attachments (PDF, calendar), also of the .eml copies in the Ablage.
    inhalt_aufbewahren_tage: int = Field(default=90, ge=1)
    dkim_domain: str | None = None
    dkim_selector: str | None = None
    dkim_schluessel_datei: Path | None = None
    outbox_dir: Path | None = None
    # Certificates of the SMTP and IMAP servers are always verified; a server with its own CA
    # (e.g. the Landkreis' internal one) needs its certificate file here.
    ca_datei: Path | None = None
    # Calendar replies (iTIP REPLY) and bounces are read from the organiser's mailbox: IMAP or,
    # for a local mail setup, a Maildir. The ORGANIZER of every invitation is ``absender``.
    imap_host: str | None = None
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_sicherheit: Literal["ssl", "starttls", "keine"] = "ssl"
    imap_benutzer: str | None = None
    imap_passwort: SecretStr | None = None
    imap_ordner: str = "INBOX"
    maildir: Path | None = None


class KonferenzSettings(Section):
    # Standing agenda items of every Sozialraumkonferenz: opening and closing; the generated
    # items (proposals, open Aufträge, Maßnahmen, Sozialraumprofil) go between them.
    tops_beginn: list[str] = Field(
        default_factory=lambda: [
            "Begrüßung und Feststellung der Tagesordnung",
            "Genehmigung des Protokolls der letzten Sitzung",
        ]
    )
    tops_ende: list[str] = Field(default_factory=lambda: ["Verschiedenes und nächste Termine"])
    dauer_minuten: int = Field(default=120, ge=15)
    # Attach the agenda as PDF to invitations (the text is always in the mail body too).
    tagesordnung_als_pdf: bool = True
    # The Land whose public holidays and school holidays a date is checked against (ISO 3166-2
    # code without "DE-": NI, NW, BY, ...), and the school holidays (KMK dates, one file).
    bundesland: str = Field(default="NI", pattern="^(BB|BE|BW|BY|HB|HE|HH|MV|NI|NW|RP|SH|SL|SN|ST|TH)$")
    schulferien: Path = Path("config/schulferien.toml")


class PortalSettings(Section):
    base_url: str = "http://127.0.0.1:8765"
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    # Signs personal links and session cookies. Unset: generated once and kept in data_dir.
    secret_key: SecretStr | None = None
    link_gueltigkeit_tage: int = Field(default=60, ge=1)
    # Rate limiting: this many failed token attempts from one address in the window lock the
    # address for sperre_minuten; as many failed logins to one account from one address lock
    # that account for that address only (a colleague elsewhere still logs in).
    fehlversuche_max: int = Field(default=10, ge=1)
    fehlversuche_fenster_minuten: int = Field(default=15, ge=1)
    sperre_minuten: int = Field(default=15, ge=1)
    # Staff login: failed logins one address may make over all account names in the window
    # before it is locked altogether (stops spraying one password over many names) …
    anmeldung_fehlversuche_je_adresse: int = Field(default=40, ge=1)
    # … and failed logins to one account name from all addresses together; then that name is
    # locked for every address that failed lately, never for one that has not.
    anmeldung_fehlversuche_je_name: int = Field(default=30, ge=1)
    # A login lock that follows soon after the last one is twice as long, up to this.
    anmeldung_sperre_hoechstens_minuten: int = Field(default=1440, ge=1)
    # Lifetime of a Geschäftsstelle login.
    anmeldung_stunden: int = Field(default=8, ge=1)
    formulare: Path = Path("config/formulare.toml")
    # Reverse proxies (IP addresses) whose X-Forwarded-For names the client. Behind a proxy and
    # without this, every Träger has the proxy's address, and one guesser locks out all of them.
    vertrauenswuerdige_proxies: list[str] = Field(default_factory=list)
    # Largest request body of a form, in kilobytes; larger requests are refused (413) before
    # their body is read. Uploads (multipart) may be protokoll.upload_max_mb plus this.
    anfrage_max_kb: int = Field(default=256, ge=16)
    # Topic proposals one person may make for one Sitzung (one link).
    vorschlaege_je_sitzung: int = Field(default=5, ge=1)
    # Submissions through one personal link per minute (answers, comments, forms); more are
    # refused (429) before the body is read. No person types that fast; a leaked link in a script does.
    antworten_je_minute: int = Field(default=20, ge=1)


class DateiOptionen(Section):
    """How the scheduled refresh loads the files of one source (what ``daten laden`` takes as
    options): files whose name matches ``muster`` (``*`` and ``?``), the first entry that fits."""

    muster: str
    stichtag: date | None = None  # for files that name none
    unbekannte_ignorieren: bool = False  # keys outside the territory (a nationwide file)
    zuordnung: str | None = None  # the saved reading of the table assistant


class DatenSettings(Section):
    katalog: Path = Path("config/indikatoren.toml")
    geheimhaltung_schwelle: int = Field(default=3, ge=1, description="§16 BStatG; BA minimum")
    geheimhaltung_schwelle_kleinraeumig: int = Field(default=10, ge=1)
    einwohner_mindestzahl: int = Field(default=300, ge=0, description="index floor (Berlin MSS)")
    # Rates on fewer cases than this are flagged "( )": statistically unreliable.
    unsicher_unter: int = Field(default=20, ge=1)
    # Where the refresh flow finds the statistics files (GENESIS CSV, BA workbooks, own tables).
    quellen_ordner: Path = Path("var/statistik")
    # Per source ([[daten.dateien]]): Stichtag, foreign keys, saved reading, by file name pattern.
    dateien: list[DateiOptionen] = Field(default_factory=list)
    # "werte": outputs show values (confidentiality applied); "nur_monitor" (Zwickau): the public
    # sees the index and its classes only, a Kommune the values of its released Gemeinden.
    veroeffentlichung: Literal["werte", "nur_monitor"] = "werte"

    def optionen_fuer(self, dateiname: str) -> DateiOptionen:
        from fnmatch import fnmatch

        for optionen in self.dateien:
            if fnmatch(dateiname.lower(), optionen.muster.lower()):
                return optionen
        return DateiOptionen(muster="*")


class FristenSettings(Section):
    # Days before a due date on which the responsible person is reminded (each stage once).
    erinnerung_tage: list[int] = Field(default_factory=lambda: [90, 30, 7])
    # One weekly digest per recipient instead of single reminders.
    wochenuebersicht: bool = False
    wochenuebersicht_wochentag: int = Field(default=0, ge=0, le=6, description="0 = Montag")
    # Overdue items go to geschaeftsstelle.leitung this many days after the due date.
    eskalation_nach_tagen: int = Field(default=1, ge=0)
    # The report's yellow light: due within this many days.
    bald_faellig_tage: int = Field(default=30, ge=1)
    # Milestones of a Fortschreibung per plan type (months before the due date).
    meilensteine: Path = Path("config/fristen.toml")
    # The council information system's OParl API (system or body URL) for the weekly import.
    oparl_url: str | None = None
    # Gremien that decide (name, Kurzname or OParl id), for council systems whose Beratungen name
    # no role (STERNBERG); empty: the Kreistag / Stadtrat / Gemeinderat among the Gremien.
    oparl_entscheidungsgremien: list[str] = Field(default_factory=list)


class ProtokollSettings(Section):
    # Days the Protokollführung has for the draft (again after a return).
    entwurf_frist_tage: int = Field(default=14, ge=1)
    # Days participants may comment on a submitted draft.
    kommentar_tage: int = Field(default=7, ge=1)
    # Reminder to the Protokollführung this many days before the draft is due.
    erinnerung_vor_frist_tage: int = Field(default=2, ge=0)
    # Late drafts go to the Geschäftsstelle this many days after the due date.
    eskalation_nach_tagen: int = Field(default=0, ge=0)
    # Hours the approval waits before it reminds the Geschäftsstelle (it never approves itself).
    freigabe_erinnerung_stunden: float = Field(default=72, gt=0)
    # Reminders per flow run before the run ends; the daily run starts a new one.
    freigabe_erinnerungen_je_lauf: int = Field(default=3, ge=0)
    # Largest uploaded draft document, in megabytes.
    upload_max_mb: float = Field(default=10, gt=0)


class BetriebSettings(Section):
    """Operations: the daily planning cycle and ``sozialforum serve``."""

    # The conference pack is assembled this many days before the invitations go out, so the
    # Geschäftsstelle can look at the agenda first.
    vorbereitung_vorlauf_tage: int = Field(default=3, ge=0)
    # Held Sitzungen without a Protokoll are looked for this many days back.
    protokoll_suchzeitraum_tage: int = Field(default=60, ge=1)
    # The leadership report is made once a month, from this day of the month on.
    leitungsbericht_tag: int = Field(default=1, ge=1, le=28)
    # A failed action is tried again on the following days, at most this often in all.
    max_versuche: int = Field(default=3, ge=1)
    # ``sozialforum serve`` starts its own Prefect server on this port (loopback) unless
    # prefect_api_url (or the environment variable PREFECT_API_URL) names one.
    prefect_port: int = Field(default=4200, ge=1, le=65535)
    prefect_api_url: str | None = None
    # Alarms (a delivery failing for too long) go out once, by a channel that does not depend on
    # the mail server: appended as a JSON line to this file (for the monitoring) and/or posted as
    # JSON to this webhook (e.g. the administration's chat).
    alarm_datei: Path | None = None
    alarm_webhook: str | None = None
    # A message still not delivered this many hours after its first failed attempt raises an alarm.
    alarm_nach_stunden: float = Field(default=24, gt=0)
    # Flow runs send a heartbeat this often (seconds, at least 30 as Prefect allows); a run
    # silent for three heartbeats is set "Crashed" by the automation that 'sozialforum serve' and
    # 'sozialforum doctor --reparieren' create on the Prefect server, which frees its
    # deployment's slot. Prefect's own default is 180: keep 3 × this value above that.
    herzschlag_sekunden: int = Field(default=90, ge=30)


class StrategieSettings(Section):
    # Scores per criterion (Leitsatz) when applications are reviewed: 0 … max_punkte.
    max_punkte: int = Field(default=5, ge=1, le=100)
    # Days a project's responsible person has to report in an evaluation round.
    bericht_frist_tage: int = Field(default=28, ge=1)
    # Reminder this many days before that deadline (once).
    erinnerung_vor_frist_tage: int = Field(default=7, ge=0)
    # Days after the funded period by which the Verwendungsnachweis is due.
    nachweis_frist_tage: int = Field(default=180, ge=1)
    # Dynamisierung of next year's funding: tariff increase per pay group (percent), a default
    # for groups not listed and a rate for material costs; or one flat percentage for everything.
    dynamisierung_tarif: dict[str, float] = Field(default_factory=dict)
    dynamisierung_tarif_standard_prozent: float = Field(default=0, ge=-50, le=50)
    dynamisierung_sachkosten_prozent: float = Field(default=0, ge=-50, le=50)
    dynamisierung_pauschal_prozent: float | None = Field(default=None, ge=-50, le=50)


class AblageSettings(Section):
    """Where outputs (reports, minutes, .eml without SMTP, statistics deliveries) are kept so
    every machine and the portal can read them: a folder (embedded default) or an S3-compatible
    object store (MinIO, SeaweedFS) for several machines."""

    art: Literal["ordner", "s3"] = "ordner"
    # The folder for art = "ordner"; unset: data_dir itself (reports are under data_dir/berichte).
    ordner: Path | None = None
    s3_endpunkt: str | None = None
    s3_bucket: str | None = None
    s3_region: str = "us-east-1"
    s3_zugangsschluessel: str | None = None
    # Better from the environment: SOZIALFORUM_ABLAGE__S3_GEHEIMNIS.
    s3_geheimnis: SecretStr | None = None


class VerzeichnisSettings(Section):
    """Staff login against the administration's directory (LDAP, Active Directory); off unless
    ``aktiv``. Local accounts with a password keep logging in locally."""

    aktiv: bool = False
    # ldaps://host:636 (TLS from the start) or ldap://host:389 (with starttls = true).
    url: str = Field(default="", pattern=r"^(ldaps?://\S+)?$")
    starttls: bool = False
    # Certificate of the own certificate authority (PEM) for ldaps:// and STARTTLS; unset: the system's.
    ca_datei: Path | None = None
    # Service account that searches users and groups; unset: anonymous search.
    bind_dn: str | None = None
    # Better from the environment: SOZIALFORUM_VERZEICHNIS__BIND_PASSWORT.
    bind_passwort: SecretStr | None = None
    basis_dn: str = ""
    # {name} is the login name, escaped per RFC 4515 (Active Directory: (sAMAccountName={name})).
    benutzer_filter: str = "(&(objectClass=person)(uid={name}))"
    anzeigename_attribut: str = "displayName"
    # Attribute of the user entry listing the DNs of the user's groups (memberOf); "" for none.
    gruppen_attribut: str = "memberOf"
    # Also search groups below this DN with gruppen_filter ({dn}: the user's DN, escaped); unset: no search.
    gruppen_basis_dn: str | None = None
    gruppen_filter: str = "(&(objectClass=groupOfNames)(member={dn}))"
    # Group DN = role. A user in several groups gets the first role of: geschaeftsstelle, leitung,
    # fachamt, kommune. A user in none of the groups is refused (and the local account deactivated).
    rollen: dict[str, Literal["geschaeftsstelle", "leitung", "fachamt", "kommune"]] = Field(default_factory=dict)
    timeout_sekunden: int = Field(default=5, ge=1, le=60)

    @model_validator(mode="after")
    def _vollstaendig(self) -> VerzeichnisSettings:
        if not self.aktiv:
            return self
        if not self.url:
            raise ValueError("url fehlt (ldaps://… oder ldap://…)")
        if not self.basis_dn:
            raise ValueError("basis_dn fehlt")
        if "{name}" not in self.benutzer_filter:
            raise ValueError("benutzer_filter braucht den Platzhalter {name}")
        if not self.gruppen_attribut and not self.gruppen_basis_dn:
            raise ValueError("weder gruppen_attribut noch gruppen_basis_dn: so hat niemand eine Gruppe")
        if self.gruppen_basis_dn and "{dn}" not in self.gruppen_filter:
            raise ValueError("gruppen_filter braucht den Platzhalter {dn}")
        if not self.rollen:
            raise ValueError("rollen ist leer: ohne Gruppe = Rolle kommt niemand herein")
        if self.url.startswith("ldaps://") and self.starttls:
            raise ValueError("starttls passt nicht zu ldaps:// (dort ist TLS schon an)")
        return self


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SOZIALFORUM_", env_nested_delimiter="__", extra="forbid")

    kommune: str = "Landkreis Musterland"
    data_dir: Path = Path("var")
    database_url: str | None = None
    geschaeftsstelle: GeschaeftsstelleSettings = Field(default_factory=GeschaeftsstelleSettings)
    rechtliches: RechtlichesSettings = Field(default_factory=RechtlichesSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    portal: PortalSettings = Field(default_factory=PortalSettings)
    daten: DatenSettings = Field(default_factory=DatenSettings)
    fristen: FristenSettings = Field(default_factory=FristenSettings)
    protokoll: ProtokollSettings = Field(default_factory=ProtokollSettings)
    konferenz: KonferenzSettings = Field(default_factory=KonferenzSettings)
    betrieb: BetriebSettings = Field(default_factory=BetriebSettings)
    strategie: StrategieSettings = Field(default_factory=StrategieSettings)
    ablage: AblageSettings = Field(default_factory=AblageSettings)
    verzeichnis: VerzeichnisSettings = Field(default_factory=VerzeichnisSettings)

    toml_file: ClassVar[Path | None] = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls.toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls.toml_file))
        return tuple(sources)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'sozialforum.db'}"

    @property
    def outbox_dir(self) -> Path:
        return self.mail.outbox_dir or self.data_dir / "outbox"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "berichte"

    def secret_key(self) -> str:
        """The signing key; generated on first use and kept (mode 0600) when not configured."""
        if self.portal.secret_key is not None:
            return self.portal.secret_key.get_secret_value()
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


_GERMAN_ERRORS = {
    "missing": "fehlt",
    "extra_forbidden": "ist unbekannt (Tippfehler?)",
    "int_parsing": "muss eine ganze Zahl sein",
    "float_parsing": "muss eine Zahl sein",
    "bool_parsing": "muss true oder false sein",
    "value_error": "ist ungültig",
    "literal_error": "muss einer dieser Werte sein",
    "greater_than": "ist zu klein",
    "greater_than_equal": "ist zu klein",
    "less_than_equal": "ist zu groß",
    "string_type": "muss ein Text sein",
    "list_type": "muss eine Liste sein",
}


def _german(error: Any) -> str:
    field = ".".join(str(part) for part in error["loc"]) or "(Datei)"
    text = _GERMAN_ERRORS.get(error["type"], "ist ungültig")
    if error["type"] == "literal_error":
        text += f" {error.get('ctx', {}).get('expected', '')}"
    if error["type"] == "value_error" and "email" in str(error.get("msg", "")).lower():
        text = "ist keine gültige E-Mail-Adresse"
    elif error["type"] == "value_error" and len(error["loc"]) == 1:
        # A section's own check (model_validator) says in German what is wrong.
        text = str(error.get("msg", "")).removeprefix("Value error, ")
        return f"  Abschnitt [{field}]: {text}"
    return f"  Feld {field}: {text} (Wert: {error.get('input')!r})"


def load_settings(config_file: Path | str | None = None, **overrides: Any) -> Settings:
    """Read and validate the settings; raise SettingsError with a German report."""
    path = Path(config_file or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)
    if config_file is not None and not path.exists():
        raise SettingsError(f"Konfigurationsdatei {path} nicht gefunden.")
    toml_file = path if path.exists() else None
    settings_cls = type("LoadedSettings", (Settings,), {"toml_file": toml_file})
    try:
        return settings_cls(**overrides)
    except ValidationError as exc:
        where = toml_file or "Umgebungsvariablen"
        lines = "\n".join(_german(error) for error in exc.errors())
        raise SettingsError(f"Konfigurationsfehler in {where}:\n{lines}") from None
    except ValueError as exc:  # TOML syntax
        raise SettingsError(f"Konfigurationsdatei {path} ist kein gültiges TOML: {exc}") from None

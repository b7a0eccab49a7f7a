"""Ways in: the portal (``[portal]``: links, sessions, throttling) and the staff login against
the directory (``[verzeichnis]``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator

from sozialforum.settings.abschnitt import Section


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
    # A login without a request for this long ends (an unlocked workstation in a shared office).
    leerlauf_minuten: int = Field(default=30, ge=1)
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

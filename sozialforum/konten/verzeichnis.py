"""Staff login against the administration's directory (LDAP, Active Directory; issue 12), off
unless ``[verzeichnis] aktiv``.

The check (``im_verzeichnis_pruefen``): bind as the service account (or anonymously), search the
user below ``basis_dn`` with ``benutzer_filter``, the login name escaped per RFC 4515 so that
``*)(uid=*`` is a name and not a filter; bind as the found entry with the given password (an
empty password is refused before: a simple bind with a DN and no password is an
"unauthenticated bind" that many servers accept); then read the user's groups — the DNs in
``gruppen_attribut`` (``memberOf``) and/or the groups found below ``gruppen_basis_dn`` — and map
them with ``rollen`` to a role, the first of ROLLEN_VORRANG the user has.

The login (``login``): with the directory on, an account that has a local password logs in
locally (``benutzer.login``), whatever the directory says; every other name is checked in the
directory. Success creates or updates the local account (``quelle = verzeichnis``, no local
password, the role from the groups at every login, the display name from the directory). A
user in none of the groups is refused and the local account deactivated; an account the
Geschäftsstelle (or the directory) deactivated stays so until the Geschäftsstelle reactivates it.
Failures count exactly as local ones (per account and address); the second factor (TOTP) is
asked as for local accounts. An unreachable directory refuses with "Verzeichnisdienst nicht
erreichbar" and never falls back to anything.
"""

from __future__ import annotations

import logging
import re
import ssl
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ldap3 import NONE, SIMPLE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from sqlmodel import Session, select

from sozialforum.konten import benutzer
from sozialforum.settings import Settings, VerzeichnisSettings
from sozialforum.store.models.portal import Benutzer
from sozialforum.vocab import BenutzerQuelle, BenutzerRolle, SitzungEnde

log = logging.getLogger(__name__)

# A user in groups of several roles gets the first of these (the most rights first: whoever is
# in the Geschäftsstelle's group works as Geschäftsstelle, even if also in the Leitung's).
ROLLEN_VORRANG = (BenutzerRolle.GESCHAEFTSSTELLE, BenutzerRolle.LEITUNG, BenutzerRolle.FACHAMT, BenutzerRolle.KOMMUNE)
# LDAP result codes that mean "not this name/password" rather than "the server has a problem":
# invalidCredentials (49; Active Directory also for locked and expired accounts) and
# inappropriateAuthentication (48).
_ABGELEHNT = {48, 49}


class VerzeichnisNichtErreichbar(benutzer.AnmeldungFehlgeschlagen):
    """The directory did not answer (or refused the service account): nobody logs in by it."""

    status = 503

    def __init__(self, detail: str) -> None:
        super().__init__(
            meldung="Verzeichnisdienst nicht erreichbar: die Anmeldung ist gerade nicht möglich. "
            "Bitte versuchen Sie es später noch einmal oder wenden Sie sich an die IT."
        )
        self.detail = detail


class KeineGruppe(benutzer.AnmeldungFehlgeschlagen):
    """The password was right, but the user is in none of the groups of ``rollen``."""

    status = 403

    def __init__(self) -> None:
        super().__init__(
            meldung="Ihr Konto im Verzeichnis gehört zu keiner Gruppe, die sozialforum nutzen darf. "
            "Bitte wenden Sie sich an die Geschäftsstelle Sozialplanung."
        )


class KontoGesperrt(benutzer.AnmeldungFehlgeschlagen):
    status = 403

    def __init__(self) -> None:
        super().__init__(meldung="Ihr Konto ist gesperrt. Bitte wenden Sie sich an die Geschäftsstelle Sozialplanung.")


@dataclass(frozen=True)
class VerzeichnisKonto:
    """What the directory says about a user whose password it accepted."""

    dn: str
    anzeigename: str
    gruppen: tuple[str, ...]
    rolle: BenutzerRolle | None


def dn_schluessel(dn: str) -> str:
    """A DN for comparison: attribute types and values in lower case, no spaces around ``,``
    and ``=`` (``CN=Leitung, OU=Gruppen`` and ``cn=leitung,ou=gruppen`` are one group)."""
    teile = re.split(r"(?<!\\),", dn)
    rdns = []
    for teil in teile:
        typ, _, wert = teil.partition("=")
        rdns.append(f"{typ.strip().lower()}={wert.strip().lower()}")
    return ",".join(rdns)


def rolle_aus_gruppen(config: VerzeichnisSettings, gruppen: tuple[str, ...]) -> BenutzerRolle | None:
    """The role of the first of ROLLEN_VORRANG any of ``gruppen`` is mapped to, or None."""
    vorhanden = {dn_schluessel(g) for g in gruppen}
    rollen = {BenutzerRolle(r) for dn, r in config.rollen.items() if dn_schluessel(dn) in vorhanden}
    return next((r for r in ROLLEN_VORRANG if r in rollen), None)


def benutzer_filter(config: VerzeichnisSettings, name: str) -> str:
    """The search filter for a login name, the name escaped per RFC 4515 (``*``, ``(``, ``)``,
    ``\\`` and NUL become ``\\2a`` …), so it can never add to the filter."""
    return config.benutzer_filter.replace("{name}", escape_filter_chars(name))


def _server(config: VerzeichnisSettings) -> Server:
    tls = Tls(
        validate=ssl.CERT_REQUIRED,
        ca_certs_file=str(config.ca_datei) if config.ca_datei else None,
        version=ssl.PROTOCOL_TLS_CLIENT,
    )
    return Server(
        config.url,
        use_ssl=config.url.startswith("ldaps://"),
        tls=tls,
        get_info=NONE,
        connect_timeout=config.timeout_sekunden,
    )


def _verbinden(config: VerzeichnisSettings, server: Server, dn: str | None, passwort: str | None) -> Connection:
    """An open connection (STARTTLS done when configured), not yet bound."""
    conn = Connection(
        server,
        user=dn,
        password=passwort,
        authentication=SIMPLE if dn else None,
        auto_bind="NONE",
        read_only=True,
        auto_referrals=False,
        receive_timeout=config.timeout_sekunden,
        raise_exceptions=False,
    )
    conn.open()
    if config.starttls and not conn.start_tls():
        conn.unbind()
        raise VerzeichnisNichtErreichbar(f"STARTTLS abgelehnt: {conn.result}")
    return conn


def _ergebnis(conn: Connection) -> str:
    result: dict[str, Any] = conn.result or {}
    return f"{result.get('description', '?')} ({result.get('result', '?')}): {result.get('message', '')}".strip()


def _eintraege(conn: Connection) -> list[dict[str, Any]]:
    return [r for r in (conn.response or []) if r.get("type") == "searchResEntry"]


def _dienst(config: VerzeichnisSettings, server: Server) -> Connection:
    """The service account's connection (anonymous without ``bind_dn``)."""
    passwort = config.bind_passwort.get_secret_value() if config.bind_passwort else None
    conn = _verbinden(config, server, config.bind_dn, passwort)
    if not conn.bind():
        detail = _ergebnis(conn)
        conn.unbind()
        raise VerzeichnisNichtErreichbar(f"Anmeldung des Dienstkontos {config.bind_dn or '(anonym)'}: {detail}")
    return conn


def _werte(attributes: dict[str, Any], name: str) -> list[str]:
    """An attribute's values whatever the case of its name (memberOf, memberof)."""
    for key, value in attributes.items():
        if key.lower() == name.lower():
            return [str(v) for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]
    return []


def _gruppen(config: VerzeichnisSettings, conn: Connection, dn: str, attributes: dict[str, Any]) -> tuple[str, ...]:
    gruppen = _werte(attributes, config.gruppen_attribut) if config.gruppen_attribut else []
    if config.gruppen_basis_dn:
        suchfilter = config.gruppen_filter.replace("{dn}", escape_filter_chars(dn))
        gefunden = conn.search(config.gruppen_basis_dn, suchfilter, search_scope=SUBTREE, attributes=[])
        if not gefunden and (conn.result or {}).get("result") != 0:  # 0 and nothing found: no groups
            raise VerzeichnisNichtErreichbar(f"Gruppensuche unter {config.gruppen_basis_dn}: {_ergebnis(conn)}")
        gruppen += [str(e["dn"]) for e in _eintraege(conn)]
    return tuple(dict.fromkeys(gruppen))


def im_verzeichnis_pruefen(config: VerzeichnisSettings, name: str, passwort: str) -> VerzeichnisKonto | None:
    """Check name and password in the directory; the user's entry, groups and role, or None for
    an unknown name, a wrong or empty password, or a name that matches several entries.
    Raises VerzeichnisNichtErreichbar when the directory cannot answer."""
    if not passwort or not name:
        return None
    server = _server(config)
    try:
        conn = _dienst(config, server)
        try:
            attribute = [a for a in (config.anzeigename_attribut, "cn", config.gruppen_attribut) if a]
            if not conn.search(
                config.basis_dn, benutzer_filter(config, name), search_scope=SUBTREE, attributes=attribute, size_limit=2
            ) and (conn.result or {}).get("result") not in (0, 4):  # 4: sizeLimitExceeded, two entries
                raise VerzeichnisNichtErreichbar(f"Benutzersuche unter {config.basis_dn}: {_ergebnis(conn)}")
            treffer = _eintraege(conn)
            if len(treffer) != 1:
                return None
            dn, attributes = str(treffer[0]["dn"]), dict(treffer[0].get("attributes") or {})
            nutzer = _verbinden(config, server, dn, passwort)
            try:
                if not nutzer.bind():
                    if (nutzer.result or {}).get("result") in _ABGELEHNT:
                        return None
                    raise VerzeichnisNichtErreichbar(f"Anmeldung als {dn}: {_ergebnis(nutzer)}")
            finally:
                nutzer.unbind()
            gruppen = _gruppen(config, conn, dn, attributes)
        finally:
            conn.unbind()
    except LDAPException as exc:
        raise VerzeichnisNichtErreichbar(f"{type(exc).__name__}: {exc}") from None
    except OSError as exc:  # ssl.SSLError among them
        raise VerzeichnisNichtErreichbar(f"{type(exc).__name__}: {exc}") from None
    anzeigename = next(iter(_werte(attributes, config.anzeigename_attribut) + _werte(attributes, "cn")), name)
    rolle = rolle_aus_gruppen(config, gruppen)
    return VerzeichnisKonto(dn=dn, anzeigename=anzeigename[:200], gruppen=gruppen, rolle=rolle)


def verbindung_pruefen(config: VerzeichnisSettings) -> str:
    """Bind as the service account and read the base DN (for ``sozialforum doctor``); what was
    reached. Raises VerzeichnisNichtErreichbar with the reason."""
    server = _server(config)
    try:
        conn = _dienst(config, server)
        try:
            if not conn.search(config.basis_dn, "(objectClass=*)", search_scope="BASE", attributes=[]):
                raise VerzeichnisNichtErreichbar(f"Basis-DN {config.basis_dn}: {_ergebnis(conn)}")
        finally:
            conn.unbind()
    except LDAPException as exc:
        raise VerzeichnisNichtErreichbar(f"{type(exc).__name__}: {exc}") from None
    except OSError as exc:
        raise VerzeichnisNichtErreichbar(f"{type(exc).__name__}: {exc}") from None
    return f"{config.url}, Basis {config.basis_dn}, als {config.bind_dn or 'anonym'}"


def konto_uebernehmen(session: Session, name: str, konto: VerzeichnisKonto, *, now: datetime) -> Benutzer | None:
    """Create or update the local account of a directory user; None when the user has no role
    and no account yet. Without a role an existing account is deactivated (its sessions end)."""
    user = session.exec(select(Benutzer).where(Benutzer.name == name)).first()
    if konto.rolle is None:
        if user is not None and user.aktiv:
            user.aktiv = False
            benutzer.end_sessions(session, user, now=now, grund=SitzungEnde.GESPERRT)
            session.add(user)
            session.flush()
        return user
    if user is None:
        user = Benutzer(name=name, anzeigename=konto.anzeigename, passwort_hash="", erstellt_am=now)
    user.quelle, user.passwort_hash = BenutzerQuelle.VERZEICHNIS, ""
    user.anzeigename, user.rolle = konto.anzeigename, konto.rolle
    session.add(user)
    session.flush()
    return user


def hat_lokales_passwort(user: Benutzer | None) -> bool:
    return user is not None and user.quelle == BenutzerQuelle.LOKAL and bool(user.passwort_hash)


def passwort_stimmt(settings: Settings, user: Benutzer, password: str) -> bool:
    """Whether ``password`` is the account's: the local one, or for an account of the directory
    (with the directory on) the directory's. Raises ValueError (German) when it is unreachable."""
    if hat_lokales_passwort(user) or not settings.verzeichnis.aktiv:
        return benutzer.verify_password(password, user.passwort_hash)
    try:
        return im_verzeichnis_pruefen(settings.verzeichnis, user.name, password) is not None
    except VerzeichnisNichtErreichbar as exc:
        raise ValueError(str(exc)) from None


def login(
    session: Session,
    *,
    name: str,
    password: str,
    now: datetime,
    settings: Settings,
    adresse: str = "unbekannt",
    code: str = "",
) -> tuple[Benutzer, str]:
    """The staff login with the directory on (see the module docstring); like ``benutzer.login``
    returns the user and the session cookie's value, and raises AnmeldungFehlgeschlagen (or
    one of this module's subclasses). The caller commits failure counts and deactivations."""
    config = settings.verzeichnis
    name = name.strip().lower()[:80]
    user = session.exec(select(Benutzer).where(Benutzer.name == name)).first()
    if not config.aktiv or hat_lokales_passwort(user):
        return benutzer.login(
            session, name=name, password=password, now=now, settings=settings, adresse=adresse, code=code
        )
    benutzer.pruefe_sperre(session, name=name, adresse=adresse, now=now, settings=settings)
    try:
        konto = im_verzeichnis_pruefen(config, name, password)
    except VerzeichnisNichtErreichbar as exc:
        log.warning("Verzeichnisdienst nicht erreichbar bei der Anmeldung von %r: %s", name, exc.detail)
        raise
    if konto is None:
        benutzer.fehlversuch(session, name=name, adresse=adresse, now=now, settings=settings)
    user = konto_uebernehmen(session, name, konto, now=now)
    if konto.rolle is None:
        raise KeineGruppe
    assert user is not None
    if not user.aktiv:
        raise KontoGesperrt
    if user.totp_geheimnis and not benutzer.zweiter_faktor_stimmt(user, code, now):
        benutzer.fehlversuch(session, name=name, adresse=adresse, now=now, settings=settings)
    return user, benutzer.sitzung_oeffnen(session, user, name=name, adresse=adresse, now=now, settings=settings)

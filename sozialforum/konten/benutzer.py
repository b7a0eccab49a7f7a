"""Staff accounts (issue 12): roles, scrypt password hashes, an optional TOTP second factor,
login sessions, and throttling of failed logins.

Throttling (so that nobody can spray passwords, and nobody can lock a colleague out), with the
limits of ``[portal]``: failures are counted per (account, client address) — after
``fehlversuche_max`` that account is locked for that address only —, per address over all
accounts (``anmeldung_fehlversuche_je_adresse``, then the address is locked altogether), and per
account name over all addresses (``anmeldung_fehlversuche_je_name``, then the name is locked for
every address that failed lately, never for one that has not). The pair and address locks grow:
one soon after the last is twice as long (up to ``anmeldung_sperre_hoechstens_minuten``). A
stranger elsewhere exhausts only his own address's budget; the colleague's login still works.

Passwords are hashed with ``hashlib.scrypt`` (RFC 7914; n=2**14, r=8, p=1, 16-byte salt), stored
as ``scrypt$n$r$p$salt$hash``. The session cookie carries a random secret; the store keeps only
its SHA-256, so a copy of the database opens no session.

A session ends after ``anmeldung_stunden`` in any case, and earlier when no request came for
``leerlauf_minuten`` (a workstation left unlocked). The last request is written at most once a
``AKTIVITAET_SCHRITT``, so most requests read the session without writing it; the idle time
therefore counts from up to a minute before the last request (a session ends a little early,
never late).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any, NoReturn

import sqlalchemy as sa
from sqlmodel import Session, col, select

from sozialforum.konten import fehlversuche, totp
from sozialforum.settings import Settings
from sozialforum.store.models.portal import Benutzer, BenutzerSitzung
from sozialforum.timeutil import format_datum_kurz, format_uhrzeit
from sozialforum.vocab import BenutzerQuelle, BenutzerRolle, SitzungEnde

_N, _R, _P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 12
AKTIVITAET_SCHRITT = timedelta(minutes=1)


class Leerlauf(Exception):
    """The session had no request for longer than ``portal.leerlauf_minuten``: it has ended."""


class AnmeldungFehlgeschlagen(Exception):
    """Wrong name or password, or locked; the message never says which. ``status`` is the HTTP
    status of the login page that says so (subclasses: the directory's reasons); ``bis`` when
    a lock ends (then status 429)."""

    status = 401

    def __init__(self, gesperrt: bool = False, *, meldung: str | None = None, bis: datetime | None = None) -> None:
        self.gesperrt = gesperrt
        self.bis = bis
        if gesperrt:
            self.status = 429
        super().__init__(meldung or (_gesperrt_meldung(bis) if gesperrt else FALSCH))


FALSCH = "Benutzername oder Passwort (oder Sicherheitscode) ist falsch."


def _gesperrt_meldung(bis: datetime | None) -> str:
    wann = f"ab {format_datum_kurz(bis)}, {format_uhrzeit(bis)}" if bis is not None else "in einigen Minuten"
    return (
        f"Zu viele fehlgeschlagene Anmeldungen. Bitte versuchen Sie es {wann} wieder; wenn Sie Ihr "
        "Passwort vergessen haben, wenden Sie sich an die Geschäftsstelle."
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = hashlib.scrypt(
            password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


# Verifying against this when the user does not exist keeps the timing the same (no user probing).
@functools.cache
def _dummy_hash() -> str:
    """Checked against when the user does not exist, so that a wrong name takes as long as a
    wrong password; computed on first use, not at every import of the command line (scrypt)."""
    return hash_password("unbenutzt", salt=b"\0" * 16)


def check_new_password(password: str) -> str | None:
    """Why a password is not acceptable (German), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein."
    return None


def _check_binding(rolle: BenutzerRolle, organisation_id: int | None, person_id: int | None) -> None:
    if rolle == BenutzerRolle.FACHAMT and organisation_id is None and person_id is None:
        raise ValueError("Ein Fachamt-Konto braucht ein Amt oder eine verantwortliche Person.")
    if rolle == BenutzerRolle.KOMMUNE and person_id is None:
        raise ValueError("Ein Kommune-Konto braucht die Person, der Gemeindedaten freigegeben sind.")


def create_user(
    session: Session,
    *,
    name: str,
    anzeigename: str,
    password: str,
    now: datetime,
    rolle: BenutzerRolle | None = None,
    organisation_id: int | None = None,
    person_id: int | None = None,
) -> Benutzer:
    """Create or update a user (an existing name gets the new password and is reactivated, and
    its open sessions end: a reset after a leaked password must shut out whoever used it).

    ``rolle`` None: a new user belongs to the Geschäftsstelle, an existing one keeps role and
    binding (resetting a password never changes what the account may do)."""
    problem = check_new_password(password)
    if problem:
        raise ValueError(problem)
    name = name.strip().lower()
    if not name or not name.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise ValueError("Der Benutzername darf nur Buchstaben, Ziffern, Punkt, - und _ enthalten.")
    if not anzeigename.strip():
        raise ValueError("Bitte geben Sie den Namen der Person an.")
    if rolle is not None:
        _check_binding(rolle, organisation_id, person_id)
    user = session.exec(select(Benutzer).where(Benutzer.name == name)).first()
    if user is None:
        user = Benutzer(name=name, anzeigename=anzeigename, passwort_hash="", erstellt_am=now)
    else:
        end_sessions(session, user, now=now, grund=SitzungEnde.PASSWORT)
    user.anzeigename, user.passwort_hash, user.aktiv = anzeigename.strip(), hash_password(password), True
    user.quelle = BenutzerQuelle.LOKAL  # a local password makes a directory account a local one
    if rolle is not None:
        user.rolle, user.organisation_id, user.person_id = rolle, organisation_id, person_id
    session.add(user)
    session.flush()
    return user


def update_user(
    session: Session,
    user: Benutzer,
    *,
    anzeigename: str,
    rolle: BenutzerRolle,
    organisation_id: int | None,
    person_id: int | None,
    aktiv: bool,
    now: datetime,
    password: str | None = None,
    sitzung: str | None = None,
) -> Benutzer:
    """Change a user's role, binding, activity or password; a deactivated user's sessions end,
    and so do those of a changed password, but for ``sitzung`` (the hash of the session making
    the change: who changes her own password stays logged in, and only there)."""
    if not anzeigename.strip():
        raise ValueError("Bitte geben Sie den Namen der Person an.")
    _check_binding(rolle, organisation_id, person_id)
    if password:
        problem = check_new_password(password)
        if problem:
            raise ValueError(problem)
        user.passwort_hash, user.quelle = hash_password(password), BenutzerQuelle.LOKAL
    user.anzeigename, user.rolle = anzeigename.strip(), rolle
    user.organisation_id, user.person_id, user.aktiv = organisation_id, person_id, aktiv
    session.add(user)
    if not aktiv or password:
        grund = SitzungEnde.PASSWORT if aktiv else SitzungEnde.GESPERRT
        end_sessions(session, user, now=now, grund=grund, ausser=sitzung if aktiv else None)
    session.flush()
    return user


def end_sessions(
    session: Session, user: Benutzer, *, now: datetime, grund: SitzungEnde, ausser: str | None = None
) -> None:
    """End the user's open sessions (all, or all but the one whose hash is ``ausser``)."""
    for row in session.exec(
        select(BenutzerSitzung).where(BenutzerSitzung.benutzer_id == user.id, BenutzerSitzung.beendet_am == None)  # noqa: E711
    ).all():
        if row.token_hash != ausser:
            row.beendet_am, row.beendet_grund = now, grund
            session.add(row)


def set_totp(
    session: Session, user: Benutzer, *, secret: str | None, code: str, now: datetime, sitzung: str | None = None
) -> None:
    """Switch the second factor on (the code proves the app has the secret) or off. Every other
    session of the user ends (``sitzung``: the hash of the one that made the change): whoever
    logged in with a leaked password must not stay in once the account is secured."""
    step = totp.step_of(secret, code, now) if secret is not None else None
    if secret is not None and step is None:
        raise ValueError("Der Sicherheitscode stimmt nicht. Bitte geben Sie den aktuellen Code aus der App ein.")
    user.totp_geheimnis, user.totp_letzter_schritt = secret, step  # the code just shown counts as used
    session.add(user)
    end_sessions(session, user, now=now, grund=SitzungEnde.ZWEITER_FAKTOR, ausser=sitzung)
    session.flush()


def zweiter_faktor_stimmt(user: Benutzer, code: str, now: datetime) -> bool:
    """The code of the user's second factor, not used before; remembers its step (the caller
    commits it with the login or the switch)."""
    assert user.totp_geheimnis is not None
    step = totp.step_of(user.totp_geheimnis, code, now)
    if step is None or (user.totp_letzter_schritt is not None and step <= user.totp_letzter_schritt):
        return False
    user.totp_letzter_schritt = step
    return True


def _schluessel(name: str, adresse: str) -> tuple[str, str, str]:
    """The throttling keys of a login: the (account, address) pair, the address, the name."""
    return f"login:{name}|{adresse}", f"anmeldung:{adresse}", f"anmeldung-name:{name}"


def _fenster(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.portal.fehlversuche_fenster_minuten)


def pruefe_sperre(session: Session, *, name: str, adresse: str, now: datetime, settings: Settings) -> None:
    """Raise AnmeldungFehlgeschlagen(gesperrt) while the pair or the address is locked, or the
    name is locked and this address failed lately (an address without failures always passes
    the name's lock, so nobody can lock a colleague out from elsewhere)."""
    pair_key, address_key, name_key = _schluessel(name, adresse)
    ends = [fehlversuche.blocked_until(session, key, now=now) for key in (pair_key, address_key)]
    name_lock = fehlversuche.blocked_until(session, name_key, now=now)
    if name_lock is not None and fehlversuche.has_failed(session, address_key, now=now, fenster=_fenster(settings)):
        ends.append(name_lock)
    if until := max((end for end in ends if end is not None), default=None):
        raise AnmeldungFehlgeschlagen(gesperrt=True, bis=until)


def fehlversuch(session: Session, *, name: str, adresse: str, now: datetime, settings: Settings) -> NoReturn:
    """Count a failed login against the pair, the address and the name, then raise
    AnmeldungFehlgeschlagen (locked once a budget is used up)."""
    portal = settings.portal
    pair_key, address_key, name_key = _schluessel(name, adresse)
    limits: dict[str, Any] = {
        "now": now,
        "fenster": _fenster(settings),
        "sperre": timedelta(minutes=portal.sperre_minuten),
    }
    growing = timedelta(minutes=portal.anmeldung_sperre_hoechstens_minuten)
    fehlversuche.record_failure(session, pair_key, maximum=portal.fehlversuche_max, sperre_hoechstens=growing, **limits)
    fehlversuche.record_failure(
        session, address_key, maximum=portal.anmeldung_fehlversuche_je_adresse, sperre_hoechstens=growing, **limits
    )
    fehlversuche.record_failure(session, name_key, maximum=portal.anmeldung_fehlversuche_je_name, **limits)
    pruefe_sperre(session, name=name, adresse=adresse, now=now, settings=settings)  # raises when now locked
    raise AnmeldungFehlgeschlagen


def sitzung_oeffnen(
    session: Session, user: Benutzer, *, name: str, adresse: str, now: datetime, settings: Settings
) -> str:
    """After a successful login: forget the pair's failures, open a session, return the cookie value."""
    fehlversuche.clear(session, _schluessel(name, adresse)[0])
    assert user.id is not None
    secret = secrets.token_urlsafe(32)
    session.add(
        BenutzerSitzung(
            token_hash=hashlib.sha256(secret.encode()).hexdigest(),
            benutzer_id=user.id,
            erstellt_am=now,
            gueltig_bis=now + timedelta(hours=settings.portal.anmeldung_stunden),
            zuletzt_aktiv_am=now,
        )
    )
    user.letzte_anmeldung_am = now
    session.add(user)
    session.flush()
    return secret


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
    """Check password (and TOTP code, if the user has one) and open a session; return the user
    and the cookie value. Failures count against the (account, address) pair and the address
    (see the module docstring); the caller commits the counts. Accounts of the directory have
    no local password and never log in here (``konten.verzeichnis.login``)."""
    name = name.strip().lower()[:80]
    pruefe_sperre(session, name=name, adresse=adresse, now=now, settings=settings)
    user = session.exec(select(Benutzer).where(Benutzer.name == name)).first()
    stored = user.passwort_hash if user is not None else ""
    # An account without a local password (from the directory) takes as long and never matches.
    valid = verify_password(password, stored or _dummy_hash()) and bool(stored)
    if valid and user is not None and user.totp_geheimnis:
        valid = zweiter_faktor_stimmt(user, code, now)
    if user is None or not user.aktiv or not valid:
        fehlversuch(session, name=name, adresse=adresse, now=now, settings=settings)
    return user, sitzung_oeffnen(session, user, name=name, adresse=adresse, now=now, settings=settings)


def session_user(session: Session, cookie: str, *, now: datetime, leerlauf: timedelta) -> tuple[Benutzer, str] | None:
    """The user of a live session cookie and the session's hash, or None; ``Leerlauf`` when the
    session had no request for ``leerlauf`` (then it is marked ended, as of the moment it
    expired, and stays refused with ``Leerlauf`` so that the notice is shown again). Records
    this request as the session's last one when the recorded one is ``AKTIVITAET_SCHRITT`` old.
    The caller commits either change, also when it turns ``Leerlauf`` into a refusal."""
    token_hash = hashlib.sha256(cookie.encode("utf-8", "replace")).hexdigest()
    row = session.exec(select(BenutzerSitzung).where(BenutzerSitzung.token_hash == token_hash)).first()
    if row is None or row.gueltig_bis <= now:
        return None
    if row.beendet_grund == SitzungEnde.LEERLAUF:
        raise Leerlauf
    if row.beendet_am is not None:
        return None
    zuletzt = row.zuletzt_aktiv_am or row.erstellt_am
    if now - zuletzt >= leerlauf:
        row.beendet_am, row.beendet_grund = zuletzt + leerlauf, SitzungEnde.LEERLAUF
        session.add(row)
        raise Leerlauf
    user = session.get(Benutzer, row.benutzer_id)
    if user is None or not user.aktiv:
        return None
    if now - zuletzt >= AKTIVITAET_SCHRITT:
        row.zuletzt_aktiv_am = now
        session.add(row)
    return user, token_hash


def angemeldet(session: Session, *, now: datetime, leerlauf: timedelta) -> dict[int, int]:
    """Open sessions per account id (one grouped query): not ended, within their lifetime and
    not idle, also those whose idle end no request has discovered yet."""
    zuletzt = sa.func.coalesce(col(BenutzerSitzung.zuletzt_aktiv_am), col(BenutzerSitzung.erstellt_am))
    rows = session.execute(
        sa.select(col(BenutzerSitzung.benutzer_id), sa.func.count())
        .where(
            col(BenutzerSitzung.beendet_am).is_(None),
            col(BenutzerSitzung.gueltig_bis) > now,
            zuletzt > now - leerlauf,
        )
        .group_by(col(BenutzerSitzung.benutzer_id))
    )
    return {int(user_id): int(n) for user_id, n in rows}


def logout(session: Session, cookie: str, *, now: datetime) -> None:
    token_hash = hashlib.sha256(cookie.encode("utf-8", "replace")).hexdigest()
    row = session.exec(select(BenutzerSitzung).where(BenutzerSitzung.token_hash == token_hash)).first()
    if row is not None and row.beendet_am is None:
        row.beendet_am, row.beendet_grund = now, SitzungEnde.ABMELDUNG
        session.add(row)

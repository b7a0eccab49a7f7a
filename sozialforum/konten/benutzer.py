"""Geschäftsstelle users: scrypt password hashes, login sessions, lockout after failed logins.

Passwords are hashed with ``hashlib.scrypt`` (RFC 7914; n=2**14, r=8, p=1, 16-byte salt), stored
as ``scrypt$n$r$p$salt$hash``. The session cookie carries a random secret; the store keeps only
its SHA-256, so a copy of the database opens no session.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from sozialforum.konten import fehlversuche
from sozialforum.settings import Settings
from sozialforum.store.models.portal import Benutzer, BenutzerSitzung

_N, _R, _P = 2**14, 8, 1
MIN_PASSWORD_LENGTH = 12


class AnmeldungFehlgeschlagen(Exception):
    """Wrong name or password, or locked; the message never says which."""

    def __init__(self, gesperrt: bool = False) -> None:
        self.gesperrt = gesperrt
        super().__init__(
            "Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie einige Minuten."
            if gesperrt
            else "Benutzername oder Passwort ist falsch."
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


def create_user(session: Session, *, name: str, anzeigename: str, password: str, now: datetime) -> Benutzer:
    """Create or update a user (an existing name gets the new password and is reactivated)."""
    problem = check_new_password(password)
    if problem:
        raise ValueError(problem)
    name = name.strip().lower()
    if not name or not name.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise ValueError("Der Benutzername darf nur Buchstaben, Ziffern, Punkt, - und _ enthalten.")
    user = session.exec(select(Benutzer).where(Benutzer.name == name)).first()
    if user is None:
        user = Benutzer(name=name, anzeigename=anzeigename, passwort_hash="", erstellt_am=now)
    user.anzeigename, user.passwort_hash, user.aktiv = anzeigename, hash_password(password), True
    session.add(user)
    session.flush()
    return user


def login(session: Session, *, name: str, password: str, now: datetime, settings: Settings) -> tuple[Benutzer, str]:
    """Check the password and open a session; return the user and the cookie value.

    Failures are counted per login name; after ``fehlversuche_max`` the name is locked for a while
    (even the right password is refused then). The caller commits the failure count.
    """
    portal = settings.portal
    key = "login:" + name.strip().lower()[:80]
    if fehlversuche.blocked_until(session, key, now=now):
        raise AnmeldungFehlgeschlagen(gesperrt=True)
    user = session.exec(select(Benutzer).where(Benutzer.name == name.strip().lower())).first()
    valid = verify_password(password, user.passwort_hash if user else _dummy_hash())
    if user is None or not user.aktiv or not valid:
        locked = fehlversuche.record_failure(
            session,
            key,
            now=now,
            maximum=portal.fehlversuche_max,
            fenster=timedelta(minutes=portal.fehlversuche_fenster_minuten),
            sperre=timedelta(minutes=portal.sperre_minuten),
        )
        raise AnmeldungFehlgeschlagen(gesperrt=locked)
    fehlversuche.clear(session, key)
    assert user.id is not None
    secret = secrets.token_urlsafe(32)
    session.add(
        BenutzerSitzung(
            token_hash=hashlib.sha256(secret.encode()).hexdigest(),
            benutzer_id=user.id,
            erstellt_am=now,
            gueltig_bis=now + timedelta(hours=portal.anmeldung_stunden),
        )
    )
    user.letzte_anmeldung_am = now
    session.add(user)
    session.flush()
    return user, secret


def session_user(session: Session, cookie: str, *, now: datetime) -> tuple[Benutzer, str] | None:
    """The user of a live session cookie and the session's hash, or None."""
    token_hash = hashlib.sha256(cookie.encode("utf-8", "replace")).hexdigest()
    row = session.exec(select(BenutzerSitzung).where(BenutzerSitzung.token_hash == token_hash)).first()
    if row is None or row.beendet_am is not None or row.gueltig_bis <= now:
        return None
    user = session.get(Benutzer, row.benutzer_id)
    if user is None or not user.aktiv:
        return None
    return user, token_hash


def logout(session: Session, cookie: str, *, now: datetime) -> None:
    token_hash = hashlib.sha256(cookie.encode("utf-8", "replace")).hexdigest()
    row = session.exec(select(BenutzerSitzung).where(BenutzerSitzung.token_hash == token_hash)).first()
    if row is not None and row.beendet_am is None:
        row.beendet_am = now
        session.add(row)

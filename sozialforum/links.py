"""Personal links: unguessable, signed, expiring, scoped to one person, one purpose, one object.

A token is ``<secret>.<mac>``: ``secret`` is 24 random bytes (``secrets``), ``mac`` an HMAC-SHA256
under the installation's key over the purpose and the secret. A tampered or foreign token (or one
used for another purpose) fails the HMAC check before the database is asked; the store keeps only
the SHA-256 of the secret, so a copy of the database opens no link.

URLs: ``{portal.base_url}/{path}/{token}`` with ``path = link_path(zweck)``, e.g.
``/rueckmeldung/<token>``. Every portal router serves the path of its purpose.

Errors are typed and German and reveal nothing about the link or its person:
``LinkUngueltig`` (403: tampered, unknown, wrong purpose), ``LinkAbgelaufen`` and
``LinkWiderrufen`` (410).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from sqlmodel import Session, col

from sozialforum.settings import Settings
from sozialforum.store.direct import DirectStatement, direct
from sozialforum.store.models.akteure import Person
from sozialforum.store.models.base import table_of
from sozialforum.store.models.kommunikation import PersonalLink
from sozialforum.timeutil import as_utc
from sozialforum.vocab import LinkZweck

_SECRET_BYTES = 24
_MAC_CHARS = 32  # 192 bits of the HMAC, base64url


class LinkError(Exception):
    """A personal link cannot be used. ``status_code`` and ``titel``/``meldung`` are for the page."""

    status_code = 403
    titel = "Link ungültig"
    meldung = (
        "Dieser Link ist ungültig. Bitte prüfen Sie, ob Sie ihn vollständig aus der E-Mail "
        "übernommen haben, oder wenden Sie sich an die Geschäftsstelle."
    )

    def __init__(self, grund: str = "") -> None:
        # ``grund`` is for logs and tests only; the page shows the generic ``meldung``.
        super().__init__(grund or self.meldung)
        self.grund = grund


class LinkUngueltig(LinkError):
    """Tampered, unknown, or made for another purpose (HTTP 403)."""


class LinkAbgelaufen(LinkError):
    status_code = 410
    titel = "Link abgelaufen"
    meldung = (
        "Dieser Link ist abgelaufen. Wenn Sie noch antworten möchten, fordern Sie hier einen neuen "
        "Link an; er kommt per E-Mail und führt zu allen Anfragen, die bei Ihnen offen sind."
    )


class LinkWiderrufen(LinkError):
    status_code = 410
    titel = "Link nicht mehr gültig"
    meldung = (
        "Dieser Link gilt nicht mehr, weil die Geschäftsstelle ihn zurückgezogen oder ersetzt hat. "
        "Bitte verwenden Sie den Link aus der neuesten E-Mail."
    )


def link_path(zweck: LinkZweck) -> str:
    """The URL path prefix of a purpose, e.g. ``/rueckmeldung`` or ``/protokoll-kommentar``."""
    return "/" + _SEGMENTS.get(zweck, zweck.value.replace("_", "-"))


_SEGMENTS = {LinkZweck.RSVP: "rueckmeldung", LinkZweck.UEBERSICHT: "anfragen"}


# A token as ``create_link`` makes it: the secret (24 bytes) and the MAC, base64url, 32 characters each.
_TOKEN_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])")
VERBORGEN = "[persönlicher Link, hier nicht gezeigt]"


def ohne_tokens(text: str) -> str:
    """``text`` (a sent mail) with every link token replaced: whoever reads the outbox must
    not answer, comment or upload in a Träger's name (the Leitung only reads)."""
    return _TOKEN_IN_TEXT.sub(VERBORGEN, text)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _mac(secret: str, zweck: LinkZweck, key: str) -> str:
    digest = hmac.new(key.encode("utf-8"), f"link:{zweck.value}:{secret}".encode(), hashlib.sha256)
    return _b64(digest.digest())[:_MAC_CHARS]


_KEYS: dict[str, str] = {}


def _signing_key(settings: Settings) -> str:
    """The installation key; a key kept in a file is read once per process, not per request."""
    if settings.portal.secret_key is not None:
        return settings.portal.secret_key.get_secret_value()
    where = str(settings.data_dir)
    if where not in _KEYS:
        _KEYS[where] = settings.secret_key()
    return _KEYS[where]


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _split(token: str, zweck: LinkZweck, key: str) -> str:
    """The secret of a well-formed, correctly signed token; LinkUngueltig otherwise."""
    secret, _, mac = token.strip().partition(".")
    if not secret or not mac or len(token) > 200 or not token.isascii():
        raise LinkUngueltig("Token hat nicht die Form <secret>.<mac>")
    if not hmac.compare_digest(mac.encode("ascii"), _mac(secret, zweck, key).encode("ascii")):
        raise LinkUngueltig("Signatur stimmt nicht (verändert oder anderer Zweck)")
    return secret


def issue_link(
    session: sqlalchemy.orm.Session,
    *,
    person_id: int,
    zweck: LinkZweck,
    bezug_id: int,
    now: datetime,
    settings: Settings,
    gueltig_bis: datetime | None = None,
) -> str:
    """Create a personal link and return its full URL. The secret exists only in this URL."""
    return create_link(
        session,
        person_id=person_id,
        zweck=zweck,
        bezug_id=bezug_id,
        now=now,
        settings=settings,
        gueltig_bis=gueltig_bis,
    )[1]


def create_link(
    session: sqlalchemy.orm.Session,
    *,
    person_id: int,
    zweck: LinkZweck,
    bezug_id: int,
    now: datetime,
    settings: Settings,
    gueltig_bis: datetime | None = None,
) -> tuple[PersonalLink, str]:
    """Like ``issue_link``, but also return the stored row (e.g. to name it in an outbox key)."""
    secret = _b64(secrets.token_bytes(_SECRET_BYTES))
    key = _signing_key(settings)
    until = as_utc(gueltig_bis) if gueltig_bis else now + timedelta(days=settings.portal.link_gueltigkeit_tage)
    link = PersonalLink(
        token_hash=hash_secret(secret),
        person_id=person_id,
        zweck=zweck,
        bezug_id=bezug_id,
        gueltig_bis=until,
        erstellt_am=now,
    )
    session.add(link)
    session.flush()
    return link, link_url(f"{secret}.{_mac(secret, zweck, key)}", zweck, settings)


def issue_links(
    session: Session,
    *,
    person_ids: Sequence[int],
    zweck: LinkZweck,
    bezug_id: int,
    now: datetime,
    settings: Settings,
    gueltig_bis: datetime | None = None,
) -> dict[int, str]:
    """Links for many persons to the same object (an invitation batch) in one bulk insert;
    person id → URL. Issuing them one by one cost more than rendering the mails."""
    key = _signing_key(settings)
    until = as_utc(gueltig_bis) if gueltig_bis else now + timedelta(days=settings.portal.link_gueltigkeit_tage)
    rows: list[dict[str, object]] = []
    urls: dict[int, str] = {}
    for person_id in dict.fromkeys(person_ids):
        secret = _b64(secrets.token_bytes(_SECRET_BYTES))
        rows.append(
            {
                "token_hash": hash_secret(secret),
                "person_id": person_id,
                "zweck": zweck.value,
                "bezug_id": bezug_id,
                "gueltig_bis": until,
                "erstellt_am": as_utc(now),
            }
        )
        urls[person_id] = link_url(f"{secret}.{_mac(secret, zweck, key)}", zweck, settings)
    if rows:
        session.execute(sa.insert(table_of(PersonalLink)), rows)
    return urls


def link_url(token: str, zweck: LinkZweck, settings: Settings) -> str:
    return f"{settings.portal.base_url.rstrip('/')}{link_path(zweck)}/{token}"


def token_from_url(url: str) -> str:
    """The token part of a link URL (for tests and the resend view)."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def check_signature(token: str, *, zweck: LinkZweck, settings: Settings) -> str:
    """The token's secret hash if the signature is right; LinkUngueltig otherwise (no DB access)."""
    return hash_secret(_split(token, zweck, _signing_key(settings)))


def verify_link(
    session: Session,
    token: str,
    *,
    zweck: LinkZweck,
    now: datetime,
    settings: Settings,
    touch: bool = False,
) -> PersonalLink:
    """The link behind ``token`` if it may be used now for ``zweck``; a LinkError otherwise.

    ``touch=True`` records the use (``zuletzt_benutzt_am``, to the hour: a write per submission
    would cost throughput and the Geschäftsstelle only needs to know whether a link was used).
    """
    info, _ = verify_token_row(session.connection(), token, zweck=zweck, now=now, settings=settings, touch=touch)
    link = session.get(PersonalLink, info.id, populate_existing=touch)
    assert link is not None
    return link


@dataclass(frozen=True)
class LinkInfo:
    """A verified link as plain values (the portal's fast path; same names as PersonalLink)."""

    id: int
    person_id: int
    zweck: LinkZweck
    bezug_id: int
    gueltig_bis: datetime
    erstellt_am: datetime
    zuletzt_benutzt_am: datetime | None


_LINK_TABLE = table_of(PersonalLink)
_PERSON_TABLE = table_of(Person)
# Built once: the portal runs this for every request behind a link. A page may extend it with
# columns and one-to-one outer joins of its own (``LINK_BY_HASH.add_columns(...).outerjoin(...)``)
# to read what it shows in the same statement (see ``verify_token_row``).
LINK_BY_HASH = (
    sa.select(
        _LINK_TABLE.c.id,
        _LINK_TABLE.c.person_id,
        _LINK_TABLE.c.zweck,
        _LINK_TABLE.c.bezug_id,
        _LINK_TABLE.c.gueltig_bis,
        _LINK_TABLE.c.widerrufen_am,
        _LINK_TABLE.c.erstellt_am,
        _LINK_TABLE.c.zuletzt_benutzt_am,
        _PERSON_TABLE.c.geloescht_am,
    )
    .join(_PERSON_TABLE, _PERSON_TABLE.c.id == _LINK_TABLE.c.person_id)
    .where(_LINK_TABLE.c.token_hash == sa.bindparam("token_hash"))
)
_TOUCH = DirectStatement(
    sa.update(_LINK_TABLE)
    .where(_LINK_TABLE.c.id == sa.bindparam("link_id"))
    .values(zuletzt_benutzt_am=sa.bindparam("now"))
)


def verify_token_row(
    connection: sa.Connection,
    token: str,
    *,
    zweck: LinkZweck,
    now: datetime,
    settings: Settings,
    touch: bool = False,
    query: sa.Select[Any] = LINK_BY_HASH,
    token_hash: str | None = None,
) -> tuple[LinkInfo, Any]:
    """``verify_link`` in one SQL statement, without ORM objects (same checks, same errors):
    the link and the whole row of ``query`` (``LINK_BY_HASH`` or an extension of it, built once:
    it runs as a ``store.direct`` statement), whose further columns the caller reads only once
    the link has passed. ``token_hash`` is what ``check_signature`` has just returned for this
    token, if the caller checked it already (the signature is then not computed again)."""
    if token_hash is None:
        token_hash = check_signature(token, zweck=zweck, settings=settings)
    row = direct(query).first(connection, {"token_hash": token_hash})
    if row is None or row.zweck != zweck:
        raise LinkUngueltig("unbekannter Link")
    if row.widerrufen_am is not None:
        raise LinkWiderrufen(f"widerrufen am {row.widerrufen_am.isoformat()}")
    if row.gueltig_bis <= now:
        raise LinkAbgelaufen(f"gültig bis {row.gueltig_bis.isoformat()}")
    if row.geloescht_am is not None:
        raise LinkWiderrufen("Person gelöscht")
    used = row.zuletzt_benutzt_am
    if touch and (used is None or used <= now - timedelta(hours=1)):
        _TOUCH.run(connection, {"link_id": row.id, "now": now})
        used = now
    link = LinkInfo(
        id=row.id,
        person_id=row.person_id,
        zweck=LinkZweck(row.zweck),
        bezug_id=row.bezug_id,
        gueltig_bis=row.gueltig_bis,
        erstellt_am=row.erstellt_am,
        zuletzt_benutzt_am=used,
    )
    return link, row


def revoke_link(session: Session, *, link_id: int, now: datetime) -> PersonalLink:
    """Withdraw one link (idempotent: the first withdrawal time is kept)."""
    link = session.get(PersonalLink, link_id)
    if link is None:
        raise LookupError(f"Link {link_id} nicht gefunden.")
    if link.widerrufen_am is None:
        link.widerrufen_am = now
        session.add(link)
    return link


def revoke_links(session: Session, *, person_id: int, zweck: LinkZweck, bezug_id: int, now: datetime) -> int:
    """Withdraw every live link of a person for one purpose and object (before issuing a new one)."""
    result = session.execute(
        sa.update(PersonalLink)
        .where(
            col(PersonalLink.person_id) == person_id,
            col(PersonalLink.zweck) == LinkZweck(zweck).value,
            col(PersonalLink.bezug_id) == bezug_id,
            col(PersonalLink.widerrufen_am).is_(None),
        )
        .values(widerrufen_am=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult, which has rowcount


def revoke_all_links(session: Session, *, person_id: int, now: datetime) -> int:
    """Withdraw every live link of a person, whatever its purpose (someone else holds one)."""
    result = session.execute(
        sa.update(PersonalLink)
        .where(col(PersonalLink.person_id) == person_id, col(PersonalLink.widerrufen_am).is_(None))
        .values(widerrufen_am=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # an UPDATE's result is a CursorResult


def reissue_link(
    session: Session,
    *,
    link_id: int,
    now: datetime,
    settings: Settings,
    gueltig_bis: datetime | None = None,
) -> tuple[PersonalLink, str]:
    """Replace a link: revoke every live link of the same scope and issue a fresh one.

    Only the hash of the old secret is stored, so a "resend" is always a new link.
    """
    old = session.get(PersonalLink, link_id)
    if old is None:
        raise LookupError(f"Link {link_id} nicht gefunden.")
    revoke_links(session, person_id=old.person_id, zweck=old.zweck, bezug_id=old.bezug_id, now=now)
    # Keep the old expiry (an RSVP link ends with its Sitzung) unless it has already passed.
    fallback = now + timedelta(days=settings.portal.link_gueltigkeit_tage)
    until = gueltig_bis or (old.gueltig_bis if old.gueltig_bis > now else fallback)
    return create_link(
        session,
        person_id=old.person_id,
        zweck=LinkZweck(old.zweck),
        bezug_id=old.bezug_id,
        now=now,
        settings=settings,
        gueltig_bis=until,
    )

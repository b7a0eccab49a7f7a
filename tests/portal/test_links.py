"""Personal links: unguessable, signed, expiring, scoped to person + purpose + object, revocable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from sozialforum import links
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import PersonalLink
from sozialforum.vocab import LinkZweck
from tests.portal.conftest import NOW, Welt


def _issue(engine: Engine, settings: Settings, welt: Welt, **kwargs: object) -> str:
    values = {"person_id": welt.person_a, "zweck": LinkZweck.RSVP, "bezug_id": welt.sitzung, **kwargs}
    with session_scope(engine, actor="test") as session:
        return links.issue_link(session, now=NOW, settings=settings, **values)  # type: ignore[arg-type]


def _verify(engine: Engine, settings: Settings, url: str, zweck: LinkZweck = LinkZweck.RSVP, now=NOW) -> PersonalLink:  # type: ignore[no-untyped-def]
    with session_scope(engine, actor="test") as session:
        return links.verify_link(session, links.token_from_url(url), zweck=zweck, now=now, settings=settings)


def test_link_url_token_and_stored_hash(engine: Engine, portal_settings: Settings, welt: Welt) -> None:
    url = _issue(engine, portal_settings, welt)
    assert url.startswith("http://testserver/rueckmeldung/")
    token = links.token_from_url(url)
    secret, mac = token.split(".")
    assert len(secret) == 32 and len(mac) == 32  # 192 random bits, 192 bits of HMAC
    link = _verify(engine, portal_settings, url)
    assert (link.person_id, link.zweck, link.bezug_id) == (welt.person_a, "rsvp", welt.sitzung)
    assert link.gueltig_bis == NOW + timedelta(days=portal_settings.portal.link_gueltigkeit_tage)
    with session_scope(engine, actor="test") as session:
        stored = session.exec(select(PersonalLink)).one()
    assert secret not in stored.token_hash and token not in stored.token_hash  # only a hash is kept
    assert _issue(engine, portal_settings, welt) != url  # a new secret every time


def test_tampered_token_is_refused_before_the_database(portal_settings: Settings, welt: Welt, engine: Engine) -> None:
    url = _issue(engine, portal_settings, welt)
    token = links.token_from_url(url)
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (flipped, token.split(".")[0], "x" * 300, "", "ä.ö", token.replace(".", "")):
        with pytest.raises(links.LinkUngueltig):
            links.check_signature(bad, zweck=LinkZweck.RSVP, settings=portal_settings)
    # The same token under another purpose fails the signature too (purpose is signed).
    with pytest.raises(links.LinkUngueltig):
        links.check_signature(token, zweck=LinkZweck.FORMULAR, settings=portal_settings)
    # Another installation's key: refused.
    other = portal_settings.model_copy(
        update={"portal": portal_settings.portal.model_copy(update={"secret_key": None})}
    )
    with pytest.raises(links.LinkUngueltig):
        links.check_signature(token, zweck=LinkZweck.RSVP, settings=other)


def test_expired_revoked_and_erased(engine: Engine, portal_settings: Settings, welt: Welt) -> None:
    url = _issue(engine, portal_settings, welt, gueltig_bis=NOW + timedelta(hours=1))
    _verify(engine, portal_settings, url, now=NOW + timedelta(minutes=59))
    with pytest.raises(links.LinkAbgelaufen) as expired:
        _verify(engine, portal_settings, url, now=NOW + timedelta(hours=1))
    assert expired.value.status_code == 410
    link = _verify(engine, portal_settings, url)
    with session_scope(engine, actor="test") as session:
        links.revoke_link(session, link_id=link.id, now=NOW)  # type: ignore[arg-type]
        links.revoke_link(session, link_id=link.id, now=NOW + timedelta(days=1))  # idempotent
    with pytest.raises(links.LinkWiderrufen) as revoked:
        _verify(engine, portal_settings, url)
    assert revoked.value.status_code == 410
    with session_scope(engine, actor="test") as session:
        assert session.get(PersonalLink, link.id).widerrufen_am == NOW  # type: ignore[union-attr]


def test_reissue_revokes_every_live_link_of_the_scope(engine: Engine, portal_settings: Settings, welt: Welt) -> None:
    first = _issue(engine, portal_settings, welt)
    second = _issue(engine, portal_settings, welt)
    other_scope = _issue(engine, portal_settings, welt, zweck=LinkZweck.THEMENVORSCHLAG)
    old = _verify(engine, portal_settings, first)
    with session_scope(engine, actor="test") as session:
        new, url = links.reissue_link(session, link_id=old.id, now=NOW, settings=portal_settings)  # type: ignore[arg-type]
    assert new.gueltig_bis == old.gueltig_bis
    for stale in (first, second):
        with pytest.raises(links.LinkWiderrufen):
            _verify(engine, portal_settings, stale)
    assert _verify(engine, portal_settings, url).id == new.id
    _verify(engine, portal_settings, other_scope, zweck=LinkZweck.THEMENVORSCHLAG)


def test_link_paths_per_purpose() -> None:
    assert links.link_path(LinkZweck.RSVP) == "/rueckmeldung"
    assert links.link_path(LinkZweck.PROTOKOLL_KOMMENTAR) == "/protokoll-kommentar"
    assert links.link_path(LinkZweck.SACHSTAND) == "/sachstand"

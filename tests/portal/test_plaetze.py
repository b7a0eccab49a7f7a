"""Places per Sitzung: a Zusage beyond the Gremium's places waits, the person is told where
she stands, and when a place frees she moves up and gets a mail."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, Gremium, OutboxMessage, Rueckmeldung
from sozialforum.vocab import LinkZweck
from tests.portal.conftest import Welt, csrf_of, issue
from tests.portal.test_anfragen import ORIGIN, _mails, _text

pytestmark = pytest.mark.parametrize("engine", ["sqlite", "postgres"], indirect=True)


def _answer(client: TestClient, link: str, antwort: str, personen: int = 1) -> str:
    page = client.get(link)
    data = {"csrf": csrf_of(page.text), "antwort": antwort, "personen": str(personen), "bestaetigung": "1"}
    client.post(link, data=data, headers=ORIGIN)
    return client.get(link).text


def test_a_full_sitzung_puts_zusagen_on_a_waiting_list_that_moves_up(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    with session_scope(engine, actor="test") as session:
        gremium = session.get(Gremium, welt.gremium)
        assert gremium is not None
        gremium.plaetze = 2
    anna = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    bernd = issue(engine, portal_settings, person_id=welt.person_b, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    assert "Die Plätze sind begrenzt (2)" in client.get(anna).text
    assert "Warteliste." not in _answer(client, anna, "zusage", personen=2)  # both places
    page = _answer(client, bernd, "zusage")
    assert "Sie stehen auf der Warteliste." in page
    assert "Platz 1 der Warteliste" in _text(_mails(portal_settings)[-1])
    with session_scope(engine, actor="test") as session:
        waiting = {r.person_id: r.warteliste for r in session.exec(select(Rueckmeldung)).all()}
    assert waiting == {welt.person_a: False, welt.person_b: True}

    # Anna comes alone now: one place frees, Bernd moves up and is told.
    _answer(client, anna, "zusage", personen=1)
    assert "Sie stehen auf der Warteliste." not in client.get(bernd).text
    with session_scope(engine, actor="test") as session:
        arten = [m.art for m in session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()]
        moved = session.exec(
            select(AuditEntry).where(AuditEntry.tabelle == "rueckmeldung", AuditEntry.akteur.startswith("link:"))
        ).all()
    assert arten.count("nachgerueckt") == 1
    assert any(entry.aenderungen == {"warteliste": [True, False]} for entry in moved)
    nachricht = next(m for m in _mails(portal_settings) if m["Subject"].startswith("Ein Platz ist frei geworden"))
    assert nachricht["To"].addresses[0].addr_spec == "bernd@ksb.example"
    assert "Ihre Zusage gilt jetzt" in _text(nachricht)

"""The deadline calendar's address on the Übersicht, renewed there by the Geschäftsstelle (CSRF,
audited): the old address answers 404 without counting as a guess, the new one 200; the Leitung
sees the address but cannot renew it; the setting ``fristen.kalender_fassung`` still counts."""

from __future__ import annotations

import re

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import col

from sozialforum.beschluesse.feed import aktuelle_fassung, feed_url
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, Fehlversuch
from tests.arbeitsplatz.conftest import Bestand
from tests.portal.conftest import csrf_of

ADRESSE = re.compile(r"<code>(http://testserver(/kalender/fristen-[0-9a-f]{32}\.ics))</code>")


def test_the_deadline_feed_is_renewed_on_the_uebersicht(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine, ap_settings: Settings
) -> None:
    planerin, leiterin = clients["planerin"], clients["leiterin"]
    page = planerin.get("/arbeitsplatz/").text
    shown = ADRESSE.search(page)
    assert shown is not None and shown.group(1) == feed_url(ap_settings, 0)  # the address issued before
    alt = shown.group(2)
    assert planerin.get(alt).status_code == 200
    # The Leitung reads the address, but may not renew it.
    leitung = leiterin.get("/arbeitsplatz/").text
    assert ADRESSE.search(leitung) and "Kalenderadresse neu erzeugen" not in leitung
    assert leiterin.post("/arbeitsplatz/fristen/kalender", data={"csrf": csrf_of(leitung)}).status_code == 403
    # Without the form's token nothing changes.
    assert planerin.post("/arbeitsplatz/fristen/kalender", data={"csrf": "falsch"}).status_code == 403
    assert planerin.get(alt).status_code == 200

    renewed = planerin.post("/arbeitsplatz/fristen/kalender", data={"csrf": csrf_of(page)})
    assert "Die Kalenderadresse ist neu erzeugt; die bisherige gilt nicht mehr." in renewed.text
    neu = ADRESSE.search(renewed.text)
    assert neu is not None and neu.group(2) != alt
    gone = planerin.get(alt)
    assert gone.status_code == 404 and "gilt nicht mehr" in gone.text
    assert planerin.get(neu.group(2)).status_code == 200
    with session_scope(engine, actor="test") as session:
        assert session.scalars(sa.select(Fehlversuch)).all() == []  # a withdrawn address is no guess
        trail = session.scalars(sa.select(AuditEntry).where(col(AuditEntry.tabelle) == "kalender_fassung")).all()
        assert [(e.akteur, e.aktion) for e in trail] == [("benutzer:planerin", "create")]

    # The operator's setting still raises it: the higher generation counts, and the workspace
    # renews from there.
    ap_settings.fristen.kalender_fassung = 5
    with session_scope(engine, actor="test") as session:
        assert aktuelle_fassung(session, ap_settings) == 5
    assert planerin.get(neu.group(2)).status_code == 404
    page = planerin.get("/arbeitsplatz/").text
    assert ADRESSE.search(page).group(1) == feed_url(ap_settings, 5)  # type: ignore[union-attr]
    planerin.post("/arbeitsplatz/fristen/kalender", data={"csrf": csrf_of(page)})
    with session_scope(engine, actor="test") as session:
        assert aktuelle_fassung(session, ap_settings) == 6
        changes = session.scalars(
            sa.select(AuditEntry.aenderungen).where(
                col(AuditEntry.tabelle) == "kalender_fassung", col(AuditEntry.aktion) == "update"
            )
        ).all()
    assert [c["fassung"] for c in changes] == [[1, 6]]

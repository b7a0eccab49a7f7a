"""The Sitzung calendars to subscribe to, served by the portal at unguessable, scoped URLs."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date, time

import icalendar
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from sozialforum.arbeitsplatz.app import create_app as create_workspace
from sozialforum.konferenz import aenderung, feeds, termine
from sozialforum.konten import benutzer
from sozialforum.portal.app import create_app
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, Fehlversuch, Gremium, Person
from tests.konferenz.fixtures import NOW
from tests.portal.conftest import csrf_of

PASSWORT = "korrekt-pferd-batterie"


def test_subscribable_feeds(engine, settings, konferenz) -> None:
    with Session(engine) as session:
        autumn = termine.plan_sitzung(
            session, gremium_id=konferenz.gremium_id, tag=date(2026, 9, 14), uhrzeit=time(17), settings=settings
        )
        aenderung.cancel(session, sitzung_id=autumn.id, now=NOW, settings=settings)
        session.commit()
        gremium_url = feeds.gremium_feed_url(settings, session.get(Gremium, konferenz.gremium_id))
        person_url = feeds.person_feed_url(settings, session.get(Person, konferenz.person_ids["P01"]))
    assert gremium_url.startswith(settings.portal.base_url) and gremium_url.endswith(".ics")
    app = create_app(settings, engine, clock=lambda: NOW)
    with TestClient(app, base_url=settings.portal.base_url) as client:
        for url in (gremium_url, person_url):
            response = client.get(url.removeprefix(settings.portal.base_url))
            assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
            events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
            assert sorted(str(e["STATUS"]) for e in events) == ["CANCELLED", "CONFIRMED"]
        # Another person's id with this token, or a made-up token: not found.
        other = person_url.replace(f"/person/{konferenz.person_ids['P01']}/", f"/person/{konferenz.person_ids['P02']}/")
        assert client.get(other.removeprefix(settings.portal.base_url)).status_code == 404
        assert client.get("/kalender/gremium/SRK-SUED/" + "0" * 32 + ".ics").status_code == 404


def test_generation_zero_is_the_address_issued_before(settings) -> None:
    """Subscribers keep their feed across the update: generation 0 is the old token."""
    old = hmac.new(settings.secret_key().encode(), b"sitzungskalender:person:17", hashlib.sha256).hexdigest()[:32]
    assert feeds.feed_token(settings, "person:17") == old
    assert len({feeds.feed_token(settings, "person:17", generation) for generation in range(3)}) == 3


def test_renewing_a_calendar_address_withdraws_the_old_one(engine, settings, konferenz) -> None:
    p01, p02 = konferenz.person_ids["P01"], konferenz.person_ids["P02"]
    with session_scope(engine, actor="test") as session:
        benutzer.create_user(session, name="planerin", anzeigename="Paula Planerin", password=PASSWORT, now=NOW)
        alt = {
            "person": feeds.person_feed_url(settings, session.get(Person, p01)),
            "andere": feeds.person_feed_url(settings, session.get(Person, p02)),
            "gremium": feeds.gremium_feed_url(settings, session.get(Gremium, konferenz.gremium_id)),
        }
    base = settings.portal.base_url
    with TestClient(create_workspace(settings, engine, clock=lambda: NOW), base_url=base) as client:
        form = client.get("/gs/anmelden")
        client.post("/gs/anmelden", data={"csrf": csrf_of(form.text), "name": "planerin", "passwort": PASSWORT})
        seiten = {
            "person": f"/arbeitsplatz/akteure/personen/{p01}",
            "gremium": f"/arbeitsplatz/akteure/gremien/{konferenz.gremium_id}",
        }
        neu = {}
        for art, seite in seiten.items():
            page = client.get(seite).text
            assert alt[art] in page and "Kalenderadresse neu erzeugen" in page
            # Without the form's CSRF token nothing changes.
            assert client.post(seite + "/kalender", data={"csrf": "falsch"}).status_code == 403
            assert client.get(alt[art].removeprefix(base)).status_code == 200
            renewed = client.post(seite + "/kalender", data={"csrf": csrf_of(page)})
            assert "Die Kalenderadresse ist neu erzeugt; die bisherige gilt nicht mehr." in renewed.text
            neu[art] = re.search(r"<code>([^<]+\.ics)</code>", renewed.text).group(1)
            assert neu[art] != alt[art]
        for art in seiten:
            old = client.get(alt[art].removeprefix(base))
            assert old.status_code == 404 and "gilt nicht mehr" in old.text
            assert client.get(neu[art].removeprefix(base)).status_code == 200
        # Another person's feed is not affected.
        assert client.get(alt["andere"].removeprefix(base)).status_code == 200
    # A calendar still polling the withdrawn address is not a guesser: its address is not
    # counted towards the lock (a made-up token is).
    with session_scope(engine, actor="test") as session:
        assert session.exec(select(Fehlversuch)).all() == []
        trail = session.exec(
            select(AuditEntry).where(col(AuditEntry.tabelle).in_(["person", "gremium"]), AuditEntry.aktion == "update")
        ).all()
    assert sorted((e.tabelle, e.datensatz_id, e.akteur, e.aenderungen["kalender_generation"]) for e in trail) == [
        ("gremium", konferenz.gremium_id, "benutzer:planerin", [0, 1]),
        ("person", p01, "benutzer:planerin", [0, 1]),
    ]

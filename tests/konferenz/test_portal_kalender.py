"""The Sitzung calendars to subscribe to, served by the portal at unguessable, scoped URLs."""

from __future__ import annotations

from datetime import date, time

import icalendar
from fastapi.testclient import TestClient
from sqlmodel import Session

from sozialforum.konferenz import aenderung, feeds, termine
from sozialforum.portal.app import create_app
from tests.konferenz.fixtures import NOW


def test_subscribable_feeds(engine, settings, konferenz) -> None:
    with Session(engine) as session:
        autumn = termine.plan_sitzung(
            session, gremium_id=konferenz.gremium_id, tag=date(2026, 9, 14), uhrzeit=time(17), settings=settings
        )
        aenderung.cancel(session, sitzung_id=autumn.id, now=NOW, settings=settings)
        session.commit()
    gremium_url = feeds.gremium_feed_url(settings, "SRK-SUED")
    person_url = feeds.person_feed_url(settings, konferenz.person_ids["P01"])
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

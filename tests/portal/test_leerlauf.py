"""A staff session ends after ``portal.leerlauf_minuten`` without a request: real requests
against the app ``sozialforum portal`` serves, with its clock moved. The next request leads to
the login with a German notice and, after the login, back to the page asked for (only workspace
paths); the last request is written at most once a minute."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.konten import benutzer
from sozialforum.portal.security import workspace_path
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import BenutzerSitzung
from sozialforum.vocab import SitzungEnde
from tests.portal.conftest import NOW, Clock, csrf_of

PASSWORT = "korrekt-pferd-batterie"
SEITE = "/arbeitsplatz/akteure?art=gremien&q=S%C3%BCd"


@pytest.fixture
def client(portal_settings: Settings, engine: Engine, clock: Clock) -> Iterator[TestClient]:
    with session_scope(engine, actor="test") as session:
        benutzer.create_user(session, name="planerin", anzeigename="Paula Planerin", password=PASSWORT, now=NOW)
    with TestClient(create_app(portal_settings, engine, clock=clock), base_url="http://testserver") as test_client:
        yield test_client


def anmelden(client: TestClient) -> str:
    """Log in; returns where the login leads."""
    form = client.get("/gs/anmelden")
    response = client.post(
        "/gs/anmelden",
        data={"csrf": csrf_of(form.text), "name": "planerin", "passwort": PASSWORT},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return response.headers["location"]


def zuletzt_aktiv(engine: Engine) -> object:
    with session_scope(engine, actor="test") as session:
        return session.exec(select(BenutzerSitzung.zuletzt_aktiv_am)).one()


def test_idle_session_ends_and_the_login_leads_back(client: TestClient, clock: Clock, engine: Engine) -> None:
    assert anmelden(client) == "/arbeitsplatz/"
    # Just inside the idle time (30 minutes by default) the session lives …
    clock.now = NOW + timedelta(minutes=29, seconds=59)
    assert client.get(SEITE, follow_redirects=False).status_code == 200
    # … and it counts from that request: another 29 minutes later it still does.
    clock.now += timedelta(minutes=29)
    assert client.get(SEITE, follow_redirects=False).status_code == 200
    # 30 minutes without a request: refused, to the login with the notice.
    clock.now += timedelta(minutes=30)
    refused = client.get(SEITE, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/gs/anmelden?leerlauf=1"
    login_page = client.get(refused.headers["location"])
    assert "Sie wurden nach 30 Minuten ohne Aktivität abgemeldet." in login_page.text
    # A form sent into the ended session changes nothing and leads to the login as well.
    gone = client.post("/gs/abmelden", data={"csrf": "x"}, follow_redirects=False)
    assert gone.headers["location"] == "/gs/anmelden?leerlauf=1"
    # The login leads back to the page asked for, with its query; the notice is gone.
    assert anmelden(client) == SEITE
    assert client.get(SEITE, follow_redirects=False).status_code == 200
    assert "ohne Aktivität" not in client.get("/gs/anmelden").text


def sitzungen(engine: Engine) -> list[tuple[object, object]]:
    with session_scope(engine, actor="test") as session:
        rows = session.exec(select(BenutzerSitzung).order_by(BenutzerSitzung.id)).all()
        return [(row.beendet_am, row.beendet_grund) for row in rows]


def test_an_idle_session_is_recorded_as_ended(client: TestClient, clock: Clock, engine: Engine) -> None:
    """The store no longer shows an idle session as open once its expiry is seen: ended as of the
    moment it expired, with the reason; the notice stays for the next request as well."""
    anmelden(client)
    clock.now = NOW + timedelta(minutes=10)
    client.get(SEITE)  # the last request: 10 minutes after the login
    assert sitzungen(engine) == [(None, None)]
    clock.now = NOW + timedelta(hours=2)
    assert client.get(SEITE, follow_redirects=False).headers["location"] == "/gs/anmelden?leerlauf=1"
    assert sitzungen(engine) == [(NOW + timedelta(minutes=40), SitzungEnde.LEERLAUF)]
    clock.now += timedelta(minutes=5)
    assert client.get(SEITE, follow_redirects=False).headers["location"] == "/gs/anmelden?leerlauf=1"
    assert sitzungen(engine) == [(NOW + timedelta(minutes=40), SitzungEnde.LEERLAUF)]
    # A new login is a new session; logging out ends it with its own reason.
    anmelden(client)
    seite = client.get("/arbeitsplatz/")
    client.post("/gs/abmelden", data={"csrf": csrf_of(seite.text)})
    assert sitzungen(engine)[1] == (clock.now, SitzungEnde.ABMELDUNG)


def test_the_accounts_page_counts_only_live_sessions(client: TestClient, clock: Clock) -> None:
    """The Benutzer page's column "Angemeldet" leaves out a session gone idle even before any
    request of it has recorded its end."""
    anmelden(client)
    with TestClient(client.app, base_url="http://testserver") as zweiter:
        anmelden(zweiter)
        zeile = re.compile(r"Paula Planerin</td>.*?</tr>", re.S)

        def angemeldet() -> str:
            found = zeile.search(zweiter.get("/arbeitsplatz/benutzer").text)
            assert found is not None
            return re.findall(r"<td>(.*?)</td>", found.group(0))[-1]

        assert angemeldet() == "ja (2 Sitzungen)"
        clock.now = NOW + timedelta(minutes=20)
        zweiter.get("/arbeitsplatz/")  # the second stays busy, the first does nothing
        clock.now = NOW + timedelta(minutes=31)
        assert angemeldet() == "ja"


def test_the_absolute_lifetime_still_ends_a_busy_session(client: TestClient, clock: Clock) -> None:
    anmelden(client)
    for _ in range(8 * 3):  # a request every 20 minutes for the 8 hours of anmeldung_stunden
        clock.now += timedelta(minutes=20)
        response = client.get("/arbeitsplatz/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/gs/anmelden"


def test_last_activity_is_written_at_most_once_a_minute(client: TestClient, clock: Clock, engine: Engine) -> None:
    anmelden(client)
    assert zuletzt_aktiv(engine) == NOW
    for seconds in (10, 30, 59):
        clock.now = NOW + timedelta(seconds=seconds)
        assert client.get("/arbeitsplatz/", follow_redirects=False).status_code == 200
        assert zuletzt_aktiv(engine) == NOW
    clock.now = NOW + timedelta(seconds=60)
    client.get("/arbeitsplatz/")
    assert zuletzt_aktiv(engine) == NOW + timedelta(seconds=60)
    clock.now = NOW + timedelta(seconds=100)
    client.get("/arbeitsplatz/")
    assert zuletzt_aktiv(engine) == NOW + timedelta(seconds=60)


def test_a_session_from_before_the_update_counts_from_its_login(
    client: TestClient, clock: Clock, engine: Engine
) -> None:
    anmelden(client)
    with session_scope(engine, actor="test") as session:
        row = session.exec(select(BenutzerSitzung)).one()
        row.zuletzt_aktiv_am = None
        session.add(row)
    clock.now = NOW + timedelta(minutes=30)
    assert client.get("/arbeitsplatz/", follow_redirects=False).headers["location"] == "/gs/anmelden?leerlauf=1"


def test_the_login_leads_only_to_workspace_paths(client: TestClient) -> None:
    # A target cookie planted for the login form (by a sibling subdomain, say) leads nowhere else.
    for ziel, fuehrt_zu in (
        ("/arbeitsplatz/akteure", "/arbeitsplatz/akteure"),
        ("https://boese.example/", "/arbeitsplatz/"),
        ("//boese.example/arbeitsplatz/", "/arbeitsplatz/"),
        ("/arbeitsplatz/../gs/abmelden", "/arbeitsplatz/"),
    ):
        client.cookies.set("sf_weiter", ziel, domain="testserver.local", path="/gs/anmelden")
        assert anmelden(client) == fuehrt_zu, ziel
        client.cookies.clear()
    assert workspace_path("/arbeitsplatz/sitzungen/3?ansicht=liste") == "/arbeitsplatz/sitzungen/3?ansicht=liste"
    for fremd in ("/arbeitsplatz//boese.example", "/arbeitsplatz/\\boese", "/gs/abmelden", "/arbeitsplatz/x\r\nSet"):
        assert workspace_path(fremd) is None

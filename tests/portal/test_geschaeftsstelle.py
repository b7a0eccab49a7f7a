"""The Geschäftsstelle's view of the answers: login with scrypt hashes and lockout, answers per
Sitzung and per form in the workspace, CSV/XLSX exports with formula injection neutralised,
revoke and resend (via the outbox). Run against the app ``sozialforum portal`` serves."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import select

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.channels.tabular import neutralize
from sozialforum.konten import benutzer
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Benutzer, OutboxMessage, PersonalLink
from sozialforum.vocab import LinkZweck
from tests.portal.conftest import NOW, Clock, Welt, csrf_of, issue, request_form

PASSWORT = "korrekt-pferd-batterie"


@pytest.fixture
def client(portal_settings: Settings, engine: Engine, clock: Clock) -> Iterator[TestClient]:
    """Portal and workspace in one app, as ``sozialforum portal`` serves them."""
    with TestClient(create_app(portal_settings, engine, clock=clock), base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def staff(client: TestClient, engine: Engine) -> TestClient:
    with session_scope(engine, actor="test") as session:
        benutzer.create_user(session, name="Planerin", anzeigename="Paula Planerin", password=PASSWORT, now=NOW)
    form = client.get("/gs/anmelden")
    response = client.post(
        "/gs/anmelden",
        data={"csrf": csrf_of(form.text), "name": "planerin", "passwort": PASSWORT},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/arbeitsplatz/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/;" in cookie
    return client


def test_passwords_are_scrypt_hashed(engine: Engine) -> None:
    stored = benutzer.hash_password("geheimes-passwort")
    assert stored.startswith("scrypt$16384$8$1$") and "geheimes" not in stored
    assert benutzer.verify_password("geheimes-passwort", stored)
    assert not benutzer.verify_password("geheimes-passwort!", stored)
    assert not benutzer.verify_password("x", "kaputt")
    with session_scope(engine, actor="test") as session, pytest.raises(ValueError, match="mindestens 12"):
        benutzer.create_user(session, name="kurz", anzeigename="K", password="kurz", now=NOW)


def test_login_failures_lock_the_name(client: TestClient, engine: Engine, portal_settings: Settings) -> None:
    with session_scope(engine, actor="test") as session:
        benutzer.create_user(session, name="planerin", anzeigename="P", password=PASSWORT, now=NOW)
    csrf = csrf_of(client.get("/gs/anmelden").text)
    assert client.post("/gs/anmelden", data={"name": "planerin", "passwort": PASSWORT}).status_code == 403
    wrong = client.post("/gs/anmelden", data={"csrf": csrf, "name": "planerin", "passwort": "falsch"})
    assert wrong.status_code == 401 and "Benutzername oder Passwort (oder Sicherheitscode) ist falsch." in wrong.text
    unknown = client.post("/gs/anmelden", data={"csrf": csrf, "name": "niemand", "passwort": "falsch"})
    assert (
        unknown.text.count("Benutzername oder Passwort (oder Sicherheitscode) ist falsch.") == 1
    )  # same answer: no probing
    with session_scope(engine, actor="test") as session:
        from sozialforum.konten import fehlversuche

        for _ in range(portal_settings.portal.fehlversuche_max):
            fehlversuche.record_failure(
                session,
                "login:planerin|testclient",  # this account from the test client's address
                now=NOW,
                maximum=3,
                fenster=timedelta(minutes=15),
                sperre=timedelta(minutes=15),
            )
    locked = client.post("/gs/anmelden", data={"csrf": csrf, "name": "planerin", "passwort": PASSWORT})
    assert locked.status_code == 429 and "Zu viele fehlgeschlagene Anmeldungen" in locked.text


def test_answers_per_sitzung_and_exports(
    staff: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    # Before any invitation the section of links says so instead of standing empty under its heading.
    leer = staff.get(f"/gs/sitzung/{welt.sitzung}").text  # the old address leads to the workspace page
    assert "Persönliche Links (0)" in leer and "Noch keine persönlichen Links verschickt." in leer
    url = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    staff.post(
        url,
        data={
            "csrf": csrf_of(staff.get(url).text),
            "antwort": "zusage",
            "personen": "2",
            "kommentar": '=HYPERLINK("http://x")',
            "beduerfnisse": "stufenlos",
        },
    )
    thema = issue(
        engine, portal_settings, person_id=welt.person_b, zweck=LinkZweck.THEMENVORSCHLAG, bezug_id=welt.sitzung
    )
    staff.post(thema, data={"csrf": csrf_of(staff.get(thema).text), "titel": "@SUM(A1) Wohnungsnot"})
    overview = staff.get("/arbeitsplatz/sitzungen")
    assert "Sozialraumkonferenz Nord, Frühjahr" in overview.text and "Paula Planerin" in overview.text
    page = staff.get(f"/arbeitsplatz/sitzungen/{welt.sitzung}")
    assert "Anna Albers" in page.text and "Diakonie Nord e. V." in page.text and "@SUM(A1) Wohnungsnot" in page.text
    assert "stufenloser Zugang (Rollstuhl, Rollator)" in page.text  # the needs, beside the answer
    assert f'href="/gs/sitzung/{welt.sitzung}/rueckmeldungen.xlsx"' in page.text

    raw = staff.get(f"/gs/sitzung/{welt.sitzung}/rueckmeldungen.csv")
    assert raw.headers["content-type"].startswith("text/csv") and "attachment" in raw.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Person", "Träger", "Antwort"]
    assert rows[1][:4] == ["Anna Albers", "Diakonie Nord e. V.", "Zusage", "2"]
    assert rows[1][5] == '\'=HYPERLINK("http://x")'
    assert rows[1][4] == "stufenloser Zugang (Rollstuhl, Rollator)"
    xlsx = staff.get(f"/gs/sitzung/{welt.sitzung}/themenvorschlaege.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value == "Thema" and sheet["A2"].value == "'@SUM(A1) Wohnungsnot"
    assert sheet["A2"].data_type == "s"
    assert staff.get(f"/gs/sitzung/{welt.sitzung}/rueckmeldungen.exe").status_code == 404
    declined = staff.post(
        f"/arbeitsplatz/sitzungen/{welt.sitzung}/vorschlag/1",
        data={"csrf": csrf_of(page.text), "entscheidung": "ablehnen"},
    )
    assert "Der Vorschlag wurde nicht übernommen." in declined.text
    assert "nicht übernommen" in staff.get(thema).text  # the Träger sees the decision on its own proposal
    assert staff.get("/gs/sitzung/999").status_code == 404


def test_form_answers_and_export(staff: TestClient, engine: Engine, portal_settings: Settings, welt: Welt) -> None:
    anfrage = request_form(engine, portal_settings, "bestandserhebung", welt.traeger_a, welt.gebiet)
    request_form(engine, portal_settings, "bestandserhebung", welt.traeger_b, welt.gebiet)
    url = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.FORMULAR, bezug_id=anfrage)
    staff.post(
        url,
        data={
            "csrf": csrf_of(staff.get(url).text),
            "angebote": "-Beratung",
            "plaetze": "40",
            "zielgruppen": ["Frauen", "Eltern und Familien"],
            "wohnortnah_inklusiv": "nein",
        },
    )
    liste = staff.get("/gs/").text  # the old address leads to the workspace's list of forms
    assert re.search(r"Bestandserhebung[^<]*</a></td>\s*<td class=\"zahl\">2</td><td class=\"zahl\">1</td>", liste)
    page = staff.get("/gs/formular/bestandserhebung")
    assert "Kinderschutzbund Süd" in page.text and "-Beratung" in page.text
    sheet = load_workbook(io.BytesIO(staff.get("/gs/formular/bestandserhebung/antworten.xlsx").content)).active
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert values["Träger"] == "Diakonie Nord e. V." and values["Bezug"] == "Sozialraum Nord"
    assert values["Welche Angebote hält Ihr Träger im Sozialraum vor?"] == "'-Beratung"
    assert values["Plätze oder Teilnehmende pro Woche (ungefähr)"] == 40
    assert values["Für wen sind die Angebote?"] == "Eltern und Familien; Frauen"
    assert staff.get("/gs/formular/gibtsnicht").status_code == 404


def test_revoke_and_resend(staff: TestClient, engine: Engine, portal_settings: Settings, welt: Welt) -> None:
    url = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    sitzung = f"/arbeitsplatz/sitzungen/{welt.sitzung}"
    page = staff.get(sitzung)
    csrf = csrf_of(page.text)
    link_id = int(re.search(r"/gs/link/(\d+)/widerrufen", page.text).group(1))  # type: ignore[union-attr]
    assert staff.post(f"/gs/link/{link_id}/widerrufen", data={"zurueck": sitzung}).status_code == 403  # no CSRF
    done = staff.post(f"/gs/link/{link_id}/widerrufen", data={"csrf": csrf, "zurueck": sitzung})
    assert "Der Link wurde zurückgezogen." in done.text and "zurückgezogen" in done.text
    assert staff.get(url).status_code == 410
    resent = staff.post(
        f"/gs/link/{link_id}/neu-senden",
        data={"csrf": csrf, "zurueck": "https://boese.example/"},
        follow_redirects=False,
    )
    assert resent.headers["location"] == "/arbeitsplatz/formulare?meldung=neu_gesendet"  # no open redirect
    with session_scope(engine, actor="test") as session:
        message = session.exec(select(OutboxMessage)).one()
        new_link = session.exec(select(PersonalLink).where(PersonalLink.widerrufen_am.is_(None))).one()  # type: ignore[union-attr]
    assert message.empfaenger == "anna@diakonie.example" and message.schluessel == f"portal-link:{new_link.id}"
    assert message.betreff.startswith("Ihre Rückmeldung: Sozialraumkonferenz Nord")
    body = message.inhalt.decode("ascii")  # type: ignore[union-attr]
    assert "/rueckmeldung/" in body and "Fr=C3=BChere Links f=C3=BCr diesen Zweck gelten nicht mehr" in body
    new_path = re.search(r"http://testserver(/rueckmeldung/[A-Za-z0-9_\-=\r\n.]+)", body)
    assert new_path is not None
    with session_scope(engine, actor="test") as session:
        from sozialforum.store.models import AuditEntry

        trail = session.exec(select(AuditEntry).where(AuditEntry.tabelle == "personal_link")).all()
    assert [(e.aktion, e.akteur) for e in trail] == [("update", "benutzer:planerin")] * 2 + [
        ("create", "benutzer:planerin")
    ]


def test_logout_ends_the_session(staff: TestClient, clock: Clock, engine: Engine) -> None:
    csrf = csrf_of(staff.get("/arbeitsplatz/").text)
    assert staff.post("/gs/abmelden", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert staff.get("/arbeitsplatz/", follow_redirects=False).headers["location"] == "/gs/anmelden"
    with session_scope(engine, actor="test") as session:
        assert session.exec(select(Benutzer)).one().letzte_anmeldung_am == NOW


def test_neutralize() -> None:
    assert [neutralize(v) for v in ("=1", "+1", "-1", "@a", "\t=1", "ok", 5, -5)] == [
        "'=1",
        "'+1",
        "'-1",
        "'@a",
        "'\t=1",
        "ok",
        5,
        -5,
    ]

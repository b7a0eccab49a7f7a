"""Who may see what: the token matrix (tampered, expired, revoked, other person, other purpose)
gets German 403/410 pages that reveal nothing, and no Träger's link reads another Träger's data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum import links
from sozialforum.portal.app import create_app
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.vocab import LinkZweck
from tests.portal.conftest import NOW, Clock, Welt, csrf_of, issue, make_settings, request_form

# Everything a page could leak about the world: names, Träger, the Sitzung, the area.
SECRETS = (
    "Anna",
    "Albers",
    "Bernd",
    "Brandt",
    "Diakonie",
    "Kinderschutzbund",
    "Sozialraumkonferenz",
    "Sozialraum Nord",
    "Familiencafé",
    "Lindenstraße",
)


def _revealing(text: str) -> list[str]:
    return [word for word in SECRETS if word in text]


def test_token_matrix(client: TestClient, clock: Clock, engine: Engine, portal_settings: Settings, welt: Welt) -> None:
    rsvp = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    short = issue(
        engine,
        portal_settings,
        person_id=welt.person_a,
        zweck=LinkZweck.RSVP,
        bezug_id=welt.sitzung,
        gueltig_bis=NOW + timedelta(minutes=5),
    )
    revoked = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    with session_scope(engine, actor="test") as session:
        link = links.verify_link(
            session, links.token_from_url(revoked), zweck=LinkZweck.RSVP, now=NOW, settings=portal_settings
        )
        links.revoke_link(session, link_id=link.id, now=NOW)  # type: ignore[arg-type]
    token = links.token_from_url(rsvp)
    # B's form request, and a form link that was (wrongly) issued to A for it.
    anfrage_b = request_form(engine, portal_settings, "bestandserhebung", welt.traeger_b, welt.gebiet)
    misissued = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.FORMULAR, bezug_id=anfrage_b)
    clock.now = NOW + timedelta(minutes=10)
    cases = {
        "tampered": (rsvp[:-2] + ("AA" if not rsvp.endswith("AA") else "BB"), 403, "Link ungültig"),
        "secret only": (rsvp.rsplit(".", 1)[0], 403, "Link ungültig"),
        "other purpose": (f"/formular/{token}", 403, "Link ungültig"),
        "other purpose 2": (f"/themenvorschlag/{token}", 403, "Link ungültig"),
        "expired": (short, 410, "Link abgelaufen"),
        "revoked": (revoked, 410, "Link nicht mehr gültig"),
        "other Träger's form": (misissued, 410, "Formular nicht verfügbar"),
        "unknown": ("/rueckmeldung/" + "A" * 32 + "." + "B" * 32, 403, "Link ungültig"),
    }
    for name, (path, status, title) in cases.items():
        for method in ("get", "post"):
            response = client.request(method.upper(), path, data={"antwort": "zusage"} if method == "post" else None)
            if name == "other Träger's form" and method == "post":  # a valid link: CSRF fails first
                status, title = 403, "Formular nicht angenommen"
            assert response.status_code == status, (name, method)
            assert f"<h1>{title}</h1>" in response.text, name
            assert _revealing(response.text) == [], (name, _revealing(response.text))
    assert client.get(rsvp).status_code == 200  # the genuine link still works


def test_no_traeger_reads_another_traegers_data(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    people = {"A": (welt.person_a, welt.traeger_a), "B": (welt.person_b, welt.traeger_b)}
    urls: dict[str, dict[str, str]] = {}
    for who, (person, traeger) in people.items():
        anfrage = request_form(engine, portal_settings, "bestandserhebung", traeger, welt.gebiet)
        urls[who] = {
            "rsvp": issue(engine, portal_settings, person_id=person, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung),
            "thema": issue(
                engine, portal_settings, person_id=person, zweck=LinkZweck.THEMENVORSCHLAG, bezug_id=welt.sitzung
            ),
            "formular": issue(engine, portal_settings, person_id=person, zweck=LinkZweck.FORMULAR, bezug_id=anfrage),
        }
        marker = f"MARKE-{who}"
        page = urls[who]
        client.post(
            page["rsvp"],
            data={"csrf": csrf_of(client.get(page["rsvp"]).text), "antwort": "zusage", "kommentar": marker},
        )
        client.post(page["thema"], data={"csrf": csrf_of(client.get(page["thema"]).text), "titel": marker})
        client.post(
            page["formular"],
            data={"csrf": csrf_of(client.get(page["formular"]).text), "angebote": marker, "zielgruppen": "Frauen"},
        )
    own_name = {"A": "Diakonie", "B": "Kinderschutzbund"}
    for who, other in (("A", "B"), ("B", "A")):
        for kind, path in urls[who].items():
            text = client.get(path).text
            assert f"MARKE-{other}" not in text, (who, kind)
            assert own_name[other] not in text, (who, kind)
            assert f"MARKE-{who}" in text or kind == "rsvp", (who, kind)
        # Posting to one's own link cannot address the other's objects: ids in the form are ignored.
        client.post(
            urls[who]["formular"],
            data={
                "csrf": csrf_of(client.get(urls[who]["formular"]).text),
                "angebote": f"NEU-{who}",
                "zielgruppen": "Frauen",
                "anfrage_id": "1",
                "bezug_id": "1",
                "person_id": str(people[other][0]),
            },
        )
        assert f"NEU-{who}" not in client.get(urls[other]["formular"]).text


def test_staff_pages_and_exports_need_a_login(client: TestClient, welt: Welt) -> None:
    for path in (
        f"/gs/sitzung/{welt.sitzung}/rueckmeldungen.csv",
        f"/gs/sitzung/{welt.sitzung}/themenvorschlaege.xlsx",
        "/gs/formular/bestandserhebung/antworten.xlsx",
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/gs/anmelden", path
    # The old pages lead to the workspace's, which ask for the login themselves (tests/arbeitsplatz).
    for path, target in (
        ("/gs/", "/arbeitsplatz/formulare"),
        (f"/gs/sitzung/{welt.sitzung}", f"/arbeitsplatz/sitzungen/{welt.sitzung}"),
        ("/gs/formular/bestandserhebung", "/arbeitsplatz/formulare/bestandserhebung"),
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == target, path
    for path in ("/gs/link/1/widerrufen", "/gs/link/1/neu-senden", "/gs/abmelden"):
        assert client.post(path, follow_redirects=False).status_code == 303
    client.cookies.set("sf_gs", "erfunden", path="/gs")
    assert client.get("/gs/formular/bestandserhebung/antworten.csv", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_bad_tokens_are_rate_limited_per_address(tmp_path: Path, engine: Engine, welt: Welt) -> None:
    settings = make_settings(tmp_path, engine, fehlversuche_max=3, sperre_minuten=15)
    clock = Clock()
    good = issue(engine, settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    expired = issue(
        engine,
        settings,
        person_id=welt.person_a,
        zweck=LinkZweck.RSVP,
        bezug_id=welt.sitzung,
        gueltig_bis=NOW - timedelta(days=1),
    )
    with TestClient(create_app(settings, engine, clock=clock)) as client:
        for _ in range(5):  # tokens we issued never count, even expired ones
            assert client.get(expired).status_code == 410
        for attempt in range(3):
            assert client.get(f"/rueckmeldung/{'A' * 20}.{attempt}").status_code == 403
        blocked = client.get(f"/rueckmeldung/{'B' * 32}.{'C' * 32}")
        assert blocked.status_code == 429 and "Zu viele ungültige Versuche" in blocked.text
        assert _revealing(blocked.text) == []
        # A genuine link still works from the same address (Träger behind the same NAT).
        assert client.get(good).status_code == 200
        clock.now = NOW + timedelta(minutes=16)
        assert client.get(f"/rueckmeldung/{'B' * 32}.{'C' * 32}").status_code == 403

"""The Träger pages over HTTP: RSVP (the same row as calendar replies), topic proposals, forms
with versions, CSRF and origin checks, security headers, audit entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sozialforum.portal import beteiligung
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import (
    AuditEntry,
    FormularAntwort,
    FormularAntwortVersion,
    Person,
    Rueckmeldung,
    Themenvorschlag,
)
from sozialforum.vocab import Antwort, AntwortQuelle, LinkZweck
from tests.portal.conftest import NOW, Clock, Welt, csrf_of, issue, request_form


def _rsvp_url(engine: Engine, settings: Settings, welt: Welt) -> str:
    return issue(engine, settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)


def test_rsvp_updates_the_row_a_calendar_reply_wrote(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    with session_scope(engine, actor="kalender") as session:
        session.add(
            Rueckmeldung(
                sitzung_id=welt.sitzung,
                person_id=welt.person_a,
                antwort=Antwort.ABSAGE,
                quelle=AntwortQuelle.KALENDER,
                eingeladen_an="anna@diakonie.example",
            )
        )
    url = _rsvp_url(engine, portal_settings, welt)
    page = client.get(url)
    assert page.status_code == 200 and "Absage" in page.text
    response = client.post(
        url,
        data={
            "csrf": csrf_of(page.text),
            "antwort": "zusage",
            "personen": "3",
            "beduerfnisse": ["stufenlos", "gebaerdensprache"],
            "kommentar": "=1+1",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].endswith("?gespeichert=1")
    confirmation = client.get(response.headers["location"])
    assert "Ihre Rückmeldung ist gespeichert" in confirmation.text and "3 Personen" in confirmation.text
    with session_scope(engine, actor="test") as session:
        row = session.exec(select(Rueckmeldung)).one()
        assert (row.antwort, row.personen, row.quelle) == ("zusage", 3, "link")
        assert row.beduerfnisse == ["stufenlos", "gebaerdensprache"]
        assert row.eingeladen_an == "anna@diakonie.example"  # the invitation record is kept
        audit = session.exec(
            select(AuditEntry).where(AuditEntry.tabelle == "rueckmeldung", AuditEntry.aktion == "update")
        ).one()
        assert audit.akteur.startswith("link:") and audit.aenderungen["antwort"] == ["absage", "zusage"]


def test_rsvp_page_shows_the_sitzung_and_greets_the_person(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    page = client.get(_rsvp_url(engine, portal_settings, welt))
    assert "Guten Tag Anna Albers (Diakonie Nord e. V.)," in page.text
    for shown in (
        "Sozialraumkonferenz Nord, Frühjahr",
        "<dd>Sozialraumkonferenz Nord</dd>",
        "Familienzentrum, Lindenstraße 4, 37000 Musterstadt",
        "Mittwoch, 18. März 2026",
    ):
        assert shown in page.text, shown
    assert "Kinderschutzbund" not in page.text and "Bernd" not in page.text
    with session_scope(engine, actor="test") as session:  # a person without a Träger
        person = Person(kennung="P-O", nachname="Ohne", email="o@example.org")
        session.add(person)
        session.flush()
        person_id = person.id
    url = issue(engine, portal_settings, person_id=person_id, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)  # type: ignore[arg-type]
    assert "Guten Tag Ohne,\n" in client.get(url).text


def test_every_rsvp_submission_is_recorded_and_audited_once(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    url = _rsvp_url(engine, portal_settings, welt)
    csrf = csrf_of(client.get(url).text)
    for antwort, kommentar in (("zusage", "erst"), ("vielleicht", "dann"), ("absage", "zuletzt")):
        response = client.post(
            url,
            data={"csrf": csrf, "antwort": antwort, "personen": "2", "kommentar": kommentar},
            follow_redirects=False,
        )
        assert response.status_code == 303
    with session_scope(engine, actor="test") as session:
        row = session.exec(select(Rueckmeldung)).one()
        assert (row.antwort, row.personen, row.kommentar) == ("absage", 0, "zuletzt")
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.tabelle == "rueckmeldung").order_by(AuditEntry.id)
        ).all()  # type: ignore[arg-type]
        assert [e.aktion for e in entries] == ["create", "update", "update"]
        assert {e.datensatz_id for e in entries} == {row.id} and all(e.akteur.startswith("link:") for e in entries)
        assert entries[2].aenderungen["kommentar"] == ["dann", "zuletzt"]


def test_a_first_answer_and_its_audit_entry_are_one_transaction(
    engine: Engine, welt: Welt, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The row's INSERT is the transaction's first write (the link was touched within the hour):
    if anything after it fails, the row must go too, on SQLite as on PostgreSQL."""

    def audit_fails(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Abbruch nach dem INSERT")

    monkeypatch.setattr(beteiligung, "_audit", audit_fails)
    eingabe = beteiligung.RsvpEingabe(Antwort.ZUSAGE, 1, [], None)
    with pytest.raises(RuntimeError), engine.begin() as connection:
        beteiligung.record_rsvp(
            connection, akteur="test", sitzung_id=welt.sitzung, person_id=welt.person_a, eingabe=eingabe, now=NOW
        )
    with session_scope(engine, actor="test") as session:
        assert session.exec(select(Rueckmeldung)).first() is None


def test_rsvp_changeable_until_the_meeting(
    client: TestClient, clock: Clock, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    url = _rsvp_url(engine, portal_settings, welt)
    csrf = csrf_of(client.get(url).text)
    assert client.post(url, data={"csrf": csrf, "antwort": "absage"}).status_code == 200
    with session_scope(engine, actor="test") as session:
        from sozialforum.store.models import Sitzung

        beginn = session.get(Sitzung, welt.sitzung).beginn  # type: ignore[union-attr]
    clock.now = beginn + timedelta(minutes=1)
    page = client.get(url)
    assert "hat bereits begonnen" in page.text and '<form method="post"' not in page.text
    client.post(url, data={"csrf": csrf, "antwort": "zusage"})
    with session_scope(engine, actor="test") as session:
        assert session.exec(select(Rueckmeldung)).one().antwort == "absage"


def test_rsvp_bad_input_is_explained_and_nothing_changes(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    url = _rsvp_url(engine, portal_settings, welt)
    csrf = csrf_of(client.get(url).text)
    response = client.post(url, data={"csrf": csrf, "personen": "99", "beduerfnisse": ["<script>"]})
    assert response.status_code == 400
    assert "Bitte wählen Sie, ob Sie teilnehmen." in response.text
    assert "eine Zahl von 1 bis 20" in response.text and 'aria-invalid="true"' in response.text
    assert "<script>" not in response.text
    with session_scope(engine, actor="test") as session:
        assert session.exec(select(Rueckmeldung)).first() is None


def test_csrf_and_origin_are_checked_on_every_post(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    url = _rsvp_url(engine, portal_settings, welt)
    csrf = csrf_of(client.get(url).text)
    other = _rsvp_url(engine, portal_settings, welt)  # a CSRF token is bound to its link
    cases = [
        ({"antwort": "zusage"}, {}),
        ({"antwort": "zusage", "csrf": "0" * 40}, {}),
        ({"antwort": "zusage", "csrf": csrf_of(client.get(other).text)}, {}),
        ({"antwort": "zusage", "csrf": csrf}, {"origin": "https://angreifer.example"}),
    ]
    for data, headers in cases:
        response = client.post(url, data=data, headers=headers)
        assert response.status_code == 403, (data, headers)
        assert "Formular nicht angenommen" in response.text
    with session_scope(engine, actor="test") as session:
        assert session.exec(select(Rueckmeldung)).first() is None
    assert (
        client.post(
            url,
            data={"antwort": "zusage", "csrf": csrf},
            headers={"origin": "http://testserver"},
            follow_redirects=False,
        ).status_code
        == 303
    )


def test_security_headers(client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt) -> None:
    response = client.get(_rsvp_url(engine, portal_settings, welt))
    headers = response.headers
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "script-src" not in headers["content-security-policy"]  # no scripts at all
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"  # the token never leaves in a Referer
    assert headers["cache-control"] == "no-store"
    css = client.get("/static/portal.css")
    assert css.status_code == 200 and ":focus-visible" in css.text and "http" not in css.text


def test_topic_proposal(client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt) -> None:
    url = issue(
        engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.THEMENVORSCHLAG, bezug_id=welt.sitzung
    )
    csrf = csrf_of(client.get(url).text)
    bad = client.post(url, data={"csrf": csrf, "titel": "x", "dauer_minuten": "900"})
    assert bad.status_code == 400 and "mindestens 3 Zeichen" in bad.text and "5 bis 180" in bad.text
    response = client.post(
        url, data={"csrf": csrf, "titel": "Hortplätze in Nord", "begruendung": "Warteliste", "dauer_minuten": "20"}
    )
    assert "Ihr Vorschlag ist eingegangen" in response.text and "Hortplätze in Nord" in response.text
    with session_scope(engine, actor="test") as session:
        vorschlag = session.exec(select(Themenvorschlag)).one()
        assert (vorschlag.person_id, vorschlag.organisation_id, vorschlag.dauer_minuten) == (
            welt.person_a,
            welt.traeger_a,
            20,
        )
        entry = session.exec(select(AuditEntry).where(AuditEntry.tabelle == "themenvorschlag")).one()
        assert entry.akteur.startswith("link:") and entry.datensatz_id == vorschlag.id


def test_form_resubmission_keeps_versions(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    anfrage = request_form(engine, portal_settings, "massnahme_sachstand", welt.traeger_a, welt.massnahme_a)
    url = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.FORMULAR, bezug_id=anfrage)
    page = client.get(url)
    assert "Sachstand zur Maßnahme" in page.text and "Familiencafé Nord" in page.text
    csrf = csrf_of(page.text)
    bad = client.post(url, data={"csrf": csrf, "status": "erfunden", "mittel_eur": "zwölf", "stand_am": "31.02.2026"})
    assert bad.status_code == 400
    for text in (
        "bitte eine der angebotenen",
        "Bitte geben Sie eine Zahl an",
        "kein gültiges Datum",
        "Was wurde seit dem letzten Bericht erreicht?: bitte ausfüllen",
    ):
        assert text in bad.text
    first = {
        "csrf": csrf,
        "status": "laufendes_geschaeft",
        "sachstand": "Café läuft",
        "mittel_eur": "1.234,5",
        "teilnehmende": "85",
        "stand_am": "01.03.2026",
    }
    assert client.post(url, data=first, follow_redirects=False).status_code == 303
    shown = client.get(url).text
    assert "Fassung 1" in shown and 'value="1234,50"' in shown and 'value="01.03.2026"' in shown
    client.post(url, data={**first, "sachstand": "Café läuft, zweiter Standort geplant", "status": "weiterentwicklung"})
    with session_scope(engine, actor="test") as session:
        answer = session.exec(select(FormularAntwort)).one()
        assert answer.version == 2 and answer.werte["status"] == "weiterentwicklung"
        assert answer.werte["mittel_eur"] == 1234.5 and answer.werte["teilnehmende"] == 85
        versions = session.exec(select(FormularAntwortVersion).order_by(FormularAntwortVersion.version)).all()
        assert [v.werte["sachstand"] for v in versions] == ["Café läuft", "Café läuft, zweiter Standort geplant"]
        audit = session.exec(select(AuditEntry).where(AuditEntry.tabelle == "formular_antwort")).all()
        assert [a.aktion for a in audit] == ["create", "update"]


def test_pages_without_token_show_nothing(client: TestClient, welt: Welt) -> None:
    start = client.get("/")
    assert start.status_code == 200 and "persönlichen Link" in start.text
    assert "Anna" not in start.text and "Diakonie" not in start.text
    for path in ("/rueckmeldung/", "/formular", "/gs/sitzung/1/rueckmeldungen.csv", "/docs", "/openapi.json"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in (303, 404, 405), path
        assert "Anna" not in response.text
    assert client.get("/gs/formular/bestandserhebung/antworten.csv", follow_redirects=False).headers["location"] == (
        "/gs/anmelden"
    )


def test_unexpected_error_page_is_german_and_secured(
    tmp_path, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:  # type: ignore[no-untyped-def]
    from sozialforum.portal.app import create_app
    from tests.portal.conftest import make_settings

    anfrage = request_form(engine, portal_settings, "bestandserhebung", welt.traeger_a, welt.gebiet)
    url = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.FORMULAR, bezug_id=anfrage)
    broken = tmp_path / "formulare.toml"
    broken.write_text("[[formular]]\nkennung = 'x'\n", encoding="utf-8")  # no fields: rejected on load
    app = create_app(make_settings(tmp_path, engine, formulare=str(broken)), engine, clock=Clock())
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(url)
    assert response.status_code == 500 and "Technischer Fehler" in response.text
    assert "Traceback" not in response.text and "formulare.toml" not in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_topic_proposals_are_limited_per_person_and_sitzung(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    url = issue(
        engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.THEMENVORSCHLAG, bezug_id=welt.sitzung
    )
    csrf = csrf_of(client.get(url).text)
    limit = portal_settings.portal.vorschlaege_je_sitzung
    for i in range(limit):
        ok = client.post(url, data={"csrf": csrf, "titel": f"Thema Nummer {i}"})
        assert "Ihr Vorschlag ist eingegangen" in ok.text
    refused = client.post(url, data={"csrf": csrf, "titel": "Noch ein Thema"})
    assert refused.status_code == 400 and f"bereits {limit} Themen vorgeschlagen" in refused.text
    with session_scope(engine, actor="test") as session:
        assert len(session.exec(select(Themenvorschlag)).all()) == limit

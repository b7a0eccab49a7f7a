"""The way back in: an expired link offers a fresh one by e-mail (answering the same whatever
the address), the mailed link opens one page with all open requests of the contact, each opens
with a new link, and an answer can be confirmed by mail."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import OutboxMessage, Rueckmeldung
from sozialforum.store.models.gremien import Sitzung
from sozialforum.vocab import Antwort, LinkZweck, SitzungStatus
from tests.portal.conftest import NOW, Welt, csrf_of, issue

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
ORIGIN = {"origin": "http://testserver"}


def _mails(settings: Settings) -> list[email.message.EmailMessage]:
    files = sorted(Path(settings.outbox_dir).glob("*.eml"))
    return [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]  # type: ignore[misc]  # policy.default gives EmailMessage


def _text(message: email.message.EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return body.get_content()


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_expired_link_fresh_link_overview_answer_confirmation(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    # An RSVP link that expired (the Sitzung itself lies ahead), and a topic link for another
    # person that must never show up on this person's page.
    abgelaufen = issue(
        engine,
        portal_settings,
        person_id=welt.person_a,
        zweck=LinkZweck.RSVP,
        bezug_id=welt.sitzung,
        gueltig_bis=NOW - timedelta(days=1),
    )
    issue(engine, portal_settings, person_id=welt.person_b, zweck=LinkZweck.THEMENVORSCHLAG, bezug_id=welt.sitzung)
    page = client.get(abgelaufen)
    assert page.status_code == 410 and 'href="/neuer-link"' in page.text

    # The answer is the same for a known and an unknown address; only the known one gets mail.
    unknown = client.post("/neuer-link", data={"email": "niemand@nirgendwo.example"}, headers=ORIGIN)
    known = client.post("/neuer-link", data={"email": "  Anna@Diakonie.example "}, headers=ORIGIN)
    assert unknown.status_code == known.status_code == 200
    strip = re.compile(r'name="csrf" value="[^"]*"')
    assert strip.sub("", unknown.text) == strip.sub("", known.text)
    mails = _mails(portal_settings)
    assert len(mails) == 1 and mails[0]["To"].addresses[0].addr_spec == "anna@diakonie.example"
    text = _text(mails[0])
    assert "- Ihre Rückmeldung: " in text and "(Noch keine Antwort)" in text  # the open request, listed
    url = re.search(r"http://testserver(/anfragen/\S+)", text)
    assert url, text
    overview = client.get(url.group(1))
    assert overview.status_code == 200
    assert "Noch keine Antwort" in overview.text and "Themen vorschlagen" not in overview.text
    assert "<title>Ihre offenen Anfragen – Geschäftsstelle Sozialplanung</title>" in overview.text

    # Opening the request issues a fresh RSVP link and leads there.
    opened = client.post(
        url.group(1),
        data={"csrf": csrf_of(overview.text), "ziel": f"rsvp:{welt.sitzung}"},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert opened.status_code == 303 and opened.headers["location"].startswith("/rueckmeldung/")
    rsvp = client.get(opened.headers["location"])
    assert rsvp.status_code == 200 and 'name="bestaetigung"' in rsvp.text
    assert 'href="/anfragen/rueckmeldung/' in rsvp.text  # the way back to the overview
    answered = client.post(
        opened.headers["location"],
        data={"csrf": csrf_of(rsvp.text), "antwort": "zusage", "personen": "2", "bestaetigung": "1"},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert answered.status_code == 303
    with session_scope(engine, actor="test") as session:
        row = session.exec(select(Rueckmeldung).where(Rueckmeldung.person_id == welt.person_a)).one()
        assert row.antwort == Antwort.ZUSAGE
        arten = [m.art for m in session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()]
    assert arten == ["anfragen_link", "rsvp_bestaetigung"]
    bestaetigung = _text(_mails(portal_settings)[-1])
    assert "Ihre Antwort: Zusage, 2 Personen" in bestaetigung

    # The overview now shows the answer; a request of someone else cannot be opened from it.
    again = client.get(url.group(1))
    assert "Ihre Antwort: Zusage" in again.text
    foreign = client.post(
        url.group(1), data={"csrf": csrf_of(again.text), "ziel": "themenvorschlag:999"}, headers=ORIGIN
    )
    assert foreign.status_code == 409 and "nicht mehr offen" in foreign.text


def test_no_confirmation_unless_asked_and_none_after_a_cancellation(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    link = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    page = client.get(link)
    client.post(link, data={"csrf": csrf_of(page.text), "antwort": "absage"}, headers=ORIGIN)
    with session_scope(engine, actor="test") as session:
        assert session.exec(select(OutboxMessage)).all() == []
        session.get(Sitzung, welt.sitzung).status = SitzungStatus.ABGESAGT  # type: ignore[union-attr]  # the world's Sitzung exists
    overview = client.get("/anfragen" + link)
    assert overview.status_code == 200 and "nichts offen" in overview.text


def test_bad_addresses_and_too_many_requests(client: TestClient, portal_settings: Settings) -> None:
    bad = client.post("/neuer-link", data={"email": "anna at diakonie"}, headers=ORIGIN)
    assert bad.status_code == 400 and "vollständig" in bad.text and 'aria-invalid="true"' in bad.text
    foreign = client.post("/neuer-link", data={"email": "a@b.example"}, headers={"origin": "https://evil.example"})
    assert foreign.status_code == 403
    statuses = [
        client.post("/neuer-link", data={"email": f"p{n}@x.example"}, headers=ORIGIN).status_code for n in range(11)
    ]
    assert statuses[:9] == [200] * 9 and statuses[-1] == 429
    assert not list(Path(portal_settings.outbox_dir).glob("*.eml"))
    assert client.get("/anfragen/unbekannt/abc.def").status_code == 404


def test_a_vertretung_is_named_checked_and_on_the_participant_list(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    from sozialforum.konferenz import teilnehmerliste

    link = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    page = client.get(link)
    assert "Ich werde vertreten" in page.text
    missing = client.post(link, data={"csrf": csrf_of(page.text), "antwort": "delegiert"}, headers=ORIGIN)
    assert missing.status_code == 400 and "wer Sie vertritt" in missing.text
    bad = client.post(
        link,
        data={
            "csrf": csrf_of(page.text),
            "antwort": "delegiert",
            "vertretung_name": "Jana Jung",
            "vertretung_email": "jana at diakonie",
        },
        headers=ORIGIN,
    )
    assert bad.status_code == 400 and 'id="fehler-vertretung_email"' in bad.text
    with session_scope(engine, actor="test") as session:
        assert session.exec(select(Rueckmeldung)).all() == []  # refused answers changed nothing
    ok = client.post(
        link,
        data={
            "csrf": csrf_of(page.text),
            "antwort": "delegiert",
            "vertretung_name": "  Jana   Jung ",
            "vertretung_email": "jana@diakonie.example",
            "bestaetigung": "1",
        },
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert ok.status_code == 303
    with session_scope(engine, actor="test") as session:
        row = session.exec(select(Rueckmeldung)).one()
        assert (row.antwort, row.vertretung_name, row.vertretung_email, row.personen) == (
            Antwort.DELEGIERT,
            "Jana Jung",
            "jana@diakonie.example",
            1,
        )
        liste = teilnehmerliste.build(session, sitzung_id=welt.sitzung)
    zeile = next(z for z in liste.zeilen if z.antwort == "Vertretung benannt")
    assert zeile.kommentar == "Vertreten durch Jana Jung (jana@diakonie.example)"
    assert "Ihre Antwort: Vertretung benannt: Jana Jung" in _text(_mails(portal_settings)[-1])


def test_changing_the_own_address_needs_the_new_address_and_tells_the_old_one(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    from sozialforum.store.models import AuditEntry, Person

    link = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    overview = client.get("/anfragen" + link)
    assert "anna@diakonie.example" in overview.text
    same = client.post(
        "/anfragen" + link, data={"csrf": csrf_of(overview.text), "neue_email": "ANNA@diakonie.example"}, headers=ORIGIN
    )
    assert same.status_code == 400 and "bereits Ihre Adresse" in same.text
    asked = client.post(
        "/anfragen" + link,
        data={"csrf": csrf_of(overview.text), "neue_email": "anna.albers@diakonie.example"},
        headers=ORIGIN,
    )
    assert asked.status_code == 200 and "sobald Sie den Link darin öffnen" in asked.text
    with session_scope(engine, actor="test") as session:
        assert session.get(Person, welt.person_a).email == "anna@diakonie.example"  # type: ignore[union-attr]  # the world's person
    [mail] = _mails(portal_settings)
    assert mail["To"].addresses[0].addr_spec == "anna.albers@diakonie.example"
    confirm = re.search(r"http://testserver(/email-bestaetigen/\S+)", _text(mail))
    assert confirm
    shown = client.get(confirm.group(1))  # a mail scanner opening the link changes nothing
    assert shown.status_code == 200 and "Alle Ihre offenen Anfragen" not in shown.text
    with session_scope(engine, actor="test") as session:
        assert session.get(Person, welt.person_a).email == "anna@diakonie.example"  # type: ignore[union-attr]  # the world's person
    done = client.post(confirm.group(1), data={"csrf": csrf_of(shown.text)}, headers=ORIGIN)
    assert done.status_code == 200 and "ab jetzt an" in done.text
    client.post(confirm.group(1), data={"csrf": csrf_of(shown.text)}, headers=ORIGIN)  # twice: applied once
    with session_scope(engine, actor="test") as session:
        assert session.get(Person, welt.person_a).email == "anna.albers@diakonie.example"  # type: ignore[union-attr]  # the world's person
        changes = session.exec(
            select(AuditEntry).where(AuditEntry.tabelle == "person", AuditEntry.datensatz_id == welt.person_a)
        ).all()
        assert any("email" in (entry.aenderungen or {}) for entry in changes)
    mails = _mails(portal_settings)
    assert len(mails) == 2 and mails[1]["To"].addresses[0].addr_spec == "anna@diakonie.example"
    assert "anna.albers@diakonie.example" in _text(mails[1])


def _changed_by_a_link_holder(client: TestClient, portal_settings: Settings, link: str) -> str:
    """Change the address through the overview and confirm it; the path of the undo link that
    the old address received."""
    overview = client.get("/anfragen" + link)
    client.post(
        "/anfragen" + link,
        data={"csrf": csrf_of(overview.text), "neue_email": "fremder@evil.example"},
        headers=ORIGIN,
    )
    confirm = re.search(r"http://testserver(/email-bestaetigen/\S+)", _text(_mails(portal_settings)[0]))
    assert confirm
    shown = client.get(confirm.group(1))
    client.post(confirm.group(1), data={"csrf": csrf_of(shown.text)}, headers=ORIGIN)
    notice = _mails(portal_settings)[1]
    assert notice["To"].addresses[0].addr_spec == "anna@diakonie.example"
    back = re.search(r"http://testserver(/email-zurueck/\S+)", _text(notice))
    assert back, _text(notice)
    return back.group(1)


def test_the_old_address_takes_a_change_back_and_every_link_of_the_person_dies(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    """Someone holding a forwarded link changes the address and confirms it at his own mailbox;
    the owner of the old mailbox takes it back, and the forwarded link stops working."""
    from sozialforum.store.models import Person

    link = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    back = _changed_by_a_link_holder(client, portal_settings, link)

    page = client.get(back)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and "fremder@evil.example" in page.text
    # The old mailbox may only take the change back, not open the person's requests (or change
    # the address once more): its link opens no overview.
    assert client.get("/anfragen" + back).status_code == 404
    with session_scope(engine, actor="test") as session:
        assert session.get(Person, welt.person_a).email == "fremder@evil.example"  # type: ignore[union-attr]  # the world's person
    done = client.post(back, data={"csrf": csrf_of(page.text)}, headers=ORIGIN)
    assert done.status_code == 200 and "Wir schreiben Ihnen wieder an" in done.text
    again = client.post(back, data={"csrf": csrf_of(page.text)}, headers=ORIGIN)
    assert again.status_code == 410  # the undo link was withdrawn with all others: used once
    with session_scope(engine, actor="test") as session:
        assert session.get(Person, welt.person_a).email == "anna@diakonie.example"  # type: ignore[union-attr]  # the world's person
    assert client.get(link).status_code == 410  # the forwarded link no longer opens anything
    assert client.get("/anfragen" + link).status_code == 410
    mails = _mails(portal_settings)
    assert len(mails) == 3
    assert mails[2]["To"].addresses[0].addr_spec == portal_settings.geschaeftsstelle.email
    assert "fremder@evil.example" in _text(mails[2]) and "anna@diakonie.example" in _text(mails[2])


def test_a_change_made_again_since_is_not_taken_back_from_an_old_notice(
    client: TestClient, engine: Engine, portal_settings: Settings, welt: Welt
) -> None:
    from sozialforum.store.models import Person

    link = issue(engine, portal_settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    back = _changed_by_a_link_holder(client, portal_settings, link)
    with session_scope(engine, actor="test") as session:  # later, by the Geschäftsstelle
        session.get(Person, welt.person_a).email = "a3@diakonie.example"  # type: ignore[union-attr]  # the world's person
    page = client.get(back)
    refused = client.post(back, data={"csrf": csrf_of(page.text)}, headers=ORIGIN)
    assert refused.status_code == 200 and "noch einmal geändert" in refused.text
    with session_scope(engine, actor="test") as session:
        assert session.get(Person, welt.person_a).email == "a3@diakonie.example"  # type: ignore[union-attr]  # the world's person
    assert client.get(link).status_code == 200  # nothing was withdrawn
    assert len(_mails(portal_settings)) == 2  # and nobody told


def test_submissions_per_link_are_limited_before_the_body_is_read(tmp_path: Path, engine: Engine, welt: Welt) -> None:
    from sozialforum.portal.app import create_app
    from tests.portal.conftest import Clock, make_settings

    settings = make_settings(tmp_path, engine, antworten_je_minute=3)
    link = issue(engine, settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    other = issue(engine, settings, person_id=welt.person_b, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    with TestClient(create_app(settings, engine, clock=Clock()), base_url="http://testserver") as client:
        csrf = csrf_of(client.get(link).text)
        data = {"csrf": csrf, "antwort": "zusage"}
        statuses = [client.post(link, data=data, headers=ORIGIN, follow_redirects=False).status_code for _ in range(4)]
        assert statuses == [303, 303, 303, 429]
        refused = client.post(link, data=data, headers=ORIGIN)
        assert refused.status_code == 429 and "Zu viele Eingaben" in refused.text
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert client.get(link).status_code == 200  # reading stays possible
        other_page = client.get(other)
        assert (
            client.post(
                other,
                data={"csrf": csrf_of(other_page.text), "antwort": "absage"},
                headers=ORIGIN,
                follow_redirects=False,
            ).status_code
            == 303
        )

"""The Sachstand page behind the personal link of a reminder: the person responsible reports,
the report lands as an Umsetzungsbericht; nobody else's Auftrag is reachable. The reminder mail
itself is a golden file."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sozialforum.fristen import erinnerungen
from sozialforum.portal.app import create_app
from sozialforum.settings import Settings, load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Auftrag, Fehlversuch, OutboxMessage, Umsetzungsbericht
from sozialforum.timeutil import local_to_utc
from sozialforum.vocab import AuftragStatus
from tests.conftest import REPO
from tests.fristen.conftest import Welt
from tests.fristen.golden import assert_golden

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LINK = re.compile(r"http://testserver(/sachstand/[A-Za-z0-9_\-.]+)")


@pytest.fixture
def portal_settings(tmp_path: Path, engine: Engine) -> Settings:
    return load_settings(
        config_file=REPO / "config" / "sozialforum.toml",
        data_dir=tmp_path / "var",
        database_url=engine.url.render_as_string(hide_password=False),
        portal={"base_url": "http://testserver", "secret_key": "s" * 48},
        fristen={"meilensteine": str(REPO / "config" / "fristen.toml")},
    )


@pytest.fixture
def client(portal_settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(portal_settings, engine, clock=lambda: NOW), base_url="http://testserver") as c:
        yield c


def _reminder_text(engine: Engine, welt: Welt, ref: str) -> str:
    with session_scope(engine, actor="test") as session:
        message = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.art == "frist_erinnerung")).all()
        mail = next(m for m in message if m.bezug.get("frist") == ref)
        return mail.inhalt.decode("ascii")


def _body(raw: str) -> str:
    import email
    from email import policy

    message = email.message_from_string(raw, policy=policy.default)
    part = message.get_body(preferencelist=("plain",))
    return f"Subject: {message['Subject']}\nTo: {message['To']}\n\n{part.get_content()}"  # type: ignore[union-attr]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_report_through_the_link_in_the_reminder(
    engine: Engine, welt: Welt, portal_settings: Settings, client: TestClient
) -> None:
    day = date(2026, 3, 2)
    with session_scope(engine, actor="test") as session:
        erinnerungen.pruefe_fristen(session, today=day, now=local_to_utc(day, 6, 15), settings=portal_settings)
    text = _body(_reminder_text(engine, welt, f"auftrag:{welt.auftraege['bericht']}"))
    match = LINK.search(text)
    assert match, "the reminder to the responsible person carries a Sachstand link"
    assert_golden("erinnerung.txt", LINK.sub("http://testserver/sachstand/<TOKEN>", text))
    forum = _body(_reminder_text(engine, welt, f"auftrag:{welt.auftraege['forum']}"))
    assert "/sachstand/" not in forum  # went to the unit (no consent): no personal link
    page = client.get(match.group(1))
    assert page.status_code == 200 and "Bericht an den Kreistag" in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    bad = client.post(match.group(1), data={"csrf": csrf, "status": "umgesetzt", "sachstand": ""})
    assert bad.status_code == 400 and "Bitte kurz beschreiben" in bad.text
    done = client.post(
        match.group(1),
        data={"csrf": csrf, "status": "umgesetzt", "sachstand": "Bericht 2025 im Kreistag vorgestellt."},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with session_scope(engine, actor="test") as session:
        report = session.scalars(
            sa.select(Umsetzungsbericht).where(Umsetzungsbericht.auftrag_id == welt.auftraege["bericht"])
        ).one()
        assert report.text == "Bericht 2025 im Kreistag vorgestellt."
        auftrag = session.get(Auftrag, welt.auftraege["bericht"])
        # A yearly duty: reported done, its next period starts.
        assert (auftrag.status, auftrag.frist) == (AuftragStatus.OFFEN, date(2027, 3, 31))
    assert "Vielen Dank" in client.get(match.group(1) + "?gespeichert=1").text
    # The link does not reach a different Auftrag once it is reassigned.
    with session_scope(engine, actor="test") as session:
        session.get(Auftrag, welt.auftraege["bericht"]).verantwortlich_person_id = welt.ohne_einwilligung_id
    assert client.get(match.group(1)).status_code == 404


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_escalation_mail(engine: Engine, welt: Welt, portal_settings: Settings) -> None:
    day = date(2026, 3, 2)
    with session_scope(engine, actor="test") as session:
        erinnerungen.pruefe_fristen(session, today=day, now=local_to_utc(day, 6, 15), settings=portal_settings)
        mail = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.art == "frist_eskalation")).one()
        raw = mail.inhalt.decode("ascii")
    assert_golden("eskalation.txt", _body(raw))


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_subscribable_feed_in_the_portal(
    engine: Engine, welt: Welt, portal_settings: Settings, client: TestClient
) -> None:
    from sozialforum.beschluesse.feed import feed_url

    url = feed_url(portal_settings, 0).removeprefix("http://testserver")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert f"UID:auftrag-{welt.auftraege['konzept']}@landkreis-musterland.example" in response.text
    assert client.get("/kalender/fristen-" + "0" * 32 + ".ics").status_code == 404


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_the_deadline_feed_address_can_be_withdrawn(
    engine: Engine, welt: Welt, portal_settings: Settings, tmp_path: Path
) -> None:
    """``fristen.kalender_fassung`` one up: the old address answers 404 without counting as a guess,
    the new one works; 0 is the address issued before the setting existed."""
    from sozialforum.beschluesse.feed import feed_url

    old = feed_url(portal_settings, 0).removeprefix("http://testserver")
    legacy = hmac.new(portal_settings.secret_key().encode(), b"fristen-feed", hashlib.sha256).hexdigest()[:32]
    assert old == f"/kalender/fristen-{legacy}.ics"
    renewed = load_settings(
        config_file=REPO / "config" / "sozialforum.toml",
        data_dir=tmp_path / "var",
        database_url=engine.url.render_as_string(hide_password=False),
        portal={"base_url": "http://testserver", "secret_key": "s" * 48},
        fristen={"meilensteine": str(REPO / "config" / "fristen.toml"), "kalender_fassung": 1},
    )
    new = feed_url(renewed, 1).removeprefix("http://testserver")
    with TestClient(create_app(renewed, engine, clock=lambda: NOW), base_url="http://testserver") as client:
        gone = client.get(old)
        assert gone.status_code == 404 and "gilt nicht mehr" in gone.text
        assert client.get(new).status_code == 200
        with session_scope(engine, actor="test") as session:
            assert session.exec(select(Fehlversuch)).all() == []
        assert client.get("/kalender/fristen-" + "0" * 32 + ".ics").status_code == 404
        with session_scope(engine, actor="test") as session:
            assert len(session.exec(select(Fehlversuch)).all()) == 1


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_sachstand_on_an_auftrag_from_minutes_is_kept_and_an_empty_one_refused(
    engine: Engine, welt: Welt, portal_settings: Settings, client: TestClient
) -> None:
    from sozialforum.links import issue_link
    from sozialforum.vocab import AuftragQuelle, LinkZweck

    with session_scope(engine, actor="test") as session:
        auftrag = Auftrag(
            kennung="P-1",
            beschreibung="Konzept Familienzentrum vorlegen",
            frist=date(2026, 6, 30),
            quelle=AuftragQuelle.PROTOKOLL,
            verantwortlich_person_id=welt.person_id,
        )
        session.add(auftrag)
        session.flush()
        url = issue_link(
            session,
            person_id=welt.person_id,
            zweck=LinkZweck.SACHSTAND,
            bezug_id=auftrag.id,
            now=NOW,
            settings=portal_settings,
        ).removeprefix("http://testserver")
        auftrag_id = auftrag.id
    page = client.get(url)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    empty = client.post(url, data={"csrf": csrf, "status": "offen", "sachstand": " "})
    assert empty.status_code == 400 and "Bitte beschreiben Sie den Sachstand" in empty.text
    sent = client.post(
        url, data={"csrf": csrf, "status": "offen", "sachstand": "Entwurf liegt vor."}, follow_redirects=False
    )
    assert sent.status_code == 303
    with session_scope(engine, actor="test") as session:
        texts = session.scalars(sa.select(Umsetzungsbericht.text).where(Umsetzungsbericht.auftrag_id == auftrag_id))
        assert list(texts) == ["Entwurf liegt vor."]

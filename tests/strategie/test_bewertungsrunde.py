"""An evaluation round end to end with real parts: the flow asks three Träger by mail (loopback
SMTP), two answer through the portal, the third is reminded once, verdicts are recorded, and the
Prüfauftrag comes back as a reminder of the daily deadline flow."""

from __future__ import annotations

import email
import re
from datetime import UTC, date, datetime
from email.policy import default as default_policy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from sozialforum.portal.app import create_app
from sozialforum.settings import load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import (
    Auftrag,
    Bewertungsrunde,
    Massnahme,
    Organisation,
    Person,
    Projektbericht,
    ProjektRessource,
)
from sozialforum.strategie import bewertung
from sozialforum.timeutil import local_to_utc
from sozialforum.vocab import AuftragQuelle, OrganisationArt, Rechtsgrundlage, Urteil
from tests.konferenz.smtp_server import LoopbackSmtp
from tests.portal.conftest import csrf_of

pytestmark = [pytest.mark.prefect, pytest.mark.slow]
BASE = "http://testserver"


def _config(tmp_path: Path, engine: Engine, smtp: LoopbackSmtp) -> str:
    url = engine.url.render_as_string(hide_password=False)
    path = tmp_path / "sozialforum.toml"
    path.write_text(
        f'data_dir = "{tmp_path / "var"}"\ndatabase_url = "{url}"\n\n'
        f'[mail]\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp.port}\nsicherheit = "keine"\n'
        "nachrichten_pro_sekunde = 10000\n\n"
        f'[portal]\nbase_url = "{BASE}"\nsecret_key = "{"k" * 40}"\n',
        encoding="utf-8",
    )
    return str(path)


def _world(engine: Engine) -> dict[str, int]:
    ids = {}
    with session_scope(engine, actor="test") as s:
        for key, name, nachname in (
            ("A", "Diakonie Nord", "Albers"),
            ("B", "Caritas Süd", "Brandt"),
            ("C", "AWO West", "Claasen"),
        ):
            org = Organisation(kennung=f"T-{key}", name=name, art=OrganisationArt.FREIER_TRAEGER)
            s.add(org)
            s.flush()
            person = Person(
                kennung=f"P-{key}",
                vorname="Kim",
                nachname=nachname,
                email=f"{key.lower()}@traeger.example",
                organisation_id=org.id,
                rechtsgrundlage=Rechtsgrundlage.EINWILLIGUNG,
            )
            projekt = Massnahme(kennung=f"M-{key}", titel=f"Projekt {name}", verantwortlich_organisation_id=org.id)
            s.add_all([person, projekt])
            s.flush()
            s.add(ProjektRessource(massnahme_id=projekt.id, jahr=2025, plan_eur=50_000))
            ids[key] = projekt.id
            ids[f"person_{key}"] = person.id
        # A project outside the round's period is not asked.
        alt = Massnahme(kennung="M-ALT", titel="Altprojekt", verantwortlich_organisation_id=org.id)
        s.add(alt)
        s.flush()
        s.add(ProjektRessource(massnahme_id=alt.id, jahr=2019, plan_eur=1))
    return ids


def _mails(smtp: LoopbackSmtp) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(m.content, policy=default_policy) for m in smtp.collector.messages]  # type: ignore[misc]


def _body(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def _answer(client: TestClient, url: str, projekt: int) -> None:
    path = url.removeprefix(BASE)
    page = client.get(path)
    assert page.status_code == 200 and "Bericht zu Ihren Projekten" in page.text
    response = client.post(
        path,
        data={
            "csrf": csrf_of(page.text),
            "projekt": str(projekt),
            "erreichte_personen": "120",
            "ausgaben_eur": "48.500",
            "einschaetzung": "teilweise",
            "bericht": "Das Familiencafé erreicht 120 Familien im Jahr.",
        },
        headers={"Origin": BASE},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_round_requests_answers_reminder_verdicts_and_follow_up(
    prefect_harness: None, sqlite_engine: Engine, tmp_path: Path
) -> None:
    from sozialforum.flows.bewertungsrunde import bewertungsrunde
    from sozialforum.flows.fristen_ueberwachen import fristen_ueberwachen

    ids = _world(sqlite_engine)
    with LoopbackSmtp() as smtp:
        config = _config(tmp_path, sqlite_engine, smtp)
        settings = load_settings(config)
        with session_scope(sqlite_engine, actor="gs") as s:
            runde, stand = bewertung.runde_anlegen(
                s,
                kennung="BR-2025",
                titel="Bewertungsrunde 2025",
                strategie_id=None,
                von=2024,
                bis=2025,
                berichtsfrist=date(2026, 3, 31),
                now=datetime(2026, 3, 2, 8, tzinfo=UTC),
            )
        assert stand.projekte == 3

        first = bewertungsrunde(konfiguration=config, runde="BR-2025", jetzt=local_to_utc(date(2026, 3, 2), 7, 0))
        assert [(r["anfragen"], r["erinnerungen"], r["eingegangen"]) for r in first] == [(3, 0, 0)]
        mails = _mails(smtp)
        assert sorted(m["To"].addresses[0].addr_spec for m in mails) == [
            "a@traeger.example",
            "b@traeger.example",
            "c@traeger.example",
        ]
        links = {
            m["To"].addresses[0].addr_spec[0].upper(): re.search(
                r"http://testserver/projektbericht/\S+", _body(m)
            ).group(0)
            for m in mails
        }  # type: ignore[union-attr]
        assert "bis zum Dienstag, 31. März 2026" in _body(mails[0])

        now = datetime(2026, 3, 10, 9, tzinfo=UTC)
        app = create_app(settings, sqlite_engine, clock=lambda: now)
        with TestClient(app, base_url=BASE) as client:
            _answer(client, links["A"], ids["A"])
            _answer(client, links["B"], ids["B"])
            # A's link cannot report on B's project.
            page = client.get(links["A"].removeprefix(BASE))
            denied = client.post(
                links["A"].removeprefix(BASE),
                data={
                    "csrf": csrf_of(page.text),
                    "projekt": str(ids["B"]),
                    "einschaetzung": "erreicht",
                    "bericht": "x",
                },
                headers={"Origin": BASE},
            )
            assert denied.status_code == 404

        # A week before the deadline: C alone is reminded, once, however often the flow runs.
        for hour in (7, 12):
            later = bewertungsrunde(
                konfiguration=config, runde="BR-2025", jetzt=local_to_utc(date(2026, 3, 25), hour, 0)
            )
        assert [(r["eingegangen"], r["offen"]) for r in later] == [(2, 1)]
        reminders = [m for m in _mails(smtp) if m["Subject"].startswith("Erinnerung")]
        assert [m["To"].addresses[0].addr_spec for m in reminders] == ["c@traeger.example"]

        with session_scope(sqlite_engine, actor="steuerungsgruppe") as s:
            runde = s.exec(select(Bewertungsrunde)).one()
            berichte = {b.massnahme_id: b for b in s.exec(select(Projektbericht))}
            assert berichte[ids["A"]].zahlen["erreichte_personen"] == 120
            assert berichte[ids["C"]].eingegangen_am is None and berichte[ids["C"]].erinnert_am is not None
            verdicts = {
                "A": (Urteil.FORTSETZEN, None),
                "B": (Urteil.PRUEFAUFTRAG, date(2026, 9, 30)),
                "C": (Urteil.BEENDET, None),
            }
            for key, (urteil, frist) in verdicts.items():
                bewertung.bewerten(
                    s,
                    runde=runde,
                    massnahme=s.get(Massnahme, ids[key]),
                    urteil=urteil,
                    begruendung=f"Bewertung {key}",
                    von="Steuerungsgruppe",
                    now=now,
                    folge_frist=frist,
                )
        with session_scope(sqlite_engine, actor="test") as s:
            folge = s.exec(select(Auftrag).where(Auftrag.quelle == AuftragQuelle.BEWERTUNG.value)).all()
            assert [(a.frist, a.verantwortlich_person_id) for a in folge] == [(date(2026, 9, 30), ids["person_B"])]
            assert s.get(Massnahme, ids["C"]).status == "beendet"

        # The daily deadline flow reminds B's contact of the Prüfauftrag (90 days before).
        before = len(smtp.collector.messages)
        fristen_ueberwachen(konfiguration=config, jetzt=local_to_utc(date(2026, 7, 3), 6, 15))
        new = _mails(smtp)[before:]
        assert [m["To"].addresses[0].addr_spec for m in new] == ["b@traeger.example"]
        assert "Prüfauftrag: Projekt Caritas Süd" in _body(new[0])


def test_the_daily_cycle_runs_open_rounds_only(sqlite_engine: Engine) -> None:
    from sozialforum.betrieb.zyklus import bewertungsrunden

    ids = _world(sqlite_engine)
    with session_scope(sqlite_engine, actor="gs") as s:
        runde, _ = bewertung.runde_anlegen(
            s,
            kennung="BR",
            titel="Runde",
            strategie_id=None,
            von=2025,
            bis=2025,
            berichtsfrist=date(2026, 3, 31),
            now=datetime(2026, 3, 2, tzinfo=UTC),
        )
        due = bewertungsrunden(s, today=date(2026, 3, 2))
        assert [(a.schluessel, a.flow) for a in due] == [("bewertungsrunde:2026-03-02", "bewertungsrunde")]
        assert bewertungsrunden(s, today=date(2026, 4, 1)) == []  # the deadline has passed
        for key in ("A", "B", "C"):
            bewertung.bericht_abgeben(
                s,
                runde=runde,
                massnahme_id=ids[key],
                person_id=ids[f"person_{key}"],
                text="x",
                zahlen={},
                now=datetime(2026, 3, 3, tzinfo=UTC),
            )
        assert bewertungsrunden(s, today=date(2026, 3, 4)) == []  # every report is in

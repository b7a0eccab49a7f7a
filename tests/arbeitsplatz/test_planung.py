"""Planungsbestand in the workspace: what is entered here is what the deadline flow reminds
and what the audit trail names the person for; bad input changes nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.fristen.erinnerungen import pruefe_fristen
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, Auftrag, Fachplan, FristAenderung, FristErinnerung, OutboxMessage
from tests.arbeitsplatz.conftest import Bestand
from tests.portal.conftest import NOW, csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_fachplan_with_milestone_is_reminded(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine, ap_settings: Settings
) -> None:
    gs = clients["planerin"]
    form = gs.get("/arbeitsplatz/fachplaene/neu")
    # Adopted so that the "Datenanalyse" milestone (12 months before the Fortschreibung) is due in
    # 7 days: a reminder stage of the default configuration (90, 30, 7).
    due = NOW.date() + timedelta(days=7)
    page = gs.post(
        "/arbeitsplatz/fachplaene/neu",
        data={
            "csrf": csrf_of(form.text),
            "kennung": "FP-ALT",
            "name": "Altenhilfeplan 2027",
            "art": "altenhilfeplan",
            "beschlossen_am": date(due.year - 4, due.month, due.day).isoformat(),
            "turnus_monate": "60",
            "stelle": str(bestand.amt_b),
        },
    )
    assert page.status_code == 200 and "Altenhilfeplan 2027" in page.text and "Datenanalyse" in page.text
    with session_scope(engine, actor="test") as session:
        plan = session.scalars(sa.select(Fachplan).where(Fachplan.kennung == "FP-ALT")).one()
        entry = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.tabelle == "fachplan", AuditEntry.datensatz_id == plan.id)
        ).one()
        assert entry.akteur == "benutzer:planerin"
        sent = pruefe_fristen(session, today=NOW.date(), now=NOW, settings=ap_settings)
        assert sent.erinnerungen >= 1
        reminders = session.scalars(
            sa.select(FristErinnerung).where(FristErinnerung.frist_ref == f"meilenstein:{plan.id}:datenanalyse")
        ).all()
        assert [r.empfaenger for r in reminders] == ["sozialamt@kreis.example"]
        assert session.scalar(sa.select(sa.func.count()).where(OutboxMessage.empfaenger == "sozialamt@kreis.example"))
        plan_id = plan.id
    # Moved by hand: the history names the milestone as the list does, never its key.
    url = f"/arbeitsplatz/fachplaene/{plan_id}"
    neu = due + timedelta(days=30)
    moved = gs.post(
        f"{url}/meilenstein",
        data={
            "csrf": csrf_of(gs.get(url).text),
            "meilenstein": "datenanalyse",
            "faellig_am": neu.isoformat(),
            "grund": "Daten des Landesamts kommen später",
            "zurueck": url,
        },
    )
    assert moved.status_code == 200
    verlauf = moved.text.split("Verlauf der Fristen", 1)[1]
    assert f"planmäßig → {neu:%d.%m.%Y}" in verlauf and "Daten des Landesamts kommen später" in verlauf
    assert "Datenanalyse abgeschlossen planmäßig" in verlauf and "meilenstein:" not in verlauf
    assert "(Planerin): Daten des Landesamts" in verlauf and "benutzer:" not in verlauf


def test_deadline_change_needs_a_reason_and_is_kept(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine
) -> None:
    gs = clients["planerin"]
    url = f"/arbeitsplatz/auftraege/{bestand.auftrag_a}"
    csrf = csrf_of(gs.get(url).text)
    refused = gs.post(f"{url}/frist", data={"csrf": csrf, "frist": "2026-09-30", "grund": "", "zurueck": url})
    assert refused.status_code == 400 and "Grund" in refused.text and "nichts geändert" in refused.text
    bad_date = gs.post(f"{url}/frist", data={"csrf": csrf, "frist": "31.02.2026", "grund": "x" * 5})
    assert bad_date.status_code == 400 and "Neue Frist" in bad_date.text
    moved = gs.post(f"{url}/frist", data={"csrf": csrf, "frist": "2026-09-30", "grund": "Personalwechsel im Amt"})
    assert moved.status_code == 200 and "Personalwechsel im Amt" in moved.text and "30.09.2026" in moved.text
    done = gs.post(f"{url}/erledigt", data={"csrf": csrf})
    assert "Als erledigt markiert." in done.text
    with session_scope(engine, actor="test") as session:
        auftrag = session.get(Auftrag, bestand.auftrag_a)
        assert auftrag is not None and auftrag.frist == date(2026, 9, 30) and auftrag.status == "umgesetzt"
        history = session.scalars(sa.select(FristAenderung)).all()
        assert [(h.alt, h.neu, h.akteur) for h in history] == [
            (date(2026, 3, 20), date(2026, 9, 30), "benutzer:planerin")
        ]
        actors = set(
            session.scalars(
                sa.select(AuditEntry.akteur).where(
                    AuditEntry.tabelle == "auftrag",
                    AuditEntry.datensatz_id == bestand.auftrag_a,
                    AuditEntry.aktion == "update",
                )
            )
        )
        assert actors == {"benutzer:planerin"}


def test_auftrag_and_beschluss_by_hand(clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine) -> None:
    gs = clients["planerin"]
    csrf = csrf_of(gs.get("/arbeitsplatz/auftraege/neu").text)
    unknown = gs.post(
        "/arbeitsplatz/auftraege/neu",
        data={"csrf": csrf, "beschreibung": "Bericht", "frist_wortlaut": "jährlich zum 31.03.", "person": "P-X"},
    )
    assert unknown.status_code == 400 and "P-X" in unknown.text
    created = gs.post(
        "/arbeitsplatz/auftraege/neu",
        data={
            "csrf": csrf,
            "beschreibung": "Jahresbericht Kita-Bedarf",
            "quelle": "berichtspflicht",
            "frist_wortlaut": "jährlich zum 31.03.",
            "person": "P-A",
            "stelle": str(bestand.amt_a),
        },
    )
    assert (
        created.status_code == 200 and "Jahresbericht Kita-Bedarf" in created.text and "Berichtspflicht" in created.text
    )
    beschluss = gs.post(
        "/arbeitsplatz/beschluesse/neu",
        data={
            "csrf": csrf,
            "kennung": "B-7/2026",
            "titel": "Wohnungsnotfallhilfe",
            "datum": "2026-02-10",
            "gremium": str(bestand.welt.gremium),
            "text": "Die Verwaltung wird beauftragt …",
            "auftrag1": "Konzept vorlegen",
            "frist1": "2026-06-30",
            "stelle1": str(bestand.amt_b),
        },
    )
    assert beschluss.status_code == 200 and "Konzept vorlegen" in beschluss.text
    with session_scope(engine, actor="test") as session:
        auftraege = session.scalars(sa.select(Auftrag).order_by(Auftrag.id)).all()
        assert auftraege[-2].frist is not None and auftraege[-2].frist.month == 3
        assert auftraege[-1].frist == date(2026, 6, 30) and auftraege[-1].beschluss_id is not None
    listing = gs.get("/arbeitsplatz/auftraege?faellig=offen&sort=frist&richtung=ab").text
    assert "Konzept vorlegen" in listing and "Jahresbericht Kita-Bedarf" in listing
    # Kennungen and dates stay on one line (the screenshot showed "B-001/2024-" over "2").
    assert re.search(r'<td class="kennung">A-[0-9A-F]{6}</td><td class="datum">30\.06\.2026</td>', listing)
    assert "td.kennung, td.datum { white-space: nowrap; }" in gs.get("/static/arbeitsplatz.css").text
    beschluesse = gs.get("/arbeitsplatz/beschluesse").text
    assert '<td class="datum">10.02.2026</td><td class="kennung">B-7/2026</td>' in beschluesse

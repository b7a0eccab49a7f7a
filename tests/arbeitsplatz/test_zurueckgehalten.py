"""Calendar replies held because their sender is not proven ("streng"): counted on the Übersicht,
listed on the Sitzung's page, taken over with one click (recorded with who took it, audited) or
discarded."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import col

from sozialforum.channels import ical
from sozialforum.konferenz import antworten
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, GehalteneAntwort, Rueckmeldung
from tests.arbeitsplatz.conftest import Bestand
from tests.portal.conftest import NOW, csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _reply(absender: str, attendee: str, partstat: str, minuten: int) -> bytes:
    """A reply mail as Thunderbird sends it, with no verdict of our mail server on it."""
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = absender, "sozialplanung@kreis.example", "Antwort"
    mail.set_content("Antwort auf die Einladung.")
    calendar = ical.build_reply(
        uid="s1@test", sequence=0, dtstamp=NOW - timedelta(minutes=minuten), attendee=attendee, partstat=partstat
    )
    mail.add_attachment(calendar, maintype="text", subtype="calendar", params={"method": "REPLY"})
    return mail.as_bytes()


def test_held_replies_are_shown_taken_over_and_discarded(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine, ap_settings: Settings
) -> None:
    planerin, sitzung, anna = clients["planerin"], bestand.welt.sitzung, bestand.welt.person_a
    with session_scope(engine, actor="test") as session:
        session.add(Rueckmeldung(sitzung_id=sitzung, person_id=anna, eingeladen_an="anna@diakonie.example"))
    settings = ap_settings.model_copy(deep=True)
    settings.mail.authserv_id, settings.mail.antworten_pruefen = "mx.kreis.example", "streng"
    report = antworten.AntwortBericht()
    with session_scope(engine, actor="postfach") as session:
        for nummer, (partstat, minuten) in enumerate([("DECLINED", 60), ("ACCEPTED", 30)]):
            data = _reply("anna@diakonie.example", "anna@diakonie.example", partstat, minuten)
            antworten.process_message(
                session, data, herkunft=f"maildir:{nummer}", now=NOW, report=report, settings=settings
            )
    assert report.erfasst == 0 and len(report.zurueckgehalten) == 2
    assert (
        "kein Prüfergebnis (Authentication-Results) von Mailserver mx.kreis.example" in report.zurueckgehalten[0].grund
    )

    assert "2 zurückgehaltene Kalenderantworten zu entscheiden" in planerin.get("/arbeitsplatz/").text
    page = planerin.get(f"/arbeitsplatz/sitzungen/{sitzung}").text
    assert "Zurückgehaltene Kalenderantworten (2)" in page and "Anna Albers" in page
    with session_scope(engine, actor="test") as session:
        absage, zusage = session.scalars(sa.select(GehalteneAntwort).order_by(col(GehalteneAntwort.id))).all()
        absage_id, zusage_id = absage.id, zusage.id
    csrf = csrf_of(page)
    base = f"/arbeitsplatz/sitzungen/{sitzung}/zurueckgehalten"
    taken = planerin.post(f"{base}/{zusage_id}/uebernehmen", data={"csrf": csrf}, follow_redirects=False)
    assert taken.status_code == 303 and taken.headers["location"].endswith("meldung=antwort_uebernommen")
    # The older Absage, taken over after the newer Zusage, changes nothing: the Zusage stands.
    older = planerin.post(f"{base}/{absage_id}/uebernehmen", data={"csrf": csrf}, follow_redirects=False)
    assert older.headers["location"].endswith("meldung=antwort_neuere")
    again = planerin.post(f"{base}/{absage_id}/verwerfen", data={"csrf": csrf}, follow_redirects=False)
    assert again.status_code == 400 and "schon jemand erledigt" in again.text

    with session_scope(engine, actor="test") as session:
        row = session.scalars(sa.select(Rueckmeldung).where(col(Rueckmeldung.person_id) == anna)).one()
        assert (row.antwort, row.quelle, row.erfasst_von) == ("zusage", "kalender", "Planerin")
        held = session.get(GehalteneAntwort, zusage_id)
        assert (held.uebernommen, held.erledigt_von) == (True, "Planerin")
        audited = session.scalars(
            sa.select(AuditEntry.akteur).where(
                col(AuditEntry.tabelle) == "gehaltene_antwort", col(AuditEntry.datensatz_id) == zusage_id
            )
        ).all()
        assert "benutzer:planerin" in audited
    page = planerin.get(f"/arbeitsplatz/sitzungen/{sitzung}").text
    assert "Zurückgehaltene Kalenderantworten" not in page and "(erfasst von Planerin)" in page
    assert "zurückgehaltene" not in planerin.get("/arbeitsplatz/").text

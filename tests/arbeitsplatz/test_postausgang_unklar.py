"""A message of unclear delivery in the workspace: the Übersicht and the message page say so in
German with both choices; the Geschäftsstelle confirms it as delivered (audited under her name),
the Leitung reads but cannot decide, and a message that is not in doubt cannot be confirmed."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from sozialforum.store.models import AuditEntry, OutboxMessage
from sozialforum.vocab import OutboxStatus
from tests.arbeitsplatz.conftest import NOW
from tests.portal.conftest import csrf_of


def _in_doubt(engine, message_id: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            sa.update(OutboxMessage.__table__)  # type: ignore[attr-defined]
            .where(OutboxMessage.__table__.c.id == message_id)  # type: ignore[attr-defined]
            .values(status=OutboxStatus.UNCERTAIN.value, uebergabe_am=NOW, antwort_server="Zustellung unklar")
        )


def test_unclear_delivery_is_shown_and_confirmed_by_a_person(clients, bestand, engine) -> None:
    _in_doubt(engine, bestand.nachricht)
    page = f"/arbeitsplatz/postausgang/{bestand.nachricht}"
    planerin, leiterin = clients["planerin"], clients["leiterin"]
    assert "Zustellung unklar: bitte entscheiden" in planerin.get("/arbeitsplatz/").text
    shown = planerin.get(page).text
    assert "Als zugestellt bestätigen" in shown and "Erneut senden" in shown
    assert "wird deshalb nicht von selbst erneut gesendet" in shown
    assert "Als zugestellt bestätigen" not in leiterin.get(page).text
    refused = leiterin.post(f"{page}/zugestellt", data={"csrf": csrf_of(leiterin.get(page).text)})
    assert refused.status_code == 403

    done = planerin.post(f"{page}/zugestellt", data={"csrf": csrf_of(shown)}, follow_redirects=False)
    assert done.status_code == 303
    assert "Als zugestellt bestätigt" in planerin.get(done.headers["location"]).text
    with Session(engine) as session:
        row = session.get(OutboxMessage, bestand.nachricht)
        assert row is not None and row.status == OutboxStatus.SENT and row.gesendet_am is not None
        entry = session.exec(select(AuditEntry).where(AuditEntry.tabelle == "outbox_message")).one()
        assert entry.akteur == "benutzer:planerin" and entry.aenderungen["status"] == ["uncertain", "sent"]
    twice = planerin.post(f"{page}/zugestellt", data={"csrf": csrf_of(planerin.get(page).text)})
    assert twice.status_code == 400 and "Zustellung ist nicht unklar (Stand: gesendet)" in twice.text

"""Sitzungen in the workspace: the calendar check before anything is stored, series, the agenda
(own items, order, proposals declined), documents for items that the invitation carries, answers
entered by hand (with who entered them), reminders once per day, and long work refused with a
German message when the app has no way to start flow runs."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.konferenz import erinnerung, versand, vorbereitung
from sozialforum.konferenz.nachrichten import Composer
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import (
    Arbeitslauf,
    Gremium,
    Mitgliedschaft,
    OutboxMessage,
    Rueckmeldung,
    Sitzung,
    Tagesordnungspunkt,
    Themenvorschlag,
    TopDokument,
)
from sozialforum.vocab import MitgliedRolle, SitzungStatus, TopQuelle, VorschlagStatus
from tests.arbeitsplatz.conftest import Bestand
from tests.portal.conftest import NOW, Clock, csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _post(client: TestClient, path: str, data: dict[str, object], **kwargs: object):  # type: ignore[no-untyped-def]
    csrf = csrf_of(client.get("/arbeitsplatz/konto").text)
    return client.post(path, data={"csrf": csrf, **data}, follow_redirects=False, **kwargs)  # type: ignore[arg-type]


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(model)) or 0  # type: ignore[arg-type]


def test_christmas_is_remarked_on_and_nothing_stored_until_confirmed(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine
) -> None:
    planerin = clients["planerin"]
    vorher = _count(engine, Sitzung)
    form = {"gremium": bestand.welt.gremium, "tag": "25.12.2026", "uhrzeit": "16:00", "titel": "Weihnachtsforum"}
    refused = _post(planerin, "/arbeitsplatz/sitzungen/neu", form)
    assert refused.status_code == 200
    assert "Feiertag in Niedersachsen: Erster Weihnachtstag" in refused.text
    assert "Weihnachtsferien" in refused.text and "Trotzdem so planen" in refused.text
    assert _count(engine, Sitzung) == vorher
    planned = _post(planerin, "/arbeitsplatz/sitzungen/neu", {**form, "trotzdem": "ja"})
    assert planned.status_code == 303 and "meldung=geplant" in planned.headers["location"]
    assert _count(engine, Sitzung) == vorher + 1


def test_a_series_and_bad_input(clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine) -> None:
    planerin = clients["planerin"]
    vorher = _count(engine, Sitzung)
    form = {"gremium": bestand.welt.gremium, "tag": "2026-03-10", "uhrzeit": "17:00", "anzahl": "3", "abstand": "4"}
    response = _post(planerin, "/arbeitsplatz/sitzungen/neu", {**form, "trotzdem": "ja"})
    assert response.status_code == 303
    with session_scope(engine, actor="test") as session:
        serie = session.scalars(sa.select(Sitzung).where(Sitzung.serie.is_not(None))).all()  # type: ignore[union-attr]
        assert sorted(s.beginn.date().isoformat() for s in serie) == ["2026-03-10", "2026-07-10", "2026-11-10"]
    bad = _post(planerin, "/arbeitsplatz/sitzungen/neu", {**form, "uhrzeit": "25:99"})
    assert bad.status_code == 400 and "Uhrzeit: bitte als HH:MM" in bad.text
    assert _count(engine, Sitzung) == vorher + 3


def test_overview_names_the_gremium_only_beside_another_title(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine
) -> None:
    """A Sitzung titled like its Gremium (as the demo's are) shows the name once, not twice."""
    with session_scope(engine, actor="test") as session:
        sitzung = session.get(Sitzung, bestand.welt.sitzung)
        assert sitzung is not None
        gremium = session.get(Gremium, sitzung.gremium_id)
        assert gremium is not None and sitzung.titel != gremium.name
        titel, name = sitzung.titel, gremium.name
    row = f'<a href="/arbeitsplatz/sitzungen/{bestand.welt.sitzung}">{titel}</a><br>{name}'
    assert row in clients["planerin"].get("/arbeitsplatz/").text
    with session_scope(engine, actor="test") as session:
        sitzung = session.get(Sitzung, bestand.welt.sitzung)
        assert sitzung is not None
        sitzung.titel = name
        session.add(sitzung)
    page = clients["planerin"].get("/arbeitsplatz/").text
    link = f'<a href="/arbeitsplatz/sitzungen/{bestand.welt.sitzung}">{name}</a>'
    assert link in page and f"{link}<br>{name}" not in page


def test_agenda_own_items_order_and_a_declined_proposal(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine
) -> None:
    planerin, sitzung = clients["planerin"], bestand.welt.sitzung
    assert _post(planerin, f"/arbeitsplatz/sitzungen/{sitzung}/vorbereiten", {}).status_code == 303
    assert _post(planerin, f"/arbeitsplatz/sitzungen/{sitzung}/top", {"titel": "Kinderarmut"}).status_code == 303

    def agenda() -> list[tuple[str, str]]:
        with session_scope(engine, actor="test") as session:
            rows = session.scalars(
                sa.select(Tagesordnungspunkt)
                .where(Tagesordnungspunkt.sitzung_id == sitzung)
                .order_by(Tagesordnungspunkt.reihenfolge)  # type: ignore[arg-type]
            ).all()
            return [(t.titel, t.nummer) for t in rows]

    titel = [t for t, _ in agenda()]
    assert titel[-1] == "Verschiedenes und nächste Termine" and titel[-2] == "Kinderarmut"
    assert "Schulweg im Quartier" not in titel  # a proposal waits for the Geschäftsstelle's decision
    assert "1 Themenvorschlag zu entscheiden" in planerin.get("/arbeitsplatz/").text
    accepted = _post(
        planerin, f"/arbeitsplatz/sitzungen/{sitzung}/vorschlag/{bestand.vorschlag}", {"entscheidung": "uebernehmen"}
    )
    assert accepted.status_code == 303
    titel = [t for t, _ in agenda()]
    assert "Schulweg im Quartier" in titel and titel[-2] == "Schulweg im Quartier"
    assert "zu entscheiden" not in planerin.get("/arbeitsplatz/").text
    with session_scope(engine, actor="test") as session:
        kinder = session.scalar(sa.select(Tagesordnungspunkt.id).where(Tagesordnungspunkt.titel == "Kinderarmut"))
    moved = _post(planerin, f"/arbeitsplatz/sitzungen/{sitzung}/top/{kinder}", {"aktion": "hoch"})
    assert moved.status_code == 303
    after = agenda()
    assert after[-4][0] == "Kinderarmut" and [n for _, n in after] == [str(i) for i in range(1, len(after) + 1)]
    declined = _post(
        planerin, f"/arbeitsplatz/sitzungen/{sitzung}/vorschlag/{bestand.vorschlag}", {"entscheidung": "ablehnen"}
    )
    assert declined.status_code == 303
    assert "Schulweg im Quartier" not in [t for t, _ in agenda()]
    with session_scope(engine, actor="test") as session:
        assert session.get(Themenvorschlag, bestand.vorschlag).status == VorschlagStatus.ABGELEHNT  # type: ignore[union-attr]
    # A generated item cannot be removed, an own one can (with its documents).
    with session_scope(engine, actor="test") as session:
        standard = session.scalar(
            sa.select(Tagesordnungspunkt.id).where(
                Tagesordnungspunkt.sitzung_id == sitzung, Tagesordnungspunkt.quelle == TopQuelle.STANDARD
            )
        )
    refused = _post(planerin, f"/arbeitsplatz/sitzungen/{sitzung}/top/{standard}", {"aktion": "entfernen"})
    assert refused.status_code == 400 and "Nur eigene Punkte" in refused.text
    gone = _post(planerin, f"/arbeitsplatz/sitzungen/{sitzung}/top/{bestand.top}", {"aktion": "entfernen"})
    assert gone.status_code == 303 and _count(engine, TopDokument) == 0


def _docx() -> bytes:
    """A real Word document, as an Amt would attach it."""
    import docx

    document = docx.Document()
    document.add_paragraph("Beschlussvorlage: Ausbau der Kita-Plätze im Sozialraum Nord")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_documents_of_an_item_go_with_the_invitation(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine, ap_settings: Settings
) -> None:
    planerin, sitzung = clients["planerin"], bestand.welt.sitzung
    path = f"/arbeitsplatz/sitzungen/{sitzung}/top/{bestand.top}/dokument"
    fake = _post(planerin, path, {}, files={"datei": ("Vorlage.pdf", b"<html>kein PDF</html>", "application/pdf")})
    assert fake.status_code == 400 and "kein lesbares PDF-Dokument" in fake.text
    assert _count(engine, TopDokument) == 1  # the fixture's own
    vorlage = _docx()
    ok = _post(planerin, path, {}, files={"datei": ("..\\..\\Vorlage\u202eKita.docx", vorlage, "application/msword")})
    assert ok.status_code == 303 and "meldung=dokument" in ok.headers["location"]
    with session_scope(engine, actor="test") as session:
        stored = session.scalars(sa.select(TopDokument).order_by(TopDokument.id.desc())).first()  # type: ignore[union-attr]
        assert stored is not None and stored.dateiname == "VorlageKita.docx"  # no folders, no bidi override
        pack = vorbereitung.load_pack(session, sitzung, ap_settings)
        names = [a.filename for a in Composer(pack, ap_settings, NOW, "einladung").documents()]
    assert names == ["Vorlage.md", "VorlageKita.docx"]
    download = planerin.get(f"/arbeitsplatz/sitzungen/{sitzung}/dokument/{stored.id}")
    assert download.status_code == 200 and download.content == vorlage
    assert "attachment" in download.headers["content-disposition"]
    other = planerin.get(f"/arbeitsplatz/sitzungen/{sitzung + 999}/dokument/{stored.id}")
    assert other.status_code == 404


def test_an_answer_by_phone_keeps_who_entered_it(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine
) -> None:
    planerin, sitzung = clients["planerin"], bestand.welt.sitzung
    with session_scope(engine, actor="test") as session:  # a member of the Gremium, not yet invited
        session.add(
            Mitgliedschaft(
                gremium_id=bestand.welt.gremium,
                person_id=bestand.welt.person_a,
                rolle=MitgliedRolle.MITGLIED,
                von=date(2024, 1, 1),
            )
        )
    stranger = _post(planerin, f"/arbeitsplatz/sitzungen/{sitzung}/antwort", {"person": "999999", "antwort": "zusage"})
    assert stranger.status_code == 400 and "eingeladene Person oder ein Mitglied" in stranger.text
    response = _post(
        planerin,
        f"/arbeitsplatz/sitzungen/{sitzung}/antwort",
        {"person": bestand.welt.person_a, "antwort": "absage", "kommentar": "telefonisch"},
    )
    assert response.status_code == 303
    with session_scope(engine, actor="test") as session:
        row = session.scalars(
            sa.select(Rueckmeldung).where(
                Rueckmeldung.sitzung_id == sitzung, Rueckmeldung.person_id == bestand.welt.person_a
            )
        ).one()
        assert (row.antwort, row.quelle, row.erfasst_von, row.kommentar) == (
            "absage",
            "geschaeftsstelle",
            "Planerin",
            "telefonisch",
        )
    page = planerin.get(f"/arbeitsplatz/sitzungen/{sitzung}").text
    assert "(erfasst von Planerin)" in page


def test_a_reminder_by_hand_goes_once_a_day_to_those_without_answer(
    bestand: Bestand, engine: Engine, ap_settings: Settings
) -> None:
    with session_scope(engine, actor="test") as session:
        for person in (bestand.welt.person_a, bestand.welt.person_b):
            session.add(
                Mitgliedschaft(
                    gremium_id=bestand.welt.gremium,
                    person_id=person,
                    rolle=MitgliedRolle.MITGLIED,
                    von=date(2024, 1, 1),
                )
            )
    with session_scope(engine, actor="test") as session:
        versand.send_invitations(session, sitzung_id=bestand.welt.sitzung, now=NOW, settings=ap_settings)
        session.get(Sitzung, bestand.welt.sitzung).status = SitzungStatus.EINGELADEN  # type: ignore[union-attr]
    with session_scope(engine, actor="test") as session:
        offen = session.scalar(
            sa.select(sa.func.count()).where(
                Rueckmeldung.sitzung_id == bestand.welt.sitzung, Rueckmeldung.antwort == "offen"
            )
        )
        first = erinnerung.remind_now(session, sitzung_id=bestand.welt.sitzung, now=NOW, settings=ap_settings)
    assert first.neu == offen and offen > 0
    with session_scope(engine, actor="test") as session:
        again = erinnerung.remind_now(session, sitzung_id=bestand.welt.sitzung, now=NOW, settings=ap_settings)
    assert again.neu == 0 and again.schon_vorhanden == offen
    reminders = sa.select(sa.func.count()).where(OutboxMessage.schluessel.like("%erinnerung%"))  # type: ignore[attr-defined]
    with engine.connect() as connection:
        assert connection.scalar(reminders) == offen


def test_long_work_without_a_runner_is_refused_in_german(
    ap_settings: Settings, engine: Engine, bestand: Bestand
) -> None:
    from tests.arbeitsplatz.conftest import login

    app = create_app(ap_settings, engine, clock=Clock())  # no laeufe_starter
    with TestClient(app, base_url="http://testserver") as client:
        login(client, "planerin")
        response = _post(client, f"/arbeitsplatz/sitzungen/{bestand.welt.sitzung}/einladen", {})
    assert response.status_code == 400 and "sozialforum portal" in response.text
    assert _count(engine, Arbeitslauf) == 1  # the fixture's; nothing recorded

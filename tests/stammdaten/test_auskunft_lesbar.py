"""The Art. 15 Auskunft as the person reads it: what reminded them of which deadline and when it
went out, what a personal link was for, who changed what by name, values in words, never the
store's keys. The text document (``--text``) is compared with a golden file; the JSON keeps the
keys."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from sozialforum.arbeitsplatz.auskunft import als_text, uebersicht
from sozialforum.cli import app as cli
from sozialforum.stammdaten import dsgvo
from sozialforum.store.db import session_scope
from sozialforum.store.models import (
    AuditEntry,
    Auftrag,
    Benutzer,
    FristErinnerung,
    GehalteneAntwort,
    OutboxMessage,
    Person,
    PersonalLink,
    Rueckmeldung,
)
from sozialforum.vocab import Antwort, LinkZweck, OutboxStatus
from tests.stammdaten.test_dsgvo import NOW, _person_with_history
from tests.support.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
ROH = (
    *("erinnerung:auftrag", "auftrag:", "link:", "benutzer:", "zusage", "2027-01-15", "Bezug (Nr.)", "Nr. "),
    *("INBOX:4711", "DECLINED", "2026-11-24T"),
)


def _person(engine: Engine) -> int:
    """P0100 of ``test_dsgvo`` (a Sitzung, an answer, a link) with an Auftrag, a reminder of it
    that went out, the link it carried, and the answer changed through that link; every audit
    entry at a fixed time."""
    person_id = _person_with_history(engine)
    with session_scope(engine, actor="benutzer:planerin") as session:
        session.add(Benutzer(name="planerin", anzeigename="Paula Planerin", passwort_hash="-", erstellt_am=NOW))
        person = session.get(Person, person_id)
        assert person is not None and person.email
        auftrag = Auftrag(
            kennung="B-7/2026-1",
            beschreibung="Konzept Quartiersarbeit vorlegen",
            verantwortlich_person_id=person_id,
            frist=date(2027, 1, 15),
        )
        session.add(auftrag)
        session.flush()
        schluessel = f"frist:erinnerung:auftrag:{auftrag.id}:2027-01-15:30"
        erinnerung = FristErinnerung(
            schluessel=f"erinnerung:auftrag:{auftrag.id}:2027-01-15:30",
            frist_ref=f"auftrag:{auftrag.id}",
            faellig_am=date(2027, 1, 15),
            stufe=30,
            art="erinnerung",
            empfaenger=person.email,
            person_id=person_id,
            outbox_schluessel=schluessel,
            erstellt_am=NOW,
        )
        nachricht = OutboxMessage(
            schluessel=schluessel,
            art="frist_erinnerung",
            person_id=person_id,
            empfaenger=person.email,
            betreff="Erinnerung: Frist am 15.01.2027 – Konzept Quartiersarbeit vorlegen",
            status=OutboxStatus.SENT,
            erstellt_am=NOW,
            gesendet_am=NOW + timedelta(minutes=3),
        )
        link = PersonalLink(
            token_hash="e" * 64,
            person_id=person_id,
            zweck=LinkZweck.SACHSTAND,
            bezug_id=auftrag.id,
            gueltig_bis=NOW + timedelta(days=60),
            erstellt_am=NOW,
        )
        rueckmeldung = session.scalars(sa.select(Rueckmeldung).where(Rueckmeldung.person_id == person_id)).one()
        gehalten = GehalteneAntwort(  # a calendar reply from another address, held for a person to decide
            sitzung_id=rueckmeldung.sitzung_id,
            person_id=person_id,
            antwort=Antwort.ABSAGE,
            absender="sekretariat@t05-kirche.example",
            daten={
                "uid": "sitzung-1@test",
                "attendee": person.email,
                "partstat": "DECLINED",
                "sequence": 0,
                "dtstamp": "2026-11-24T08:30:00+00:00",
                "comment": "Leider verhindert",
                "sender": "sekretariat@t05-kirche.example",
                "delegated_to": [],
                "delegated_from": [],
            },
            fingerabdruck="d" * 64,
            herkunft="INBOX:4711",
            grund="Absender nicht die eingeladene Adresse",
            eingegangen_am=NOW,
        )
        session.add_all([erinnerung, nachricht, link, gehalten])
        session.flush()
        link_id = link.id
    with session_scope(engine, actor=f"link:{link_id}") as session:
        rueckmeldung = session.scalars(sa.select(Rueckmeldung).where(Rueckmeldung.person_id == person_id)).one()
        rueckmeldung.antwort = Antwort.ABSAGE
    with session_scope(engine, actor="test") as session:
        session.execute(sa.update(AuditEntry).values(zeitpunkt=NOW))
    return person_id


def test_the_auskunft_names_what_was_sent_and_who_changed_what(sqlite_engine: Engine, tmp_path: Path) -> None:
    person_id = _person(sqlite_engine)
    with Session(sqlite_engine) as session:
        document = dsgvo.export_person(session, person_id, now=NOW)
        lesbar = uebersicht(session, document, person_id=person_id, formulare={})
        text = als_text(lesbar)
        flat = " ".join(als_text(lesbar, breite=400).split())  # no cell wraps
    assert (
        "Erinnerung zum Auftrag B-7/2026-1 „Konzept Quartiersarbeit vorlegen“ (Frist 15.01.2027, 30 Tage vorher), "
        "versandt am Dienstag, 24. November 2026, 10:03 Uhr an"
    ) in flat, text
    assert "Zweck Sachstandsmeldung für Auftrag B-7/2026-1 „Konzept Quartiersarbeit vorlegen“" in flat, text
    assert "geändert von Hannes Gerdes (persönlicher Link): Antwort: Zusage → Absage" in flat, text
    assert "│ Aufträge │ angelegt von Paula Planerin │" in flat, text
    assert "Adresse in der Antwort hannes.gerdes@t05-kirche.example Kommentar Leider verhindert" in flat
    assert "Zeitpunkt der Antwort Dienstag, 24. November 2026, 09:30 Uhr" in flat and "Absender der" not in flat
    for raw in ROH:
        assert raw not in text, raw
    assert_golden(GOLDEN / "auskunft_P0100.txt", text)
    # The JSON for scripts and the complete file keep the store's keys.
    assert document["daten"]["frist_erinnerung"][0]["frist_ref"].startswith("auftrag:")
    assert "benutzer:planerin" in {e["akteur"] for e in document["protokoll"]}


def test_the_text_document_from_the_command(sqlite_engine: Engine, tmp_path: Path) -> None:
    _person(sqlite_engine)
    config = tmp_path / "sf.toml"
    url = sqlite_engine.url.render_as_string(hide_password=False)
    config.write_text(f'data_dir = "{tmp_path}"\ndatabase_url = "{url}"\n', encoding="utf-8")
    datei = tmp_path / "auskunft.txt"
    result = CliRunner().invoke(cli, ["-k", str(config), "dsgvo", "auskunft", "P0100", "--text", str(datei)])
    assert result.exit_code == 0 and "zum Lesen gespeichert" in result.output, result.output
    text = datei.read_text(encoding="utf-8")
    assert text.startswith("Auskunft nach Art. 15 DSGVO über Hannes Gerdes (P0100)")
    assert "Erinnerung zum Auftrag B-7/2026-1" in text and "erinnerung:auftrag" not in text
    ausgabe = tmp_path / "auskunft.json"
    CliRunner().invoke(cli, ["-k", str(config), "dsgvo", "auskunft", "P0100", "--ausgabe", str(ausgabe)])
    assert json.loads(ausgabe.read_text(encoding="utf-8"))["daten"]["frist_erinnerung"][0]["schluessel"].startswith(
        "erinnerung:auftrag:"
    )

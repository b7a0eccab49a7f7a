"""Art. 15 export and Art. 17 erasure on a person with memberships, RSVPs and audit entries."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from sozialforum.demo import load_demo
from sozialforum.stammdaten import dsgvo
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, Gremium, Mitgliedschaft, Person, PersonalLink, Rueckmeldung, Sitzung
from sozialforum.vocab import Antwort, AntwortQuelle, LinkZweck

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _person_with_history(engine: Engine) -> int:
    with session_scope(engine, actor="test") as session:
        load_demo(session)
    with session_scope(engine, actor="benutzer:planerin") as session:
        person = session.scalars(sa.select(Person).where(Person.kennung == "P0100")).one()
        gremium = session.scalars(sa.select(Gremium).where(Gremium.kennung == "SRK-05")).one()
        sitzung = Sitzung(
            gremium_id=gremium.id,
            titel="Sozialraumkonferenz",
            beginn=NOW,
            ende=NOW + timedelta(hours=2),
            ical_uid="sitzung-1@test",
        )
        session.add(sitzung)
        session.flush()
        session.add(
            Rueckmeldung(
                sitzung_id=sitzung.id,
                person_id=person.id,
                antwort=Antwort.ZUSAGE,
                kommentar="Ich bringe Frau Schmidt mit",
                beduerfnisse=["dolmetschung"],
                quelle=AntwortQuelle.LINK,
                beantwortet_am=NOW,
            )
        )
        session.add(
            PersonalLink(
                token_hash="f" * 64,
                person_id=person.id,
                zweck=LinkZweck.RSVP,
                bezug_id=sitzung.id,
                gueltig_bis=NOW + timedelta(days=30),
                erstellt_am=NOW,
            )
        )
        person.telefon = "0170 1234567"  # an update: the audit trail now holds old and new number
        return person.id


def test_every_table_about_a_person_has_a_german_name() -> None:
    tables = {table.name for table, _ in dsgvo._referencing_tables()} | {"person", "audit_entry"}
    assert tables <= set(dsgvo.DATENARTEN), tables - set(dsgvo.DATENARTEN)


def test_export_contains_everything_about_the_person(engine: Engine) -> None:
    person_id = _person_with_history(engine)
    with Session(engine) as session:
        document = dsgvo.export_person(session, person_id, now=NOW)
    json.dumps(document)  # JSON-ready
    assert document["person"]["email"] == "hannes.gerdes@t05-kirche.example"
    assert document["person"]["telefon"] == "0170 1234567"
    assert len(document["daten"]["mitgliedschaft"]) >= 1
    assert document["daten"]["rueckmeldung"][0]["kommentar"] == "Ich bringe Frau Schmidt mit"
    assert "token_hash" not in document["daten"]["personal_link"][0]
    actions = {(e["tabelle"], e["aktion"]) for e in document["protokoll"]}
    assert ("person", "create") in actions and ("person", "update") in actions
    assert ("rueckmeldung", "create") in actions


def test_erasure_leaves_no_personal_data_and_consistent_records(engine: Engine) -> None:
    person_id = _person_with_history(engine)
    with Session(engine) as session:
        memberships = session.scalar(
            sa.select(sa.func.count()).select_from(Mitgliedschaft).where(Mitgliedschaft.person_id == person_id)
        )
    with session_scope(engine, actor="dsgvo:test") as session:
        counts = dsgvo.erase_person(session, person_id, now=NOW, actor="dsgvo:test")
    # The report names what was cleared as the Geschäftsstelle says it, for every kind of data.
    report = dsgvo.loeschbericht(counts)
    assert "Personendaten: 1" in report and "Rückmeldungen: 1" in report and "rueckmeldung" not in report
    assert not set(counts) - set(dsgvo.DATENARTEN), set(counts) - set(dsgvo.DATENARTEN)
    # Values unique to this person, searched in every row of every table (audit trail included).
    secrets = ["hannes.gerdes@t05-kirche.example", "05551 282-87", "0170 1234567", "Frau Schmidt", "dolmetschung"]
    with engine.connect() as conn:
        for name, table in SQLModel.metadata.tables.items():
            for row in conn.execute(sa.select(table)):
                text = repr(tuple(row))
                assert not [s for s in secrets if s in text], f"personal data remains in {name}: {text}"
        # Names are not unique in the Landkreis: check them on the person's own row.
        own = repr(tuple(conn.execute(sa.select(Person.__table__).where(Person.id == person_id)).one()))
        assert "Hannes" not in own and "Gerdes" not in own
    with Session(engine) as session:
        person = session.get(Person, person_id)
        assert person.geloescht_am is not None and not person.contactable
        assert person.nachname == dsgvo.ERASED and person.email is None
        # The records that referenced the person stay, without the person's data.
        assert (
            session.scalar(
                sa.select(sa.func.count()).select_from(Mitgliedschaft).where(Mitgliedschaft.person_id == person_id)
            )
            == memberships
        )
        answer = session.scalars(sa.select(Rueckmeldung).where(Rueckmeldung.person_id == person_id)).one()
        assert answer.antwort == Antwort.ZUSAGE and answer.kommentar is None and answer.beduerfnisse == []
        link = session.scalars(sa.select(PersonalLink).where(PersonalLink.person_id == person_id)).one()
        assert link.widerrufen_am is not None
        erase_entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.aktion == "erase")).one()
        assert erase_entry.datensatz_id == person_id and erase_entry.akteur == "dsgvo:test"


def test_every_field_about_a_person_has_a_german_name_or_is_bookkeeping() -> None:
    from sozialforum.arbeitsplatz.anzeige import FELDER
    from sozialforum.arbeitsplatz.auskunft import TECHNISCH

    tables = [table for table, _ in dsgvo._referencing_tables()] + [SQLModel.metadata.tables["person"]]
    unnamed = {
        f"{table.name}.{column.name}"
        for table in tables
        for column in table.columns
        if column.name not in FELDER and column.name not in TECHNISCH and f"{table.name}.{column.name}" not in TECHNISCH
    }
    assert not unnamed, unnamed


def test_the_auskunft_reads_in_german_and_the_file_is_complete(sqlite_engine: Engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """On screen: sections per kind of data, German field names, dates and references, who changed
    what; the complete JSON stays available as a file or with --json (Art. 15 answers are sent)."""
    from typer.testing import CliRunner

    from sozialforum.cli import app as cli

    _person_with_history(sqlite_engine)
    config = tmp_path / "sf.toml"
    url = sqlite_engine.url.render_as_string(hide_password=False)
    config.write_text(f'data_dir = "{tmp_path}"\ndatabase_url = "{url}"\n', encoding="utf-8")

    def auskunft(*args: str) -> str:
        result = CliRunner().invoke(
            cli, ["-k", str(config), "dsgvo", "auskunft", "P0100", *args], env={"COLUMNS": "100"}
        )
        assert result.exit_code == 0, result.output
        return result.output

    screen = auskunft()
    flat = " ".join(screen.split())
    assert "Auskunft nach Art. 15 DSGVO über Hannes Gerdes (P0100)" in flat, screen
    assert "Personendaten Kennung P0100" in flat and "Telefon 0170 1234567" in flat
    assert "Rückmeldungen (1) Sitzung Sozialraumkonferenz Antwort Zusage" in flat, screen
    assert "Kommentar Ich bringe Frau Schmidt mit" in flat and "beantwortet am Dienstag, 24. November 2026" in flat
    assert "persönliche Links (1) Zweck Rückmeldung zur Sitzung" in flat, screen
    assert "Bedürfnisse Dolmetschung in eine andere Sprache" in flat, screen
    assert "geändert von planerin: Telefon: 05551" in flat, screen  # the audit trail, field named in German
    for raw in ("person_id", "gremium_id", "2026-11-24", "token_hash", "f" * 64, '"kennung"', "rueckmeldung"):
        assert raw not in screen, raw
    document = json.loads(auskunft("--json"))
    assert document["auskunft_nach"] == "Art. 15 DSGVO" and document["person"]["kennung"] == "P0100"
    datei = tmp_path / "auskunft.json"
    assert "gespeichert in" in auskunft("--ausgabe", str(datei))
    assert json.loads(datei.read_text(encoding="utf-8"))["daten"]["rueckmeldung"][0]["kommentar"] == (
        "Ich bringe Frau Schmidt mit"
    )

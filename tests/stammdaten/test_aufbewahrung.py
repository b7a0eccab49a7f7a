"""Retention (the Datenschutzerklärung's Speicherdauer): what Träger staff wrote for a Sitzung that
ended more than ``speicherdauer_monate`` ago is erased, with its copy in the audit trail; what is
younger, and the rows themselves, stay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from sozialforum.demo import load_demo
from sozialforum.konten import fehlversuche
from sozialforum.stammdaten import aufbewahrung
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, GehalteneAntwort, Gremium, Person, Rueckmeldung, Sitzung
from sozialforum.store.models.kommunikation import EmailAenderung
from sozialforum.store.models.portal import Fehlversuch, Themenvorschlag
from sozialforum.store.models.protokoll import Protokoll, ProtokollKommentar, ProtokollVersion
from sozialforum.timeutil import berlin
from sozialforum.vocab import Antwort, AntwortQuelle
from tests.test_cli import run

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
MONATE = 24


def _sitzung(session: Session, gremium_id: int, ende: datetime, uid: str) -> int:
    sitzung = Sitzung(
        gremium_id=gremium_id, titel="Sozialraumkonferenz", beginn=ende - timedelta(hours=2), ende=ende, ical_uid=uid
    )
    session.add(sitzung)
    session.flush()
    assert sitzung.id is not None
    return sitzung.id


def _world(engine: Engine) -> dict[str, int]:
    """An old Sitzung (ended a day before the cut-off) and a young one (a day after), each with
    an answer, a topic proposal and a minutes comment; two address changes."""
    with session_scope(engine, actor="test") as session:
        load_demo(session)
    cutoff = aufbewahrung.stichtag(NOW, MONATE)
    ids: dict[str, int] = {}
    with session_scope(engine, actor="link:1") as session:  # the audit hook records the values
        person = session.scalars(sa.select(Person).where(Person.kennung == "P0100")).one()
        gremium = session.scalars(sa.select(Gremium).where(Gremium.kennung == "SRK-05")).one()
        assert person.id is not None and gremium.id is not None
        for name, ende in (("alt", cutoff - timedelta(days=1)), ("jung", cutoff + timedelta(days=1))):
            sitzung_id = _sitzung(session, gremium.id, ende, f"{name}@test")
            answer = Rueckmeldung(
                sitzung_id=sitzung_id,
                person_id=person.id,
                antwort=Antwort.ZUSAGE,
                kommentar=f"Ich komme mit Frau Schmidt ({name})",
                beduerfnisse=["rollstuhl"],
                vertretung_name="Jana Jung",
                quelle=AntwortQuelle.LINK,
                beantwortet_am=ende - timedelta(days=7),
            )
            topic = Themenvorschlag(
                sitzung_id=sitzung_id,
                person_id=person.id,
                titel="Schulsozialarbeit",
                begruendung=f"Unsere Tochter ist betroffen ({name})",
                eingereicht_am=ende - timedelta(days=20),
            )
            protokoll = Protokoll(sitzung_id=sitzung_id, angefordert_am=ende, entwurf_frist=ende.date())
            session.add_all([answer, topic, protokoll])
            session.flush()
            version = ProtokollVersion(protokoll_id=protokoll.id, nummer=1, eingereicht_am=ende)  # type: ignore[arg-type]
            session.add(version)
            session.flush()
            comment = ProtokollKommentar(
                protokoll_id=protokoll.id,  # type: ignore[arg-type]
                version_id=version.id,  # type: ignore[arg-type]
                person_id=person.id,
                text=f"Mein Name ist falsch geschrieben ({name})",
                erstellt_am=ende + timedelta(days=3),
            )
            change = EmailAenderung(
                person_id=person.id, neue_email=f"{name}@traeger.example", angefordert_am=ende, alte_email="a@b.example"
            )
            held = GehalteneAntwort(  # a calendar reply whose sender was not proven
                sitzung_id=sitzung_id,
                person_id=person.id,
                antwort=Antwort.ZUSAGE,
                absender=f"{name}@traeger.example",
                daten={"comment": f"Ich bringe Frau Schmidt mit ({name})"},
                fingerabdruck=name,
                herkunft="maildir:1",
                grund="DMARC fail",
            )
            session.add_all([comment, change, held])
            session.flush()
            ids[f"gehalten_{name}"] = held.id  # type: ignore[assignment]
            for key, row in (("rueckmeldung", answer), ("themenvorschlag", topic), ("kommentar", comment)):
                ids[f"{key}_{name}"] = row.id  # type: ignore[assignment]
        # Only a need, no comment: still health data (Art. 9 DSGVO), still due.
        only_need = Rueckmeldung(
            sitzung_id=_sitzung(session, gremium.id, cutoff - timedelta(days=40), "bedarf@test"),
            person_id=person.id,
            antwort=Antwort.ZUSAGE,
            beduerfnisse=["gebaerdensprache"],
            quelle=AntwortQuelle.LINK,
            beantwortet_am=cutoff - timedelta(days=50),
        )
        session.add(only_need)
        session.flush()
        ids["rueckmeldung_bedarf"] = only_need.id  # type: ignore[assignment]
        # A link guess 32 days ago, locked for a day (forgotten) and a login lock that ended yesterday (kept).
        limits = {"maximum": 1, "fenster": timedelta(minutes=15), "sperre": timedelta(days=1)}
        fehlversuche.record_failure(session, "link:203.0.113.7", now=NOW - timedelta(days=32), **limits)
        fehlversuche.record_failure(session, "anmeldung:anna", now=NOW - timedelta(days=2), **limits)
    with session_scope(engine, actor="link:1") as session:  # changed answers: the trail holds old and new
        for name in ("alt", "jung"):
            answer = session.get(Rueckmeldung, ids[f"rueckmeldung_{name}"])
            topic = session.get(Themenvorschlag, ids[f"themenvorschlag_{name}"])
            assert answer is not None and topic is not None
            answer.kommentar = f"Ich komme mit Frau Schmidt und Herrn Meier ({name})"
            topic.begruendung = f"Unsere Tochter ist betroffen, Klasse 7 ({name})"
            session.add_all([answer, topic])
    with session_scope(engine, actor="link:1") as session:
        need = session.get(Rueckmeldung, ids["rueckmeldung_bedarf"])
        assert need is not None
        need.beduerfnisse = ["gebaerdensprache", "induktionsschleife"]
        session.add(need)
    return ids


def _audit_text(session: Session, tabelle: str, row_id: int) -> str:
    entries = session.scalars(
        sa.select(AuditEntry).where(AuditEntry.tabelle == tabelle, AuditEntry.datensatz_id == row_id)
    ).all()
    assert entries, f"no audit entry for {tabelle} {row_id}"
    return repr([entry.aenderungen for entry in entries])


def test_due_rows_are_erased_with_their_audit_copy_and_young_ones_stay(engine: Engine) -> None:
    ids = _world(engine)
    with Session(engine) as session:
        due = aufbewahrung.faellig(session, now=NOW, monate=MONATE)
    assert due == {
        "rueckmeldung": 2,
        "themenvorschlag": 1,
        "protokoll_kommentar": 1,
        "email_aenderung": 1,
        "gehaltene_antwort": 1,
        "fehlversuch": 1,
    }
    with session_scope(engine, actor="dsgvo:aufbewahrung") as session:
        assert aufbewahrung.durchsetzen(session, now=NOW, monate=MONATE) == due
    with Session(engine) as session:
        old = session.get(Rueckmeldung, ids["rueckmeldung_alt"])
        young = session.get(Rueckmeldung, ids["rueckmeldung_jung"])
        assert old is not None and young is not None
        assert (old.antwort, old.kommentar, old.beduerfnisse, old.vertretung_name) == (Antwort.ZUSAGE, None, [], None)
        assert (young.kommentar, young.beduerfnisse) == (
            "Ich komme mit Frau Schmidt und Herrn Meier (jung)",
            ["rollstuhl"],
        )
        need = session.get(Rueckmeldung, ids["rueckmeldung_bedarf"])
        assert need is not None and need.beduerfnisse == []
        assert session.get(Themenvorschlag, ids["themenvorschlag_alt"]).begruendung is None  # type: ignore[union-attr]
        assert session.get(Themenvorschlag, ids["themenvorschlag_alt"]).titel == "Schulsozialarbeit"  # type: ignore[union-attr]
        assert session.get(ProtokollKommentar, ids["kommentar_alt"]).text == "[gelöscht]"  # type: ignore[union-attr]
        assert "falsch geschrieben (jung)" in session.get(ProtokollKommentar, ids["kommentar_jung"]).text  # type: ignore[union-attr]
        held = {row.id: (row.absender, row.daten) for row in session.scalars(sa.select(GehalteneAntwort))}
        assert held[ids["gehalten_alt"]] == (None, [])
        assert held[ids["gehalten_jung"]][0] == "jung@traeger.example"
        changes = {row.neue_email for row in session.scalars(sa.select(EmailAenderung))}
        assert changes == {"[gelöscht]", "jung@traeger.example"}
        for key in ("rueckmeldung_alt", "themenvorschlag_alt", "rueckmeldung_bedarf"):
            text = _audit_text(session, key.rsplit("_", 1)[0], ids[key])
            assert "Schmidt" not in text and "Tochter" not in text and "gebaerdensprache" not in text
        assert "Schmidt (jung)" in _audit_text(session, "rueckmeldung", ids["rueckmeldung_jung"])
    with Session(engine) as session:
        assert session.get(Fehlversuch, "link:203.0.113.7") is None
        assert session.get(Fehlversuch, "anmeldung:anna") is not None
    with session_scope(engine, actor="dsgvo:aufbewahrung") as session:  # a second run finds nothing
        assert set(aufbewahrung.durchsetzen(session, now=NOW, monate=MONATE).values()) == {0}


def test_the_cut_off_counts_calendar_months_in_berlin() -> None:
    cut = aufbewahrung.stichtag(datetime(2026, 3, 31, 12, 0, tzinfo=UTC), 1)
    assert cut == datetime(2026, 2, 27, 23, 0, tzinfo=UTC)  # 28 February 00:00 in Berlin (CET)
    late_evening = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # already 2 July in Berlin
    assert berlin(aufbewahrung.stichtag(late_evening, 24)).date() == date(2024, 7, 2)


def test_the_command_shows_first_and_erases_only_when_asked(tmp_path: Path) -> None:
    """The real command reads the clock: the world's old rows (2024) are due today as well."""
    from sozialforum.settings import load_settings
    from sozialforum.store.db import make_engine, migrate

    engine = make_engine(load_settings(data_dir=tmp_path).db_url)
    migrate(engine)
    ids = _world(engine)
    shown = run("dsgvo", "aufbewahrung", data_dir=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "Rückmeldungen (Kommentar, Bedürfnisse, Vertretung): 3 fällig" in shown.stdout
    assert "sozialforum dsgvo aufbewahrung --loeschen" in shown.stdout
    with Session(engine) as session:  # showing changes nothing
        assert session.get(Rueckmeldung, ids["rueckmeldung_alt"]).kommentar is not None  # type: ignore[union-attr]
    done = run("dsgvo", "aufbewahrung", "--loeschen", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Rückmeldungen (Kommentar, Bedürfnisse, Vertretung): 3 gelöscht" in done.stdout
    with Session(engine) as session:
        assert session.get(Rueckmeldung, ids["rueckmeldung_alt"]).kommentar is None  # type: ignore[union-attr]

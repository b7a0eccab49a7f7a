"""The export of the demo Landkreis: every object validates, every internal URL resolves, and
export → import into an empty store → export gives the same bytes, with our Beschlüsse,
Beratungen, Gremium kinds, Sitzung states, Aufträge and Umsetzungsberichte back as they were."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from sozialforum.demo import load_demo
from sozialforum.oparl.export import export_oparl
from sozialforum.oparl.export_ordner import internal_urls, objects_to_validate, write_export
from sozialforum.oparl.importer import import_objekte
from sozialforum.oparl.schema import fehler
from sozialforum.settings import Settings
from sozialforum.store.db import make_engine, session_scope
from sozialforum.store.models import Beratung, Gremium, Sitzung, Tagesordnungspunkt, Vorlage
from sozialforum.vocab import BeratungErgebnis, BeratungRolle, SitzungStatus

BASE = "https://kreis-musterland.example/oparl"
TODAY = date(2026, 3, 2)


def _demo_with_meetings(engine: Engine) -> None:
    """The demo Landkreis, plus Sitzungen in every state (the demo keeps its Beratungen without)."""
    with session_scope(engine, actor="demo") as session:
        load_demo(session)
    with session_scope(engine, actor="test") as session:
        kreistag = session.scalars(sa.select(Gremium).where(col(Gremium.kennung) == "KT")).one()
        vorlage = session.scalars(sa.select(Vorlage).order_by(col(Vorlage.id))).first()
        assert vorlage is not None
        start = datetime(2024, 9, 19, 15, 0, tzinfo=UTC)
        for number, status in enumerate(SitzungStatus):
            sitzung = Sitzung(
                gremium_id=kreistag.id,
                titel=f"{number + 8}. Sitzung des Kreistags",
                beginn=start + timedelta(days=30 * number),
                ende=start + timedelta(days=30 * number, hours=3),
                ort="Kreishaus" if number % 2 else None,
                adresse="Am Markt 1",
                status=status,
                ical_uid=f"sitzung-{number}@test",
            )
            session.add(sitzung)
            session.flush()
            session.add(Tagesordnungspunkt(sitzung_id=sitzung.id, reihenfolge=0, nummer="Ö 1", titel="Eröffnung"))
            if status is SitzungStatus.DURCHGEFUEHRT:
                session.add(
                    Tagesordnungspunkt(
                        sitzung_id=sitzung.id,
                        reihenfolge=1,
                        nummer="Ö 2",
                        vorlage_id=vorlage.id,
                        titel=vorlage.titel,
                        ergebnis="einstimmig beschlossen",
                        oeffentlich=False,
                    )
                )
                session.add(
                    Beratung(
                        vorlage_id=vorlage.id,
                        gremium_id=kreistag.id,
                        sitzung_id=sitzung.id,
                        reihenfolge=9,
                        rolle=BeratungRolle.KENNTNISNAHME,
                        datum=date(2024, 11, 18),
                        ergebnis=BeratungErgebnis.ZUR_KENNTNIS,
                    )
                )


def _export(engine: Engine, settings: Settings) -> dict[str, dict[str, Any]]:
    with session_scope(engine, actor="test") as session:
        return export_oparl(session, base_url=BASE, today=TODAY, settings=settings)


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_every_internal_url_of_the_demo_export_resolves(engine: Engine, settings: Settings) -> None:
    _demo_with_meetings(engine)
    files = _export(engine, settings)
    objects = objects_to_validate(files)
    assert {obj["id"]: fehler(obj) for obj in objects if fehler(obj)} == {}
    kinds = {o["type"].rsplit("/", 1)[1] for o in objects}
    assert kinds >= {"System", "Body", "Organization", "Meeting", "AgendaItem", "Paper", "Consultation", "Location"}
    urls = internal_urls(files, BASE)
    assert len(urls) > 80
    assert {url for url in urls if url.removeprefix(BASE + "/") not in files} == set()
    beschluesse = [o for o in objects if o.get("paperType") == "Beschluss"]
    assert len(beschluesse) == 11 and all(o["sozialforum:umsetzung"]["auftraege"] for o in beschluesse)


_OURS = {
    "gremium": "SELECT g.kennung, g.name, g.art, p.kennung FROM gremium g LEFT JOIN gremium p ON p.id = g.parent_id",
    "sitzung": "SELECT s.titel, s.beginn, s.ende, s.ort, s.adresse, s.status, g.kennung FROM sitzung s "
    "JOIN gremium g ON g.id = s.gremium_id",
    "tagesordnungspunkt": "SELECT s.titel, t.reihenfolge, t.nummer, t.titel, t.oeffentlich, t.ergebnis, v.kennung "
    "FROM tagesordnungspunkt t JOIN sitzung s ON s.id = t.sitzung_id LEFT JOIN vorlage v ON v.id = t.vorlage_id",
    "vorlage": "SELECT v.kennung, v.art, v.titel, v.datum, b.kennung FROM vorlage v "
    "LEFT JOIN vorlage b ON b.id = v.bezug_vorlage_id",
    "beratung": "SELECT v.kennung, g.kennung, s.titel, b.rolle, b.datum, b.ergebnis FROM beratung b "
    "JOIN vorlage v ON v.id = b.vorlage_id LEFT JOIN gremium g ON g.id = b.gremium_id "
    "LEFT JOIN sitzung s ON s.id = b.sitzung_id",
    "beschluss": "SELECT b.kennung, v.kennung, g.kennung, b.datum, b.titel, b.text, b.fassung, b.dezernat, b.amt "
    "FROM beschluss b LEFT JOIN vorlage v ON v.id = b.vorlage_id LEFT JOIN gremium g ON g.id = b.gremium_id",
    "beschlusspunkt": "SELECT b.kennung, p.nummer, p.text FROM beschlusspunkt p "
    "JOIN beschluss b ON b.id = p.beschluss_id",
    "auftrag": "SELECT a.kennung, a.quelle, b.kennung, p.nummer, a.beschreibung, a.frist, a.frist_wortlaut, a.status, "
    "a.fortschritt_prozent, a.begonnen_am, a.erledigt_am FROM auftrag a JOIN beschluss b ON b.id = a.beschluss_id "
    "LEFT JOIN beschlusspunkt p ON p.id = a.beschlusspunkt_id",
    "umsetzungsbericht": "SELECT b.kennung, a.kennung, u.datum, u.status, u.text FROM umsetzungsbericht u "
    "JOIN beschluss b ON b.id = u.beschluss_id LEFT JOIN auftrag a ON a.id = u.auftrag_id",
}


def _ours(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """What matters to us, by natural keys (row ids differ between stores)."""
    with engine.connect() as connection:
        return {
            name: sorted((tuple(row) for row in connection.execute(sa.text(query))), key=repr)
            for name, query in _OURS.items()
        }


def _bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.json"))}


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_export_import_export_gives_the_same_bytes(
    engine: Engine, settings: Settings, tmp_path: Path, _sqlite_template: Path
) -> None:
    _demo_with_meetings(engine)
    first = _export(engine, settings)
    shutil.copyfile(_sqlite_template, tmp_path / "frisch.db")
    fresh = make_engine(f"sqlite:///{tmp_path / 'frisch.db'}")
    with session_scope(fresh, actor="oparl-import") as session:
        report = import_objekte(session, objects_to_validate(first), now=datetime(2026, 3, 2, tzinfo=UTC))
    assert [m for m in report.maengel if "verweist" in m.meldung or "übersprungen" in m.meldung] == []
    assert report.zaehler["Beschluss"]["neu"] == 11 and report.zaehler["Paper"]["neu"] == 22  # no extra Vorlagen
    assert report.klaerung == []
    second = _export(fresh, settings)
    write_export(first, tmp_path / "eins")
    write_export(second, tmp_path / "zwei")
    eins, zwei = _bytes(tmp_path / "eins"), _bytes(tmp_path / "zwei")
    assert sorted(eins) == sorted(zwei)
    assert [name for name in eins if eins[name] != zwei[name]] == []
    before, after = _ours(engine), _ours(fresh)
    assert {name: len(rows) for name, rows in after.items()} == {name: len(rows) for name, rows in before.items()}
    assert all(before.values())  # every kind of row was there to compare
    assert after == before
    with session_scope(fresh, actor="oparl-import") as session:  # again: nothing changes
        again = import_objekte(session, objects_to_validate(first), now=datetime(2026, 3, 3, tzinfo=UTC))
    assert {typ: c["neu"] + c["geaendert"] for typ, c in again.zaehler.items() if c["neu"] + c["geaendert"]} == {}
    assert _bytes(tmp_path / "eins") == _bytes(write_and_return(_export(fresh, settings), tmp_path / "drei"))
    fresh.dispose()


def write_and_return(files: dict[str, dict[str, Any]], folder: Path) -> Path:
    write_export(files, folder)
    return folder

"""Our data as OParl 1.1: every exported object validates against the spec schemas (converted to
standard JSON Schema, and the conversion is checked against the shipped files); the
implementation status travels under our vendor prefix; the export imports again."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from sozialforum.oparl.export import export_oparl
from sozialforum.oparl.export_ordner import internal_urls, objects_to_validate, pages, write_export
from sozialforum.oparl.importer import import_objekte
from sozialforum.oparl.schema import SCHEMA_DIR, convert_spec, fehler
from sozialforum.settings import Settings
from sozialforum.store.db import make_engine, migrate, session_scope
from sozialforum.store.models import Beratung, Sitzung, Tagesordnungspunkt
from sozialforum.vocab import BeratungErgebnis, BeratungRolle
from tests.fristen.conftest import Welt, build_welt
from tests.oparl.conftest import OPARL

BASE = "https://kreis-musterland.example/oparl"


def test_shipped_schemas_are_the_conversion_of_the_spec(tmp_path: Path) -> None:
    written = convert_spec(OPARL / "spec-1.1.1" / "schema", tmp_path, version="1.1")
    assert len(written) == 12
    for path in written:
        assert path.read_text(encoding="utf-8") == (SCHEMA_DIR / "1.1" / path.name).read_text(encoding="utf-8")
    meeting = json.loads((tmp_path / "Meeting.json").read_text(encoding="utf-8"))
    assert meeting["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert meeting["properties"]["location"]["$ref"] == "Location.json"
    organization = meeting["properties"]["organization"]
    assert "references" not in organization and organization["$comment"].startswith("OParl: references")


def test_schemas_reject_what_the_spec_rejects() -> None:
    example = json.loads((OPARL / "spec-1.1.1" / "examples" / "Meeting-01.json").read_text(encoding="utf-8"))
    assert fehler(example) == ["agendaItem/0: Pflichtangabe „order“ fehlt"]
    example["agendaItem"][0]["order"] = 0
    assert fehler(example) == []
    assert "start: „gestern“ ist kein gültiges Format für Datum mit Uhrzeit" in fehler({**example, "start": "gestern"})
    assert "organization/0: „Finanzausschuss“ ist kein gültiges Format für Adresse (URL)" in fehler(
        {**example, "organization": ["Finanzausschuss"]}
    )
    assert "name: 7 hat nicht den erwarteten Typ (Text)" in fehler({**example, "name": 7})


def _with_meeting(engine: Engine, welt: Welt) -> None:
    with session_scope(engine, actor="test") as session:
        start = datetime(2024, 9, 19, 15, 0, tzinfo=UTC)
        sitzung = Sitzung(
            gremium_id=1,
            titel="8. Sitzung des Kreistags",
            beginn=start,
            ende=start + timedelta(hours=3),
            ort="Kreishaus",
            adresse="Am Markt 1",
            ical_uid="sitzung-x@test",
        )
        session.add(sitzung)
        session.flush()
        session.add(
            Beratung(
                vorlage_id=1,
                gremium_id=1,
                sitzung_id=sitzung.id,
                reihenfolge=0,
                rolle=BeratungRolle.ENTSCHEIDUNG,
                datum=date(2024, 9, 19),
                ergebnis=BeratungErgebnis.GEAENDERT_BESCHLOSSEN,
            )
        )
        session.add(Tagesordnungspunkt(sitzung_id=sitzung.id, reihenfolge=0, nummer="Ö 1", titel="Eröffnung"))
        session.add(
            Tagesordnungspunkt(
                sitzung_id=sitzung.id,
                reihenfolge=1,
                nummer="Ö 2",
                vorlage_id=1,
                titel="Strategische Sozialplanung",
                ergebnis="geändert beschlossen",
            )
        )


def test_export_validates_and_carries_the_status(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    welt = build_welt(engine)
    _with_meeting(engine, welt)
    with session_scope(engine, actor="test") as session:
        files = export_oparl(session, base_url=BASE, today=date(2026, 3, 2), settings=settings)
    objects = objects_to_validate(files)
    problems = {obj["id"]: fehler(obj) for obj in objects if fehler(obj)}
    assert problems == {}
    assert {o["type"].rsplit("/", 1)[1] for o in objects} >= {
        "System",
        "Body",
        "Organization",
        "Meeting",
        "AgendaItem",
        "Paper",
        "Consultation",
    }
    meeting = files["body/1/meeting/1.json"]
    assert [i["order"] for i in meeting["agendaItem"]] == [0, 1]
    assert meeting["agendaItem"][1]["consultation"] == f"{BASE}/body/1/consultation/1.json"
    assert meeting["start"] == "2024-09-19T17:00:00+02:00"
    beschluss = files[f"body/1/paper/beschluss-{welt.beschluss_id}.json"]
    status = beschluss["sozialforum:umsetzung"]
    assert (status["status"], status["ampel"], status["fortschrittProzent"]) == ("in_arbeit", "bald_faellig", 25)
    assert {a["fristWortlaut"] for a in status["auftraege"]} >= {"bis Mitte 2026"}
    assert status["berichte"][0]["text"].startswith("Das Sozialamt")
    for obj in objects:  # every id resolves to a file of the export
        assert obj["id"].removeprefix(BASE + "/") in files
    assert write_export(files, tmp_path) == len(files)
    assert json.loads((tmp_path / "body/1/meetings.json").read_text(encoding="utf-8"))["data"][0]["id"] == meeting["id"]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_export_imports_again(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    welt = build_welt(engine)
    _with_meeting(engine, welt)
    with session_scope(engine, actor="test") as session:
        files = export_oparl(session, base_url=BASE, today=date(2026, 3, 2), settings=settings)
    fresh = make_engine(f"sqlite:///{tmp_path / 'frisch.db'}")
    migrate(fresh)
    with session_scope(fresh, actor="import") as session:
        report = import_objekte(session, objects_to_validate(files), now=datetime(2026, 3, 2, tzinfo=UTC))
    assert report.zaehler["Meeting"]["neu"] == 1 and report.zaehler["AgendaItem"]["neu"] == 2
    assert report.zaehler["Beschluss"]["neu"] == 1
    assert not [m for m in report.maengel if "verweist" in m.meldung]
    fresh.dispose()


def test_every_internal_url_resolves_and_the_folder_is_replaced(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    welt = build_welt(engine)
    _with_meeting(engine, welt)
    with session_scope(engine, actor="test") as session:
        files = export_oparl(session, base_url=BASE, today=date(2026, 3, 2), settings=settings)
    dangling = {url for url in internal_urls(files, BASE) if url.removeprefix(BASE + "/") not in files}
    assert dangling == set()
    assert files["body/1/organization/1.json"]["body"] == files["body/1.json"]["id"]
    target = tmp_path / "oparl"
    (target / "body" / "1").mkdir(parents=True)
    (target / "body" / "1" / "alt.json").write_text("{}", encoding="utf-8")
    assert write_export(files, target) == len(files)
    assert not (target / "body" / "1" / "alt.json").exists()  # no stale file of an earlier export
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".oparl")]  # nothing left beside it
    on_disk = {str(p.relative_to(target)) for p in target.rglob("*.json")}
    assert on_disk == set(files)
    paged = pages([{"id": str(i)} for i in range(5)], f"{BASE}/body/1/papers.json", size=2)
    assert [url.rsplit("/", 1)[1] for url, _ in paged] == ["papers.json", "papers-2.json", "papers-3.json"]
    middle = paged[1][1]
    assert middle["links"]["prev"].endswith("/papers.json") and middle["links"]["next"].endswith("/papers-3.json")
    assert middle["pagination"] == {"totalElements": 5, "elementsPerPage": 2, "currentPage": 2, "totalPages": 3}
    assert "next" not in paged[2][1]["links"]

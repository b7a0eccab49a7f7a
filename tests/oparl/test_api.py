"""Import from a paginated OParl API on loopback: every list followed through links.next, the
defects of real endpoints logged as warnings, then an incremental run with modified_since."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.oparl.abruf import abruf
from sozialforum.store.db import session_scope
from sozialforum.store.models import (
    Beschluss,
    Gremium,
    Mitgliedschaft,
    OparlAbruf,
    Person,
    Sitzung,
    Tagesordnungspunkt,
    Vorlage,
)
from sozialforum.vocab import MitgliedRolle, SitzungStatus, VorlageArt
from tests.oparl.conftest import snapshot
from tests.oparl.server import OparlApi, serve

FIRST = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)
SECOND = datetime(2026, 3, 26, 10, 0, tzinfo=UTC)


def _run(engine: Engine, api: OparlApi, now: datetime):  # type: ignore[no-untyped-def]
    with session_scope(engine, actor="import:oparl") as session:
        return abruf(session, api.root, now=now)


def test_full_import_with_defects(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    with serve() as api, caplog.at_level(logging.WARNING, logger="sozialforum.oparl"):
        report = _run(engine, api, FIRST)
    assert "/oparl/v1/bodies/1/organizations?page=3" in api.requests  # links.next followed
    text = "\n".join(str(m) for m in report.maengel)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for defect in (
        "zyklische Seitenfolge",
        "Text statt URL ('Kreistag')",
        "Objekt statt URL",
        "„created“: leer statt Zeitpunkt",
        "„order“: fehlt: Position 1",
        "people/99)",
        "organizations/77)",
    ):
        assert defect in text, defect
        assert defect in logged, defect
    with session_scope(engine, actor="test") as session:
        names = set(session.scalars(sa.select(Gremium.name)))
        assert names == {"Kreistag", "Ausschuss für Soziales und Gesundheit", "Jugendhilfeausschuss"}
        kt = session.scalars(sa.select(Gremium).where(Gremium.name == "Kreistag")).one()
        asg = session.scalars(sa.select(Gremium).where(Gremium.name.startswith("Ausschuss"))).one()
        assert asg.parent_id == kt.id
        people = session.scalars(sa.select(Person)).all()
        assert {(p.vorname, p.nachname) for p in people} == {
            ("Helga", "Krüger"),
            ("Aylin", "Öztürk"),
            ("Dr. Jonas", "Weber"),
        }
        assert all(p.email is None and p.rechtsgrundlage is None for p in people)  # names only
        chair = session.scalars(sa.select(Mitgliedschaft).where(Mitgliedschaft.gremium_id == kt.id)).one()
        assert chair.rolle == MitgliedRolle.VORSITZ and chair.stimmberechtigt
        sitzung = session.scalars(sa.select(Sitzung).where(Sitzung.gremium_id == kt.id)).one()
        assert (sitzung.ort, sitzung.adresse) == ("Kreishaus, Großer Sitzungssaal", "Am Markt 1, 37000 Musterstadt")
        assert sitzung.status == SitzungStatus.DURCHGEFUEHRT  # 19 March, imported on the 20th
        tops = session.scalars(
            sa.select(Tagesordnungspunkt)
            .where(Tagesordnungspunkt.sitzung_id == sitzung.id)
            .order_by(Tagesordnungspunkt.reihenfolge)
        ).all()
        assert [(t.reihenfolge, t.nummer) for t in tops] == [(0, "1"), (1, "2"), (2, "3")]
        vsp = session.scalars(sa.select(Vorlage).where(Vorlage.kennung == "VSP-0012/2026")).one()
        antrag = session.scalars(sa.select(Vorlage).where(Vorlage.kennung == "A-0012/2026")).one()
        assert vsp.bezug_vorlage_id == antrag.id and vsp.art == VorlageArt.VERWALTUNGSSTANDPUNKT
        assert session.scalar(sa.select(sa.func.count()).select_from(Beschluss)) == 0  # not decided yet


def test_incremental_import_with_modified_since(engine: Engine) -> None:
    with serve() as api:
        _run(engine, api, FIRST)
        before = snapshot(engine)
        # The Kreistag decides on 19 March; the system publishes the result and a new paper.
        meeting = api.lists["bodies/1/meetings"][0]
        meeting["modified"] = "2026-03-25T09:00:00+01:00"
        meeting["agendaItem"][1]["result"] = "mehrheitlich beschlossen"
        meeting["agendaItem"][1]["resolutionText"] = (
            "Der Antrag wird in der Fassung des Verwaltungsstandpunkts beschlossen."
        )
        api.lists["bodies/1/papers"].append(
            {
                "id": f"{api.root}/bodies/1/papers/4",
                "type": "https://schema.oparl.org/1.1/Paper",
                "name": "Fortschreibung Altenhilfeplan",
                "reference": "V-0031/2026",
                "date": "2026-03-24",
                "paperType": "Beschlussvorlage",
                "created": "2026-03-24T10:00:00+01:00",
                "modified": "2026-03-24T10:00:00+01:00",
            }
        )
        api.requests.clear()
        report = _run(engine, api, SECOND)
        lists = [r for r in api.requests if r.split("?")[0].count("/") == 5]  # /oparl/v1/bodies/1/<list>
        assert lists and all("modified_since=2026-03-20T09:00:00Z" in r for r in lists)
        listed = [r for r in api.requests if r.startswith("/oparl/v1/bodies/1/meetings")]
        assert listed == ["/oparl/v1/bodies/1/meetings?modified_since=2026-03-20T09:00:00Z"]
        assert report.zaehler["Paper"]["neu"] == 1 and report.zaehler["Organization"]["neu"] == 0
        assert "Person" not in report.zaehler  # nothing changed there: not even read
        with session_scope(engine, actor="test") as session:
            beschluss = session.scalars(sa.select(Beschluss)).one()
            assert beschluss.kennung == "A-0012/2026/2026-03-19"
            assert beschluss.fassung == "mehrheitlich beschlossen"
            assert session.scalars(sa.select(Vorlage).where(Vorlage.kennung == "V-0031/2026")).one()
            states = {s.url.rsplit("/", 1)[1]: s.letzter_abruf for s in session.scalars(sa.select(OparlAbruf))}
            assert states["meetings"] == SECOND
        after = snapshot(engine)
        assert after["gremium"] == before["gremium"] and after["person"] == before["person"]
        # A third run without changes changes nothing.
        _run(engine, api, datetime(2026, 3, 27, 10, 0, tzinfo=UTC))
        assert snapshot(engine) == after

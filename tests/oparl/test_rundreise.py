"""The export of the demo Landkreis: every object validates, every internal URL resolves, and
export → import into an empty store → export gives the same bytes, with our Beschlüsse,
Beratungen, Gremium kinds, Sitzung states, Aufträge and Umsetzungsberichte back as they were."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from sozialforum.demo import load_demo
from sozialforum.oparl.export import export_oparl, internal_urls, objects_to_validate
from sozialforum.oparl.schema import fehler
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
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

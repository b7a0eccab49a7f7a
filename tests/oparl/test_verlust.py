"""Nothing lost against a STERNBERG-shaped system on loopback: a 500 in the middle of a list and a
refused modified_since end with a gap in German and no state advanced, the next run completes the
store; a run killed at a random page leaves the store as it was and the rerun equals an
uninterrupted import; deletions and moves; Beschlüsse without role/authoritative."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from sozialforum.oparl.abruf import abruf
from sozialforum.oparl.client import Abbruch, OparlClient
from sozialforum.oparl.lesen import Maengel
from sozialforum.store.db import make_engine, migrate, session_scope
from sozialforum.store.models import (
    AuditEntry,
    Beratung,
    Beschluss,
    OparlAbruf,
    OparlKlaerung,
    Person,
    Sitzung,
    Tagesordnungspunkt,
    Vorlage,
)
from sozialforum.vocab import BeratungErgebnis
from tests.oparl.conftest import snapshot
from tests.oparl.generiert import EMPTY_802, System, serve

FIRST = datetime(2026, 1, 20, 10, 0, tzinfo=UTC)
SECOND = datetime(2026, 2, 20, 10, 0, tzinfo=UTC)
THIRD = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)


def _client(**kwargs: Any) -> OparlClient:
    return OparlClient(Maengel(), backoff=0.0, retries=2, **kwargs)


def _run(engine: Engine, api: System, now: datetime, client: OparlClient | None = None):  # type: ignore[no-untyped-def]
    with session_scope(engine, actor="import:oparl") as session:
        return abruf(session, api.root, now=now, client=client or _client())


def _count(engine: Engine, model: Any) -> int:
    with session_scope(engine, actor="test") as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_500_in_the_middle_leaves_a_gap_that_the_next_run_closes(engine: Engine) -> None:
    with serve() as api:
        api.stoerung = lambda raw: (500, {"error": "intern"}) if raw.endswith("/paper?page=3") else None
        report = _run(engine, api, FIRST)
        assert not report.vollstaendig
        assert any("Liste paper" in gap and "Seite 3" in gap and "HTTP-Status 500" in gap for gap in report.fehlend)
        assert any(line.startswith("UNVOLLSTÄNDIG") for line in report.zusammenfassung())
        assert sum(1 for r in api.requests if r.endswith("/paper?page=3")) == 3  # retried
        assert _count(engine, Vorlage) == 6  # pages 1 and 2 are kept, nothing pretends to be complete
        with session_scope(engine, actor="test") as session:
            lists = set(session.scalars(sa.select(OparlAbruf.url)))
        assert f"{api.body}/paper" not in lists and f"{api.body}/meeting" in lists
        api.stoerung = None
        api.requests.clear()
        report = _run(engine, api, SECOND)
        assert report.vollstaendig and _count(engine, Vorlage) == 12
        paper_requests = [r for r in api.requests if "/body/1/paper" in r]
        assert paper_requests[0].endswith("/body/1/paper")  # never complete: read in full
        assert any("modified_since=2026-01-20T09:00:00Z" in r for r in api.requests if "/meeting" in r)


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_refused_modified_since_falls_back_to_the_full_list(engine: Engine) -> None:
    with serve() as api:
        _run(engine, api, FIRST)
        api.touch(api.lists["paper"][0])["name"] = "Vorlage 1 (neu)"
        # A strict server: 400 for any modified_since (but STERNBERG's empty-list 404 is not a refusal).
        api.stoerung = lambda raw: (400, {"error": "ungültiger Parameter"}) if "modified_since" in raw else None
        report = _run(engine, api, SECOND)
        assert report.vollstaendig
        assert any("Filter abgelehnt" in str(m) for m in report.maengel)
        with session_scope(engine, actor="test") as session:
            assert session.scalars(sa.select(Vorlage.titel).where(Vorlage.kennung == "VO/0001/2025")).one() == (
                "Vorlage 1 (neu)"
            )
            states = {s.url: s.letzter_abruf for s in session.scalars(sa.select(OparlAbruf))}
        assert states[f"{api.body}/paper"] == SECOND
        # STERNBERG's 404 with code 802 for a filtered list with nothing in it is an empty list.
        api.stoerung = None
        api.requests.clear()
        report = _run(engine, api, THIRD)
        assert report.vollstaendig and "Paper" not in report.zaehler
        assert any("modified_since=" in r for r in api.requests)


def _kill_at(page: int) -> httpx.BaseTransport:
    class Killing(httpx.HTTPTransport):
        served = 0

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if "/body/1/" in str(request.url):
                Killing.served += 1
                if Killing.served == page:
                    raise Abbruch(f"Prozess beendet bei Seite {page}")
            return super().handle_request(request)

    return Killing()


@pytest.mark.slow
def test_a_kill_at_any_page_then_a_rerun_gives_the_same_store(tmp_path: Any) -> None:
    reference = make_engine(f"sqlite:///{tmp_path / 'ref.db'}")
    migrate(reference)
    with serve(papers=15, page_size=2) as api:
        _run(reference, api, FIRST)
        expected = snapshot(reference)
        pages = sum(1 for r in api.requests if "/body/1/" in r)
        points = sorted(random.Random(13).sample(range(1, pages + 1), 10))
        for point in points:
            engine = make_engine(f"sqlite:///{tmp_path / f'k{point}.db'}")
            migrate(engine)
            with pytest.raises(Abbruch):
                _run(engine, api, FIRST, client=_client(transport=_kill_at(point)))
            assert _count(engine, Vorlage) == 0 and _count(engine, OparlAbruf) == 0  # nothing half-done
            _run(engine, api, FIRST)
            assert snapshot(engine) == expected, point
            engine.dispose()
    reference.dispose()


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_beschluesse_without_role_vote_counts_and_cases_to_decide(engine: Engine) -> None:
    with serve() as api:
        report = _run(engine, api, FIRST)
    with session_scope(engine, actor="test") as session:
        beschluesse = session.scalars(sa.select(Beschluss).order_by(Beschluss.kennung)).all()
        # Papers 1–12; the Gemeinderat meets in meetings 2 and 4. Paper 5 was rejected (3:9),
        # paper 7's result cannot be read: 10 Beschlüsse, all of the Gemeinderat.
        assert len(beschluesse) == 10
        assert {b.kennung.split("/")[1] for b in beschluesse} == {f"{p:04d}" for p in range(1, 13)} - {"0005", "0007"}
        rejected = session.scalars(
            sa.select(Beratung).join(Vorlage).where(Vorlage.kennung == "VO/0005/2025", Beratung.sitzung_id.is_not(None))
        ).all()
        assert {b.ergebnis for b in rejected} == {BeratungErgebnis.EMPFOHLEN, BeratungErgebnis.ABGELEHNT}
        cases = session.scalars(sa.select(OparlKlaerung)).all()
        assert [(c.art, "siehe Niederschrift" in c.beschreibung) for c in cases] == [("ergebnis", True)]
        assert session.scalars(sa.select(Person.nachname)).all() == ["(ohne Namen)"]
    assert len(report.klaerung) == 1 and any("zur Klärung" in line for line in report.zusammenfassung())


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_deletions_and_moves(engine: Engine) -> None:
    with serve() as api:
        _run(engine, api, FIRST)
        meeting = api.lists["meeting"][0]
        # STERNBERG: a deleted meeting is a record without type in the filtered list.
        api.lists["meeting"][0] = {"id": meeting["id"], "deleted": True, "modified": "2026-02-01T10:00:00+01:00"}
        api.lists["paper"][1] = api.touch({**api.lists["paper"][1], "deleted": True})
        # One agenda item moves from meeting 4 to meeting 2, one disappears from meeting 2.
        four, two = api.touch(api.lists["meeting"][3]), api.touch(api.lists["meeting"][1])
        moved = four["agendaItem"].pop(0)
        gone = two["agendaItem"].pop(0)
        two["agendaItem"].append({**moved, "meeting": two["id"], "order": 99})
        report = _run(engine, api, SECOND)
        assert report.vollstaendig, report.fehlend
        assert api.lists["meeting"][0] is not meeting
    with session_scope(engine, actor="test") as session:
        assert session.scalar(sa.select(Sitzung.id).where(Sitzung.oparl_id == meeting["id"])) is None
        items = [i["id"] for i in meeting["agendaItem"]]
        assert not session.scalars(sa.select(Tagesordnungspunkt).where(Tagesordnungspunkt.oparl_id.in_(items))).all()
        paper = api.lists["paper"][1]
        assert session.scalar(sa.select(Vorlage.id).where(Vorlage.oparl_id == paper["id"])) is None
        assert not session.scalars(
            sa.select(Beratung).where(Beratung.oparl_id.in_([c["id"] for c in paper["consultation"]]))
        ).all()
        top = session.scalars(sa.select(Tagesordnungspunkt).where(Tagesordnungspunkt.oparl_id == moved["id"])).one()
        assert session.get(Sitzung, top.sitzung_id).oparl_id == two["id"]  # type: ignore[union-attr]
        assert session.scalar(sa.select(Tagesordnungspunkt.id).where(Tagesordnungspunkt.oparl_id == gone["id"])) is None
        deletes = session.scalars(
            sa.select(AuditEntry.tabelle).where(AuditEntry.aktion == "delete", AuditEntry.akteur == "import:oparl")
        ).all()
        assert {"sitzung", "tagesordnungspunkt", "vorlage", "beratung"} <= set(deletes)


def test_sternberg_quirks_in_the_client() -> None:
    with serve() as api:
        client = _client()
        assert client.lies_liste(f"{api.root}/body").objekte[0]["id"] == api.body  # one Body, not a list
        api.stoerung = lambda raw: (404, EMPTY_802) if "modified_since" in raw else None
        empty = client.lies_liste(f"{api.body}/paper", modified_since=FIRST)
        assert empty.vollstaendig and empty.objekte == []
        api.stoerung = lambda raw: (200, [api.lists["organization"][0]]) if raw.endswith("organization/1") else None
        assert client.get_object(api.url("organization", "1"))["name"] == "Gemeinderat"  # type: ignore[index]
        api.stoerung = lambda raw: (200, '{"data": [{"id": "x", "name": "Zeile\x01Zwei\tDrei"}], "links": {}}')
        listed = client.lies_liste(f"{api.body}/paper")
        assert listed.vollstaendig and listed.objekte[0]["name"] == "Zeile\x01Zwei\tDrei"
        assert any("Steuerzeichen" in str(m) for m in client.maengel.liste)
        client.close()


def test_cli_exit_code_and_german_summary_on_a_gap(tmp_path: Any) -> None:
    from sozialforum.cli import app

    db = tmp_path / "cli.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    engine.dispose()
    with serve() as api:
        api.stoerung = lambda raw: (200, "kaputt{") if raw.endswith("/meeting?page=2") else None
        result = CliRunner().invoke(
            app, ["oparl", "import", api.root], env={"SOZIALFORUM_DATABASE_URL": f"sqlite:///{db}"}
        )
    assert result.exit_code != 0, result.output
    assert "Import unvollständig" in result.output and "Liste meeting" in result.output

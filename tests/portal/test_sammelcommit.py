"""Group commit of the RSVP's answers on SQLite (``portal.sammelcommit``): answers that reach the
event loop in one turn share one COMMIT, each in its own SAVEPOINT; every answer is kept exactly
once with its audit entry, a failed answer loses only itself, a failed COMMIT reports none of
its batch saved, and no 303 is sent before its answer is committed (a kill -9 loses none)."""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from sozialforum.portal import beteiligung
from sozialforum.portal.app import create_app
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Gremium, Organisation, Person, Sitzung
from sozialforum.timeutil import utcnow
from sozialforum.vocab import GremiumArt, LinkZweck, OrganisationArt, Rechtsgrundlage
from tests.portal.conftest import NOW, csrf_of, issue, make_settings
from tests.portal.test_sicherheit import link, portal_process

ANTWORTEN = ("zusage", "vielleicht", "absage")
ASGI = Callable[..., Coroutine[Any, Any, None]]


def _traeger(engine: Engine, anzahl: int, beginn: datetime) -> tuple[int, list[int]]:
    """A Sitzung beginning at ``beginn`` and ``anzahl`` invited persons: (Sitzung, persons)."""
    with session_scope(engine, actor="test") as session:
        gremium = Gremium(kennung="SK", name="Sozialraumkonferenz", art=GremiumArt.SOZIALRAUMKONFERENZ)
        session.add(gremium)
        session.flush()
        sitzung = Sitzung(
            gremium_id=gremium.id, titel="Konferenz", beginn=beginn, ende=beginn + timedelta(hours=2), ical_uid="s@t"
        )
        traeger = [
            Organisation(kennung=f"T{i}", name=f"Träger {i}", art=OrganisationArt.FREIER_TRAEGER) for i in range(anzahl)
        ]
        session.add_all([sitzung, *traeger])
        session.flush()
        einwilligung = Rechtsgrundlage.EINWILLIGUNG
        for i, organisation in enumerate(traeger):
            session.add(
                Person(
                    kennung=f"P{i}", nachname=f"P {i}", organisation_id=organisation.id, rechtsgrundlage=einwilligung
                )
            )
        session.flush()
        personen = session.exec(select(Person.id).order_by(Person.id)).all()
        assert sitzung.id is not None
        return sitzung.id, [person for person in personen if person is not None]


async def _asgi(app: ASGI, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    """One request straight into the app (no HTTP): status and body. The 500 page is sent
    before the error middleware raises on for the server's log; that raise is the server's."""
    headers = [(b"host", b"testserver")]
    if body:
        headers += [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"%d" % len(body))]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status, chunks = 0, []

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        else:
            chunks.append(message.get("body", b""))

    try:
        await app(scope, receive, send)
    except Exception:
        assert status == 500
    return status, b"".join(chunks)


async def _zugleich(*requests: Coroutine[Any, Any, tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    return list(await asyncio.gather(*requests))


class Runde:
    """The portal app on one event loop of its own thread; ``antworten`` sends one answer per
    link at once (one event-loop turn) and counts the COMMITs the store saw meanwhile."""

    def __init__(self, engine: Engine, settings: Settings, links: list[str], personen: list[int]) -> None:
        self.app = create_app(settings, engine, clock=lambda: NOW)
        self.links, self.personen = links, personen
        with engine.connect() as connection:  # the links' ids, in the persons' order
            ids = dict(connection.execute(sa.text("SELECT person_id, id FROM personal_link")).all())
        self.link_ids = [ids[person] for person in personen]
        self.commits = 0
        sa.event.listen(engine, "commit", self._count)
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.loop = asyncio.new_event_loop()
        pages = self._run(_zugleich(*(_asgi(self.app, "GET", path) for path in links)))
        self.csrf = [re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode() for _, page in pages]  # type: ignore[union-attr]

    def _count(self, _connection: object) -> None:
        self.commits += 1

    def _run(self, work: Coroutine[Any, Any, Any]) -> Any:
        return self.pool.submit(self.loop.run_until_complete, work).result()

    def antworten(self, runde: int) -> list[int]:
        bodies = [
            urlencode({"csrf": csrf, "antwort": ANTWORTEN[runde % 3], "personen": "1", "kommentar": f"{i}/{runde}"})
            for i, csrf in enumerate(self.csrf)
        ]
        self.commits = 0
        answers = self._run(
            _zugleich(
                *(_asgi(self.app, "POST", path, body.encode()) for path, body in zip(self.links, bodies, strict=True))
            )
        )
        return [status for status, _ in answers]

    def close(self) -> None:
        self.pool.submit(self.loop.close).result()
        self.pool.shutdown()


@pytest.fixture
def runde(sqlite_engine: Engine, tmp_path: Path) -> Any:
    settings = make_settings(tmp_path, sqlite_engine, antworten_je_minute=100)
    sitzung, personen = _traeger(sqlite_engine, 12, NOW + timedelta(days=14))
    links = [
        issue(sqlite_engine, settings, person_id=person, zweck=LinkZweck.RSVP, bezug_id=sitzung) for person in personen
    ]
    made = Runde(sqlite_engine, settings, links, personen)
    yield made
    made.close()


def _stand(engine: Engine) -> tuple[dict[int, str], dict[int, int]]:
    """Each person's stored comment, and the audit entries of each person's row."""
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, person_id, kommentar FROM rueckmeldung")).all()
        audit = connection.execute(
            sa.text("SELECT datensatz_id, count(*) FROM audit_entry WHERE tabelle = 'rueckmeldung' GROUP BY 1")
        ).all()
    of_row = dict(audit)
    return {person: kommentar for _, person, kommentar in rows}, {person: of_row.get(id_, 0) for id_, person, _ in rows}


def test_answers_of_one_turn_share_one_commit_and_each_is_kept_once(runde: Runde, sqlite_engine: Engine) -> None:
    for i in range(3):
        assert runde.antworten(i) == [303] * 12
        assert runde.commits == 1  # twelve answers, one COMMIT
    kommentare, audit = _stand(sqlite_engine)
    assert sorted(kommentare.values()) == sorted(f"{i}/2" for i in range(12))
    assert set(audit.values()) == {3}  # one audit entry per submission: create, update, update


def test_a_failing_answer_loses_only_itself(
    runde: Runde, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fifth answer's audit entry breaks a constraint after its UPDATE ran: its savepoint
    is rolled back (its row and audit stay as they were), the eleven others of the batch are
    kept, with the one COMMIT."""
    assert runde.antworten(0) == [303] * 12
    original = beteiligung._audit

    def audit(connection: sa.Connection, akteur: str, *args: Any) -> None:
        fuenfte = akteur == f"link:{runde.link_ids[4]}"
        original(connection, None if fuenfte else akteur, *args)  # type: ignore[arg-type]  # NOT NULL

    monkeypatch.setattr(beteiligung, "_audit", audit)
    statuses = runde.antworten(1)
    assert statuses[4] == 500 and statuses[:4] + statuses[5:] == [303] * 11
    assert runde.commits == 1
    kommentare, counts = _stand(sqlite_engine)
    expected = {person: f"{i}/{0 if i == 4 else 1}" for i, person in enumerate(runde.personen)}
    assert kommentare == expected
    assert counts == {person: 1 if i == 4 else 2 for i, person in enumerate(runde.personen)}


def test_other_store_use_in_the_same_turn_commits_the_batch_first(runde: Runde, sqlite_engine: Engine) -> None:
    """A guessed token (its failure is written through a pool connection) and an RSVP page
    (read on the kept connection) in the turn of a batch: the batch is committed before either
    touches the store, so neither waits for the write lock the batch holds (the loop would wait
    for itself for the 30 s busy timeout, then fail with "database is locked")."""
    bodies = [
        urlencode({"csrf": csrf, "antwort": "zusage", "personen": "1", "kommentar": f"{i}/0"}).encode()
        for i, csrf in enumerate(runde.csrf)
    ]
    geraten = "/rueckmeldung/" + "A" * 32 + "." + "B" * 32
    requests = [
        *(_asgi(runde.app, "POST", path, body) for path, body in zip(runde.links[:6], bodies[:6], strict=True)),
        _asgi(runde.app, "POST", geraten, bodies[0]),
        _asgi(runde.app, "GET", runde.links[0]),
        *(_asgi(runde.app, "POST", path, body) for path, body in zip(runde.links[6:], bodies[6:], strict=True)),
    ]
    began = time.monotonic()
    statuses = [status for status, _ in runde._run(_zugleich(*requests))]
    assert time.monotonic() - began < 10
    assert statuses == [303] * 6 + [403, 200] + [303] * 6
    with sqlite_engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM fehlversuch")).scalar_one() == 1
    kommentare, counts = _stand(sqlite_engine)
    assert sorted(kommentare.values()) == sorted(f"{i}/0" for i in range(12)) and set(counts.values()) == {1}


def test_a_failing_commit_reports_none_of_its_batch_saved(
    runde: Runde, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One answer leaves a foreign key broken that SQLite checks only at the COMMIT: the COMMIT
    fails, every answer of the batch gets the error page and none is stored; the next turn's
    answers are stored again."""
    assert runde.antworten(0) == [303] * 12
    original = beteiligung._audit
    broken = []

    def audit(connection: sa.Connection, *args: Any) -> None:
        original(connection, *args)
        if not broken:
            broken.append(True)
            connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            connection.exec_driver_sql(
                "UPDATE rueckmeldung SET person_id = 999999 WHERE id = (SELECT min(id) FROM rueckmeldung)"
            )

    monkeypatch.setattr(beteiligung, "_audit", audit)
    assert runde.antworten(1) == [500] * 12
    kommentare, counts = _stand(sqlite_engine)
    assert sorted(kommentare.values()) == sorted(f"{i}/0" for i in range(12)) and set(counts.values()) == {1}
    assert runde.antworten(2) == [303] * 12
    kommentare, counts = _stand(sqlite_engine)
    assert sorted(kommentare.values()) == sorted(f"{i}/2" for i in range(12)) and set(counts.values()) == {2}


def test_every_answer_confirmed_before_a_kill_is_in_the_store(sqlite_engine: Engine, tmp_path: Path) -> None:
    """The real portal process under 20 answering clients is killed (SIGKILL) mid-stream, three
    times: every answer that got its 303 is in the store, each with its audit entry."""
    sitzung, personen = _traeger(sqlite_engine, 20, utcnow() + timedelta(days=14))
    for _ in range(3):
        kommentare, _ = _stand(sqlite_engine)  # each client goes on after its last stored answer
        erste = [int(kommentare[p].split("/")[1]) + 1 if p in kommentare else 0 for p in personen]
        bestaetigt = _bis_zum_kill(sqlite_engine, tmp_path, sitzung, personen, erste)
        kommentare, counts = _stand(sqlite_engine)
        for i, person in enumerate(personen):
            if i in bestaetigt:  # stored: that answer or a later one (sent, killed before its 303)
                stored = int(kommentare[person].split("/")[1])
                assert stored >= bestaetigt[i] and counts[person] == stored + 1


def _bis_zum_kill(
    engine: Engine, tmp_path: Path, sitzung: int, personen: list[int], erste: list[int]
) -> dict[int, int]:
    """Clients answer (client i from round ``erste[i]`` on) until 100 answers got their 303,
    then the portal process is killed; each client's last round that got its 303."""
    with portal_process(engine, tmp_path, nur_portal=True, antworten_je_minute=10_000) as prozess:
        paths = [link(engine, prozess, person_id=p, zweck=LinkZweck.RSVP, bezug_id=sitzung) for p in personen]
        bestaetigt: dict[int, int] = {}
        stop = threading.Event()

        def client(i: int) -> int:
            confirmed = 0
            with httpx.Client(base_url=prozess.url, timeout=30) as http:
                try:
                    csrf = csrf_of(http.get(paths[i]).text)
                except httpx.HTTPError:
                    return 0  # killed before this client's page came
                for runde in itertools.count(erste[i]):
                    data = {"csrf": csrf, "antwort": ANTWORTEN[runde % 3], "personen": "1", "kommentar": f"{i}/{runde}"}
                    try:
                        response = http.post(paths[i], data=data)
                    except httpx.HTTPError:
                        return confirmed  # the server is gone
                    assert response.status_code == 303, response.text
                    bestaetigt[i] = runde
                    confirmed += 1
                    if stop.is_set():
                        return confirmed
            raise AssertionError("unreachable")

        with ThreadPoolExecutor(max_workers=len(personen)) as pool:
            futures = [pool.submit(client, i) for i in range(len(personen))]
            deadline = time.monotonic() + 120
            while sum(bestaetigt.values()) - sum(erste) < 100 and time.monotonic() < deadline:
                time.sleep(0.005)
            os.kill(prozess.pid, signal.SIGKILL)
            stop.set()
            assert sum(future.result() for future in futures) >= 100
    return bestaetigt

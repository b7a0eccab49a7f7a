"""Audit by construction: every table declares how it is audited, and the declaration is what
the session hook follows."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import sozialforum.store.models  # noqa: F401  (registers every table)
from sozialforum.outbox.zustellung import mark_contact_disturbed
from sozialforum.store import audit
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, Fachplan, FachplanMeilenstein, Person
from sozialforum.store.models.base import Audit
from sozialforum.vocab import FachplanArt, Rechtsgrundlage


def test_every_table_declares_how_it_is_audited() -> None:
    mapped = {m.local_table.name: m.class_ for m in SQLModel._sa_registry.mappers}
    assert set(mapped) == set(SQLModel.metadata.tables), "a table without a model class"
    undeclared = sorted(name for name, cls in mapped.items() if not isinstance(cls.__dict__.get("__audit__"), Audit))
    assert not undeclared, f"tables without __audit__: {undeclared}"
    # The hook names a row by its id: a table audited in full has one.
    no_id = sorted(n for n, c in mapped.items() if c.__dict__["__audit__"] is Audit.VOLL and "id" not in c.__table__.c)
    assert not no_id, f"audited in full but without an id column: {no_id}"
    # The actors, decisions and what planners record are audited in full.
    assert {"person", "organisation", "beschluss", "auftrag", "fachplan_meilenstein", "ziel"} <= audit.audited_tables()


def _entries(engine: Engine, table: str) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.select(AuditEntry.akteur, AuditEntry.aktion)
                .where(AuditEntry.tabelle == table)
                .order_by(AuditEntry.id)
            )
        ]  # type: ignore[arg-type]


def test_hook_follows_the_declaration(sqlite_engine: Engine) -> None:
    with session_scope(sqlite_engine, actor="planerin") as s:
        plan = Fachplan(kennung="FP", name="Jugendhilfeplan", art=FachplanArt.JUGENDHILFEPLAN)
        s.add(plan)
        s.flush()
        step = FachplanMeilenstein(
            fachplan_id=plan.id,
            meilenstein="entwurf",
            zyklus_faellig=datetime(2026, 6, 30).date(),
        )
        s.add(step)
    with session_scope(sqlite_engine, actor="planerin") as s:
        row = s.get(FachplanMeilenstein, step.id)
        row.erledigt_am = datetime(2026, 1, 20).date()
        s.add(row)
    assert _entries(sqlite_engine, "fachplan_meilenstein") == [("planerin", "create"), ("planerin", "update")]


def test_a_bounce_flag_on_a_contact_is_audited(sqlite_engine: Engine) -> None:
    with session_scope(sqlite_engine, actor="test") as s:
        person = Person(
            kennung="P", nachname="Berg", email="berg@x.example", rechtsgrundlage=Rechtsgrundlage.EINWILLIGUNG
        )
        s.add(person)
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with sqlite_engine.begin() as conn:
        mark_contact_disturbed(conn, person_id=person.id, now=now)  # type: ignore[arg-type]
        mark_contact_disturbed(conn, person_id=person.id, now=now)  # already flagged: nothing new
    assert _entries(sqlite_engine, "person") == [("test", "create"), ("zustellung", "update")]

"""The batch writer of the import knows the ids of the rows it inserted: from their order when
the new ids are exactly the next ones, read back by key when another writer took one between."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.oparl.schreiben import _new_ids, einfuegen, schreibe
from sozialforum.store.db import session_scope
from sozialforum.store.models import Vorlage
from sozialforum.store.models.base import table_of


def _row(n: int) -> dict[str, object]:
    return {"kennung": f"V/{n}", "art": "verwaltungsvorlage", "titel": f"Vorlage {n}", "datum": date(2026, 1, 5)}


def _ids_by_key(session: sa.orm.Session) -> dict[str | None, int]:
    table = table_of(Vorlage)
    return {k: i for i, k in session.execute(sa.select(table.c.id, table.c.oparl_id))}


def test_ids_of_a_batch_are_those_the_database_gave(engine: Engine) -> None:
    table = table_of(Vorlage)
    with session_scope(engine, actor="test") as session:
        einfuegen(session, table, [{"oparl_id": "https://ris.example/paper/0", **_row(0)}])
        rows = [(f"https://ris.example/paper/{n}", _row(n)) for n in (7, 3, 5)]
        written = schreibe(session, table, rows, known={})
        assert {k: v[0] for k, v in written.items()} == {k: v for k, v in _ids_by_key(session).items() if k in written}
        assert {state for _, state in written.values()} == {"neu"}


def test_a_row_of_another_writer_between_makes_the_ids_read_by_key(engine: Engine) -> None:
    table = table_of(Vorlage)
    with session_scope(engine, actor="test") as session:
        before = session.scalar(sa.select(sa.func.max(table.c.id))) or 0
        einfuegen(session, table, [{"oparl_id": "https://ris.example/fremd", **_row(99)}])  # not ours
        ours = [{"oparl_id": f"https://ris.example/paper/{n}", **_row(n)} for n in (1, 2)]
        einfuegen(session, table, ours)
        keys = [row["oparl_id"] for row in ours]
        found = dict(zip(keys, _new_ids(session, table, "oparl_id", before, keys), strict=True))
        assert found == {k: v for k, v in _ids_by_key(session).items() if k in found}
        assert set(found) == {"https://ris.example/paper/1", "https://ris.example/paper/2"}

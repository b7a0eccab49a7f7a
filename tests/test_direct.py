"""``store.direct``: statements run on the driver's cursor write and read exactly what
``connection.execute`` writes and reads, inside the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.store.direct import DirectStatement, direct
from sozialforum.store.models.audit import AuditEntry
from sozialforum.store.models.base import table_of

AUDIT = table_of(AuditEntry)
INSERT = DirectStatement(AUDIT.insert())
UPDATE = DirectStatement(AUDIT.update().where(AUDIT.c.akteur == sa.bindparam("wer")))
BY_ACTOR = (
    sa.select(AUDIT.c.id, AUDIT.c.zeitpunkt, AUDIT.c.aktion.label("was"), AUDIT.c.aenderungen)
    .where(AUDIT.c.akteur == sa.bindparam("wer"))
    .order_by(AUDIT.c.id)
)
MOMENT = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def _values(akteur: str) -> dict[str, object]:
    return {
        "zeitpunkt": MOMENT,
        "akteur": akteur,
        "tabelle": "rueckmeldung",
        "datensatz_id": 7,
        "aktion": "update",
        "aenderungen": {"kommentar": ["alt", "neu – ä"], "personen": [1, 2]},
    }


def test_writes_and_reads_what_sqlalchemy_writes_and_reads(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(AUDIT.insert(), _values("test:orm"))
        assert INSERT.run(connection, _values("test:direct")) == 1
    with engine.connect() as connection:
        stored = {
            akteur: rest
            for akteur, *rest in connection.execute(
                sa.select(
                    AUDIT.c.akteur, sa.cast(AUDIT.c.zeitpunkt, sa.String), sa.cast(AUDIT.c.aenderungen, sa.String)
                ).where(AUDIT.c.akteur.in_(["test:orm", "test:direct"]))
            )
        }
        assert stored["test:direct"] == stored["test:orm"]  # the same text in the database
        for wer in ("test:orm", "test:direct"):
            row = direct(BY_ACTOR).first(connection, {"wer": wer})
            assert tuple(row) == tuple(connection.execute(BY_ACTOR, {"wer": wer}).first())
            assert row.zeitpunkt == MOMENT and row.zeitpunkt.tzinfo is UTC
            assert row.was == "update" and row.aenderungen == {"kommentar": ["alt", "neu – ä"], "personen": [1, 2]}
        assert direct(BY_ACTOR).first(connection, {"wer": "niemand"}) is None
        # A key that is neither a column nor a parameter is an error, never silently left out.
        with pytest.raises(sa.exc.ArgumentError, match="kein_feld"):
            UPDATE.run(connection, {"wer": "test:orm", "kein_feld": 1})


def test_runs_in_the_callers_transaction(engine: Engine) -> None:
    with engine.begin() as connection:
        INSERT.run(connection, _values("test:bleibt"))
    with engine.connect() as connection:
        with connection.begin() as transaction:
            assert UPDATE.run(connection, {"wer": "test:bleibt", "aenderungen": {}, "zeitpunkt": MOMENT}) == 1
            INSERT.run(connection, _values("test:verworfen"))
            transaction.rollback()
        assert direct(BY_ACTOR).first(connection, {"wer": "test:verworfen"}) is None
        assert direct(BY_ACTOR).first(connection, {"wer": "test:bleibt"}).aenderungen == _values("x")["aenderungen"]
        connection.rollback()
        # Without a transaction begun, the statement begins one, as connection.execute does.
        INSERT.run(connection, _values("test:autobegin"))
        assert connection.in_transaction()
        connection.commit()
    with engine.connect() as connection:
        assert direct(BY_ACTOR).first(connection, {"wer": "test:autobegin"}) is not None


def test_run_many_writes_what_executemany_writes(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(AUDIT.insert(), [_values("test:many-orm"), _values("test:many-orm")])
        INSERT.run_many(connection, [_values("test:many-direct"), _values("test:many-direct")])
        UPDATE.run_many(connection, [{"wer": "test:many-direct", "datensatz_id": 9}])
    with engine.connect() as connection:
        rows = {
            wer: [tuple(r)[1:] for r in connection.execute(BY_ACTOR, {"wer": wer})]
            for wer in ("test:many-orm", "test:many-direct")
        }
        assert len(rows["test:many-direct"]) == 2 and rows["test:many-direct"] == rows["test:many-orm"]
        ids = connection.execute(sa.select(AUDIT.c.datensatz_id).where(AUDIT.c.akteur == "test:many-direct"))
        assert [i for (i,) in ids] == [9, 9]


@pytest.mark.parametrize("count", [1, 416, 417, 1000])  # SQLite: 416 rows of 6 columns per statement
def test_run_many_keeps_every_row_in_order_and_takes_extra_columns(engine: Engine, count: int) -> None:
    with engine.begin() as connection:
        rows = [{**_values("test:order"), "datensatz_id": n} for n in range(count)]
        INSERT.run_many(
            connection,
            [{k: v for k, v in r.items() if k != "tabelle"} for r in rows],
            {"tabelle": [f"t{n}" for n in range(count)]},
        )
        connection.execute(AUDIT.insert(), rows)  # the same rows through SQLAlchemy, for comparison
    with engine.connect() as connection:
        found = [tuple(r)[1:] for r in connection.execute(BY_ACTOR, {"wer": "test:order"})]
        tables = connection.execute(
            sa.select(AUDIT.c.tabelle, AUDIT.c.datensatz_id).where(AUDIT.c.akteur == "test:order").order_by(AUDIT.c.id)
        ).all()
    assert found[:count] == found[count:]
    assert [tuple(t) for t in tables[:count]] == [(f"t{n}", n) for n in range(count)]

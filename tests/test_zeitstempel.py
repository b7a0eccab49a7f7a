"""``UTCDateTime`` on SQLite converts text and instants in one step: it stores exactly the text
SQLAlchemy's DateTime stores for the UTC time and reads back the same aware instant, also for
text it did not write itself (no microseconds, an offset)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from sozialforum.store.models.base import UTCDateTime

METADATA = sa.MetaData()
ZEITEN = sa.Table("zeiten", METADATA, sa.Column("id", sa.Integer, primary_key=True), sa.Column("t", UTCDateTime()))
ROH = sa.Table("zeiten", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("t", sa.String))
ALS_DATETIME = sa.Table(
    "zeiten", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("t", sa.DateTime)
)


def _momente() -> list[datetime]:
    rng = random.Random(14)
    start = datetime(2000, 1, 1, tzinfo=UTC)
    zufall = [
        start + timedelta(seconds=rng.randrange(40 * 365 * 86400), microseconds=rng.randrange(10**6))
        for _ in range(200)
    ]
    return [
        datetime(2026, 12, 6, 17, 0, tzinfo=UTC),
        datetime(999, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 10, 25, 1, 30, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
        *zufall,
    ]


def test_sqlite_stores_and_reads_what_sqlalchemy_does(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'z.db'}")
    METADATA.create_all(engine)
    momente = _momente()
    with engine.begin() as conn:
        conn.execute(ZEITEN.insert(), [{"id": i, "t": m} for i, m in enumerate(momente)])
        stored = dict(conn.execute(sa.select(ROH.c.id, ROH.c.t)).all())
        for i, moment in enumerate(momente):
            # What SQLAlchemy's own DateTime writes for the naive UTC time.
            naive = moment.astimezone(UTC).replace(tzinfo=None)
            conn.execute(ALS_DATETIME.insert(), {"id": 1000 + i, "t": naive})
            assert stored[i] == conn.execute(sa.select(ROH.c.t).where(ROH.c.id == 1000 + i)).scalar_one()
        read = dict(conn.execute(sa.select(ZEITEN.c.id, ZEITEN.c.t)).all())
    for i, moment in enumerate(momente):
        assert read[i] == moment and read[i].tzinfo is UTC
    # Text written by others: without microseconds, with an offset.
    with engine.begin() as conn:
        conn.execute(
            ROH.insert(), [{"id": 5000, "t": "2026-12-06 17:00:00"}, {"id": 5001, "t": "2026-12-06T18:00:00+01:00"}]
        )
        other = dict(conn.execute(sa.select(ZEITEN.c.id, ZEITEN.c.t).where(ZEITEN.c.id >= 5000)).all())
    assert other == {5000: datetime(2026, 12, 6, 17, 0, tzinfo=UTC), 5001: datetime(2026, 12, 6, 17, 0, tzinfo=UTC)}
    with pytest.raises(sa.exc.StatementError, match="naive"), engine.begin() as conn:
        conn.execute(ZEITEN.insert(), {"id": 9999, "t": datetime(2026, 1, 1)})

"""Backup and restore as docs/betrieb.md gives them: SQLite's online backup while a writer holds
the database open, pg_dump/pg_restore of the store on PostgreSQL; the restored store has the same
rows and migration state."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from sozialforum.betrieb.sicherung import pg_sichern, sqlite_sichern
from sozialforum.demo import load_demo
from sozialforum.store.db import current_revision, make_engine, migrate, session_scope
from sozialforum.store.models import Person
from tests.conftest import new_pg_database
from tests.support.postgres import PgCluster


def _people(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(Person)).scalar_one())


def test_sqlite_online_backup_while_a_transaction_is_open(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sf.db'}")
    migrate(engine)
    with session_scope(engine, actor="test") as session:
        load_demo(session)
    expected = _people(engine)
    with engine.connect() as writer:  # an uncommitted write in flight is not in the copy
        writer.execute(sa.text("BEGIN IMMEDIATE"))
        writer.execute(sa.text("UPDATE person SET nachname = 'X'"))
        sqlite_sichern(tmp_path / "sf.db", tmp_path / "sicherung" / "sf.db")
        writer.rollback()
    restored = make_engine(f"sqlite:///{tmp_path / 'sicherung' / 'sf.db'}")
    assert _people(restored) == expected and current_revision(restored) == current_revision(engine)
    with restored.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM person WHERE nachname = 'X'")).scalar() == 0


@pytest.mark.postgres
def test_pg_dump_and_restore(tmp_path: Path, pg_cluster: PgCluster) -> None:
    url = new_pg_database(pg_cluster)
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine, actor="test") as session:
        load_demo(session)
    dump = pg_sichern(url, tmp_path / "sozialforum.dump", pg_dump=str(pg_cluster.bin_dir / "pg_dump"))
    target = new_pg_database(pg_cluster)
    parsed = sa.engine.make_url(target)
    subprocess.run(
        [
            str(pg_cluster.bin_dir / "pg_restore"),
            "--no-owner",
            "--host",
            parsed.host or "",
            "--port",
            str(parsed.port),
            "--username",
            parsed.username or "",
            "--dbname",
            parsed.database or "",
            str(dump),
        ],
        check=True,
        capture_output=True,
    )
    restored = make_engine(target)
    assert _people(restored) == _people(engine) > 0
    assert current_revision(restored) == current_revision(engine)
    engine.dispose()
    restored.dispose()


def test_pg_dump_honours_the_whole_url(tmp_path: Path) -> None:
    """Socket folder, port and sslmode reach libpq; the password only the environment."""
    from sozialforum.betrieb.sicherung import pg_dump_befehl

    url = "postgresql+psycopg://sozialforum:ge%40heim@/sozialforum?host=/run/postgresql&port=5433&sslmode=verify-full"
    command, env = pg_dump_befehl(url, tmp_path / "x.dump")
    from psycopg.conninfo import conninfo_to_dict  # parsed by libpq itself

    dbname = next(part for part in command if part.startswith("--dbname=")).removeprefix("--dbname=")
    assert conninfo_to_dict(dbname) == {
        "user": "sozialforum",
        "dbname": "sozialforum",
        "host": "/run/postgresql",
        "port": "5433",
        "sslmode": "verify-full",
    }
    assert env["PGPASSWORD"] == "ge@heim" and not any("heim" in part for part in command)

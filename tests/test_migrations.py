"""Migrations: upgrade from empty, downgrade to empty, upgrade again, and no drift between the
models and the migrations (`alembic check`), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from sozialforum.store.db import alembic_config, current_revision, downgrade, make_engine, migrate
from tests.conftest import new_pg_database
from tests.support.postgres import PgCluster


def _roundtrip(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(engine) == head
    command.check(alembic_config(engine))  # raises if models and migrations drift apart
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    command.check(alembic_config(engine))
    engine.dispose()


def test_one_linear_chain() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, "parallel work created two heads: chain them"


def test_roundtrip_sqlite(tmp_path) -> None:
    _roundtrip(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.mark.postgres
def test_roundtrip_postgres(pg_cluster: PgCluster) -> None:
    _roundtrip(new_pg_database(pg_cluster))

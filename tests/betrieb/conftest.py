"""Fixtures of the operations tests: a Prefect server on loopback with its own PostgreSQL
database (pg_trgm created first), as docs/betrieb.md sets it up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from sozialforum.betrieb.prefect_server import PrefectServer, starte_server
from tests.conftest import new_pg_database
from tests.support.postgres import PgCluster


@pytest.fixture
def server(pg_cluster: PgCluster, tmp_path: Path) -> Iterator[PrefectServer]:
    url = new_pg_database(pg_cluster)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    engine.dispose()
    started = starte_server(
        verzeichnis=tmp_path / "prefect", ui=False, datenbank_url=url.replace("+psycopg", "+asyncpg")
    )
    yield started
    started.stop()

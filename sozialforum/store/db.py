"""Engine, sessions and migrations of the store (SQLite embedded, PostgreSQL by URL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import Session

import sozialforum.store.models  # noqa: F401  (registers every table)
from sozialforum.store import audit

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the settings each backend needs to be safe under concurrent flows."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def savepoint(target: sa.orm.Session | sa.Connection) -> AbstractContextManager[object]:
    """A SAVEPOINT around a write that may lose a race (a unique key), so that the transaction
    can go on after it: needed on PostgreSQL, where an error aborts the whole transaction. None
    on SQLite: pysqlite begins no transaction before a SAVEPOINT, so when it is the transaction's
    first write, its RELEASE commits, and a later failure could no longer undo it. There a lost
    race fails the whole transaction instead, and its retry finds the row that won."""
    dialect = target.get_bind().dialect if isinstance(target, sa.orm.Session) else target.dialect
    return nullcontext() if dialect.name == "sqlite" else target.begin_nested()


@contextmanager
def session_scope(engine: Engine, *, actor: str) -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on any error (loads are all-or-nothing).

    ``actor`` is written to the audit trail for every change made in the session.
    """
    with Session(engine, expire_on_commit=False) as session:
        audit.set_actor(session, actor)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
        config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


class BestandFehlt(Exception):
    """The configured store is missing, empty, outdated or unreachable; the message says what to do
    (in German). Raised instead of creating a new empty SQLite file in the wrong place."""


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL (None for other backends and in-memory databases)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1]
    return Path(path) if path and path != ":memory:" else None


def pruefe_bestand(url: str) -> Engine:
    """An engine on the configured store, once it is there and migrated; ``BestandFehlt`` otherwise.

    Every command but ``db migrieren`` and ``demo`` opens the store through this, and so do the
    flows: a missing SQLite file used to be created silently, empty, wherever the working
    directory happened to be."""
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise BestandFehlt(
            f"Kein Datenbestand unter {path.resolve()}. Einmal anlegen mit „sozialforum db migrieren“ "
            "(oder „sozialforum demo“ für den Demo-Landkreis) – oder den richtigen Bestand angeben: "
            "„--konfiguration DATEI“, SOZIALFORUM_CONFIG, SOZIALFORUM_DATA_DIR oder SOZIALFORUM_DATABASE_URL."
        )
    engine = make_engine(url)
    try:
        current = current_revision(engine)
    except sa.exc.OperationalError as exc:
        raise BestandFehlt(f"Die Datenbank ist nicht erreichbar: {str(exc.orig).strip()}") from None
    head = head_revision()
    if current is None:
        raise BestandFehlt("Die Datenbank ist leer: einmal „sozialforum db migrieren“ ausführen.")
    if current != head:
        raise BestandFehlt(
            f"Die Datenbank hat den Stand {current}, diese Version erwartet {head}: "
            "„sozialforum db migrieren“ ausführen."
        )
    return engine

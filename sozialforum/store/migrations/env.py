"""Alembic environment: migrates the engine handed over by sozialforum.store.db, or sqlalchemy.url."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import sozialforum.store.models  # noqa: F401

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from sozialforum.store.db import make_engine, sqlite_path

        url = config.get_main_option("sqlalchemy.url") or ""
        path = sqlite_path(url)
        if path is not None and not path.is_file():
            # Developers' `alembic upgrade head` used to create an empty store wherever they stood.
            raise SystemExit(
                f"Kein Datenbestand unter {path.resolve()}: den Bestand mit „sozialforum db migrieren“ anlegen "
                "oder sqlalchemy.url auf den richtigen zeigen lassen (alembic -x … oder alembic.ini)."
            )
        engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things; batch mode copies the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        if connection.in_transaction():
            connection.commit()


if context.is_offline_mode():
    raise SystemExit("Offline-Migrationen werden nicht unterstützt.")
run_migrations()

"""Shared set-up of the operations tests: a config file for the test's store, the demo Landkreis,
and Sitzungen placed around a simulated week."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.demo import load_demo
from sozialforum.konferenz import termine, versand
from sozialforum.settings import Settings, load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Gremium, Sitzung
from sozialforum.timeutil import local_to_utc
from sozialforum.vocab import SitzungStatus


def write_config(tmp_path: Path, engine: Engine, **betrieb: object) -> str:
    """A TOML file pointing flows at the test's store, data dir and an empty sources folder."""
    url = engine.url.render_as_string(hide_password=False)
    (tmp_path / "statistik").mkdir(exist_ok=True)
    lines = [
        f'data_dir = "{tmp_path / "var"}"',
        f'database_url = "{url}"',
        "",
        "[daten]",
        f'quellen_ordner = "{tmp_path / "statistik"}"',
        "",
        "[betrieb]",
    ]
    lines += [f"{key} = {value!r}" for key, value in betrieb.items()]
    path = tmp_path / "sozialforum.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def morning(day: date) -> datetime:
    """05:30 in Berlin, when the scheduled cycle runs."""
    return local_to_utc(day, 5, 30)


def plan(
    engine: Engine, settings: Settings, gremium: str, day: date, *, invite_on: date | None = None, hour: int = 17
) -> int:
    """A Sitzung of ``gremium`` (by kennung) on ``day``; invited on ``invite_on`` if given."""
    with session_scope(engine, actor="test") as session:
        gremium_id = session.scalar(sa.select(Gremium.id).where(Gremium.kennung == gremium))
        sitzung = termine.plan_sitzung(
            session, gremium_id=gremium_id, tag=day, uhrzeit=time(hour), settings=settings, ort="Bürgerhaus"
        )
        sitzung_id = sitzung.id or 0
    if invite_on is not None:
        with session_scope(engine, actor="test") as session:
            versand.send_invitations(session, sitzung_id=sitzung_id, now=morning(invite_on), settings=settings)
            assert session.get(Sitzung, sitzung_id).status == SitzungStatus.EINGELADEN  # type: ignore[union-attr]
    return sitzung_id


def demo_store(tmp_path: Path, engine: Engine, **betrieb: object) -> tuple[str, Settings]:
    config = write_config(tmp_path, engine, **betrieb)
    with session_scope(engine, actor="test") as session:
        load_demo(session)
    return config, load_settings(config)

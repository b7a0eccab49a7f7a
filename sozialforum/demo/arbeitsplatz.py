"""The demo's way into the workspace: one Geschäftsstelle account with a fresh random password,
shown once at the end of ``sozialforum demo`` (never stored in clear, never the same twice)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.engine import Engine

from sozialforum.konten import benutzer
from sozialforum.store.db import session_scope
from sozialforum.vocab import BenutzerRolle

DEMO_BENUTZER = "planerin"


def demo_zugang(engine: Engine, *, now: datetime) -> tuple[str, str]:
    """Create (or reset) the demo planner's account; return its name and the new password."""
    password = "-".join(secrets.token_hex(3) for _ in range(4))  # 27 characters, easy to type
    with session_scope(engine, actor="demo") as session:
        benutzer.create_user(
            session,
            name=DEMO_BENUTZER,
            anzeigename="Paula Planerin (Demo)",
            password=password,
            now=now,
            rolle=BenutzerRolle.GESCHAEFTSSTELLE,
        )
    return DEMO_BENUTZER, password

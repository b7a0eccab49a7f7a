"""Throttling of the staff login in the domain (real store, SQLite and PostgreSQL): spraying one
password over many names from one address is stopped by the address's budget; a stranger's
failures for a colleague's name lock only the stranger's address; failures for one name from many
addresses lock that name only for addresses that failed; locks that follow each other grow."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from sozialforum.konten import benutzer
from sozialforum.konten.benutzer import AnmeldungFehlgeschlagen
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from tests.portal.conftest import NOW, make_settings

PASSWORT = "korrekt-pferd-batterie"
NAMEN = ["planerin", "leiterin", "jugendamt"]


@pytest.fixture
def limits(tmp_path: Path, engine: Engine) -> Settings:
    settings = make_settings(
        tmp_path,
        engine,
        fehlversuche_max=3,
        fehlversuche_fenster_minuten=15,
        sperre_minuten=10,
        anmeldung_fehlversuche_je_adresse=6,
        anmeldung_fehlversuche_je_name=5,
        anmeldung_sperre_hoechstens_minuten=60,
    )
    with session_scope(engine, actor="test") as session:
        for name in NAMEN:
            benutzer.create_user(session, name=name, anzeigename=name.title(), password=PASSWORT, now=NOW)
    return settings


def attempt(engine: Engine, settings: Settings, name: str, adresse: str, password: str, now: datetime) -> int:
    """One login as the route makes it: 303 (in), 401 (wrong) or 429 (locked); counts committed."""
    with session_scope(engine, actor="test") as session:
        try:
            benutzer.login(session, name=name, password=password, now=now, settings=settings, adresse=adresse)
        except AnmeldungFehlgeschlagen as exc:
            return exc.status
    return 303


def test_spraying_from_one_address_runs_into_its_budget(engine: Engine, limits: Settings) -> None:
    # One wrong password each for six different names (none reaches the pair limit of 3) …
    names = [f"person{i}" for i in range(5)] + ["planerin"]
    codes = [attempt(engine, limits, name, "203.0.113.9", "Sommer2026!", NOW) for name in names]
    assert codes == [401] * 5 + [429]
    # … and the address is locked for every name, even with the right password …
    assert attempt(engine, limits, "leiterin", "203.0.113.9", PASSWORT, NOW) == 429
    # … while nobody else is.
    assert attempt(engine, limits, "leiterin", "198.51.100.20", PASSWORT, NOW) == 303


def test_a_stranger_cannot_lock_a_colleague_out(engine: Engine, limits: Settings) -> None:
    codes = [attempt(engine, limits, "planerin", "203.0.113.9", "falsch", NOW) for _ in range(12)]
    assert codes[:3] == [401, 401, 429] and set(codes[3:]) == {429}
    assert attempt(engine, limits, "planerin", "203.0.113.9", PASSWORT, NOW) == 429
    assert attempt(engine, limits, "planerin", "10.1.1.1", PASSWORT, NOW) == 303


def test_a_name_guessed_from_many_addresses_is_locked_only_where_failures_came_from(
    engine: Engine, limits: Settings
) -> None:
    # Five addresses, one wrong password each: the name's budget (5) is used up.
    codes = [attempt(engine, limits, "planerin", f"203.0.113.{i}", "falsch", NOW) for i in range(1, 6)]
    assert codes == [401, 401, 401, 401, 429]
    # Every address that failed is refused now, even with the right password …
    assert attempt(engine, limits, "planerin", "203.0.113.1", PASSWORT, NOW) == 429
    # … a new guesser gets one try, then is refused as well …
    assert attempt(engine, limits, "planerin", "203.0.113.77", "falsch", NOW) == 429
    assert attempt(engine, limits, "planerin", "203.0.113.77", PASSWORT, NOW) == 429
    # … but the colleague at an address that has not failed logs in, and other names are free.
    assert attempt(engine, limits, "planerin", "10.1.1.1", PASSWORT, NOW) == 303
    assert attempt(engine, limits, "leiterin", "203.0.113.1", PASSWORT, NOW) == 303


def test_locks_that_follow_each_other_grow(engine: Engine, limits: Settings) -> None:
    def wrong(now: datetime) -> int:
        return attempt(engine, limits, "planerin", "203.0.113.9", "falsch", now)

    assert [wrong(NOW) for _ in range(3)] == [401, 401, 429]  # locked for 10 minutes
    with session_scope(engine, actor="test") as session, pytest.raises(AnmeldungFehlgeschlagen) as locked:
        benutzer.pruefe_sperre(session, name="planerin", adresse="203.0.113.9", now=NOW, settings=limits)
    assert locked.value.bis == NOW + timedelta(minutes=10)
    assert "Zu viele fehlgeschlagene Anmeldungen" in str(locked.value) and "Uhr wieder" in str(locked.value)
    now = NOW + timedelta(minutes=10)
    assert wrong(now) == 429  # the next failure soon after locks at once, for 20 minutes
    assert wrong(now + timedelta(minutes=19)) == 429  # still locked (not counted)
    now += timedelta(minutes=20)
    assert wrong(now) == 429  # 40 minutes
    now += timedelta(minutes=40)
    assert wrong(now) == 429  # 80, capped at 60 minutes
    assert attempt(engine, limits, "planerin", "203.0.113.9", PASSWORT, now + timedelta(minutes=59)) == 429
    # After the lock and a quiet window (15 minutes) the count starts afresh.
    now += timedelta(minutes=60 + 15)
    assert [wrong(now) for _ in range(3)] == [401, 401, 429]
    # A correct login from an address that has not failed was never affected.
    assert attempt(engine, limits, "planerin", "10.1.1.1", PASSWORT, now) == 303


def test_a_correct_login_forgets_the_pairs_failures(engine: Engine, limits: Settings) -> None:
    assert [attempt(engine, limits, "planerin", "10.1.1.1", "falsch", NOW) for _ in range(2)] == [401, 401]
    assert attempt(engine, limits, "planerin", "10.1.1.1", PASSWORT, NOW) == 303
    assert attempt(engine, limits, "planerin", "10.1.1.1", "falsch", NOW) == 401  # counted from 0 again

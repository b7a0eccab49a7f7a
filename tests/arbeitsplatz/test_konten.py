"""Staff login: TOTP second factor (RFC 6238 test vectors), throttling per account and address
(no spraying; a stranger cannot lock a colleague out), user administration in the browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.konten import totp
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, Benutzer
from tests.arbeitsplatz.conftest import PASSWORT, Bestand, create_app, login
from tests.portal.conftest import NOW, Clock, csrf_of, make_settings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_totp_rfc6238_vectors() -> None:
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890", RFC 6238 appendix B (SHA-1)
    assert totp.code_at(secret, datetime.fromtimestamp(59, UTC)) == "287082"
    assert totp.code_at(secret, datetime.fromtimestamp(1111111109, UTC)) == "081804"
    assert totp.code_at(secret, datetime.fromtimestamp(2000000000, UTC)) == "279037"
    now = datetime.fromtimestamp(1111111109, UTC)
    assert totp.verify(secret, "081804", now) and not totp.verify(secret, "081805", now)
    assert not totp.verify(secret, "abc", now)


def _attempt(client: TestClient, name: str, password: str, code: str = "") -> int:
    csrf = csrf_of(client.get("/gs/anmelden").text)
    return client.post(
        "/gs/anmelden", data={"csrf": csrf, "name": name, "passwort": password, "code": code}, follow_redirects=False
    ).status_code


def test_throttling_per_account_and_address(tmp_path, engine: Engine, bestand: Bestand) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, engine, fehlversuche_max=3)
    app = create_app(settings, engine, clock=Clock())
    with (
        TestClient(app, client=("203.0.113.9", 1)) as stranger,
        TestClient(app, client=("10.1.1.1", 1)) as colleague,
    ):
        assert [_attempt(stranger, "planerin", "falsch") for _ in range(3)] == [401, 401, 429]
        assert _attempt(stranger, "planerin", PASSWORT) == 429  # locked for this address …
        assert _attempt(colleague, "planerin", PASSWORT) == 303  # … not for the colleague
        # Spraying other accounts from one address runs into the address budget (4 × 3).
        codes = [_attempt(stranger, name, "falsch") for name in ["leiterin", "jugendamt", "gemeinde"] * 3]
        assert codes[-1] == 429 and 429 in codes[:-1]
        assert _attempt(stranger, "leiterin", PASSWORT) == 429


def test_totp_login_and_setup(clients: dict[str | None, TestClient], app, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    gs = clients["planerin"]
    page = gs.get("/arbeitsplatz/konto").text
    secret = page.split('name="geheimnis" value="')[1].split('"')[0]
    csrf = csrf_of(page)
    wrong = gs.post("/arbeitsplatz/konto/zwei-faktoren", data={"csrf": csrf, "geheimnis": secret, "code": "000000"})
    assert wrong.status_code == 400
    on = gs.post(
        "/arbeitsplatz/konto/zwei-faktoren",
        data={"csrf": csrf, "geheimnis": secret, "code": totp.code_at(secret, NOW)},
    )
    assert "Die Anmeldung in zwei Schritten ist eingeschaltet." in on.text
    naechster = totp.code_at(secret, NOW + timedelta(seconds=totp.STEP_SECONDS))
    with TestClient(app) as fresh:
        assert _attempt(fresh, "planerin", PASSWORT) == 401  # password alone is not enough now
        # A code counts once: the one that switched the factor on is spent, the next one works once.
        assert _attempt(fresh, "planerin", PASSWORT, totp.code_at(secret, NOW)) == 401
        assert _attempt(fresh, "planerin", PASSWORT, naechster) == 303
    with TestClient(app) as mitgelesen:
        assert _attempt(mitgelesen, "planerin", PASSWORT, naechster) == 401
    with session_scope(engine, actor="test") as session:
        user = session.scalars(sa.select(Benutzer).where(Benutzer.name == "planerin")).one()
        assert user.totp_geheimnis == secret


def test_user_administration(clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine, app) -> None:  # type: ignore[no-untyped-def]
    gs = clients["planerin"]
    csrf = csrf_of(gs.get("/arbeitsplatz/benutzer").text)
    unbound = gs.post(
        "/arbeitsplatz/benutzer",
        data={"csrf": csrf, "name": "sozialamt", "anzeigename": "S. Amt", "rolle": "fachamt", "passwort": PASSWORT},
    )
    assert unbound.status_code == 400 and "Fachamt-Konto braucht" in unbound.text
    created = gs.post(
        "/arbeitsplatz/benutzer",
        data={
            "csrf": csrf,
            "name": "sozialamt",
            "anzeigename": "S. Amt",
            "rolle": "fachamt",
            "stelle": str(bestand.amt_b),
            "passwort": PASSWORT,
        },
    )
    assert created.status_code == 200 and "sozialamt" in created.text
    with TestClient(app) as amt:
        login(amt, "sozialamt")
        assert "Interner Auftrag des Sozialamts" in amt.get("/arbeitsplatz/auftraege").text
        with session_scope(engine, actor="test") as session:
            user_id = session.scalars(sa.select(Benutzer.id).where(Benutzer.name == "sozialamt")).one()
            entry = session.scalars(
                sa.select(AuditEntry).where(AuditEntry.tabelle == "benutzer", AuditEntry.datensatz_id == user_id)
            ).first()
            assert entry is not None and entry.akteur == "benutzer:planerin"
        with session_scope(engine, actor="test") as session:
            trail = str(
                session.scalars(sa.select(AuditEntry.aenderungen).where(AuditEntry.tabelle == "benutzer")).all()
            )
            assert "scrypt$" not in trail
        locked = gs.post(
            f"/arbeitsplatz/benutzer/{user_id}",
            data={"csrf": csrf, "anzeigename": "S. Amt", "rolle": "fachamt", "stelle": str(bestand.amt_b)},
        )
        assert locked.status_code == 200
        assert amt.get("/arbeitsplatz/", follow_redirects=False).status_code == 303  # deactivated: session ended
    self_lock = gs.post(
        f"/arbeitsplatz/benutzer/{bestand.benutzer['planerin']}",
        data={"csrf": csrf, "anzeigename": "P", "rolle": "leitung", "aktiv": "ja"},
    )
    assert self_lock.status_code == 400


def test_secrets_never_enter_the_audit_trail(clients: dict[str | None, TestClient], engine: Engine) -> None:
    gs = clients["planerin"]
    page = gs.get("/arbeitsplatz/konto").text
    secret = page.split('name="geheimnis" value="')[1].split('"')[0]
    gs.post(
        "/arbeitsplatz/konto/zwei-faktoren",
        data={"csrf": csrf_of(page), "geheimnis": secret, "code": totp.code_at(secret, NOW)},
    )
    with session_scope(engine, actor="test") as session:
        trail = str(session.scalars(sa.select(AuditEntry.aenderungen).where(AuditEntry.tabelle == "benutzer")).all())
    assert "totp_geheimnis" in trail and secret not in trail

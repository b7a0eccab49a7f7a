"""The authorisation matrix: every workspace route × every role (and no login), enumerated from
the app itself, so a new route without a declared right fails here; object-level checks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import col

from sozialforum.arbeitsplatz.routen import PREFIX, ROUTEN
from sozialforum.konten.zugriff import RECHTE, SCHREIBRECHTE, Recht
from sozialforum.store.models import AuditEntry
from sozialforum.vocab import BenutzerRolle
from tests.arbeitsplatz.conftest import ROLLEN, Bestand, pfad
from tests.portal.conftest import csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _path(route: APIRoute, bestand: Bestand) -> str:
    return pfad(route.path, bestand)


def _workspace_routes(app) -> list[APIRoute]:  # type: ignore[no-untyped-def]
    return [r for r in app.routes if isinstance(r, APIRoute) and r.path.startswith(PREFIX)]


def test_every_route_declares_a_right(app) -> None:  # type: ignore[no-untyped-def]
    routes = _workspace_routes(app)
    assert len(routes) >= 25
    undeclared = [f"{sorted(r.methods)} {r.path}" for r in routes if r.endpoint not in ROUTEN]
    assert not undeclared, f"routes without a declared Recht: {undeclared}"
    # Only one's own session and account may be changed without a write right.
    for route in routes:
        declared = ROUTEN[route.endpoint]
        if declared.methode == "POST":
            assert declared.recht in SCHREIBRECHTE or declared.recht == Recht.ANGEMELDET, declared


def _audit_entries(engine: Engine, name: str) -> int:
    with engine.connect() as connection:
        query = sa.select(sa.func.count()).where(col(AuditEntry.akteur) == f"benutzer:{name}")
        return int(connection.scalar(query) or 0)


def test_matrix_every_route_every_role(  # type: ignore[no-untyped-def]
    app, clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine
) -> None:
    csrf = {name: csrf_of(client.get("/arbeitsplatz/konto").text) for name, client in clients.items() if name}
    checked = 0
    unaudited = []
    for route in _workspace_routes(app):
        declared = ROUTEN[route.endpoint]
        path = _path(route, bestand)
        for name, client in clients.items():
            where = f"{declared.methode} {path} as {name}"
            audited_before = _audit_entries(engine, name) if name else 0
            if declared.methode == "GET":
                response = client.get(path, follow_redirects=False)
            else:
                # A real CSRF token of this user: refusals below are about the right, not the form.
                response = client.post(path, data={"csrf": csrf.get(name, "")}, follow_redirects=False)
            if name is None:
                assert response.status_code == 303 and response.headers["location"] == "/gs/anmelden", where
                continue
            allowed = ROLLEN[name] in RECHTE[declared.recht]
            if not allowed:
                assert response.status_code == 403 and "Keine Berechtigung" in response.text, where
            elif declared.methode == "GET":
                assert response.status_code == 200, where
            else:
                # Allowed and with CSRF, but an empty form: refused as bad input (400) or done
                # (303) — never a server error, never silently ignored.
                assert response.status_code in (303, 400), f"{where}: {response.status_code}"
                # A write that went through leaves an audit entry with the user's name.
                if response.status_code == 303 and _audit_entries(engine, name) == audited_before:
                    unaudited.append(where)
            checked += 1
            if declared.methode == "POST" and allowed:
                missing = client.post(path, data={}, follow_redirects=False)
                assert missing.status_code == 403 and "Formular nicht angenommen" in missing.text, where
    assert checked >= 25 * len(ROLLEN)
    # Done without an audit entry only where the empty form changes nothing: moving a Sitzung to
    # its own date and place. Everything else that answered 303 wrote an entry with the user.
    assert {w.split(" as ")[0] for w in unaudited} <= {
        f"POST /arbeitsplatz/sitzungen/{bestand.welt.sitzung}/verschieben"
    }, unaudited


def test_leitung_changes_nothing(app, clients: dict[str | None, TestClient]) -> None:  # type: ignore[no-untyped-def]
    for route in _workspace_routes(app):
        declared = ROUTEN[route.endpoint]
        if declared.methode == "POST" and declared.recht != Recht.ANGEMELDET:
            assert BenutzerRolle.LEITUNG not in RECHTE[declared.recht], declared.pfad


def test_fachamt_sees_only_its_own_auftraege(clients: dict[str | None, TestClient], bestand: Bestand) -> None:
    amt = clients["jugendamt"]
    liste = amt.get("/arbeitsplatz/auftraege").text
    assert "Geheimer Auftrag des Jugendamts" in liste and "Interner Auftrag des Sozialamts" not in liste
    assert amt.get(f"/arbeitsplatz/auftraege/{bestand.auftrag_b}").status_code == 404
    assert amt.get(f"/arbeitsplatz/auftraege?q=Sozialamt&stelle={bestand.amt_b}").text.count("Interner Auftrag") == 0
    csrf = csrf_of(amt.get(f"/arbeitsplatz/auftraege/{bestand.auftrag_a}").text)
    other = amt.post(
        f"/arbeitsplatz/auftraege/{bestand.auftrag_b}/sachstand", data={"csrf": csrf, "status": "umgesetzt"}
    )
    assert other.status_code == 404
    own = amt.post(
        f"/arbeitsplatz/auftraege/{bestand.auftrag_a}/sachstand",
        data={"csrf": csrf, "status": "in_arbeit", "fortschritt": "40", "sachstand": "Konzept liegt vor."},
    )
    assert own.status_code == 200 and "Der Sachstand wurde gespeichert." in own.text and "40 %" in own.text
    # The Kommune and the Leitung see no Sachstand form; the Kommune sees no Aufträge at all.
    assert "Sachstand melden" not in clients["leiterin"].get(f"/arbeitsplatz/auftraege/{bestand.auftrag_a}").text
    assert clients["gemeinde"].get("/arbeitsplatz/auftraege").status_code == 403


def test_answers_and_forms_need_read_right(clients: dict[str | None, TestClient], bestand: Bestand) -> None:
    """Every Träger's answers (per form, per Sitzung, their exports) use the same login and rights."""
    assert clients["planerin"].get("/arbeitsplatz/formulare").status_code == 200
    assert clients["planerin"].get("/gs/").url.path == "/arbeitsplatz/formulare"  # the old address leads here
    start = clients["planerin"].get("/arbeitsplatz/").text
    assert "1 überfällig" in start and "Interner Auftrag des Sozialamts" in start  # A-SA was due 01.02.
    assert clients["leiterin"].get("/arbeitsplatz/formulare").status_code == 200
    assert clients["jugendamt"].get("/arbeitsplatz/formulare").status_code == 403
    assert clients["jugendamt"].get(f"/gs/sitzung/{bestand.welt.sitzung}/rueckmeldungen.csv").status_code == 403
    assert clients["gemeinde"].get(f"/gs/sitzung/{bestand.welt.sitzung}").status_code == 403
    sitzung = f"/arbeitsplatz/sitzungen/{bestand.welt.sitzung}"
    csrf = csrf_of(clients["leiterin"].get(sitzung).text)
    refused = clients["leiterin"].post(f"{sitzung}/vorschlag/1", data={"csrf": csrf, "entscheidung": "ablehnen"})
    assert refused.status_code == 403


def test_workspace_pages_link_to_the_workspace_not_to_old_gs_pages(  # type: ignore[no-untyped-def]
    app, clients: dict[str | None, TestClient], bestand: Bestand
) -> None:
    """Every page of the workspace, as the Geschäftsstelle sees it: no link to one of the portal's
    older /gs pages (they lead to the workspace now); /gs is left for the CSV/XLSX exports."""
    import re

    planerin = clients["planerin"]
    old: dict[str, set[str]] = {}
    pages = 0
    for route in _workspace_routes(app):
        if ROUTEN[route.endpoint].methode != "GET":
            continue
        path = _path(route, bestand)
        response = planerin.get(path, follow_redirects=False)
        if response.status_code != 200 or not response.headers["content-type"].startswith("text/html"):
            continue
        pages += 1
        for target in re.findall(r'href="(/gs/[^"]*)"', response.text):
            old.setdefault(target, set()).add(path)
    assert pages >= 25
    assert old and all(re.fullmatch(r"/gs/[a-z0-9/_-]+\.(csv|xlsx)", target) for target in old), old

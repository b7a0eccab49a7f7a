"""`sozialforum portal` as users run it: a real process serving the portal; users and form requests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlmodel import select

from sozialforum.konten import benutzer
from sozialforum.portal.server import free_port
from sozialforum.store.db import make_engine, session_scope
from sozialforum.store.models import Benutzer, FormularAnfrage, Organisation, OutboxMessage, Person
from sozialforum.vocab import OrganisationArt, Rechtsgrundlage
from tests.conftest import REPO
from tests.portal.conftest import NOW


def _env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "SOZIALFORUM_DATA_DIR": str(data_dir), "COLUMNS": "200"}


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def _run(*args: str, data_dir: Path, stdin: str | None = None) -> Result:
    """The command in-process (typer's runner; starting Python seven times would cost 15 s)."""
    from typer.testing import CliRunner

    from sozialforum.cli import app

    result = CliRunner().invoke(
        app, list(args), input=stdin, env={"SOZIALFORUM_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    )
    return Result(result.exit_code, result.stdout, result.stderr)


def test_user_and_form_request(tmp_path: Path) -> None:
    assert _run("db", "migrieren", data_dir=tmp_path).returncode == 0
    short = _run("portal", "benutzer-anlegen", "planerin", "--passwort-stdin", data_dir=tmp_path, stdin="kurz\n")
    assert short.returncode == 1 and "mindestens 12 Zeichen" in short.stderr
    made = _run(
        "portal",
        "benutzer-anlegen",
        "Planerin",
        "--anzeigename",
        "Paula Planerin",
        "--passwort-stdin",
        data_dir=tmp_path,
        stdin="ein-sehr-langes-passwort\n",
    )
    assert made.returncode == 0, made.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'sozialforum.db'}")
    with session_scope(engine, actor="test") as session:
        user = session.exec(select(Benutzer)).one()
        assert user.name == "planerin" and benutzer.verify_password("ein-sehr-langes-passwort", user.passwort_hash)
        org = Organisation(kennung="T-A", name="Diakonie Nord", art=OrganisationArt.FREIER_TRAEGER)
        session.add(org)
        session.flush()
        session.add_all(
            [
                Person(
                    kennung="P1",
                    nachname="Albers",
                    email="a@d.example",
                    organisation_id=org.id,
                    rechtsgrundlage=Rechtsgrundlage.EINWILLIGUNG,
                ),
                Person(kennung="P2", nachname="Ohne", email="o@d.example", organisation_id=org.id),
            ]
        )
    unknown = _run("portal", "formular-anfordern", "bestandserhebung", "-t", "GIBTSNICHT", data_dir=tmp_path)
    assert unknown.returncode == 4 and "GIBTSNICHT" in unknown.stderr and "nichts angefordert" in unknown.stderr
    done = _run(
        "portal", "formular-anfordern", "protokoll_kommentar", "-t", "T-A", "--frist", "31.05.2026", data_dir=tmp_path
    )
    assert done.returncode == 4 and "protokoll 0 nicht gefunden" in done.stderr
    ok = _run(
        "portal", "formular-anfordern", "bestandserhebung", "-t", "T-A", "--frist", "31.05.2026", data_dir=tmp_path
    )
    assert ok.returncode == 4 and "gebiet 0 nicht gefunden" in ok.stderr
    with session_scope(engine, actor="test") as session:
        assert session.exec(select(FormularAnfrage)).first() is None  # nothing half-done
        assert session.exec(select(OutboxMessage)).first() is None
    engine.dispose()


def _serve(tmp_path: Path, extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], int]:
    assert _run("db", "migrieren", data_dir=tmp_path).returncode == 0  # the server itself: a real process
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sozialforum", "portal", "--port", str(port)],
        cwd=REPO,
        env={**_env(tmp_path), **(extra_env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "portal did not start"
            time.sleep(0.2)


def test_portal_command_serves_pages(tmp_path: Path) -> None:
    process, port = _serve(tmp_path)
    try:
        start = httpx.get(f"http://127.0.0.1:{port}/")
        assert start.status_code == 200 and "Beteiligungsportal" in start.text
        assert "default-src 'none'" in start.headers["content-security-policy"]
        assert "server" not in start.headers  # no version banner
        assert httpx.get(f"http://127.0.0.1:{port}/rueckmeldung/abc.def").status_code == 403
    finally:
        process.terminate()
        process.wait(timeout=30)
    # No public address configured: the one shown (and used in links) is this server's own port.
    shown = process.stdout.read() if process.stdout else ""
    assert f"Arbeitsplatz der Mitarbeitenden: http://127.0.0.1:{port}/gs/anmelden" in shown
    assert NOW  # the clock of the tests is not used by the real command


def test_behind_a_trusted_proxy_a_guesser_locks_out_only_itself(tmp_path: Path) -> None:
    process, port = _serve(
        tmp_path,
        {
            "SOZIALFORUM_PORTAL__VERTRAUENSWUERDIGE_PROXIES": '["127.0.0.1"]',
            "SOZIALFORUM_PORTAL__FEHLVERSUCHE_MAX": "3",
        },
    )
    url = f"http://127.0.0.1:{port}/rueckmeldung/abc.def"
    guesser, traeger = {"X-Forwarded-For": "203.0.113.7"}, {"X-Forwarded-For": "198.51.100.20"}
    try:
        assert [httpx.get(url, headers=guesser).status_code for _ in range(3)] == [403, 403, 403]
        assert httpx.get(url, headers=guesser).status_code == 429
        assert httpx.get(url, headers=traeger).status_code == 403  # another client behind the proxy
    finally:
        process.terminate()
        process.wait(timeout=30)

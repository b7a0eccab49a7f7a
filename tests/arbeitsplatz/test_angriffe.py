"""The workspace probed as an attacker would: downloads by key, symlinks, control characters,
sessions that outlive a password reset or the second factor's switch, names that break out
of a PDF's stylesheet, personal links shown to those who only read."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from sozialforum import ablage
from sozialforum.konten import benutzer
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Gremium, OutboxMessage, Person
from sozialforum.vocab import LinkZweck
from tests.arbeitsplatz.conftest import Bestand, login, zwei_faktoren_einschalten
from tests.portal.conftest import NOW, csrf_of, issue


def _setzen(engine: Engine, modell: Any, row_id: int, **werte: Any) -> None:
    """Change a stored row as an import or another page would have left it."""
    with session_scope(engine, actor="test") as session:
        row = session.get(modell, row_id)
        assert row is not None
        for name, wert in werte.items():
            setattr(row, name, wert)
        session.add(row)


def test_ablage_serves_only_files_inside_the_storage(
    clients: dict[str | None, TestClient], ap_settings: Settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    gs = clients["planerin"]
    berichte = ap_settings.data_dir / "berichte"
    berichte.mkdir(parents=True, exist_ok=True)
    (berichte / "liste.txt").write_bytes(b"Teilnehmerliste")
    geheim = tmp_path / "ausserhalb" / "schluessel.txt"
    geheim.parent.mkdir()
    geheim.write_bytes(b"GEHEIM")
    (berichte / "verweis.txt").symlink_to(geheim)

    assert gs.get("/arbeitsplatz/ablage?schluessel=berichte/liste.txt").content == b"Teilnehmerliste"
    # A link below the folder pointing elsewhere is neither listed nor served.
    listing = gs.get("/arbeitsplatz/ablage?bereich=berichte/")
    assert "liste.txt" in listing.text and "verweis.txt" not in listing.text
    response = gs.get("/arbeitsplatz/ablage?schluessel=berichte/verweis.txt")
    assert response.status_code == 404 and b"GEHEIM" not in response.content
    # A NUL in the key is a missing file (404), not a technical error.
    for key in ("berichte/%00liste.txt", "berichte/liste.txt%00", "berichte/%0Aliste.txt"):
        response = gs.get(f"/arbeitsplatz/ablage?schluessel={key}")
        assert response.status_code == 404, key
        assert "Diese Datei gibt es in der Ablage nicht" in response.text


def test_a_password_reset_by_name_ends_the_accounts_sessions(app, bestand: Bestand, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """``sozialforum portal benutzer-anlegen NAME`` on an existing account is the operator's
    password reset; a session opened with the old password must not survive it."""
    with (
        TestClient(app, base_url="http://testserver") as angreifer,
        TestClient(app, base_url="http://testserver") as gs,
    ):
        login(angreifer, "planerin")
        login(gs, "leiterin")
        assert angreifer.get("/arbeitsplatz/", follow_redirects=False).status_code == 200
        with session_scope(engine, actor="test") as session:
            benutzer.create_user(
                session, name="planerin", anzeigename="Planerin", password="ein-ganz-neues-passwort", now=NOW
            )
        response = angreifer.get("/arbeitsplatz/", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/gs/anmelden"
        assert gs.get("/arbeitsplatz/", follow_redirects=False).status_code == 200  # other accounts keep theirs
        login(angreifer, "planerin", "ein-ganz-neues-passwort")


def test_switching_the_second_factor_ends_the_other_sessions(app, bestand: Bestand) -> None:  # type: ignore[no-untyped-def]
    """Whoever logged in with a leaked password is out once the owner secures the account; the
    owner's own session stays."""
    with (
        TestClient(app, base_url="http://testserver") as angreifer,
        TestClient(app, base_url="http://testserver") as inhaberin,
    ):
        login(angreifer, "planerin")
        login(inhaberin, "planerin")
        zwei_faktoren_einschalten(inhaberin)
        response = angreifer.get("/arbeitsplatz/", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/gs/anmelden"
        assert inhaberin.get("/arbeitsplatz/konto", follow_redirects=False).status_code == 200


def test_a_gremium_name_cannot_smuggle_a_file_into_a_pdf(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """The page footer of a PDF stands in a ``<style>`` element; a name from an import (OParl,
    CSV) that closes it could add ``<link rel=attachment>``, and WeasyPrint would embed the file."""
    geheim = tmp_path / "secret_key"
    geheim.write_text("GEHEIM", encoding="utf-8")
    name = f"AG <Jugend></style><link rel=attachment href={geheim.as_uri()}><style>"
    _setzen(engine, Gremium, bestand.welt.gremium, name=name)
    response = clients["planerin"].get(f"/arbeitsplatz/sitzungen/{bestand.welt.sitzung}/teilnehmerliste/pdf")
    assert response.status_code == 200
    pdf = PdfReader(io.BytesIO(response.content))
    assert pdf.attachments == {}
    assert "AG <Jugend></style><link rel=attachment" in pdf.pages[0].extract_text()


def test_the_outbox_shows_no_live_personal_link(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine, ap_settings: Settings
) -> None:
    """The Leitung reads everything and changes nothing: a Träger's link in a sent mail would let
    it answer in the Träger's name."""
    pfad = issue(
        engine, ap_settings, person_id=bestand.welt.person_a, zweck=LinkZweck.RSVP, bezug_id=bestand.welt.sitzung
    )
    token = pfad.rsplit("/", 1)[1]
    mail = f"Subject: Einladung\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nIhr Link: http://testserver{pfad}\r\n"
    _setzen(engine, OutboxMessage, bestand.nachricht, inhalt=mail.encode())
    nachricht = bestand.nachricht
    ablage.schreiben(ap_settings, "outbox/einladung.eml", mail.encode())
    assert clients[None].get(pfad).status_code == 200  # the link is live
    for name in ("leiterin", "planerin"):
        seite = clients[name].get(f"/arbeitsplatz/postausgang/{nachricht}")
        assert seite.status_code == 200
        assert token not in seite.text and "http://testserver/rueckmeldung/" in seite.text
        assert "persönlicher Link, hier nicht gezeigt" in seite.text
    leitung = clients["leiterin"]
    assert leitung.get("/arbeitsplatz/ablage?schluessel=outbox/einladung.eml").status_code == 404
    assert "outbox/" not in leitung.get("/arbeitsplatz/ablage?bereich=outbox/").text
    assert clients["planerin"].get("/arbeitsplatz/ablage?schluessel=outbox/einladung.eml").content == mail.encode()


def test_the_art15_export_of_a_person_with_any_kennung(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine
) -> None:
    """A Kennung from an import may hold a quote or letters beyond Latin-1, the header's encoding."""
    _setzen(engine, Person, bestand.welt.person_a, kennung='P-Łódź "1"')
    response = clients["planerin"].get(f"/arbeitsplatz/akteure/personen/{bestand.welt.person_a}/auskunft")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''auskunft-P-%C5%81%C3%B3d%C5%BA%20%221%22.json"
    )


def test_a_new_own_password_ends_the_other_sessions_not_this_one(app, bestand: Bestand) -> None:  # type: ignore[no-untyped-def]
    with (
        TestClient(app, base_url="http://testserver") as anderswo,
        TestClient(app, base_url="http://testserver") as hier,
    ):
        login(anderswo, "planerin")
        login(hier, "planerin")
        eigene = f"/arbeitsplatz/benutzer/{bestand.benutzer['planerin']}"
        unveraendert = {"anzeigename": "Planerin", "rolle": "geschaeftsstelle", "aktiv": "ja"}
        form = {**unveraendert, "csrf": csrf_of(hier.get(eigene).text), "passwort": "ein-ganz-neues-passwort"}
        response = hier.post(eigene, data=form, follow_redirects=False)
        assert response.status_code == 303, response.text
        assert hier.get("/arbeitsplatz/", follow_redirects=False).status_code == 200
        assert anderswo.get("/arbeitsplatz/", follow_redirects=False).headers["location"] == "/gs/anmelden"

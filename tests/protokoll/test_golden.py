"""The final minutes (HTML, PDF text) and the mails of the workflow against golden files."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.protokoll.anfordern import request_draft
from sozialforum.protokoll.endfassung import finalize
from sozialforum.protokoll.entwurf import add_comment, submit_draft
from sozialforum.protokoll.freigabe import decide
from sozialforum.settings import load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import OutboxMessage, ProtokollDatei
from sozialforum.vocab import ProtokollEntscheidung
from tests.conftest import REPO
from tests.protokoll.conftest import NACH_SITZUNG, build_world
from tests.protokoll.golden import assert_golden
from tests.protokoll.test_ablauf import entwurf
from tests.support.pdf_text import fliesstext


def _text(raw: bytes) -> str:
    message = message_from_bytes(raw, policy=policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    return f"An: {message['To']}\nBetreff: {message['Subject']}\n\n{body}"


def test_final_minutes_and_mails_match_golden_files(sqlite_engine: Engine, tmp_path: Path) -> None:
    settings = load_settings(
        REPO / "config" / "sozialforum.toml",
        data_dir=tmp_path / "var",
        database_url=sqlite_engine.url.render_as_string(hide_password=False),
    )
    welt = build_world(sqlite_engine)
    day = timedelta(days=1)
    with session_scope(sqlite_engine, actor="test") as session:
        pid = request_draft(session, sitzung_id=welt.sitzung_id, now=NACH_SITZUNG, settings=settings).id
        submit_draft(
            session,
            protokoll_id=pid,
            person_id=welt.protokollfuehrung_id,
            eingabe=entwurf(welt),
            now=NACH_SITZUNG + 3 * day,
            settings=settings,
        )
        add_comment(
            session,
            protokoll_id=pid,
            person_id=welt.mitglieder[1],
            text="Bitte Quelle nennen.",
            tagesordnungspunkt_id=welt.tops[1],
            now=NACH_SITZUNG + 4 * day,
        )
        decide(
            session,
            protokoll_id=pid,
            version_nummer=1,
            entscheidung=ProtokollEntscheidung.ZURUECKGEBEN,
            anmerkungen="Quelle zu TOP 2 ergänzen.",
            entschieden_von="Gerd Geschäft",
            quelle="test",
            now=NACH_SITZUNG + 11 * day,
            settings=settings,
        )
        submit_draft(
            session,
            protokoll_id=pid,
            person_id=welt.protokollfuehrung_id,
            eingabe=entwurf(welt),
            now=NACH_SITZUNG + 12 * day,
            settings=settings,
        )
        decide(
            session,
            protokoll_id=pid,
            version_nummer=2,
            entscheidung=ProtokollEntscheidung.FREIGEBEN,
            anmerkungen="",
            entschieden_von="Gerd Geschäft",
            quelle="test",
            now=NACH_SITZUNG + 20 * day,
            settings=settings,
        )
        finalize(session, protokoll_id=pid, now=NACH_SITZUNG + 20 * day, settings=settings)
    with session_scope(sqlite_engine, actor="test") as session:
        files = {f.art: f.inhalt for f in session.scalars(sa.select(ProtokollDatei))}
        mails = {m.schluessel.split(":", 2)[2]: m.inhalt for m in session.scalars(sa.select(OutboxMessage))}
    assert_golden("endfassung.html", files["endfassung_html"].decode("utf-8"))
    pdf_text = fliesstext(files["endfassung_pdf"])
    assert "3 von 6 Teilnehmenden anwesend." in pdf_text
    # Participants get the approved text, not the internal round of revision before it.
    assert "zurückgegeben" not in pdf_text and "Quelle zu TOP 2 ergänzen" not in pdf_text
    assert "Sitzungsleitung Anna Albrecht" in pdf_text and "Protokollführung Paula Protokoll" in pdf_text
    assert_golden("anforderung.txt", _text(mails[f"anforderung:person={welt.protokollfuehrung_id}"]))
    assert_golden("rueckgabe.txt", _text(mails["v1:rueckgabe"]))
    assert_golden("verteilung.txt", _text(mails[f"verteilung:person={welt.mitglieder[0]}"]))

"""Who changed something, as the Geschäftsstelle reads it: names, not actor strings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from sozialforum.cli import app as cli
from sozialforum.stammdaten.akteur import akteur_text
from sozialforum.store.db import session_scope
from sozialforum.store.models import Benutzer, Person, PersonalLink, Tabellenzuordnung
from sozialforum.vocab import LinkZweck

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_actors_by_name(sqlite_engine: Engine, tmp_path: Path) -> None:
    with session_scope(sqlite_engine, actor="test") as session:
        benutzer = Benutzer(name="planerin", anzeigename="Paula Planerin", passwort_hash="x", erstellt_am=NOW)
        person = Person(kennung="P1", vorname="Rosa", nachname="Timm")
        session.add_all([benutzer, person])
        session.flush()
        link = PersonalLink(
            token_hash="f" * 64, person_id=person.id, zweck=LinkZweck.RSVP, bezug_id=1,
            gueltig_bis=NOW + timedelta(days=3), erstellt_am=NOW,
        )  # fmt: skip
        session.add(link)
        session.flush()
        ids = (benutzer.id, link.id)
        # The workplace's table assistant saves under the bare login name.
        session.add(Tabellenzuordnung(name="Sozialatlas", fingerabdruck="0" * 64, bestaetigt_am=NOW, akteur="planerin"))
    with Session(sqlite_engine) as session:
        assert akteur_text(session, "benutzer:planerin") == "Paula Planerin"
        assert akteur_text(session, f"benutzer:{ids[0]}") == "Paula Planerin"
        assert akteur_text(session, "planerin") == "Paula Planerin"
        assert akteur_text(session, f"link:{ids[1]}") == "Rosa Timm (persönlicher Link)"
        assert akteur_text(session, "flow-run:einladungen_versenden/7049") == "Ablauf „Einladungen versenden“"
        assert akteur_text(session, "cli:daten assistent") == "Kommandozeile (daten assistent)"
        assert akteur_text(session, "import:personen.csv") == "Import aus personen.csv"
        assert akteur_text(session, "benutzer:gibtsnicht") == "gibtsnicht"
    config = tmp_path / "sf.toml"
    url = sqlite_engine.url.render_as_string(hide_password=False)
    config.write_text(f'data_dir = "{tmp_path}"\ndatabase_url = "{url}"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["-k", str(config), "daten", "zuordnungen"], env={"COLUMNS": "120"})
    assert result.exit_code == 0 and "Paula Planerin" in result.output, result.output
    assert "│ planerin" not in result.output

"""What ``sozialforum strategie`` prints for the Geschäftsstelle: German tables on a real store."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from sozialforum.cli import app as cli
from sozialforum.store.db import session_scope
from sozialforum.store.models import Massnahme, Organisation, ProjektRessource
from sozialforum.vocab import OrganisationArt


def test_unused_resources_name_each_project_once_with_its_traeger(sqlite_engine: Engine, tmp_path: Path) -> None:
    """Two projects of one title (one per Träger) were two identical-looking lines each, and a
    project with money and a post unused had two lines: one row per project, Kennung and Träger
    named, amounts right-aligned."""
    with session_scope(sqlite_engine, actor="test") as session:
        for nummer, (traeger, plan, ist, vzae) in enumerate(
            [("Familienzentrum Eichhausen", "20000", "13880", "1"), ("Grundschule Auental", "40000", "7360", "0")]
        ):
            org = Organisation(kennung=f"T{nummer}", name=traeger, art=OrganisationArt.FREIER_TRAEGER)
            session.add(org)
            session.flush()
            projekt = Massnahme(
                kennung=f"PR-00{nummer}", titel="Bildungspatenschaften", verantwortlich_organisation_id=org.id
            )
            session.add(projekt)
            session.flush()
            session.add(
                ProjektRessource(
                    massnahme_id=projekt.id,
                    jahr=2026,
                    plan_eur=D(plan),
                    ist_eur=D(ist),
                    plan_vzae=D(vzae),
                    ist_vzae=D(0),
                )
            )
    config = tmp_path / "sf.toml"
    url = sqlite_engine.url.render_as_string(hide_password=False)
    config.write_text(f'data_dir = "{tmp_path}"\ndatabase_url = "{url}"\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["-k", str(config), "strategie", "ungenutzt", "--jahr", "2026"], env={"COLUMNS": "100"}
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    rows = [line for line in lines if "Bildungspatenschaften" in line]
    assert len(rows) == 2 and "(PR-000)" in rows[0] and "(PR-001)" in rows[1], result.output
    assert "Familienzentrum Eichhausen" in result.output and "Grundschule Auental" in result.output
    assert "6.120 € │ 1,00 │" in rows[0] and "32.640 € │      │" in rows[1], result.output
    assert "keine Personalstelle geschaffen" in lines[lines.index(rows[0]) + 1]
    assert "(2 Projekte)" in result.output and "Insgesamt 2026: 38.760 € und 1,00 VZÄ nicht verwendet." in result.output
    assert (
        "2030 wurden alle geplanten Mittel und Stellen verwendet."
        in CliRunner().invoke(cli, ["-k", str(config), "strategie", "ungenutzt", "--jahr", "2030"]).output
    )

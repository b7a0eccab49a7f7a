"""The index takes published z-values: 24 Planungsräume of an MSS-style table (four status and
four dynamics indicators as z-values, built by the published MSS method in
``tests/data/mss/erzeuge.py``) give the published status and dynamics classes and index values,
and the profile shows the class of every Planungsraum."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from sozialforum.daten.ergebnis import Monitor, berechne, lade_monitor
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.index import DYNAMIK_KLASSEN, GESAMT, STATUS_KLASSEN
from sozialforum.daten.katalog import Katalog, load_katalog
from sozialforum.daten.laden import lade_datei
from sozialforum.daten.profil import profil_kontext
from sozialforum.problems import ProblemReport
from sozialforum.settings import DatenSettings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Gebiet
from sozialforum.timeutil import format_zahl
from tests.daten.golden import assert_golden

NOW = datetime(2024, 10, 1, 8, 0, tzinfo=UTC)
T = date(2023, 12, 31)
TABELLE = Path(__file__).parents[1] / "data" / "mss" / "mss_zwerte_2023.csv"
NAMEN = ["Arbeitslosigkeit", "Langzeitarbeitslosigkeit", "Transferbezug", "Kinderarmut"]


def katalog_text(richtung: bool = True) -> str:
    lines = [
        '[dimensionen]\nlage = "Soziale Lage"\n',
        '[index]\nebenen = ["planungsraum"]\nbevoelkerung = "einwohner"\n',
        '[merkmale.einwohner]\nname = "Einwohner"\n',
    ]
    spalten = []
    for kind, index in (("s", "status"), ("d", "dynamik")):
        for j, name in enumerate(NAMEN, start=1):
            code = f"{kind}{j}"
            lines.append(f'[merkmale.{code}]\nname = "{name} ({kind.upper()}{j}, z-Wert)"\nart = "wert"\n')
            lines.append(
                f'[indikatoren.{code}]\nname = "{kind.upper()}{j} {name}"\ndimension = "lage"\n'
                f'einheit = "z-Wert"\nzaehler = "{code}"\nnachkommastellen = 2\nindex = "{index}"\n'
                + ("richtung = 1\n" if richtung else "")
            )
            spalten.append(f'"{kind.upper()}{j} {name} (z-Wert)" = "{code}"')
    lines.append(
        '[[quellen]]\nkennung = "mss"\nformat = "tabelle"\nname = "MSS-Tabelle"\n'
        f'schluessel_spalte = "planungsraum"\nspalten = {{ {", ".join(spalten)} }}\n'
    )
    return "\n".join(lines)


@pytest.fixture
def mss_katalog(tmp_path: Path) -> Katalog:
    path = tmp_path / "mss.toml"
    path.write_text(katalog_text(), encoding="utf-8")
    return load_katalog(path)


def _planungsraeume() -> list[str]:
    return [line.split(";", 1)[0] for line in TABELLE.read_text(encoding="utf-8").splitlines()[1:]]


@pytest.fixture
def stadt(sqlite_engine: Engine) -> tuple[Engine, dict[str, int]]:
    """Stadt → 4 Bezirksregionen (level sozialraum) → 6 Planungsräume each."""
    ids: dict[str, int] = {}
    with session_scope(sqlite_engine, actor="test") as session:
        stadt = Gebiet(schluessel="11000000", name="Beispielstadt", ebene="kreis")
        session.add(stadt)
        session.flush()
        for key in _planungsraeume():
            region_key = key[:6]
            if region_key not in ids:
                region = Gebiet(schluessel=region_key, name=f"Bezirksregion {region_key}", ebene="sozialraum")
                region.parent_id = stadt.id
                session.add(region)
                session.flush()
                ids[region_key] = region.id  # type: ignore[assignment]
            plr = Gebiet(schluessel=key, name=f"Planungsraum {key}", ebene="planungsraum", einwohner=4000)
            plr.parent_id = ids[region_key]
            session.add(plr)
            session.flush()
            ids[key] = plr.id  # type: ignore[assignment]
    return sqlite_engine, ids


def _monitor(engine: Engine, katalog: Katalog) -> Monitor:
    with session_scope(engine, actor="test") as session:
        lade_datei(session, TABELLE, katalog, now=NOW, akteur="test")
    with session_scope(engine, actor="test") as session:
        berechne(session, katalog, DatenSettings(), now=NOW, akteur="test")
    with session_scope(engine, actor="test") as session:
        monitor = lade_monitor(session)
    assert monitor is not None
    return monitor


def test_published_z_values_give_the_published_mss_classes(
    stadt: tuple[Engine, dict[str, int]], mss_katalog: Katalog
) -> None:
    engine, ids = stadt
    monitor = _monitor(engine, mss_katalog)
    index = monitor.index[(f"planungsraum:{GESAMT}", T)]
    assert len(index.ids) == 24
    assert sorted(index.indikatoren) == ["d1", "d2", "d3", "d4", "s1", "s2", "s3", "s4"]
    lines = ["Planungsraum;Statusindex;Status;Dynamikindex;Dynamik"]
    for key in _planungsraeume():
        i = index.ids.index(ids[key])
        lines.append(
            f"{key};{format_zahl(float(index.status[i]), 2)};{STATUS_KLASSEN[int(index.status_klasse[i])]};"
            f"{format_zahl(float(index.dynamik[i]), 2)};{DYNAMIK_KLASSEN[int(index.dynamik_klasse[i])]}"
        )
    assert_golden("mss_klassen.csv", "\n".join(lines) + "\n")


def test_the_profile_shows_the_class_of_every_planungsraum(
    stadt: tuple[Engine, dict[str, int]], mss_katalog: Katalog
) -> None:
    """The Berlin case: the children of a Bezirksregion are Planungsräume, not Gemeinden."""
    engine, ids = stadt
    monitor = _monitor(engine, mss_katalog)
    published = {
        line.split(";")[0]: line.split(";")[2]
        for line in (Path(__file__).parent / "golden" / "mss_klassen.csv").read_text(encoding="utf-8").splitlines()[1:]
    }
    with session_scope(engine, actor="test") as session:
        kontext = profil_kontext(
            session,
            monitor,
            mss_katalog,
            DatenSettings(),
            monitor.stand.bereiche[ids["010101"]],
            Empfaenger.geschaeftsstelle(),
            kommune="Beispielstadt",
            now=NOW,
        )
    rows = {row["schluessel"]: row["klasse"] for row in kontext["gemeinden"]}
    assert len(rows) == 6
    assert rows == {key: published[key] for key in rows}


def test_a_delivered_value_in_the_index_must_declare_its_direction(tmp_path: Path) -> None:
    path = tmp_path / "mss.toml"
    path.write_text(katalog_text(richtung=False), encoding="utf-8")
    with pytest.raises(ProblemReport) as raised:
        load_katalog(path)
    fields = {p.spalte for p in raised.value.problems}
    assert fields == {f"indikatoren.{kind}{j}.richtung" for kind in "sd" for j in range(1, 5)}
    assert "Richtung angeben" in raised.value.problems[0].meldung

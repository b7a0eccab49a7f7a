"""The indicator catalogue: validation with field paths, definitions with age bands and their
keys, refusing to compare different definitions, and building age bands from delivered ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from sozialforum.daten.ergebnis import berechne
from sozialforum.daten.katalog import DefinitionsKonflikt, load_katalog, pruefe_vergleichbar
from sozialforum.daten.merkmale import MerkmalKey, parse_altersgruppe, parse_key, tile
from sozialforum.problems import ProblemReport
from sozialforum.settings import DatenSettings
from sozialforum.store.db import session_scope
from tests.conftest import REPO
from tests.daten.conftest import KATALOG, NOW, alo_datei, bev_datei
from tests.daten.test_berechnung import refresh


def test_the_shipped_catalogue_is_valid() -> None:
    katalog = load_katalog(REPO / "config" / "indikatoren.toml")
    assert len(katalog.dimensionen) == 6 and len(katalog.indikatoren) >= 12
    hze = katalog.indikatoren["hze_quote"]
    assert hze.ziel is not None and hze.ziel.hoechstens == 2.0 and hze.kennzahl == "Kennzahl 1.2"
    assert katalog.indikatoren["hze_ambulant_anteil"].ziel.mindestens == 80.0  # type: ignore[union-attr]
    assert katalog.indikatoren["hze_dauer"].ziel.hoechstens == 30.0  # type: ignore[union-attr]
    alt = katalog.indikatoren["altenquotient"]
    assert alt.beschreibung(katalog.merkmal_namen) == (
        "Bevölkerung 65 Jahre und älter je 100 Bevölkerung 20 bis unter 65 Jahre"
    )


def test_errors_name_the_field(tmp_path: Path) -> None:
    bad = (
        KATALOG.replace('zaehler = "alo"', 'zaehler = "arbeitslos"')
        .replace('dimension = "arbeit"\nzaehler', 'dimension = "wirtschaft"\nzaehler')
        .replace('einheit = "je 100"', 'einheit = "je 100"\nfaktr = 100')
    )
    path = tmp_path / "kaputt.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ProblemReport) as caught:
        load_katalog(path)
    text = str(caught.value)
    assert "kaputt.toml, Spalte „indikatoren.altenquotient.faktr“: ist unbekannt (Tippfehler?)" in text


def test_cross_references_are_checked(tmp_path: Path) -> None:
    bad = KATALOG.replace('zaehler = "alo"', 'zaehler = "arbeitslos"').replace(
        'dimension = "arbeit"\nzaehler', 'dimension = "wirtschaft"\nzaehler'
    )
    path = tmp_path / "kaputt.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ProblemReport) as caught:
        load_katalog(path)
    text = str(caught.value)
    assert "„indikatoren.alo_quote.dimension“: unbekannte Dimension „wirtschaft“" in text
    assert "„indikatoren.alo_quote.zaehler“: unbekanntes Merkmal „arbeitslos“" in text


def test_definition_keys_and_refusal_to_compare() -> None:
    genesis = KATALOG
    eu = KATALOG.replace('zaehler = "bev[65-]"\nnenner = "bev[15-65]"', 'zaehler = "bev[65-]"\nnenner = "bev[20-65]"')
    assert eu != genesis
    import tomllib

    from sozialforum.daten.katalog import Katalog

    one = Katalog.model_validate(tomllib.loads(genesis)).indikatoren["altenquotient"]
    two = Katalog.model_validate(tomllib.loads(eu)).indikatoren["altenquotient"]
    assert one.definitionsschluessel != two.definitionsschluessel
    with pytest.raises(DefinitionsKonflikt, match="nicht verglichen"):
        pruefe_vergleichbar(
            "Altenquotient", one.definitionsschluessel, two.definitionsschluessel, wo="die Veröffentlichung 2022"
        )


def test_a_changed_definition_is_reported_by_the_next_computation(
    kreis: tuple[Engine, dict[str, int]], tmp_path: Path
) -> None:
    engine = kreis[0]
    first = tmp_path / "k1.toml"
    first.write_text(KATALOG, encoding="utf-8")
    refresh(engine, load_katalog(first), [bev_datei(tmp_path / "bev.csv"), alo_datei(tmp_path / "alo.csv")])
    second = tmp_path / "k2.toml"
    second.write_text(
        KATALOG.replace('zaehler = "bev[65-]"\nnenner = "bev[15-65]"', 'zaehler = "bev[65-]"\nnenner = "bev[0-65]"'),
        encoding="utf-8",
    )
    with session_scope(engine, actor="test") as session:
        result = berechne(session, load_katalog(second), DatenSettings(), now=NOW, akteur="test")
    assert result.neu and result.zusammenfassung["definitionen_geaendert"] == ["Altenquotient"]


def test_age_bands() -> None:
    assert parse_altersgruppe("3 bis unter 6 Jahre") == (3, 6)
    assert parse_altersgruppe("unter 3 Jahre") == (0, 3)
    assert parse_altersgruppe("75 Jahre und mehr") == (75, None)
    assert parse_altersgruppe("Insgesamt") == (0, None)
    assert parse_altersgruppe("Produzierendes Gewerbe") is None
    delivered = [
        MerkmalKey("bev", a, b)
        for a, b in [
            (0, 3),
            (3, 6),
            (6, 10),
            (10, 15),
            (15, 18),
            (18, 20),
            (20, 25),
            (25, 65),
            (65, 75),
            (75, None),
            (0, None),
        ]
    ]
    assert tile(parse_key("bev[0-15]"), delivered) == delivered[:4]
    assert tile(parse_key("bev[65-]"), delivered) == delivered[8:10]
    assert tile(parse_key("bev"), delivered) == [delivered[-1]]  # the total itself, not the sum of bands
    assert tile(parse_key("bev[0-21]"), delivered) is None  # GENESIS has no boundary at 21
    with pytest.raises(ValueError, match="bis muss größer"):
        parse_key("bev[65-20]")

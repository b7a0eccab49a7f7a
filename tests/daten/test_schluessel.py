"""Key systems: AGS, ARS, Samtgemeinde members (11 digits), Gemeindeverband keys (9), Stadtteil
codes and names; every key that stays unmatched is reported with the nearest candidates.

The Gifhorn case: a Gemeinde table of a Landkreis in Niedersachsen names the 38 Gemeinden of its
Samtgemeinden by 11 digits while the areas carry 8-digit AGS; all 43 must arrive (before: 38 were
refused, or dropped without a word under ``unbekannte_ignorieren``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from sozialforum.daten.gebietsstand import Bereich, Gebietsstand, Schluesselabgleich
from sozialforum.daten.genesis_schreiben import cell, write_table
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.laden import lade_datei
from sozialforum.daten.schluessel import Schluesselsysteme
from sozialforum.daten.speicher import lade_bestand
from sozialforum.problems import ProblemReport
from sozialforum.store.db import session_scope
from sozialforum.store.models import Gebiet
from tests.daten.conftest import NOW, T23, counts

KREIS = "03151"
# Samtgemeinden (Verband 54xx) and the numbers of their member Gemeinden; 5 Einheitsgemeinden.
VERBAENDE = {f"540{v}": [6 + v + 7 * i for i in range(6 if v < 4 else 5)] for v in range(1, 8)}
EINHEIT = [1, 2, 3, 4, 5]


def _ags(number: int) -> str:
    return f"{KREIS}{number:03d}"


def gifhorn(engine: Engine) -> dict[str, int]:
    ids: dict[str, int] = {}
    with session_scope(engine, actor="test") as session:
        kreis = Gebiet(schluessel=f"{KREIS}000", name="Gifhorn", ebene="kreis", ags=f"{KREIS}000")
        session.add(kreis)
        session.flush()
        numbers = [*EINHEIT, *(n for members in VERBAENDE.values() for n in members)]
        for number in numbers:
            key = _ags(number)
            gebiet = Gebiet(schluessel=key, name=f"Gemeinde {number}", ebene="gemeinde", ags=key, parent_id=kreis.id)
            session.add(gebiet)
            session.flush()
            ids[key] = gebiet.id  # type: ignore[assignment]
    return ids


def gemeinde_datei(path: Path, *, member: str = "{kreis}{verband}{nummer:03d}", extra: list[list[str]] = ()) -> Path:
    """Unemployed per Gemeinde as the Regionaldatenbank lists them: the Kreis, its Einheitsgemeinden
    (8 digits, or 9 with Verband 0GGG), each Samtgemeinde (9 digits) followed by its members."""
    rows = [["2023", "03", "Niedersachsen", cell(240_000)], ["2023", KREIS, "  Gifhorn, Landkreis", cell(3_000)]]
    for n in EINHEIT:
        key = _ags(n) if n % 2 else f"{KREIS}0{n:03d}"
        rows.append(["2023", key, f"      Gemeinde {n}", cell(10 * n)])
    for verband, members in VERBAENDE.items():
        rows.append(["2023", f"{KREIS}{verband}", f"    Samtgemeinde {verband}", cell(99)])
        for n in members:
            key = member.format(kreis=KREIS, verband=verband[1:], nummer=n)
            rows.append(["2023", key, f"      Gemeinde {n}", cell(10 * n)])
    rows += [["2023", "03152001", "      Fremdgemeinde", cell(5)], *extra]
    write_table(
        path,
        tabelle="13211-02-05-5",
        titel=["Arbeitslose - Jahresdurchschnitt -"],
        kopf=[["", "", "", "Arbeitslose"], ["", "", "", "Anzahl"]],
        zeilen=rows,
        stand=date(2024, 3, 1),
    )
    return path


def _load(engine: Engine, path: Path, katalog: Katalog, **options: object):
    with session_scope(engine, actor="test") as session:
        return lade_datei(session, path, katalog, now=NOW, akteur="test", **options)  # type: ignore[arg-type]


def test_gifhorn_all_43_gemeinden_arrive(sqlite_engine: Engine, katalog: Katalog, tmp_path: Path) -> None:
    ids = gifhorn(sqlite_engine)
    path = gemeinde_datei(tmp_path / "13211-02-05-5.csv")
    result = _load(sqlite_engine, path, katalog, unbekannte_ignorieren=True)
    assert result.gebiete == 44  # the 43 Gemeinden and the Kreis (its 5-digit key)
    hints = " ".join(result.hinweise)
    assert "38 Schlüssel umgeschlüsselt: Schlüssel einer Gemeinde im Gemeindeverband (11 Stellen) → AGS" in hints
    assert "2 Schlüssel umgeschlüsselt: Gemeindeverbandsschlüssel einer Einheitsgemeinde (9 Stellen)" in hints
    assert "7 Zeilen von Gemeindeverbänden (z. B. 031515401" in hints, hints
    assert "1 Zeilen mit Schlüsseln außerhalb des Gebiets übersprungen (z. B. 03152001)" in hints, hints
    with session_scope(sqlite_engine, actor="test") as session:
        tafel = lade_bestand(session)[T23]
    werte = dict(zip(tafel.index, tafel.werte[:, 0].tolist(), strict=True))
    assert werte[ids[_ags(2)]] == 20  # 9 digits with Verband 0002: the Einheitsgemeinde itself
    assert all(werte[ids[_ags(n)]] == 10 * n for members in VERBAENDE.values() for n in members)


def test_12_digit_ars_matches_8_digit_ags(sqlite_engine: Engine, katalog: Katalog, tmp_path: Path) -> None:
    gifhorn(sqlite_engine)
    path = gemeinde_datei(tmp_path / "13211-02-05-5.csv", member="{kreis}5{verband}{nummer:03d}")
    assert _load(sqlite_engine, path, katalog, unbekannte_ignorieren=True).gebiete == 44


def test_own_unmatched_key_is_reported_even_when_ignoring_foreign_ones(
    sqlite_engine: Engine, katalog: Katalog, tmp_path: Path
) -> None:
    gifhorn(sqlite_engine)
    path = gemeinde_datei(tmp_path / "gifhorn.csv", extra=[["2023", "03151401099", "      Gemeinde 99", cell(7)]])
    before = counts(sqlite_engine)
    with pytest.raises(ProblemReport) as caught:
        _load(sqlite_engine, path, katalog, unbekannte_ignorieren=True)
    text = str(caught.value)
    assert len(caught.value.problems) == 1, text
    assert "gifhorn.csv, Zeile 58, Spalte „Schlüssel“: unbekannter Gebietsschlüssel „03151401099“" in text
    assert "nächste Kandidaten: 03151043 Gemeinde 43, 03151044 Gemeinde 44." in text, text
    assert counts(sqlite_engine) == before


def _stand(*areas: tuple[int, str, str, str | None]) -> Gebietsstand:
    bereiche = {
        i: Bereich(i, key, name, "ortsteil", None, None, ars, None, date(1900, 1, 1), None)
        for i, key, name, ars in areas
    }
    return Gebietsstand(bereiche, {})


STADTTEILE = _stand(
    (1, "ST01", "Altstadt", None),
    (2, "ST02", "Nordstadt", None),
    (3, "ST12", "Westliche Höhe", None),
    (4, "ST13", "Südliche Aue", None),
)


def _match(keys: list[str], stand: Gebietsstand = STADTTEILE, **options: object):
    systeme = Schluesselsysteme(Schluesselabgleich(stand), **options)  # type: ignore[arg-type]
    return systeme.zuordnen(keys, [T23] * len(keys))


def test_stadtteil_numbers_codes_with_names_and_names() -> None:
    found = _match(["1", "02", "12 Westliche Höhe", "Südliche_Aue", "ST01", "01 Altstadt", "westliche-hoehe"])
    assert found.ids.tolist() == [1, 2, 3, 4, 1, 1, 3]
    assert not found.melden
    assert found.lesarten == {"Nummer → Gebiet": 2, "Nummer und Name → Gebiet": 2, "Name → Gebiet": 2}


def test_unmatched_names_and_contradictions_name_candidates() -> None:
    found = _match(["Westlich Höhe", "02 Altstadt", "Oststadt", "99"])
    assert (found.ids == -1).all()
    assert "nächste Kandidaten: ST12 Westliche Höhe" in found.melden[0]
    assert "die Nummer passt zu Nordstadt, der Name zu Altstadt" in found.melden[1]
    assert "nächste Kandidaten: ST01 Altstadt, ST02 Nordstadt" in found.melden[2]
    assert found.melden[3].startswith("unbekannter Gebietsschlüssel „99“")


def test_a_name_shared_by_two_areas_is_never_guessed() -> None:
    stand = _stand((1, "A", "Mitte", None), (2, "B", "Mitte", None))
    found = _match(["mitte"], stand)
    assert found.ids.tolist() == [-1]
    assert "passt zu mehreren Gebieten" in found.melden[0]


def test_gemeindeverband_key_of_one_area_and_of_several() -> None:
    stand = _stand(
        (1, "03151001", "Adenbüttel", "031515401001"),
        (2, "03151002", "Calberlah", "031515401002"),
        (3, "03151009", "Gifhorn", "031510009009"),
        (4, "07131001", "Adenau", "071315001001"),
    )
    found = _match(["031515401", "071315001", "031510009"], stand)
    assert found.ids.tolist() == [-1, 4, 3]
    assert found.aggregate == [0] and not found.melden


def test_aliases_of_a_saved_mapping() -> None:
    found = _match(["Westl. Höhe"], aliase={"Westl. Höhe": "ST12"})
    assert found.ids.tolist() == [3]

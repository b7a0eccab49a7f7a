"""Statistical confidentiality: the golden suppression pattern of the Testkreis, and a person
entitled to one Gemeinde who cannot obtain another Gemeinde's values through any output —
checked on the files themselves, with linear algebra over everything the person can see."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from sozialforum.daten.aktualisierung import ausgaben
from sozialforum.daten.ergebnis import Monitor
from sozialforum.daten.freigabe import erteile
from sozialforum.daten.geheimhaltung import Empfaenger, Gruppen, berechne_muster, sekundaer
from sozialforum.daten.katalog import Katalog
from sozialforum.settings import DatenSettings, Settings, load_settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import Person
from tests.conftest import REPO
from tests.daten.conftest import ALO, GEBIETE, NOW, T22, T23, alo_datei, bev_datei
from tests.daten.test_berechnung import refresh

GEMEINDEN = [key for key, (_, _, level) in GEBIETE.items() if level == "gemeinde"]


@pytest.fixture
def monitor(kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path) -> Monitor:
    return refresh(kreis[0], katalog, [bev_datei(tmp_path / "bev.csv"), alo_datei(tmp_path / "alo.csv")])


def _names(ids: dict[str, int], rows: list[int], monitor: Monitor, mask: np.ndarray) -> set[str]:
    keys = {v: k for k, v in ids.items()}
    return {keys[monitor.werte[("alo_quote", T23)].ids[r]] for r in rows if mask[r]}


def test_golden_suppression_pattern(monitor: Monitor, kreis: tuple[Engine, dict[str, int]], katalog: Katalog) -> None:
    ids = kreis[1]
    werte = {code: monitor.werte[(code, T23)] for code in katalog.indikatoren}
    muster = berechne_muster(werte, monitor.stand, katalog, DatenSettings())
    rows = list(range(len(werte["alo_quote"].ids)))
    # Bedorf has 2 unemployed (< 3). Its Sozialraum S1 = Ahausen + Bedorf needs three unknown
    # cells because Bedorf knows its own value: Ahausen and S1 go too. S1 alone in Region A
    # would follow from A − S2, so S2 goes, and in S2 = Cestadt + Deweiler both Gemeinden.
    assert _names(ids, rows, monitor, muster.primaer["alo_quote"]) == {"03999002"}
    assert _names(ids, rows, monitor, muster.unterdrueckt["alo_quote"]) == {
        "03999001",
        "03999002",
        "S1",
        "S2",
        "03999003",
        "03999004",
    }
    assert _names(ids, rows, monitor, muster.unsicher["alo_quote"]) == {"03999007"}  # 12 cases < 20
    assert not muster.unterdrueckt["altenquotient"].any()  # population counts are not confidential
    before = berechne_muster(
        {c: monitor.werte[(c, T22)] for c in katalog.indikatoren}, monitor.stand, katalog, DatenSettings()
    )
    assert not before.unterdrueckt["alo_quote"].any()  # 2022: no count under 3


def test_complements_avoid_zeros_and_climb_when_siblings_run_out() -> None:
    #      0
    #   1     2          1 = 3 + 4 (two children), 2 = 5 + 6
    #  3 4   5 6
    parents = {1: 0, 2: 0, 3: 1, 4: 1, 5: 2, 6: 2}
    gruppen = Gruppen(
        kinder={0: [1, 2], 1: [3, 4], 2: [5, 6]},
        eltern=parents,
        ist_einheit=np.array([False, False, False, True, True, True, True]),
        ebenen=[""] * 7,
    )
    values = np.array([60.0, 30, 30, 1, 29, 0, 30])
    primary = np.array([False, False, False, True, False, False, False])
    hidden = sekundaer(values, np.zeros(7, dtype=bool), primary, gruppen, 3)
    # 3 is primary; its sibling 4 and (no third child) the parent 1 go; then 1 alone in the top
    # equation needs 2; in 2 = 5 + 6 the zero is not a complement unless nothing else is left.
    assert hidden.tolist() == [False, True, True, True, True, True, True]


def test_a_sozialraum_of_one_gemeinde_ends_with_both_hidden() -> None:
    #      0            0 = 1 + 2;  1 = 3 (one Gemeinde);  2 = 4 + 5
    #   1     2
    #   3    4 5
    gruppen = Gruppen(
        kinder={0: [1, 2], 1: [3], 2: [4, 5]},
        eltern={1: 0, 2: 0, 3: 1, 4: 2, 5: 2},
        ist_einheit=np.array([False, False, False, True, True, True]),
        ebenen=[""] * 6,
    )
    values = np.array([50.0, 2, 48, 2, 20, 28])
    primary = np.array([False, False, False, True, False, False])
    hidden = sekundaer(values, np.zeros(6, dtype=bool), primary, gruppen, 3)  # looped forever before
    # The Gemeinde and its Sozialraum (equal by the equation) are hidden; the top equation then
    # needs the other Sozialraum as complement, and its equation both Gemeinden (each of which
    # knows its own value).
    assert hidden.tolist() == [False, True, True, True, True, True]
    equations = [("0", ["1", "2"]), ("1", ["3"]), ("2", ["4", "5"])]
    shown = {str(i): float(v) for i, v in enumerate(values) if not hidden[i]}
    assert not determined(equations, shown, "3")
    assert not determined(equations, {**shown, "4": 20.0}, "3")  # not even for Gemeinde 4


def test_areas_without_data_are_not_secrets() -> None:
    # 0 = 1 + 2 + 3: 3 was not delivered; 1 and 2 are large. Nothing is small, nothing is hidden
    # (the missing area used to count as a secret and pulled a complement after it).
    from sozialforum.daten.fehlwerte import Fehlwert
    from sozialforum.daten.geheimhaltung import GEHEIME_FEHLWERTE

    gruppen = Gruppen(
        kinder={0: [1, 2, 3]},
        eltern={1: 0, 2: 0, 3: 0},
        ist_einheit=np.array([False, True, True, True]),
        ebenen=[""] * 4,
    )
    codes = np.array([Fehlwert.VORHANDEN, Fehlwert.VORHANDEN, Fehlwert.VORHANDEN, Fehlwert.NICHT_GELIEFERT])
    unknown = np.isin(codes, GEHEIME_FEHLWERTE)
    hidden = sekundaer(np.array([40.0, 25, 15, 0]), unknown, np.zeros(4, dtype=bool), gruppen, 3)
    assert not hidden.any()
    # A value the publisher withheld ('.') is a secret: it needs a complement.
    codes[3] = Fehlwert.UNBEKANNT
    hidden = sekundaer(
        np.array([40.0, 25, 15, 0]), np.isin(codes, GEHEIME_FEHLWERTE), np.zeros(4, dtype=bool), gruppen, 3
    )
    assert hidden.sum() == 3 and hidden[3]


def determined(equations: list[tuple[str, list[str]]], known: dict[str, float], cell: str) -> bool:
    """Is ``cell`` fixed by the hierarchy's equations (parent = sum of children) given ``known``?"""
    unknown = sorted({c for p, kids in equations for c in [p, *kids]} - set(known))
    if cell not in unknown:
        return True
    matrix = []
    for parent, kids in equations:
        row = np.zeros(len(unknown))
        if parent in unknown:
            row[unknown.index(parent)] = 1
        for kid in kids:
            if kid in unknown:
                row[unknown.index(kid)] -= 1
        if row.any():
            matrix.append(row)
    a = np.array(matrix)
    target = np.zeros(len(unknown))
    target[unknown.index(cell)] = 1
    return bool(np.linalg.matrix_rank(a) == np.linalg.matrix_rank(np.vstack([a, target])))


def _atlas_counts(path: Path) -> dict[str, float | str]:
    sheet = load_workbook(path)["Arbeit"]
    header = [c.value for c in sheet[1]]
    column = header.index("Arbeitslosenanteil: Anzahl")
    return {row[1]: row[column] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] != "Vergleich"}


def _settings(engine: Engine, tmp_path: Path, katalog_pfad: Path) -> Settings:
    return load_settings(
        REPO / "config" / "sozialforum.toml",
        data_dir=tmp_path / "var",
        database_url=engine.url.render_as_string(hide_password=False),
        daten={"katalog": str(katalog_pfad)},
    )


def test_a_person_entitled_to_one_gemeinde_cannot_obtain_another(
    monitor: Monitor, kreis: tuple[Engine, dict[str, int]], katalog: Katalog, katalog_pfad: Path, tmp_path: Path
) -> None:
    engine, _ids = kreis
    with session_scope(engine, actor="test") as session:
        session.add(Person(kennung="P-BEDORF", vorname="Berta", nachname="Bedorfer"))
        session.flush()
        assert erteile(session, person="P-BEDORF", gemeinde="03999002", am=T23)
    with session_scope(engine, actor="test") as session:
        person = Empfaenger.fuer_person(session, "P-BEDORF", NOW.date())
    settings = _settings(engine, tmp_path, katalog_pfad)
    public = ausgaben(engine, katalog, settings, Empfaenger.oeffentlich(), now=NOW, sozialraeume=["S1"])
    own = ausgaben(engine, katalog, settings, person, now=NOW, sozialraeume=["S1"])

    mine, everyone = _atlas_counts(own.atlas), _atlas_counts(public.atlas)
    assert mine["03999002"] == 2  # her own Gemeinde, unsuppressed although small
    assert everyone["03999002"] == "."
    known = {key: float(v) for view in (mine, everyone) for key, v in view.items() if isinstance(v, int | float)}
    equations = [
        (key, [k for k, (_, parent, _) in GEBIETE.items() if parent == key])
        for key in GEBIETE
        if any(p == key for _, p, _ in GEBIETE.values())
    ]
    others = [g for g in GEMEINDEN if g != "03999002"]
    for gemeinde in others:
        if mine[gemeinde] == ".":
            assert not determined(equations, known, gemeinde), f"{gemeinde} recoverable from the outputs"
    assert [g for g in others if mine[g] == "."] == ["03999001", "03999003", "03999004"]
    for gemeinde in others:  # the true values of hidden cells appear nowhere in her files
        if mine[gemeinde] == ".":
            assert known.get(gemeinde) is None

    html = own.profile[0].read_text(encoding="utf-8")
    ahausen = html.split("<td>Ahausen</td>", 1)[1].split("</tr>", 1)[0]
    bedorf = html.split("<td>Bedorf</td>", 1)[1].split("</tr>", 1)[0]
    assert '<td class="zahl">.</td>' in ahausen and "4,6" not in ahausen  # 30 of 650 = 4,6 % hidden
    assert '<td class="zahl">0,6</td>' in bedorf  # 2 of 320: her own, shown
    pdf_text = "".join(page.extract_text() for page in PdfReader(own.profile[0].with_suffix(".pdf")).pages)
    assert "Fassung: Berta Bedorfer" in pdf_text and "Datenstand" in pdf_text
    public_html = public.profile[0].read_text(encoding="utf-8")
    assert '<td class="zahl">0,6</td>' not in public_html.split("<td>Bedorf</td>", 1)[1].split("</tr>", 1)[0]
    assert ALO[T23]["03999001"] == 30

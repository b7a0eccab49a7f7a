"""Golden figures of the strategy layer, each computed by hand (the comments show the sums)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from sozialforum.problems import ProblemReport
from sozialforum.strategie.kostenplan import Dynamisierungsregel, dynamisieren, kostenplan_lesen
from sozialforum.strategie.ressourcen import Projektjahr, summe, ungenutzt
from sozialforum.strategie.uebersicht import KREISWEIT, gegen_bedarf, mittel_je_gebiet
from sozialforum.strategie.zielerreichung import Zielvorgabe, zielerreichung
from sozialforum.vocab import Zielart, Zielrichtung

D = Decimal


def _attain(vorgabe: Zielvorgabe, reihe: dict[int, float]) -> pd.DataFrame:
    werte = pd.DataFrame({"ziel_id": 1, "gebiet_id": -1, "jahr": list(reihe), "wert": list(reihe.values())})
    return zielerreichung(werte, {1: vorgabe}).set_index("jahr")


def test_value_target_with_tolerance_and_trend() -> None:
    # HzE duration at most 30 months, tolerance 1 month (Ulm, Kennzahl 1.1).
    out = _attain(
        Zielvorgabe(Zielart.DAUER, Zielrichtung.HOECHSTENS, 30.0, 1.0), {2020: 32.5, 2021: 30.8, 2022: 29.0, 2023: 29.0}
    )
    assert list(out["stand"]) == ["verfehlt", "toleranz", "erreicht", "erreicht"]
    assert list(out["trend"]) == ["ohne", "besser", "besser", "gleich"]
    assert out.loc[2020, "abstand"] == pytest.approx(2.5)  # 32.5 − 30
    assert out.loc[2021, "abstand"] == pytest.approx(0.8)  # 30.8 − 30, within 1.0


def test_share_target_at_least() -> None:
    # At least 80 % non-residential help (Ulm); 78 % misses by 2 points, no tolerance.
    out = _attain(Zielvorgabe(Zielart.ANTEIL, Zielrichtung.MINDESTENS, 80.0), {2021: 78.0, 2022: 81.0, 2023: 79.5})
    assert list(out["stand"]) == ["verfehlt", "erreicht", "verfehlt"]
    assert list(out["trend"]) == ["ohne", "besser", "schlechter"]
    assert out.loc[2021, "abstand"] == pytest.approx(2.0)
    assert out.loc[2022, "abstand"] == 0


def test_growth_target_over_five_years() -> None:
    # Expenditure growth held to 0.6 % a year from 2015 (Ulm contract), tolerance 0.2 points.
    # 2017: (10.15/10.00)^(1/2) − 1 = 0.7472 %; 2018: (10.18/10)^(1/3) − 1 = 0.5964 %;
    # 2019: (10.40/10)^(1/4) − 1 = 0.9853 %; 2020: (10.25/10)^(1/5) − 1 = 0.4951 %.
    # Allowed: 10,000,000 × 1.006^n = 10,060,000.00 / 10,120,360.00 / 10,181,082.16 /
    # 10,242,168.65 / 10,303,621.66.
    reihe = {2015: 10_000_000, 2016: 10_100_000, 2017: 10_150_000, 2018: 10_180_000, 2019: 10_400_000, 2020: 10_250_000}
    out = _attain(Zielvorgabe(Zielart.WACHSTUM, Zielrichtung.HOECHSTENS, 0.6, 0.2, basisjahr=2015), reihe)
    assert [round(x, 4) for x in out["ist"].iloc[1:]] == [1.0, 0.7472, 0.5964, 0.9853, 0.4951]
    assert [round(x, 2) for x in out["soll"].iloc[1:]] == [
        10_060_000.0,
        10_120_360.0,
        10_181_082.16,
        10_242_168.65,
        10_303_621.66,
    ]
    assert list(out["stand"]) == ["ohne_daten", "verfehlt", "toleranz", "erreicht", "verfehlt", "erreicht"]
    assert list(out["trend"]) == ["ohne", "ohne", "besser", "besser", "schlechter", "besser"]


def test_attainment_keeps_areas_apart() -> None:
    werte = pd.DataFrame(
        {
            "ziel_id": [1, 1, 1, 1],
            "gebiet_id": [7, 7, 8, 8],
            "jahr": [2022, 2023, 2022, 2023],
            "wert": [2.4, 1.9, 1.5, 1.7],
        }
    )
    out = zielerreichung(werte, {1: Zielvorgabe(Zielart.ANTEIL, Zielrichtung.HOECHSTENS, 2.0)})
    assert list(out["stand"]) == ["verfehlt", "erreicht", "erreicht", "erreicht"]
    assert list(out["trend"]) == ["ohne", "besser", "ohne", "schlechter"]


PLAN = {
    "stellen": [
        {"bezeichnung": "Sozialarbeit", "entgeltgruppe": "S 11b", "vzae": "1,0", "jahresbetrag_vollzeit": "62.400,00"},
        {"bezeichnung": "Verwaltung", "entgeltgruppe": "E 6", "vzae": "0,5", "jahresbetrag_vollzeit": "48.000,00"},
    ],
    "sachkosten": [{"bezeichnung": "Miete", "betrag": "9.600,00"}, {"bezeichnung": "Material", "betrag": "1.234,56"}],
    "eigenmittel": "5.000,00",
    "drittmittel": "2.000,00",
}


def test_cost_plan_adds_up() -> None:
    # Staff 62,400.00 + 0.5 × 48,000.00 = 86,400.00; material 10,834.56; total 97,234.56;
    # need 97,234.56 − 5,000 − 2,000 = 90,234.56.
    plan = kostenplan_lesen(PLAN, beantragt="90.234,56")
    assert plan.personalkosten == D("86400.00")
    assert plan.gesamtkosten == D("97234.56")
    assert plan.bedarf == D("90234.56")
    assert plan.vzae == D("1.5")


def test_dynamisierung_by_pay_group() -> None:
    # S 11b +5.5 %: 62,400 × 1.055 = 65,832.00; E 6 +3.0 % (default): 48,000 × 1.03 = 49,440.00,
    # × 0.5 = 24,720.00; material +2 %: 9,792.00 and 1,234.56 × 1.02 = 1,259.2512 → 1,259.25.
    # Total 101,603.25, need 94,603.25, more by 4,368.69.
    regel = Dynamisierungsregel.aus_konfiguration(
        {"tarif": {"s 11b": 5.5}, "tarif_standard_prozent": 3.0, "sachkosten_prozent": 2.0}
    )
    result = dynamisieren(kostenplan_lesen(PLAN), regel)
    assert [h.nachher for h in result.herleitung] == [D("65832.00"), D("24720.00"), D("9792.00"), D("1259.25")]
    assert result.nachher.gesamtkosten == D("101603.25")
    assert result.nachher.bedarf == D("94603.25")
    assert result.mehrbedarf == D("4368.69")
    assert result.herleitung[0].text() == "Sozialarbeit (S 11b, 1,00 VZÄ): 62.400,00 € + 5,50 % = 65.832,00 €"


def test_dynamisierung_flat() -> None:
    # +2.5 % on everything: 63,960.00 + 24,600.00 + 9,840.00 + 1,265.42 (1,265.424) = 99,665.42.
    result = dynamisieren(kostenplan_lesen(PLAN), Dynamisierungsregel(pauschal_prozent=D("2.5")))
    assert result.nachher.gesamtkosten == D("99665.42")
    assert result.nachher.eigenmittel == D("5000.00")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"beantragt": "90.000,00"}, "beantragter Betrag"),
        ({"sachkosten": [{"bezeichnung": "Miete", "betrag": "-100"}]}, "Betrag"),
        (
            {"stellen": [{"bezeichnung": "X", "entgeltgruppe": "", "vzae": "1", "jahresbetrag_vollzeit": "1"}]},
            "Entgeltgruppe",
        ),
        ({"eigenmittel": "zwölf"}, "Eigenmittel"),
        ({"stellen": [], "sachkosten": []}, None),
    ],
)
def test_bad_cost_plans_are_refused_with_the_field(change: dict[str, object], where: str | None) -> None:
    daten = {**PLAN, **{k: v for k, v in change.items() if k != "beantragt"}}
    with pytest.raises(ProblemReport) as caught:
        kostenplan_lesen(daten, beantragt=change.get("beantragt"))
    assert [p.spalte for p in caught.value.problems] == [where]
    assert "nichts geändert" in str(caught.value)


def _jahr(
    mid: int, titel: str, status: str, plan: str, ist: str | None, pv: str = "0", iv: str | None = None
) -> Projektjahr:
    return Projektjahr(
        mid,
        titel,
        "Kinder und Jugend",
        status,
        None,
        2019,
        D(plan),
        None if ist is None else D(ist),
        D(pv),
        None if iv is None else D(iv),
    )


def test_unused_resources_as_in_loerrach() -> None:
    found = ungenutzt(
        [
            _jahr(1, "Elterntreffs", "beendet", "96000", "0"),
            _jahr(2, "Familienpaten", "laufendes_geschaeft", "60000", "39600"),
            _jahr(3, "Internes Schnittstellenmanagement", "laufendes_geschaeft", "0", "0", "0.5", "0"),
            _jahr(4, "Dritter Arbeitsmarkt", "geplant", "0", None, "0.5", "0"),
            _jahr(5, "Fallmanager U25", "laufendes_geschaeft", "50000", "50000", "1.0", "1.0"),
            _jahr(6, "Steuerungsfachkraft Pflege", "laufendes_geschaeft", "70000", "70000", "1.0", "0.75"),
        ]
    )
    assert [(f.titel, f.grund, f.eur, f.vzae) for f in found] == [
        ("Elterntreffs", "Projekt beendet", D("96000"), D(0)),
        ("Familienpaten", "weniger verausgabt als geplant", D("20400"), D(0)),
        ("Internes Schnittstellenmanagement", "keine Personalstelle geschaffen", D(0), D("0.5")),
        ("Dritter Arbeitsmarkt", "keine Personalstelle geschaffen", D(0), D("0.5")),
        ("Steuerungsfachkraft Pflege", "Stelle nur teilweise besetzt", D(0), D("0.25")),
    ]
    assert summe(found) == (D("116400"), D("1.25"))
    # A project whose term ended before the year frees its plan even with a running status.
    ended = Projektjahr(9, "Alt", None, "laufendes_geschaeft", date(2018, 12, 31), 2019, D(5000), None, D(0), None)
    assert [(f.grund, f.eur) for f in ungenutzt([ended])] == [("Projekt beendet", D(5000))]


def test_funds_per_sozialraum_against_need() -> None:
    # P1 100,000 planned (90,000 spent) half in A, half in B; P2 30,000 split A/B/C by equal
    # shares that do not add up to 100 (1 each); P3 20,000 with no area: Kreis-wide.
    ressourcen = pd.DataFrame(
        {
            "massnahme_id": [1, 2, 3],
            "jahr": [2020] * 3,
            "plan_eur": [100_000, 30_000, 20_000],
            "ist_eur": [90_000, None, None],
        }
    )
    gebiete = pd.DataFrame(
        {"massnahme_id": [1, 1, 2, 2, 2], "gebiet_id": [10, 11, 10, 11, 12], "anteil_prozent": [50, 50, 1, 1, 1]}
    )
    projekte = pd.DataFrame(
        {"massnahme_id": [1, 2, 3], "handlungsfeld": ["Jugend", "Jugend", "Alter"], "traeger_id": [1, 2, 1]}
    )
    mittel = mittel_je_gebiet(ressourcen, gebiete, projekte).set_index(["gebiet_id", "traeger_id"])
    assert mittel.loc[(10, 1), "plan_eur"] == pytest.approx(50_000)
    assert mittel.loc[(10, 1), "ist_eur"] == pytest.approx(45_000)
    assert mittel.loc[(12, 2), "plan_eur"] == pytest.approx(10_000)
    assert pd.isna(mittel.loc[(12, 2), "ist_eur"])  # no actual figure is not 0 €
    assert mittel.loc[(KREISWEIT, 1), "handlungsfeld"] == "Alter"
    assert mittel["plan_eur"].sum() == pytest.approx(150_000)
    # Budget 60,000 / 30,000 / 10,000: the 130,000 spent in areas would follow need as
    # 78,000 / 39,000 / 13,000; A gets 60,000 (−18,000), B 60,000 (+21,000), C 10,000 (−3,000).
    budget = pd.DataFrame({"gebiet_id": [10, 11, 12], "jahr": [2020] * 3, "betrag": [60_000, 30_000, 10_000]})
    table = gegen_bedarf(mittel_je_gebiet(ressourcen, gebiete, projekte), budget).set_index("gebiet_id")
    assert list(table["bedarfsgerecht"].round(2)) == [78_000, 39_000, 13_000]
    assert list(table["differenz"].round(2)) == [-18_000, 21_000, -3_000]


def test_instalments_add_up_to_the_cent_within_the_period() -> None:
    from sozialforum.strategie.foerderentscheidung import raten_aufteilen

    # 1,000.00 in 3: 333.33 + 333.33 + 333.34; January–December: every fourth month.
    assert raten_aufteilen(D("1000.00"), 3, date(2026, 1, 1), date(2026, 12, 31)) == [
        (date(2026, 1, 1), D("333.33")),
        (date(2026, 5, 1), D("333.33")),
        (date(2026, 9, 1), D("333.34")),
    ]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1.000", "1000"),
        ("1.234,50", "1234.50"),
        ("62.400,00", "62400.00"),
        ("0,5", "0.5"),
        ("1.5", "1.5"),
        ("0.125", "0.125"),
        ("12.345.678", "12345678"),
        ("2 400 €", "2400"),
    ],
)
def test_german_amounts_in_forms(raw: str, value: str) -> None:
    # "1.000" in a German euro field is a thousand (it was read as 1.000 = one euro).
    from sozialforum.parsing import parse_decimal_text

    assert parse_decimal_text(raw) == value

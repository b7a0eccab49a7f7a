"""The population projection against a 3-year example computed by hand."""

from decimal import Decimal
from fractions import Fraction

import pytest

from sozialforum.daten.projektion import Annahmen, Rate, annahmen_text, projiziere, tabelle

BANDS = [(0, 2), (2, 4), (4, None)]


def _annahmen(jahre: int = 3) -> Annahmen:
    return Annahmen(
        raten={
            (0, 2): Rate(wanderung=Fraction("0.1")),
            (2, 4): Rate(),
            (4, None): Rate(geburten=Fraction("0.05"), sterbe=Fraction("0.1")),
        },
        jahre=jahre,
        quelle="Beispielraten",
    )


def test_three_years_by_hand() -> None:
    # Start 31.12.2024: 100 / 100 / 200.
    # 2025: births 200·0.05 = 10; survivors 110, 100, 180; ageing ½: 55 and 50 move up
    #       → 110−55+10 = 65; 100−50+55 = 105; 180+50 = 230 (sum 400)
    # 2026: births 230·0.05 = 11.5; survivors 71.5, 105, 207; moving 35.75 and 52.5
    #       → 71.5−35.75+11.5 = 47.25; 105−52.5+35.75 = 88.25; 207+52.5 = 259.5 (sum 395)
    # 2027: births 259.5·0.05 = 12.975; survivors 51.975, 88.25, 233.55; moving 25.9875, 44.125
    #       → 51.975−25.9875+12.975 = 38.9625; 88.25−44.125+25.9875 = 70.1125;
    #         233.55+44.125 = 277.675 (sum 386.75)
    result = projiziere({(0, 2): 100, (2, 4): 100, (4, None): 200}, _annahmen(), 2024)
    expected = {
        2025: ("65", "105", "230"),
        2026: ("47.25", "88.25", "259.5"),
        2027: ("38.9625", "70.1125", "277.675"),
    }
    for jahr, values in expected.items():
        assert [result.stand[jahr][b] for b in BANDS] == [Fraction(Decimal(v)) for v in values]
    assert result.geburten == {2025: 10, 2026: Fraction("11.5"), 2027: Fraction("12.975")}
    assert [result.summe(j) for j in (2025, 2026, 2027)] == [400, 395, Fraction("386.75")]
    assert result.gerundet(2027) == {(0, 2): 39, (2, 4): 70, (4, None): 278}
    rows = tabelle(result)
    assert rows[0] == ["Altersgruppe", "2024", "2025", "2026", "2027"]
    assert rows[-1] == ["insgesamt", "400", "400", "395", "387"]


def test_ten_years_by_default_and_assumptions_printed() -> None:
    annahmen = Annahmen(raten=_annahmen().raten, quelle="Beispielraten")
    result = projiziere({(0, 2): 100, (2, 4): 100, (4, None): 200}, annahmen, 2024)
    assert max(result.stand) == 2034
    text = annahmen_text(annahmen)
    assert "10 Jahre" in text[0]
    assert "4 Jahre und älter: Geburten 5\u00a0%, Sterberate 10\u00a0%, Wanderungssaldo 0\u00a0% je Jahr" in text
    assert text[-1] == "Quelle der Raten: Beispielraten"


def test_rates_from_toml_and_german_errors(tmp_path) -> None:
    path = tmp_path / "raten.toml"
    path.write_text(
        'jahre = 3\nquelle = "Statistisches Landesamt"\n'
        "[[band]]\nvon = 0\nbis = 2\nwanderung = 0.1\n"
        "[[band]]\nvon = 2\nbis = 4\n"
        '[[band]]\nvon = 4\ngeburten = "0,05"\nsterbe = 0.1\n',
        encoding="utf-8",
    )
    annahmen = Annahmen.aus_toml(path)
    assert annahmen.raten == _annahmen().raten and annahmen.jahre == 3
    path.write_text("[[band]]\nvon = 0\nbis = 2\nsterbe = 0.1\n[[band]]\nvon = 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Lücke oder Überschneidung"):
        Annahmen.aus_toml(path)
    path.write_text("[[band]]\nvon = 0\nsterbe = 'viel'\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"band Nr\. 1, sterbe: „viel“ ist keine Zahl"):
        Annahmen.aus_toml(path)
    with pytest.raises(ValueError, match="ohne Annahme: 4 bis unter 6 Jahre"):
        projiziere({(0, 2): 1, (2, 4): 1, (4, 6): 1, (6, None): 1}, _annahmen(), 2024)

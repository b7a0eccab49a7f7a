"""The Sozialbericht (DOCX and PDF from one content model) over the hand-computable Testkreis:
a chapter per dimension with figures, map, chart and table; a portrait per Sozialraum; the
projection with its assumptions; the recommendations in their order; the outline as a golden
file; and the public edition holds no value that only the internal one may show."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from fractions import Fraction
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.daten.ergebnis import Monitor
from sozialforum.daten.geheimhaltung import Empfaenger
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.projektion import Annahmen, Rate
from sozialforum.settings import DatenSettings
from sozialforum.sozialbericht.inhalt import Empfehlung
from sozialforum.sozialbericht.schreiben import Berichtsdateien, schreibe_sozialbericht
from sozialforum.sozialbericht.wortlaut import wortlaut
from sozialforum.store.db import session_scope
from sozialforum.store.models import Berichtsausgabe
from tests.daten.conftest import NOW, alo_datei, bev_datei
from tests.daten.golden import assert_golden
from tests.daten.test_berechnung import refresh
from tests.daten.test_geheimhaltung import _settings
from tests.support.bilder import pdf_bild
from tests.support.grenzen import quadrate
from tests.support.pdf_text import text as pdf_inhalt
from tests.support.pdf_ua import assert_pdf_ua

ANNAHMEN = Annahmen(
    {
        (0, 15): Rate(sterbe=Fraction(1, 1000), wanderung=Fraction(1, 100)),
        (15, 65): Rate(geburten=Fraction(12, 1000), sterbe=Fraction(2, 1000)),
        (65, None): Rate(sterbe=Fraction(45, 1000), wanderung=Fraction(-1, 100)),
    },
    quelle="Testannahmen",
)
EMPFEHLUNGEN = [
    Empfehlung(1, "Beschäftigung in Cestadt fördern", "Erster Absatz.\n\nZweiter Absatz.", "Dimension Arbeit"),
    Empfehlung(2, "Seniorentreff in Region B", "Text.", "Sozialraum Drei"),
]


@pytest.fixture
def monitor(kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path) -> Monitor:
    monitor = refresh(kreis[0], katalog, [bev_datei(tmp_path / "bev.csv"), alo_datei(tmp_path / "alo.csv")])
    _grenzen(kreis[0], tmp_path)
    return monitor


def _grenzen(engine: Engine, tmp_path: Path) -> None:
    from sozialforum.karten.speicher import laden

    path = quadrate(tmp_path / "sozialraeume.geojson", ["S1", "S2", "S3"])
    with session_scope(engine, actor="test") as session:
        laden(session, path, stand=date(2020, 1, 1), now=NOW)


def _schreibe(engine: Engine, katalog: Katalog, empfaenger: Empfaenger, ziel: Path) -> Berichtsdateien:
    with session_scope(engine, actor="test") as session:
        return schreibe_sozialbericht(
            session,
            katalog,
            DatenSettings(),
            empfaenger,
            ziel,
            kommune="Testkreis",
            stichtag=date(2023, 12, 31),
            empfehlungen=EMPFEHLUNGEN,
            annahmen=ANNAHMEN,
        )


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))


def test_sozialbericht_content_docx_and_pdf(
    monitor: Monitor, kreis: tuple[Engine, dict[str, int]], katalog: Katalog, tmp_path: Path
) -> None:
    out = _schreibe(kreis[0], katalog, Empfaenger.oeffentlich(), tmp_path / "bericht")
    bericht = out.bericht
    assert [k.titel for k in bericht.kapitel] == ["Arbeit", "Alter"]  # a chapter per dimension
    arbeit = bericht.kapitel[0]
    assert any("Arbeitslosenanteil: im Kreis 4,2\u00a0% zum 31.12.2023" in a for a in arbeit.absaetze)
    assert [b.titel for b in arbeit.bilder] == ["Status Arbeit, 31.12.2023", "Entwicklung Arbeit"]
    assert arbeit.tabellen[0].kopf[:2] == ["Gebiet", "Arbeitslosenanteil [%]"]
    assert [z[0] for z in arbeit.tabellen[0].zeilen] == [
        "Sozialraum Eins",
        "Sozialraum Zwei",
        "Sozialraum Drei",
        "Testkreis",
    ]
    assert [p.name for p in bericht.portraets] == ["Sozialraum Eins", "Sozialraum Zwei", "Sozialraum Drei"]
    assert all(p.karte and p.trend for p in bericht.portraets)
    # The projection: ten years from the 2023 population, assumptions printed.
    zwei = next(t for t in bericht.projektion if t.titel == "Vorausberechnung Sozialraum Zwei")
    assert zwei.kopf == ["Altersgruppe", *[str(y) for y in range(2023, 2034)]]
    assert zwei.zeilen[-1][:2] == ["insgesamt", "2.250"]
    assert (
        any("Geburten 1,2\u00a0%" in a for a in bericht.annahmen)
        and "Quelle der Raten: Testannahmen" in bericht.annahmen
    )

    document = docx.Document(str(out.docx))  # Word opens it: python-docx reads it back
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == ("Title", "Sozialbericht 2023")
    assert [(int(s.split()[-1]), t) for s, t in headings[1:]] == bericht.gliederung()
    assert_golden(
        "sozialbericht_gliederung.txt", "\n".join(f"{'  ' * (n - 1)}{t}" for n, t in bericht.gliederung()) + "\n"
    )
    recommendations = [t for s, t in headings if re.match(r"\d+\. ", t)]
    assert recommendations == ["1. Beschäftigung in Cestadt fördern", "2. Seniorentreff in Region B"]
    assert len(document.inline_shapes) == 2 * 2 + 3 * 2  # map and chart per dimension and portrait
    assert all(s._inline.docPr.get("descr") for s in document.inline_shapes)  # alternative texts
    assert document.core_properties.language == "de-DE"

    assert_pdf_ua(out.pdf.read_bytes(), html=out.html)  # tagged: structure, language, alt texts, order
    pdf_bild(out.pdf.read_bytes(), "pdf_sozialbericht", seiten=(3, 8))  # a chapter and a portrait
    # Each projection table (one per Sozialraum, a third of a page) stays on one page.
    assert out.html.count('<table class="zusammen"') == len(out.bericht.projektion)
    text = pdf_inhalt(out.pdf)
    for heading in ("Zusammenfassung", "Sozialraumporträts", "Bevölkerungsvorausberechnung", "Handlungsempfehlungen"):
        assert heading in text
    assert "2. Seniorentreff in Region B" in text and "Quelle der Raten: Testannahmen" in text
    assert text.index("1. Beschäftigung") < text.index("2. Seniorentreff")


def test_released_edition_is_public_frozen_and_audited(
    monitor: Monitor, kreis: tuple[Engine, dict[str, int]], katalog: Katalog, katalog_pfad: Path, tmp_path: Path
) -> None:
    """The Geschäftsstelle's edition: recommendations in her order; releasing writes the public
    files once, which hold no value only the internal edition may show, and freezes it."""
    from sozialforum.daten.sicht import Sicht
    from sozialforum.sozialbericht import ausgaben
    from sozialforum.store.models import AuditEntry

    engine, ids = kreis
    settings = _settings(engine, tmp_path, katalog_pfad)
    intern = _schreibe(engine, katalog, Empfaenger.geschaeftsstelle(), tmp_path / "intern")
    with session_scope(engine, actor="benutzer:planerin") as session:
        with pytest.raises(ValueError, match=r"Stichtag 31\.12\.2021: keine Werte berechnet"):
            ausgaben.lege_an(session, date(2021, 12, 31), "", now=NOW)
        ausgabe = ausgaben.lege_an(session, date(2023, 12, 31), "", now=NOW)
        assert ausgabe.titel == "Sozialbericht 2023"
        for titel, gebiet in (("Arbeit in Cestadt", ids["S2"]), ("Treffpunkte", None), ("Wohnen", ids["S3"])):
            ausgaben.speichere(
                session,
                ausgabe,
                katalog,
                empfehlung_id=None,
                titel=titel,
                text="Text.",
                dimension="arbeit",
                gebiet_id=gebiet,
            )
        with pytest.raises(ValueError, match="Sozialraum: bitte aus der Liste"):
            ausgaben.speichere(
                session,
                ausgabe,
                katalog,
                empfehlung_id=None,
                titel="x",
                text="y",
                dimension=None,
                gebiet_id=ids["03999001"],  # a Gemeinde
            )
        last = ausgaben.liste(session, ausgabe)[-1]
        assert ausgaben.verschiebe(session, ausgabe, last.id, nach_oben=True)
        ausgabe_id = ausgabe.id
    # Released as the workspace's run does it (flow arbeitsplatz-lauf, kind "sozialbericht").
    with pytest.raises(LookupError, match="gibt es nicht"):
        ausgaben.freigabe_lauf(engine, settings, ausgabe_id + 1, "planerin", NOW)
    zeilen = ausgaben.freigabe_lauf(engine, settings, ausgabe_id, "planerin", NOW)
    assert zeilen[0] == "Sozialbericht 2023 ist freigegeben."
    public_docx, public_pdf = (Path(z.removeprefix("Datei: ")) for z in zeilen[1:])
    with session_scope(engine, actor="benutzer:planerin") as session:
        ausgabe = session.get(Berichtsausgabe, ausgabe_id)
        assert ausgabe is not None and ausgaben.status_text(ausgabe) == "Freigegeben am 01.10.2024"
        assert ausgaben.geaenderte_dateien(settings, ausgabe) == []
        with pytest.raises(ausgaben.Eingefroren, match="kann nicht mehr geändert werden"):
            ausgaben.verschiebe(session, ausgabe, last.id, nach_oben=False)
        with pytest.raises(ausgaben.Eingefroren):
            ausgaben.freigeben(session, ausgabe, settings, katalog, akteur="planerin", now=NOW)
        audited = session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.tabelle == "berichtsausgabe", AuditEntry.akteur == "benutzer:planerin"
            )
        ).all()
        assert {a.aktion for a in audited} >= {"create", "update"}
    public_pdf.write_bytes(public_pdf.read_bytes() + b"%")  # a file changed after the release is noticed
    with session_scope(engine, actor="test") as session:
        ausgabe = session.get(Berichtsausgabe, ausgabe_id)
        assert ausgabe is not None and ausgaben.geaenderte_dateien(settings, ausgabe) == [public_pdf.name]

    text = pdf_inhalt(public_pdf)
    assert "Freigegeben am 01.10.2024 · Fassung: öffentlich" in text
    order = [text.index(t) for t in ("1. Arbeit in Cestadt", "2. Wohnen", "3. Treffpunkte")]
    assert order == sorted(order) and "Bezug: Dimension Arbeit · Sozialraum Zwei" in text

    # Publication level: a value the public may not see (small counts and what reveals them) is in
    # the internal edition and nowhere in the public files, neither in Word's XML nor in the PDF.
    public, inner = (
        Sicht(monitor, katalog, DatenSettings(), e) for e in (Empfaenger.oeffentlich(), Empfaenger.geschaeftsstelle())
    )
    day = monitor.letzter_stichtag
    areas = [b for b in monitor.stand.am(day) if b.ebene in {"kreis", "sozialraum"}]
    cells = [(code, b.id, feld) for code in katalog.indikatoren for b in areas for feld in ("wert", "veraenderung")]
    secret = {inner.wert(c, day, i, f).text for c, i, f in cells if public.wert(c, day, i, f).geheim}
    shown = {inner.wert(c, day, i, f).text for c, i, f in cells if not public.wert(c, day, i, f).geheim}
    secret -= shown | {"", "."}  # a figure that is also shown elsewhere proves nothing
    assert secret, "the Testkreis has small counts the public may not see"
    intern_text = pdf_inhalt(intern.pdf)
    docx_text, pdf_text = _docx_text(public_docx), pdf_inhalt(public_pdf)
    for value in secret:
        pattern = rf"(?<![\d,]){re.escape(value)}(?![\d,])"
        assert re.search(pattern, intern_text), value  # the internal edition shows it
        assert not re.search(pattern, docx_text), value
        assert not re.search(pattern, pdf_text), value


def test_city_or_kreis_wording() -> None:
    assert wortlaut("Stadt Ulm").art == "Stadt"
    assert wortlaut("Landeshauptstadt Hannover").im_gebiet == "in der Stadt"
    assert wortlaut("Ulm (Stadt)").art == "Stadt"
    assert wortlaut("Landkreis Musterland").art == "Kreis"
    assert wortlaut("Städteregion Aachen").art == "Kreis"


def test_sources_licensed_internal_reach_no_public_output(
    kreis: tuple[Engine, dict[str, int]], katalog_pfad: Path, tmp_path: Path
) -> None:
    """Unemployment figures delivered "intern (nur für die Sozialplanung)": the Geschäftsstelle's
    edition shows them, the public Sozialbericht, profile and atlas show none of them."""
    from openpyxl import load_workbook

    from sozialforum.daten.aktualisierung import ausgaben
    from sozialforum.daten.katalog import load_katalog
    from sozialforum.daten.sicht import Sicht
    from sozialforum.daten.veroeffentlichung import interne_indikatoren

    text = katalog_pfad.read_text(encoding="utf-8")
    for kennung in ("genesis-alo", "ba"):
        text = text.replace(
            f'kennung = "{kennung}"\n', f'kennung = "{kennung}"\nlizenz = "intern (nur für die Sozialplanung)"\n'
        )
    katalog_pfad.write_text(text, encoding="utf-8")
    katalog = load_katalog(katalog_pfad)
    assert interne_indikatoren(katalog) == {"alo_quote"}
    engine = kreis[0]
    monitor = refresh(engine, katalog, [bev_datei(tmp_path / "bev.csv"), alo_datei(tmp_path / "alo.csv")])
    day = monitor.letzter_stichtag
    inner = Sicht(monitor, katalog, DatenSettings(), Empfaenger.geschaeftsstelle())
    public = Sicht(monitor, katalog, DatenSettings(), Empfaenger.oeffentlich())
    areas = [b for b in monitor.stand.am(day) if b.ebene in {"kreis", "sozialraum"}]
    values = {inner.wert("alo_quote", day, b.id).text for b in areas}
    assert all(public.wert("alo_quote", day, b.id).text == "." for b in areas)

    out = _schreibe(engine, katalog, Empfaenger.oeffentlich(), tmp_path / "oeffentlich")
    settings = _settings(engine, tmp_path, katalog_pfad)
    files = ausgaben(engine, katalog, settings, Empfaenger.oeffentlich(), now=NOW, sozialraeume=["S2"], budgets=[])
    # the atlas leaves out what the public may see nothing of: the dimension's only indicator is internal
    assert "Arbeit" not in load_workbook(files.atlas).sheetnames
    # and says so truthfully (not that they are shown as "."), as the profile does
    hinweis = "Indikatoren aus internen Quellen der Verwaltung (nur für die Sozialplanung) enthält diese Fassung nicht"
    assert hinweis in load_workbook(files.atlas)["Übersicht"]["A6"].value
    # The only indicator with a goal is internal: the sheet of goals says so instead of standing empty.
    ziele = [row for row in load_workbook(files.atlas)["Kennzahlen und Ziele"].iter_rows(values_only=True) if any(row)]
    assert ziele[-1][0] == "In dieser Fassung hat kein Indikator ein Ziel.", ziele
    assert hinweis in files.profile[0].read_text(encoding="utf-8")
    outputs = {
        "docx": _docx_text(out.docx),
        "pdf": pdf_inhalt(out.pdf),
        "profil": files.profile[0].read_text(encoding="utf-8"),
    }
    for value in values - {".", ""}:
        for name, content in outputs.items():
            assert not re.search(rf"(?<![\d,]){re.escape(value)}(?![\d,])", content), (name, value)


def test_a_chapter_without_a_column_for_this_edition_has_no_table(
    kreis: tuple[Engine, dict[str, int]], katalog_pfad: Path, tmp_path: Path
) -> None:
    """Its only indicator internal and not in the index: the public chapter says what is left out
    and prints no table of bare area names (the demo's "Kinder und Familie" did)."""
    from sozialforum.daten.katalog import load_katalog

    text = katalog_pfad.read_text(encoding="utf-8").replace(
        'kennung = "ba"\n', 'kennung = "ba"\nlizenz = "intern (nur für die Sozialplanung)"\n'
    )
    text = text.replace(
        'kennung = "genesis-alo"\n', 'kennung = "genesis-alo"\nlizenz = "intern (nur für die Sozialplanung)"\n'
    )
    text = text.replace('nenner = "bev[15-65]"\nindex = true', 'nenner = "bev[15-65]"\nindex = false')
    katalog_pfad.write_text(text, encoding="utf-8")
    katalog = load_katalog(katalog_pfad)
    refresh(kreis[0], katalog, [bev_datei(tmp_path / "bev.csv"), alo_datei(tmp_path / "alo.csv")])
    out = _schreibe(kreis[0], katalog, Empfaenger.oeffentlich(), tmp_path / "oeffentlich")
    arbeit = next(k for k in out.bericht.kapitel if k.titel == "Arbeit")
    assert arbeit.absaetze == ["Nicht in dieser Fassung (Daten nur für die Sozialplanung): Arbeitslosenanteil."]
    assert arbeit.tabellen == []
    assert "Arbeit nach Sozialräumen" not in pdf_inhalt(out.pdf)

"""Every PDF comes from ``sozialforum.channels.pdf.html_to_pdf`` (WeasyPrint, PDF/UA-1): the same
input gives the same bytes, also in threads at once (Prefect runs tasks in threads); German text
prints with embedded DejaVu; the footer is an artifact; nothing is fetched from the network."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest

from sozialforum.channels.pdf import PdfFehler, html_to_pdf
from sozialforum.channels.rendering import environment
from sozialforum.channels.satz import geschuetzt
from tests.support.pdf_rand import ueber_den_rand
from tests.support.pdf_text import fliesstext, seitentexte
from tests.support.pdf_ua import assert_pdf_ua

HTML = (
    "<h1>Sozialraumprofil Lindenau</h1><p>Grüße aus <b>Musterstadt</b>, <i>kursiv</i>, "
    "<b><i>beides</i></b>: 1.234,5 € – „Anführung“ ß Ä Ö Ü.</p>"
    "<h2>Auf einen Blick</h2>"
    "<table><thead><tr><th>Indikator</th><th>Wert</th></tr></thead>"
    "<tbody><tr><td>Kinderarmut</td><td>17,3 %</td></tr><tr><td>Altenquotient</td><td>41,0</td></tr></tbody>"
    "</table><ul><li>eins</li><li>zwei</li></ul>"
)


def render_string(source: str, **context: object) -> str:
    return environment().from_string(source).render(**context)


def test_same_input_same_bytes_and_a_tagged_german_document() -> None:
    first = html_to_pdf(HTML, title="Profil Lindenau", footer="Landkreis Musterstadt")
    html_to_pdf("<h1>Anderes</h1><p>Ωmega ≠ ≤ ≥ ¼</p>", title="Anderes")  # nothing carries over
    assert html_to_pdf(HTML, title="Profil Lindenau", footer="Landkreis Musterstadt") == first
    befund = assert_pdf_ua(first, html=HTML)
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/L", "/LI"} <= set(befund.typen())
    text = fliesstext(first)
    assert "Grüße aus Musterstadt" in text and "1.234,5 € – „Anführung“ ß Ä Ö Ü." in text
    assert "Landkreis Musterstadt – Seite 1/1" in text
    with pikepdf.open(io.BytesIO(first)) as pdf, pdf.open_metadata() as meta:
        assert meta["dc:title"] == "Profil Lindenau"
        assert "/CreationDate" not in pdf.docinfo  # no clock in the file


def test_the_documents_own_date_goes_into_the_metadata() -> None:
    day = datetime(2026, 3, 16, 17, 0, tzinfo=UTC)
    pdf = html_to_pdf(HTML, title="Protokoll", erstellt=day)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert str(doc.docinfo["/CreationDate"]).startswith("D:20260316")
    assert html_to_pdf(HTML, title="Protokoll", erstellt=day) == pdf


def test_documents_written_in_threads_at_once_equal_those_written_one_by_one() -> None:
    texts = [f"<h1>Sitzung {n}</h1><p>Grüße {'ä' * n}{chr(0x391 + n)}</p>" + HTML for n in range(4)]
    expected = [html_to_pdf(t, title=f"Sitzung {n}") for n, t in enumerate(texts)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        written = list(pool.map(lambda n: html_to_pdf(texts[n], title=f"Sitzung {n}"), range(len(texts))))
    assert written == expected


def test_footer_on_every_page_is_an_artifact_and_long_tables_repeat_their_head() -> None:
    rows = "".join(f"<tr><td>Zeile {n}</td><td>{n},0</td></tr>" for n in range(120))
    html = f"<h1>Lang</h1><table><thead><tr><th>Name</th><th>Wert</th></tr></thead><tbody>{rows}</tbody></table>"
    pdf = html_to_pdf(html, title="Lang", footer="Fuß")
    assert_pdf_ua(pdf, html=html)  # the footer text is marked as artifact, not left untagged
    pages = seitentexte(pdf)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Fuß – Seite {number}/{len(pages)}" in page
        assert "Name Wert" in " ".join(page.split())


def test_images_come_from_files_only_never_from_the_network(tmp_path: Path) -> None:
    html = '<h1>Bild</h1><img src="http://127.0.0.1:9/karte.svg" alt="Karte">'
    with pytest.raises(PdfFehler, match="disallowed protocol"):
        html_to_pdf(html, title="Bild")
    with pytest.raises(PdfFehler, match=r"fehlt\.svg"):  # a missing chart is an error, not a hole
        html_to_pdf(f'<h1>Bild</h1><img src="{tmp_path / "fehlt.svg"}" alt="Karte">', title="Bild")


def test_of_local_files_only_images_fonts_and_stylesheets_are_read(tmp_path: Path) -> None:
    """HTML that slipped into a report could otherwise embed any file the process can read."""
    (tmp_path / "secret_key").write_text("GEHEIM", encoding="utf-8")
    for url in ((tmp_path / "secret_key").as_uri(), (tmp_path / "sozialforum.toml").as_uri()):
        with pytest.raises(PdfFehler, match="nur Bilder, Schriften und Stylesheets"):
            html_to_pdf(f"<h1>Anlage</h1><link rel=attachment href={url}>", title="Anlage")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Diakonie Lindenau e. V.", "Diakonie Lindenau\u00a0e.\u00a0V."),
        ("zusammen 1.234 € und 12,4 %", "zusammen 1.234\u00a0€ und 12,4\u00a0%"),
        ("nach § 27 SGB VIII, TOP 3", "nach §\u00a027 SGB\u00a0VIII, TOP\u00a03"),
        ("z. B. morgen", "z.\u00a0B. morgen"),
        ("SGB-II-Quote der 21-Jährigen", "SGB\u2011II\u2011Quote der 21\u2011Jährigen"),
        ("Langzeit-Arbeitslose, -0,3", "Langzeit-Arbeitslose, -0,3"),  # long parts may break; signs stay
    ],
)
def test_protected_spaces_keep_names_and_amounts_together(text: str, expected: str) -> None:
    assert geschuetzt(text) == expected
    assert render_string("{{ x | geschuetzt }}", x="<b>1 €</b>") == "&lt;b&gt;1\u00a0€&lt;/b&gt;"  # still escaped


def test_wide_tables_keep_column_heads_whole() -> None:
    heads = ["Gemeinde", "Altenquotient", "Arbeitslosenanteil", "SGB-II-Quote", "Veränderung", "Kinderarmut"]
    html = "<h1>Breit</h1><table><thead><tr>" + "".join(f"<th>{geschuetzt(h)}</th>" for h in heads)
    html += "</tr></thead><tbody><tr>" + "<td>1,0</td>" * len(heads) + "</tr></tbody></table>"
    text = fliesstext(html_to_pdf(html, title="Breit")).replace("\u2011", "-")
    for head in heads:
        assert head in text, text  # no head broken inside a word or at a hyphen


def test_a_table_of_many_indicators_marked_breit_stays_inside_the_margins() -> None:
    # The demo profile's Gemeinden: at the usual size the heads' longest words made the table
    # 5.5 to 8.2 mm wider than the text column (the profile template marks it "breit").
    heads = [
        "Altenquotient [je 100]",
        "Arbeitslosenanteil [%]",
        "Anteil Langzeitarbeitsloser [%]",
        "SGB-II-Quote [%]",
        "Kinderarmut (SGB II, unter 15 Jahren) [%]",
    ]

    def tabelle(klasse: str) -> str:
        kopf = "".join(f'<th class="zahl">{geschuetzt(h)}</th>' for h in heads)
        zeile = "<tr><td>Birkenfelde</td>" + '<td class="zahl">40,7</td>' * len(heads) + "<td>mittel</td></tr>"
        kopf = f"<tr><th>Gemeinde</th>{kopf}<th>Status (Gesamt)</th></tr>"
        return f'<h1>Gemeinden</h1><table class="{klasse}">{kopf}{zeile * 4}</table>'

    assert ueber_den_rand(html_to_pdf(tabelle(""), title="Gemeinden"))  # the check can fail
    assert ueber_den_rand(html_to_pdf(tabelle("breit"), title="Gemeinden")) == []


def test_a_short_table_marked_zusammen_is_not_torn_across_pages() -> None:
    # Filler that ends near the foot of page 1, then a five-row table: without "zusammen" its last
    # row went alone to page 2 under a repeated head (the Förderübersicht's "Je Handlungsfeld").
    fuell = "".join(f"<p>Absatz {i}: Text, der die erste Seite füllt.</p>" for i in range(33))
    zeilen = "".join(f"<tr><td>Handlungsfeld {i}</td><td>{i}.000 €</td></tr>" for i in range(1, 6))
    tabelle = f"<thead><tr><th>Handlungsfeld</th><th>Plan</th></tr></thead><tbody>{zeilen}</tbody>"
    for klasse, getrennt in (("", True), (' class="zusammen"', False)):
        pdf = html_to_pdf(f"<h1>Test</h1>{fuell}<table{klasse}>{tabelle}</table>", title="Test")
        seiten = seitentexte(pdf)
        auf = [next(n for n, s in enumerate(seiten) if f"Handlungsfeld {i}" in s) for i in range(1, 6)]
        assert (len(set(auf)) > 1) is getrennt, (klasse, auf)


def test_a_section_marked_zusammen_keeps_its_last_note() -> None:
    # The profile's Zeichenerklärung: heading, table, notes. Filler ends so that only its last note
    # would go to the next page (page 4 of the demo's profile began with that note alone).
    zeilen = "".join(f"<tr><td>{z}</td><td>Bedeutung {z}</td></tr>" for z in "-.x/")
    abschnitt = f"<h2>Zeichenerklärung</h2><table>{zeilen}</table><p><small>Letzter Hinweis.</small></p>"
    gefunden = {}
    for anzahl in range(26, 40):
        fuell = "".join(f"<p>Absatz {i}: Text, der die erste Seite füllt.</p>" for i in range(anzahl))
        ohne = seitentexte(html_to_pdf(f"<h1>Test</h1>{fuell}{abschnitt}", title="Test"))
        kopf, hinweis = (next(n for n, s in enumerate(ohne) if t in s) for t in ("Zeichenerklärung", "Letzter"))
        if kopf != hinweis:
            gefunden[anzahl] = (kopf, hinweis)
            break
    assert gefunden, "keine Füllmenge trennt den Abschnitt: der Test prüft nichts"
    mit = seitentexte(html_to_pdf(f'<h1>Test</h1>{fuell}<section class="zusammen">{abschnitt}</section>', title="T"))
    kopf, hinweis = (next(n for n, s in enumerate(mit) if t in s) for t in ("Zeichenerklärung", "Letzter"))
    assert kopf == hinweis == 1, (gefunden, kopf, hinweis)


def test_a_tall_map_fits_its_page_with_its_legend(tmp_path: Path) -> None:
    # A Kreis twice as tall as wide at full width ran past the page: caption alone on one page,
    # the map cut off on the next, its legend and source lost.
    karte = tmp_path / "karte.svg"
    karte.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 1400" width="640" height="1400">'
        '<rect x="10" y="10" width="620" height="1300" fill="#fc8d59"/>'
        '<text x="10" y="1380" font-size="30">Legende unten</text></svg>',
        encoding="utf-8",
    )
    html = f'<h1>Karte</h1><figure><figcaption>Status-Index</figcaption><img src="{karte}" alt="Karte"></figure>'
    seiten = seitentexte(html_to_pdf(html, title="Karte"))
    assert len(seiten) == 1 and "Status-Index" in seiten[0] and "Legende unten" in seiten[0], seiten

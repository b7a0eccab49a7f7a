"""A new Geschäftsstelle's first day: an empty store shows what to set up and where, the
upload page offers an Excel template per list, and a template filled the way Excel fills it
(labels from the drop-downs, real date cells) uploads as it is."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from sozialforum.konten import benutzer
from sozialforum.stammdaten.listen import SPECS
from sozialforum.store.db import session_scope
from sozialforum.store.models import Gebiet, Person
from sozialforum.vocab import BenutzerRolle, GebietEbene, Rechtsgrundlage
from tests.arbeitsplatz.conftest import NOW, PASSWORT, login
from tests.portal.conftest import csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def neu(app, engine: Engine):  # type: ignore[no-untyped-def]
    """A logged-in planner of a Geschäftsstelle whose store holds nothing but her account."""
    with session_scope(engine, actor="test") as session:
        benutzer.create_user(
            session,
            name="planerin",
            anzeigename="Planerin",
            password=PASSWORT,
            now=NOW,
            rolle=BenutzerRolle.GESCHAEFTSSTELLE,
        )
    with TestClient(app, base_url="http://testserver") as client:
        yield login(client, "planerin")


def _template(client: TestClient, kind: str):  # type: ignore[no-untyped-def]
    response = client.get(f"/arbeitsplatz/akteure/vorlage/{kind}")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    assert "attachment" in response.headers["content-disposition"]
    return load_workbook(io.BytesIO(response.content))


def _upload(client: TestClient, kind: str, workbook) -> str:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    workbook.save(buffer)
    csrf = csrf_of(client.get("/arbeitsplatz/konto").text)
    checked = client.post(
        "/arbeitsplatz/akteure/import/pruefen",
        data={"csrf": csrf, "liste": kind},
        files={"datei": (f"{kind}.xlsx", buffer.getvalue(), XLSX)},
    )
    assert checked.status_code == 200, checked.text
    assert 'name="token"' in checked.text, checked.text  # clean: it may be applied
    token = checked.text.split('name="token" value="')[1].split('"')[0]
    applied = client.post(
        "/arbeitsplatz/akteure/import/uebernehmen",
        data={"csrf": csrf, "token": token, "liste": kind},
        follow_redirects=False,
    )
    assert applied.status_code == 303, applied.text
    return checked.text


def test_every_template_has_the_importers_columns_drop_downs_and_an_explanation(neu: TestClient) -> None:
    for kind, spec in SPECS.items():
        workbook = _template(neu, kind)
        sheet = workbook.worksheets[0]  # the importer reads the first sheet only
        names = [c.name for c in (*spec.columns, *spec.extra)]
        assert [cell.value for cell in sheet[1]] == names
        assert sheet.max_row == 1  # no example row that would be imported by mistake
        mandatory = {c.name for c in spec.columns if c.required}
        assert {cell.value for cell in sheet[1] if cell.fill.fgColor.rgb.endswith("FFE699")} == mandatory
        explanation = workbook["Erläuterung"]
        assert [row[0] for row in explanation.iter_rows(min_row=2, max_row=len(names) + 1, values_only=True)] == names
        vocab_columns = [c for c in spec.columns if hasattr(c.parse, "kind")]
        assert len(sheet.data_validations.dataValidation) == len(vocab_columns)
    assert neu.get("/arbeitsplatz/akteure/vorlage/passwoerter").status_code == 404


def test_the_first_day_from_an_empty_store_to_areas_and_people(neu: TestClient, engine: Engine) -> None:
    start = neu.get("/arbeitsplatz/").text
    assert "Erste Schritte" in start and "0 von 7 erledigt" in start
    assert 'href="/arbeitsplatz/akteure?art=gebiete#hochladen"' in start
    # Träger, Personen and Gremien: a file, or one by one when none is at hand.
    for art, titel, seite in (
        ("organisationen", "Träger und Ämter hochladen", "Träger anlegen"),
        ("personen", "Personen hochladen", "Person anlegen"),
        ("gremien", "Gremien und Mitgliedschaften hochladen", "Gremium anlegen"),
    ):
        einzeln = f"/arbeitsplatz/akteure/{art}/neu"
        assert f'href="/arbeitsplatz/akteure?art={art}#hochladen">{titel}</a> oder <a href="{einzeln}">' in start
        assert f"<h1>{seite}</h1>" in neu.get(einzeln).text
    assert 'href="/arbeitsplatz/akteure/gebiete/neu"' not in start  # Gebiete come as a list only
    assert "Es gibt noch kein Gremium" in neu.get("/arbeitsplatz/sitzungen/neu").text  # says what comes first
    seite = neu.get("/arbeitsplatz/akteure?art=gebiete").text
    assert 'href="/arbeitsplatz/akteure/vorlage/gebiete"' in seite and "Amtlicher Gemeindeschlüssel" in seite

    gebiete = _template(neu, "gebiete")
    sheet = gebiete.worksheets[0]
    # As Excel stores it: labels chosen from the drop-down, a typed date as a date cell, a
    # key whose leading zero Excel dropped because it took it for a number.
    sheet.append(["LK", "Landkreis Musterland", "Landkreis/Stadt", None, None, None, 250000])
    sheet.append(["SR-1", "Sozialraum Nord", "Sozialraum", "LK", None, None, 41000, datetime(2021, 11, 1)])
    sheet.append(["03155001", "Bad Gandersheim", "Gemeinde", "SR-1", 3155001, None, 9800])
    _upload(neu, "gebiete", gebiete)
    with engine.connect() as connection:
        rows = {r.schluessel: r for r in connection.execute(sa.select(Gebiet))}
    assert rows["SR-1"].ebene == GebietEbene.SOZIALRAUM and str(rows["SR-1"].gueltig_ab) == "2021-11-01"
    assert rows["03155001"].ags == "03155001" and rows["03155001"].parent_id == rows["SR-1"].id

    personen = _template(neu, "personen")
    personen.worksheets[0].append(
        [
            "p-1",
            "Frau",
            "Nina",
            "Neu",
            "nina@traeger.example",
            None,
            None,
            None,
            "öffentliche Aufgabe (Art. 6 Abs. 1 lit. e DSGVO)",
        ]
    )
    _upload(neu, "personen", personen)
    with engine.connect() as connection:
        assert connection.execute(sa.select(Person.rechtsgrundlage)).scalar() == Rechtsgrundlage.OEFFENTLICHE_AUFGABE

    weiter = neu.get("/arbeitsplatz/").text
    assert "2 von 7 erledigt" in weiter and "<s>Gebiete hochladen</s>" in weiter
    liste = neu.get("/arbeitsplatz/akteure?art=gebiete").text
    assert "Sozialraum Nord" in liste and "ab 01.11.2021" in liste and "250.000" in liste


def test_the_first_steps_count_what_the_store_holds(clients: dict[str | None, TestClient]) -> None:
    """The Bestand of the workspace tests has every list but memberships, and no data delivery."""
    start = clients["planerin"].get("/arbeitsplatz/").text
    assert "5 von 7 erledigt" in start and "<s>Erste Sitzung planen</s>" in start
    assert 'href="/arbeitsplatz/akteure?art=gremien#hochladen">Gremien und Mitgliedschaften hochladen' in start
    assert 'href="/arbeitsplatz/daten">Erste Datenlieferung laden' in start
    assert "Erste Schritte" not in clients["leiterin"].get("/arbeitsplatz/").text  # reads, sets nothing up


def test_a_person_entered_by_hand(clients: dict[str | None, TestClient], engine: Engine) -> None:
    planerin = clients["planerin"]
    form = planerin.get("/arbeitsplatz/akteure/personen/neu").text
    assert "Rechtsgrundlage" in form and "Gleich in ein Gremium aufnehmen" in form
    gremium_id = int(form.split('<option value="">keines</option><option value="')[1].split('"')[0])
    csrf = csrf_of(form)
    felder = {"csrf": csrf, "vorname": "Jörg", "nachname": "Weiß-Müller", "email": "jw@traeger.example"}

    def anzahl() -> int:
        with engine.connect() as connection:
            return connection.scalar(sa.select(sa.func.count()).select_from(Person)) or 0  # type: ignore[arg-type]

    vorher = anzahl()
    ohne_quelle = planerin.post(
        "/arbeitsplatz/akteure/personen/neu", data={**felder, "rechtsgrundlage": "einwilligung"}
    )
    # The form comes back with what was typed and the message at its field, not a page of its own.
    assert ohne_quelle.status_code == 400
    assert 'id="fehler-quelle">Quelle der Einwilligung: bitte angeben' in ohne_quelle.text
    assert 'href="#f-quelle">Quelle der Einwilligung' in ohne_quelle.text  # the summary on top
    assert 'value="Weiß-Müller"' in ohne_quelle.text and 'value="jw@traeger.example"' in ohne_quelle.text
    assert '<option value="einwilligung" selected>' in ohne_quelle.text
    assert 'aria-invalid="true"' in ohne_quelle.text.split('id="f-quelle"')[1].split(">")[0]
    assert anzahl() == vorher  # nothing stored on an error
    # The Träger is typed, not picked from a list of all: a part offers its matches, only them.
    assert "Diakonie" not in form and 'id="f-organisation"' in form
    teil = planerin.post(
        "/arbeitsplatz/akteure/personen/neu",
        data={**felder, "rechtsgrundlage": "oeffentliche_aufgabe", "organisation": "diakonie"},
    )
    assert teil.status_code == 400 and 'id="fehler-organisation">Organisation: zu „diakonie“ passen 1' in teil.text
    assert re.findall(r'<datalist id="l-organisation"><option value="([^"]*)">', teil.text) == [
        "Diakonie Nord e. V. [T-A]"
    ]
    assert anzahl() == vorher
    erste = planerin.post(
        "/arbeitsplatz/akteure/personen/neu",
        data={
            **felder,
            "rechtsgrundlage": "oeffentliche_aufgabe",
            "gremium": gremium_id,
            "rolle": "vorsitz",
            "organisation": "Diakonie Nord e. V. [T-A]",
        },
        follow_redirects=False,
    )
    assert erste.status_code == 303 and erste.headers["location"].endswith("?meldung=angelegt")
    seite = planerin.get(erste.headers["location"]).text
    assert "p-weiss-mueller-joerg" in seite and "Vorsitz" in seite and "Angelegt." in seite
    assert 'value="Diakonie Nord e. V. [T-A]"' in seite  # the person's page shows her Träger so
    zweite = planerin.post(
        "/arbeitsplatz/akteure/personen/neu", data={**felder, "rechtsgrundlage": "vertrag"}, follow_redirects=False
    )
    assert "p-weiss-mueller-joerg-2" in planerin.get(zweite.headers["location"]).text  # same name, own Kennung
    vergeben = planerin.post(
        "/arbeitsplatz/akteure/personen/neu",
        data={**felder, "rechtsgrundlage": "vertrag", "kennung": "p-weiss-mueller-joerg"},
    )
    assert vergeben.status_code == 400 and 'id="fehler-kennung">Kennung: „p-weiss-mueller-joerg“ ist schon' in (
        vergeben.text
    )
    assert 'value="p-weiss-mueller-joerg"' in vergeben.text
    assert anzahl() == vorher + 2
    assert clients["leiterin"].get("/arbeitsplatz/akteure/personen/neu").status_code == 403


def test_the_dry_run_says_how_the_columns_were_read(clients: dict[str | None, TestClient]) -> None:
    planerin = clients["planerin"]
    liste = "Kennung;Nachname;E-Mail-Adresse;Bemerkung\nP-NEU-9;Neu;neu@traeger.example;ruft zurück\n"
    csrf = csrf_of(planerin.get("/arbeitsplatz/konto").text)
    checked = planerin.post(
        "/arbeitsplatz/akteure/import/pruefen",
        data={"csrf": csrf, "liste": "personen"},
        files={"datei": ("Kontakte.csv", liste.encode(), "text/csv")},
    )
    assert checked.status_code == 200 and "Keine Probleme" in checked.text
    assert "„e-mail-adresse“ → <code>email</code>" in checked.text
    assert "Nicht gelesen, weil sie zu keiner Spalte der Liste gehören: „bemerkung“" in checked.text

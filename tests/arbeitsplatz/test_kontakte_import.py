"""An Outlook contact export as it really comes — Windows-1252 bytes, every field quoted, German
headers, most columns empty, no Kennung — uploaded as the person list in the workspace, twice:
the dry run says which rows are new and which are persons already stored (by e-mail first,
then by name) and names the Firma that is no Träger; the second load creates nobody twice."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import col

from sozialforum.store.models import Organisation, Person
from tests.arbeitsplatz.conftest import Bestand
from tests.portal.conftest import csrf_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# A cut of Outlook's German export: the real headers in their order, fields quoted.
KOPF = [
    "Anrede", "Vorname", "Weitere Vornamen", "Nachname", "Suffix", "Firma", "Abteilung", "Position",
    "Straße geschäftlich", "Ort geschäftlich", "Postleitzahl geschäftlich", "Fax geschäftlich",
    "Telefon geschäftlich", "Telefon geschäftlich 2", "Mobiltelefon", "E-Mail-Adresse", "E-Mail-Typ",
    "E-Mail: Angezeigter Name", "E-Mail 2: Adresse", "Kategorien", "Notizen", "Priorität", "Privat",
    "Vertraulichkeit",
]  # fmt: skip
ZEILEN = [
    # a stored person (P-A), her address in other letters, her Träger written without the space
    ["Frau", "Anna", "", "Albers", "", "Diakonie Nord e.V.", "Beratung", "Einrichtungsleitung",
     "Kirchweg 2", "Musterstadt", "37154", "", "05551 4711", "05551 4712", "", "Anna@Diakonie.example",
     "SMTP", "Anna Albers (Anna@Diakonie.example)", "", "Sozialraum Nord", "", "Normal", "Aus", "Normal"],
    # new, the Träger by its Kurzname (Kennung)
    ["Herr", "Jörg", "", "Weiß-Müller", "", "T-B", "", "Schulsozialarbeit", "", "", "", "", "05551 9876",
     "", "0170 1234567", "jw@ksb.example", "SMTP", "Jörg Weiß-Müller (jw@ksb.example)",
     "joerg.privat@mail.example", "", "Rückruf nach den Ferien", "Normal", "Aus", "Normal"],
    # new, at a Firma that is no Träger in the store
    ["Frau", "Özlem", "", "Çelik", "", "Tafel Musterstadt e. V.", "", "Koordination", "", "", "", "", "", "",
     "", "oezlem@tafel.example", "SMTP", "", "", "", "", "Normal", "Aus", "Normal"],
    # a stored person (P-B) without an address: recognised by the name, keeps his Träger
    ["Herr", "Bernd", "", "Brandt", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
     "Normal", "Aus", "Normal"],
]  # fmt: skip


def _outlook_csv() -> bytes:
    def zeile(werte: list[str]) -> str:
        return ";".join(f'"{w}"' for w in werte)

    return ("\r\n".join([zeile(KOPF), *(zeile(z) for z in ZEILEN)]) + "\r\n").encode("cp1252")


def _laden(client: TestClient, inhalt: bytes) -> str:
    csrf = csrf_of(client.get("/arbeitsplatz/konto").text)
    geprueft = client.post(
        "/arbeitsplatz/akteure/import/pruefen",
        data={"csrf": csrf, "liste": "personen"},
        files={"datei": ("Kontakte.CSV", inhalt, "text/csv")},
    )
    assert geprueft.status_code == 200 and 'name="token"' in geprueft.text, geprueft.text
    token = geprueft.text.split('name="token" value="')[1].split('"')[0]
    uebernommen = client.post(
        "/arbeitsplatz/akteure/import/uebernehmen",
        data={"csrf": csrf, "token": token, "liste": "personen"},
        follow_redirects=False,
    )
    assert uebernommen.status_code == 303, uebernommen.text
    return geprueft.text


def _personen(engine: Engine) -> dict[str, Person]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(Person).where(col(Person.geloescht_am).is_(None)))
        return {row.kennung: Person.model_validate(row._mapping) for row in rows}


def test_an_outlook_export_loaded_twice(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine
) -> None:
    planerin = clients["planerin"]
    inhalt = _outlook_csv()
    assert "Weiß-Müller".encode("cp1252") in inhalt and b'"";""' in inhalt  # the real shape
    vorher = _personen(engine)

    vorschau = _laden(planerin, inhalt)
    assert "als Windows-1252 gelesen" in vorschau
    assert "2 neu, 2 schon im Bestand" in vorschau
    assert "<td>Anna Albers</td><td>P-A</td><td>schon im Bestand, erkannt an der E-Mail-Adresse</td>" in vorschau
    assert "<td>Bernd Brandt</td><td>P-B</td><td>schon im Bestand, erkannt am Namen</td>" in vorschau
    assert "<td>Jörg Weiß-Müller</td><td>p-weiss-mueller-joerg</td><td>neu</td>" in vorschau
    assert "„Tafel Musterstadt e. V.“ – Zeile 4" in vorschau  # named, not dropped
    assert "„e-mail 2: adresse“" in vorschau and "„telefon geschäftlich 2“" in vorschau  # left out, said so

    nachher = _personen(engine)
    assert len(nachher) == len(vorher) + 2
    with engine.connect() as connection:
        traeger = dict(connection.execute(sa.select(Organisation.kennung, Organisation.id)).all())  # type: ignore[call-overload]
    anna, bernd = nachher["P-A"], nachher["P-B"]
    assert anna.funktion == "Einrichtungsleitung" and anna.telefon == "05551 4711"
    assert anna.email == "anna@diakonie.example"  # the stored address stays; only its letters differed
    assert anna.organisation_id == traeger["T-A"]
    assert bernd.organisation_id == traeger["T-B"] and bernd.email == "bernd@ksb.example"  # empty cells keep
    joerg, oezlem = nachher["p-weiss-mueller-joerg"], nachher["p-celik-oezlem"]
    assert joerg.organisation_id == traeger["T-B"] and joerg.funktion == "Schulsozialarbeit"
    assert oezlem.organisation_id is None and oezlem.email == "oezlem@tafel.example"
    assert joerg.rechtsgrundlage is None  # the export says nothing about consent: not invited yet

    zweimal = _laden(planerin, inhalt)
    assert "0 neu, 4 schon im Bestand" in zweimal and "0 neu, 0 geändert, 4 unverändert" in zweimal
    assert _personen(engine).keys() == nachher.keys()


def _mit(*zeilen: dict[str, str]) -> bytes:
    """The real export's shape with rows given by their Outlook headers (the rest empty)."""

    def zeile(werte: list[str]) -> str:
        return ";".join(f'"{w}"' for w in werte)

    rows = [[z.get(k, "") for k in KOPF] for z in zeilen]
    return ("\r\n".join([zeile(KOPF), *(zeile(r) for r in rows)]) + "\r\n").encode("cp1252")


def test_company_contacts_are_skipped_and_named(
    clients: dict[str | None, TestClient], bestand: Bestand, engine: Engine
) -> None:
    """A Träger's general address in the contacts (Firma and e-mail, no name) is no person: the
    file loads without it and says so; a Träger without an address is only pointed out."""
    planerin = clients["planerin"]
    vorher = _personen(engine)
    inhalt = _mit(
        {"Vorname": "Nina", "Nachname": "Neu", "Firma": "Diakonie Nord e.V.", "E-Mail-Adresse": "nina@d.example"},
        {"Firma": "Kinderschutzbund Süd", "E-Mail-Adresse": "info@ksb.example"},  # Zeile 3: a stored Träger
        {"Firma": "AWO Kreisverband", "E-Mail-Adresse": "info@awo.example", "Kategorien": "Träger"},
    )
    vorschau = _laden(planerin, inhalt)
    assert "1 neu, 0 schon im Bestand" in vorschau
    assert (
        "Zeile 3: kein Nachname – ausgelassen (Firmenkontakt „Kinderschutzbund Süd“); der Träger "
        "„Kinderschutzbund Süd“ hat noch keine E-Mail-Adresse, hier steht info@ksb.example"
    ) in vorschau
    assert "Zeile 4: kein Nachname – ausgelassen (Firmenkontakt „AWO Kreisverband“)</li>" in vorschau
    assert "„AWO Kreisverband“ – Zeile" not in vorschau  # skipped, not a person without Träger
    nachher = _personen(engine)
    assert nachher.keys() - vorher.keys() == {"p-neu-nina"}
    with engine.connect() as connection:
        assert connection.scalar(sa.select(Organisation.email).where(Organisation.kennung == "T-B")) is None  # type: ignore[arg-type]

    # A person whose last name is missing is no company contact: the whole file is refused.
    csrf = csrf_of(planerin.get("/arbeitsplatz/konto").text)
    luecke = planerin.post(
        "/arbeitsplatz/akteure/import/pruefen",
        data={"csrf": csrf, "liste": "personen"},
        files={"datei": ("Kontakte.CSV", _mit({"Vorname": "Olga", "Firma": "T-B"}), "text/csv")},
    )
    assert 'name="token"' not in luecke.text and "Pflichtfeld ist leer" in luecke.text

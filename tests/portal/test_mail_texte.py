"""Golden files of the mails the Träger side sends: the overview link, the confirmation of an
answer (with deputy and waiting list), the two mails of an address change and the move-up
from the waiting list — text and HTML, rendered with fixed values."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from sozialforum.channels.rendering import render, render_text
from sozialforum.portal.anfragen import Anfrage
from sozialforum.settings import load_settings
from sozialforum.vocab import Antwort, LinkZweck
from tests.conftest import REPO
from tests.support.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
AM = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SITZUNG = SimpleNamespace(
    titel="Sozialraumkonferenz Nord, Frühjahr", beginn=datetime(2026, 3, 18, 17, 0, tzinfo=UTC), ort="Familienzentrum"
)


def _common() -> dict[str, object]:
    settings = load_settings(config_file=REPO / "config" / "sozialforum.toml")
    return {
        "gruss": "Guten Tag Anna Albers,",
        "geschaeftsstelle": settings.geschaeftsstelle,
        "kommune": settings.kommune,
    }


CASES = {
    "anfragen": {
        "url": "https://portal.example/anfragen/TOKEN",
        "gueltig_bis": datetime(2026, 3, 9, 9, 30, tzinfo=UTC),
        "anfragen": [
            Anfrage(
                LinkZweck.RSVP, 1, "Ihre Rückmeldung: Sozialraumkonferenz Nord am 18.03.2026", "Noch keine Antwort", AM
            ),
            Anfrage(LinkZweck.FORMULAR, 2, "Bitte ausfüllen: Bestandserhebung (Sozialraum Nord)", "", AM),
        ],
    },
    "bestaetigung": {
        "sitzung": SITZUNG,
        "antwort": Antwort.ZUSAGE,
        "personen": 2,
        "kommentar": "Wir bringen eine Dolmetscherin mit.",
        "vertretung": None,
        "warteplatz": 3,
        "am": AM,
        "betreff": "Ihre Rückmeldung ist eingegangen: Sozialraumkonferenz Nord, Frühjahr",
    },
    "email_bestaetigen": {
        "url": "https://portal.example/email-bestaetigen/TOKEN",
        "neue_email": "anna.albers@diakonie.example",
        "gueltig_bis": datetime(2026, 3, 4, 9, 30, tzinfo=UTC),
    },
    "email_geaendert": {
        "neue_email": "anna.albers@diakonie.example",
        "am": AM,
        "url": "https://portal.example/email-zurueck/TOKEN",
        "gueltig_bis": datetime(2026, 4, 1, 9, 30, tzinfo=UTC),
    },
    "email_zurueckgenommen": {
        "person": "Anna Albers",
        "neue_email": "anna.albers@diakonie.example",
        "alte_email": "anna@diakonie.example",
        "geaendert_am": AM,
        "am": datetime(2026, 3, 3, 7, 5, tzinfo=UTC),
        "betreff": "E-Mail-Änderung zurückgenommen: Anna Albers",
    },
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("art", ["txt", "html"])
def test_traeger_mails(name: str, art: str) -> None:
    context = {**_common(), **CASES[name]}
    template = f"mail/portal/{name}.{art}"
    text = render_text(template, **context) if art == "txt" else render(template, **context)
    assert_golden(GOLDEN / f"{name}.{art}", text)


@pytest.mark.parametrize("art", ["txt", "html"])
def test_nachgerueckt(art: str) -> None:
    context = {**_common(), "sitzung": SITZUNG, "betreff": "Ein Platz ist frei geworden: Sozialraumkonferenz Nord"}
    template = f"mail/konferenz/nachgerueckt.{art}"
    text = render_text(template, **context) if art == "txt" else render(template, **context)
    assert_golden(GOLDEN / f"nachgerueckt.{art}", text)

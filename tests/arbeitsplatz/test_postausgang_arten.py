"""The Postausgang names each message's kind in German and filters by it."""

from __future__ import annotations

import re

from tests.arbeitsplatz.conftest import Bestand


def test_kind_in_german_in_list_filter_and_message(clients, bestand: Bestand) -> None:
    planerin = clients["planerin"]
    liste = planerin.get("/arbeitsplatz/postausgang").text
    assert '<th scope="col">Art</th>' in liste
    assert re.search(r"<td>a@traeger\.example</td><td>Einladung</td>", liste)
    assert '<option value="frist_eskalation">Meldung überschrittener Fristen an die Leitung</option>' in liste
    assert "a@traeger.example" in planerin.get("/arbeitsplatz/postausgang?art=einladung").text
    anderes = planerin.get("/arbeitsplatz/postausgang?art=protokoll").text
    assert "a@traeger.example" not in anderes and "Keine Nachrichten gefunden" in anderes
    assert "<dt>Art</dt><dd>Einladung</dd>" in planerin.get(f"/arbeitsplatz/postausgang/{bestand.nachricht}").text

"""Counts of days in the deadline mails are German numbers: a Fachplan step four years overdue
reads "1.471 Tage", as in the Leitungsbericht, not "1471"."""

from __future__ import annotations

from datetime import date, timedelta

from sozialforum.fristen import nachrichten
from sozialforum.fristen.empfaenger import Empfaenger
from sozialforum.fristen.quellen import Frist
from sozialforum.settings import Settings
from sozialforum.vocab import FristArt

HEUTE = date(2026, 12, 6)
LEITUNG = Empfaenger(schluessel="adresse:leitung@example.org", adresse="leitung@example.org", name=None, person_id=None)


def _frist(tage_ueberfaellig: int) -> Frist:
    return Frist(
        ref="meilenstein:1:datenanalyse",
        art=FristArt.MEILENSTEIN,
        titel="Datenanalyse abgeschlossen (Konzept Wohnungsnotfallhilfe 2020)",
        faellig_am=HEUTE - timedelta(days=tage_ueberfaellig),
    )


def test_escalation_and_digest_write_thousands_with_a_dot(fristen_settings: Settings) -> None:
    eintraege = [nachrichten.Eintrag(_frist(1471), 1471, zustaendig="Sozialamt")]
    eskalation = nachrichten.eskalation(LEITUNG, eintraege, fristen_settings).text
    assert "(1.471 Tage überfällig)" in eskalation
    woche = [nachrichten.Eintrag(_frist(1471), -1471, zustaendig="Sozialamt")]
    digest = nachrichten.wochenuebersicht(LEITUNG, woche, "2026-W49", fristen_settings).text
    assert "1.471 Tage überfällig" in digest

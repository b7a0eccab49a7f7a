"""Withdrawing and replacing deliveries: a file loaded with the wrong Stichtag is withdrawn with a
reason (audited, its values gone, results recomputed) and loads again; a replacement is all or
nothing; the same file no longer blocks forever with "bereits geladen"."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.daten import aktualisierung
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.speicher import lade_bestand
from sozialforum.problems import ProblemReport
from sozialforum.settings import Settings
from sozialforum.store.db import session_scope
from sozialforum.store.models import AuditEntry, Datenlieferung, Indikator, Indikatorwert
from tests.daten.conftest import NOW, T22, T23, add_gebiete, counts

HZE = "Sozialraum;Hilfen;Einwohner unter 21\nS1;12;260\nS2;3;410\nS3;9;450\n"


@pytest.fixture
def store(sqlite_engine: Engine) -> Engine:
    add_gebiete(sqlite_engine)
    return sqlite_engine


def _hze(tmp_path: Path, text: str = HZE, name: str = "hze.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _days_with_hze(engine: Engine) -> list[date]:
    with session_scope(engine, actor="test") as session:
        bestand = lade_bestand(session)
    return sorted(day for day, tafel in bestand.items() if any(k.name == "hze" for k in tafel.spalten))


def _hze_quote_days(engine: Engine) -> set[date]:
    with session_scope(engine, actor="test") as session:
        return set(
            session.scalars(
                sa.select(Indikatorwert.stichtag)
                .join(Indikator, sa.and_(Indikator.id == Indikatorwert.indikator_id))
                .where(Indikator.code == "hze_quote", Indikatorwert.wert.is_not(None))  # type: ignore[union-attr]
            )
        )


def test_wrong_stichtag_withdrawn_and_loaded_again(store: Engine, katalog: Katalog, tmp_path: Path) -> None:
    settings = Settings()
    path = _hze(tmp_path)
    first = aktualisierung.lade(store, path, katalog, now=NOW, akteur="test", stichtag=T22)
    aktualisierung.rechne(store, katalog, settings, now=NOW, akteur="test")
    assert _days_with_hze(store) == [T22] and _hze_quote_days(store) == {T22}

    again = aktualisierung.lade(store, path, katalog, now=NOW, akteur="test", stichtag=T23)
    assert again.status == "unverändert"
    assert f"bereits geladen (Lieferung {first.datenlieferung_id})" in str(again)
    assert f"sozialforum daten zurueckziehen {first.datenlieferung_id} --grund" in str(again)

    rueckzug, _, berechnung = aktualisierung.zurueckziehen(
        store, katalog, settings, "hze.csv", grund="Falscher Stichtag (2022 statt 2023)", now=NOW, akteur="test"
    )
    assert rueckzug.werte == 6 and "zurückgezogen: 6 Werte" in str(rueckzug)
    assert berechnung.neu
    assert _days_with_hze(store) == [] and _hze_quote_days(store) == set()  # values and results gone
    with session_scope(store, actor="test") as session:
        lieferung = session.get(Datenlieferung, first.datenlieferung_id)
        assert lieferung is not None and lieferung.zurueckgezogen_grund == "Falscher Stichtag (2022 statt 2023)"
        assert lieferung.zurueckgezogen_pruefsumme is not None and len(lieferung.zurueckgezogen_pruefsumme) == 64
        audit = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.tabelle == "datenlieferung", AuditEntry.aktion == "update")
        ).one()
        assert audit.akteur == "test" and audit.aenderungen["zurueckgezogen_grund"].startswith("Falscher Stichtag")

    reloaded = aktualisierung.lade(store, path, katalog, now=NOW, akteur="test", stichtag=T23)
    assert reloaded.status == "geladen" and reloaded.stichtage == [T23]
    aktualisierung.rechne(store, katalog, settings, now=NOW, akteur="test")
    assert _days_with_hze(store) == [T23] and _hze_quote_days(store) == {T23}


def test_replace_is_all_or_nothing(store: Engine, katalog: Katalog, tmp_path: Path) -> None:
    settings = Settings()
    first = aktualisierung.lade(store, _hze(tmp_path), katalog, now=NOW, akteur="test", stichtag=T23)
    before = counts(store)
    bad = _hze(tmp_path, HZE.replace("S2;3;", "S2;drei;"), "hze_berichtigt.csv")
    with pytest.raises(ProblemReport) as caught:
        aktualisierung.zurueckziehen(
            store, katalog, settings, str(first.datenlieferung_id), grund="Tippfehler", now=NOW, akteur="t", ersatz=bad
        )
    assert "hze_berichtigt.csv, Zeile 3, Spalte „Hilfen“: „drei“ ist keine Zahl" in str(caught.value)
    assert counts(store) == before  # the old delivery is still in force
    good = _hze(tmp_path, HZE.replace("S1;12;", "S1;13;"), "hze_berichtigt.csv")
    rueckzug, geladen, _ = aktualisierung.zurueckziehen(
        store, katalog, settings, str(first.datenlieferung_id), grund="Tippfehler S1", now=NOW, akteur="t", ersatz=good
    )
    assert geladen is not None and geladen.status == "geladen"
    with session_scope(store, actor="test") as session:
        old = session.get(Datenlieferung, rueckzug.lieferung_id)
        assert old is not None and old.ersetzt_durch == geladen.datenlieferung_id
        tafel = lade_bestand(session)[T23]
    column = [k.name for k in tafel.spalten].index("hze")
    assert sorted(tafel.werte[:, column].tolist()) == [3, 9, 13]


def test_refusals_name_what_is_wrong(store: Engine, katalog: Katalog, tmp_path: Path) -> None:
    settings = Settings()
    first = aktualisierung.lade(store, _hze(tmp_path), katalog, now=NOW, akteur="test", stichtag=T23)
    with pytest.raises(ProblemReport, match="Bitte einen Grund angeben"):
        aktualisierung.zurueckziehen(store, katalog, settings, "hze.csv", grund=" ", now=NOW, akteur="t")
    with pytest.raises(LookupError, match="Lieferung 99 gibt es nicht"):
        aktualisierung.zurueckziehen(store, katalog, settings, "99", grund="falsche Datei", now=NOW, akteur="t")
    aktualisierung.zurueckziehen(store, katalog, settings, "hze.csv", grund="falsche Datei", now=NOW, akteur="t")
    with pytest.raises(ProblemReport, match=r"ist bereits am .* zurückgezogen"):
        aktualisierung.zurueckziehen(
            store, katalog, settings, str(first.datenlieferung_id), grund="noch einmal", now=NOW, akteur="t"
        )
    with pytest.raises(LookupError, match=r"Keine gültige Lieferung der Datei „hze\.csv“"):
        aktualisierung.zurueckziehen(store, katalog, settings, "hze.csv", grund="noch einmal", now=NOW, akteur="t")

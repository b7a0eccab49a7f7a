"""The speed of a nationwide refresh without a different result. Parsing ahead on the other
core (``vorlesen``): a load that takes the worker's parse stores what it would have stored
parsing the file itself, and whatever the worker got wrong (a file it could not read, bytes that
changed after it read them, a worker that died) is read here again, with the problems reported
as always. The decoded Stichtage are found by the chunks' checksums (``speicher``)."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import fields
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.daten import kodierung, laden_schreiben, speicher
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.laden import LadeErgebnis, lade_datei
from sozialforum.daten.lieferung import zurueckziehen
from sozialforum.daten.quelldatei import Rohdaten
from sozialforum.daten.speicher import lade_bestand
from sozialforum.daten.vorlesen import Vorleser, lies, vorlesen
from sozialforum.problems import ProblemReport
from sozialforum.store.db import session_scope
from sozialforum.store.models import Datenlieferung, Gebiet, Wertespalte
from tests.daten.conftest import NOW, T22, T23, add_gebiete, alo_datei, bev_datei


@pytest.fixture
def store(sqlite_engine: Engine) -> Engine:
    add_gebiete(sqlite_engine)
    return sqlite_engine


def load(engine: Engine, path: Path, katalog: Katalog) -> LadeErgebnis:
    with session_scope(engine, actor="test") as session:
        return lade_datei(session, path, katalog, now=NOW, akteur="test")


def taken_by_worker(vorleser: Vorleser, count: int) -> None:
    """Wait until the worker has taken the first ``count`` files (it starts in a second or two)."""
    assert vorleser._ordner is not None, "no worker started"
    deadline = time.monotonic() + 60
    while not all((vorleser._ordner / str(k)).exists() for k in range(count)):
        assert time.monotonic() < deadline, "the worker took no file"
        time.sleep(0.02)


def same(a: Rohdaten, b: Rohdaten) -> None:
    for field in fields(Rohdaten):
        if field.name == "spalten_kodiert":  # the worker's extra: see the test of the chunks
            continue
        left, right = getattr(a, field.name), getattr(b, field.name)
        if isinstance(left, np.ndarray):
            assert left.dtype == right.dtype and np.array_equal(left, right, equal_nan=True), field.name
        else:
            assert left == right, field.name


def test_the_workers_parse_is_the_parse_here_and_loads_the_same(
    store: Engine, katalog: Katalog, tmp_path: Path
) -> None:
    bev = bev_datei(tmp_path / "12411-02-03-5.csv")
    alo = alo_datei(tmp_path / "13211-02-05-5.csv", days=(T22, T23))
    with vorlesen([(bev, None), (alo, None)], mindestbytes=0) as vorleser:
        taken_by_worker(vorleser, 2)
        for path in (bev, alo):
            digest, here = lies(path, None)
            assert here is not None
            there = vorleser.abholen(path, digest, None)
            assert there is not None, path.name
            same(there, here)
        assert vorleser.uebernommen == 2
        assert vorleser.abholen(bev, digest, None) is None  # taken once: a second load reads itself

    with vorlesen([(bev, None), (alo, None)], mindestbytes=0) as vorleser:
        taken_by_worker(vorleser, 2)
        first, second = load(store, bev, katalog), load(store, alo, katalog)
        assert vorleser.uebernommen == 2
    assert first.status == second.status == "geladen"
    assert first.stichtage == [T22, T23] and first.gebiete == 7 and first.vergleichswerte == 8
    with session_scope(store, actor="test") as session:
        stored = lade_bestand(session)
        assert sorted(session.scalars(sa.select(Datenlieferung.datei))) == [bev.name, alo.name]
    assert sorted(stored) == [T22, T23] and len(stored[T23].index) == 7


def alo_of(engine: Engine, area: int) -> float:
    with session_scope(engine, actor="test") as session:
        tafel = lade_bestand(session)[T23]
    column = next(i for i, key in enumerate(tafel.spalten) if key.name == "alo")
    return float(tafel.werte[tafel.index.index(area), column])  # type: ignore[arg-type]


def test_what_the_worker_got_wrong_is_read_here(sqlite_engine: Engine, katalog: Katalog, tmp_path: Path) -> None:
    cestadt = add_gebiete(sqlite_engine)["03999003"]
    good = alo_datei(tmp_path / "gut.csv", days=(T23,))
    text = good.read_text(encoding="iso-8859-1")
    assert text.count(";65\n") == 1  # Cestadt's 65 unemployed
    words = tmp_path / "text.csv"
    words.write_text(text.replace(";65\n", ";fünfundsechzig\n"), encoding="iso-8859-1")
    cut = tmp_path / "halb.csv"
    cut.write_text(text[: text.index("Efeld")], encoding="iso-8859-1")
    changed = tmp_path / "neu.csv"
    changed.write_text(text.replace(";65\n", ";66\n"), encoding="iso-8859-1")
    with pytest.raises(ProblemReport) as alone:
        load(sqlite_engine, words, katalog)
    with pytest.raises(ProblemReport) as cut_alone:
        load(sqlite_engine, cut, katalog)

    files = [words, cut, changed, good]
    with vorlesen([(path, None) for path in files], mindestbytes=0) as vorleser:
        taken_by_worker(vorleser, 4)
        changed.write_text(text.replace(";65\n", ";67\n"), encoding="iso-8859-1")  # after the worker read it
        with pytest.raises(ProblemReport) as caught:
            load(sqlite_engine, words, katalog)
        assert str(caught.value) == str(alone.value)
        assert "„fünfundsechzig“ ist keine Zahl" in str(caught.value)
        assert vorleser.uebernommen == 1  # a cell's problem is part of the parse
        with pytest.raises(ProblemReport) as caught:
            load(sqlite_engine, cut, katalog)  # the worker could not parse it: read here
        assert str(caught.value) == str(cut_alone.value) and "unvollständig" in str(caught.value)
        assert load(sqlite_engine, changed, katalog).status == "geladen"
        assert alo_of(sqlite_engine, cestadt) == 67  # the bytes of the load, not the worker's 66
        assert vorleser.uebernommen == 1  # the changed file's parse was not taken
        assert load(sqlite_engine, good, katalog).status == "geladen"
        assert vorleser.uebernommen == 2
    assert alo_of(sqlite_engine, cestadt) == 65


def test_a_worker_that_died_is_not_waited_for(store: Engine, katalog: Katalog, tmp_path: Path) -> None:
    bev = bev_datei(tmp_path / "12411-02-03-5.csv")
    alo = alo_datei(tmp_path / "13211-02-05-5.csv", days=(T22, T23))
    with vorlesen([(bev, None), (alo, None)], mindestbytes=0) as vorleser:
        assert vorleser._prozess is not None and vorleser._ordner is not None
        vorleser._prozess.kill()
        vorleser._prozess.wait()
        for k in range(2):  # as if it had taken both files before it died
            (vorleser._ordner / str(k)).touch()
        assert load(store, bev, katalog).status == load(store, alo, katalog).status == "geladen"
        assert vorleser.uebernommen == 0


def test_small_refreshes_start_no_worker(tmp_path: Path) -> None:
    bev = bev_datei(tmp_path / "12411-02-03-5.csv")
    alo = alo_datei(tmp_path / "13211-02-05-5.csv", days=(T22, T23))
    with vorlesen([(bev, None), (alo, None)]) as vorleser:  # a few kilobytes
        assert not vorleser.gestartet
        assert vorleser.abholen(bev, "x", None) is None


def test_the_computation_imports_without_the_store() -> None:
    """The worker can take on the computation only if importing it costs little beside its
    parse: the store (SQLAlchemy, SQLModel, the models) is what made that cost ~0.7 s, the
    settings (pydantic-settings) another ~0.08 s."""
    code = (
        "import sys, sozialforum.daten.vorlesen, sozialforum.daten.vorrechnen; print(sorted(m for m in "
        "('sqlalchemy', 'sqlmodel', 'sozialforum.store.models', 'sozialforum.settings') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_decoded_stichtage_are_found_by_checksum_and_old_chunks_still_read(
    store: Engine, katalog: Katalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache of decoded Stichtage is found by the chunks' checksums without reading a blob;
    chunks written before migration 0035 (no checksum) are read and hashed as before."""
    load(store, bev_datei(tmp_path / "12411-02-03-5.csv"), katalog)
    with session_scope(store, actor="test") as session:
        first = lade_bestand(session)
        reads: list[int] = []
        real = speicher._blobs
        monkeypatch.setattr(speicher, "_blobs", lambda s, ids: reads.append(len(ids)) or real(s, ids))
        again = lade_bestand(session)
        assert reads == [] and all(again[day] is first[day] for day in first)  # a hit reads no blob
        session.execute(sa.update(Wertespalte).values(pruefsumme=None))
        speicher._VORRAT.clear()
        old = lade_bestand(session)
        assert reads and sum(reads) == session.scalar(sa.select(sa.func.count()).select_from(Wertespalte))
    for day, tafel in first.items():
        assert old[day].index == tafel.index and old[day].spalten == tafel.spalten
        assert np.array_equal(old[day].werte, tafel.werte, equal_nan=True)
        assert np.array_equal(old[day].codes, tafel.codes)


def test_each_file_of_a_refresh_is_matched_against_the_areas_as_they_are_at_its_load(
    store: Engine, katalog: Katalog, tmp_path: Path
) -> None:
    """Within a refresh a load takes the key index of the load before only when the areas are
    the same rows: Ahausen re-formed between two files (its key now names a new area from
    01.07.2023) sends the 2023 values to the new area, not to the old one the first index knew."""
    with vorlesen([]):
        load(store, bev_datei(tmp_path / "bev22.csv", days=(T22,)), katalog)
        with session_scope(store, actor="test") as session:
            old = session.scalars(sa.select(Gebiet).where(Gebiet.schluessel == "03999001")).one()
            old.gueltig_bis = date(2023, 6, 30)
            new = Gebiet(
                schluessel="03999001",
                ags="03999001",
                name="Ahausen (neu)",
                ebene="gemeinde",
                parent_id=old.parent_id,
                gueltig_ab=date(2023, 7, 1),
            )
            session.add(new)
            session.flush()
            old_id, new_id = old.id, new.id
        load(store, bev_datei(tmp_path / "bev23.csv", days=(T23,)), katalog)
    with session_scope(store, actor="test") as session:
        areas = lade_bestand(session, [T23])[T23].index
    assert new_id in areas and old_id not in areas


def test_columns_the_worker_encoded_are_stored_as_the_load_would_encode_them(
    sqlite_engine: Engine, katalog: Katalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker encodes each column of a file whose rows are stored as they stand: the load
    then writes the very chunks (bytes and checksums) it writes when it encodes them itself."""
    path = alo_datei(tmp_path / "13211-02-05-5.csv", days=(T23,), land=None)  # own areas only, in order
    encoded: list[int] = []
    kodiere = kodierung.kodiere

    def counted(array: np.ndarray) -> kodierung.Kodiert:
        encoded.append(len(array))
        return kodiere(array)

    monkeypatch.setattr(kodierung, "kodiere", counted)  # as ``pack`` calls it
    monkeypatch.setattr(laden_schreiben, "kodiere", counted)

    def chunks() -> list[tuple[str, bytes, str | None]]:
        with session_scope(sqlite_engine, actor="test") as session:
            rows = session.execute(sa.select(Wertespalte.merkmal, Wertespalte.daten, Wertespalte.pruefsumme))
            return [tuple(row) for row in rows]

    add_gebiete(sqlite_engine)
    with vorlesen([(path, None), (bev_datei(tmp_path / "12411-02-03-5.csv"), None)], mindestbytes=0) as vorleser:
        taken_by_worker(vorleser, 1)
        first = load(sqlite_engine, path, katalog)
        assert vorleser.uebernommen == 1
    assert encoded == [7]  # the area ids only: the values and codes came encoded
    ahead = chunks()
    with session_scope(sqlite_engine, actor="test") as session:
        stored = session.get(Datenlieferung, first.datenlieferung_id)
        assert stored is not None
        zurueckziehen(session, stored, grund="zum Vergleich selbst kodiert", akteur="test", now=NOW)
    encoded.clear()
    load(sqlite_engine, path, katalog)  # no worker: encoded here
    assert encoded == [7, 7, 7]
    assert chunks()[-len(ahead) :] == ahead and ahead

"""Computing the refresh's Stichtage on the second core while the files still load.

The parse worker of a refresh (``daten.vorlesen``) parses the files ahead; when the refresh is
also to be computed (``vorlesen(…, rechnen=(katalog, mindestzahl))``), each load hands the
worker the Stichtag it has just written, exactly as the computation will read it (the decoded
Tafel the load put into ``speicher._VORRAT``, its key, the Vergleichsgebiete of that day; the
areas and the catalogue once), and the worker computes it as ``ergebnis.berechne`` would: the
same ``Verlauf`` steps, in time order, results encoded as the rows to be stored. Loads go on
meanwhile; parsing a file the worker has not begun falls to the load itself (``vorlesen``),
so the two processes share the work as it comes.

The computation (``berechne``) then takes the worker's results for the leading Stichtage whose
inputs are those it reads itself: same day in the same position, same key of the stored
chunks (content checksums), same Vergleichsgebiete, same areas, same catalogue and floor. Who
computes a Stichtag is decided as for the parses, by creating a marker file (``r<i>``): at the
first Stichtag the worker has not begun, the computation takes over, and the worker, finding
it taken, hands over its state after the one before (``Verlauf.weitergabe``: written only then,
it is ~10 MB) and the summary's part in case that was the last. A file whose rows are not the
file's as they stand, or a Stichtag loaded out of time order, sends no more jobs, so the
computation takes over there. Whatever the worker computed from inputs that are not the
computation's (a Gebiet changed in between, a withdrawal, a day inserted before the others), or
a worker that failed or died, means computing everything here, the rows taken so far removed:
what is stored is the same bytes either way. Results and state travel as files in the
refresh's folder (pickled; the pipe would block the loads while the worker is busy), the job
notices as lines on the worker's stdin.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from sozialforum.daten.gebietsstand import Gebietsstand
from sozialforum.daten.katalog import Katalog
from sozialforum.daten.speicher import (
    Bestandsschluessel,
    Tafel,
    bestandsschluessel,
    lade_bestand,
    lade_vergleich,
    stichtage,
)
from sozialforum.daten.verlauf import Verlauf, planungsgebiete
from sozialforum.daten.vorlesen import nehmen

if TYPE_CHECKING:
    import subprocess

    from sqlalchemy.orm import Session

_OFFEN: list[Vorrechnung] = []  # the open refreshes whose worker computes


def _ablegen(path: Path, content: object) -> None:
    """Written whole or not at all (the reader waits for the name)."""
    part = path.with_suffix(".teil")
    with part.open("wb") as handle:
        pickle.dump(content, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(part, path)


def _lesen(path: Path) -> Any:
    with path.open("rb") as handle:
        return pickle.load(handle)  # noqa: S301 (our own worker, our folder)


def _gleich(a: Tafel | None, b: Tafel | None) -> bool:
    if a is None or b is None:
        return a is b
    return (
        a.index == b.index
        and a.spalten == b.spalten
        and np.array_equal(a.werte, b.werte, equal_nan=True)
        and np.array_equal(a.codes, b.codes)
    )


class Vorrechnung:
    """This process's side: jobs to the worker while loading, its results when computing."""

    def __init__(
        self, ordner: Path, katalog: Katalog, mindestzahl: int, auftraege: IO[bytes], prozess: subprocess.Popen[bytes]
    ) -> None:
        self.ordner, self.katalog, self.mindestzahl = ordner, katalog, mindestzahl
        self._auftraege, self._prozess = auftraege, prozess
        self.stand: Gebietsstand | None = None  # the areas the worker computes with
        self.gesendet: list[tuple[date, Bestandsschluessel, Tafel | None]] = []
        self.aus = False  # no more jobs: the chain the worker computes is broken
        self.uebernommen = 0  # Stichtage taken from the worker (for tests and the benchmark)

    def melde(self, session: Session, day: date, key: Bestandsschluessel, tafel: Tafel) -> None:
        """A load has written ``day`` (``tafel`` under ``key``): the worker may compute it, if
        the Stichtage stored up to it are those it was given before (time order, no gaps)."""
        if self.aus:
            return
        try:
            stored = [d for d in stichtage(session) if d <= day]
            if self.stand is None:  # the first: the Stichtage stored before this refresh come first
                self.stand = Gebietsstand.aus(session)
                _ablegen(self.ordner / "grund", (self.stand, self.katalog, self.mindestzahl))
                earlier = stored[:-1]
                keys = bestandsschluessel(session, earlier)[0] if earlier else {}
                for d, tafel_d in sorted(lade_bestand(session, earlier).items()) if earlier else []:
                    self._sende(d, keys[d], tafel_d, lade_vergleich(session, d).get(d))
            if stored != [*(d for d, _, _ in self.gesendet), day]:
                self.aus = True  # an earlier, repeated or skipped Stichtag: not the computation's order
                return
            self._sende(day, key, tafel, lade_vergleich(session, day).get(day))
        except OSError:  # the worker is gone: the computation runs here
            self.aus = True

    def _sende(self, day: date, key: Bestandsschluessel, tafel: Tafel, vergleich: Tafel | None) -> None:
        i = len(self.gesendet)
        _ablegen(self.ordner / f"t{i}", (day, tafel, vergleich))
        self.gesendet.append((day, key, vergleich))
        self._auftraege.write(f"{i}\n".encode())
        self._auftraege.flush()

    def passt(self, stand: Gebietsstand, katalog: Katalog, mindestzahl: int) -> bool:
        return (
            self.stand is not None
            and mindestzahl == self.mindestzahl
            and (katalog is self.katalog or katalog.pruefsumme == self.katalog.pruefsumme != "")
            and stand.bereiche == self.stand.bereiche
            and stand.vorgaenger == self.stand.vorgaenger
        )

    def _warte(self, name: str) -> Any:
        """The worker's file ``name`` once it is there; None if the worker died first."""
        path = self.ordner / name
        while not path.exists():
            if self._prozess.poll() is not None and not path.exists():
                return None
            time.sleep(0.001)
        return _lesen(path)

    def _wie_gesendet(self, i: int, day: date, key: Bestandsschluessel | None, vergleich: Tafel | None) -> bool:
        if i >= len(self.gesendet):
            return False
        sent_day, sent_key, sent_vergleich = self.gesendet[i]
        return sent_day == day and sent_key == key and _gleich(sent_vergleich, vergleich)

    def uebernehmen(
        self,
        session: Session,
        days: list[date],
        vergleich: dict[date, Tafel],
        berechnung_id: int,
        write: Callable[[list[dict[str, Any]]], None],
        rewind: Callable[[], None],
    ) -> tuple[Verlauf, Any, int]:
        self.aus = True  # no more jobs
        keys = bestandsschluessel(session, days)[0]
        start = -1
        for i in range(len(days) + 1):
            if nehmen(self.ordner, f"r{i}"):  # the worker has not begun it: ours from here on
                start = i
                break
            found = self._warte(f"e{i}")  # begun: wait for it
            if (
                found is None
                or i == len(days)
                or not self._wie_gesendet(i, days[i], keys.get(days[i]), vergleich.get(days[i]))
            ):
                break  # failed, died, or computed from inputs that are not these: all here
            for chunk in found:
                chunk["berechnung_id"] = berechnung_id
            write(found)
        if start == 0:
            return Verlauf(), None, 0
        handed = None
        if start > 0:
            # The worker hands over its state after ``start - 1``; when it computed every
            # Stichtag (a negative notice), only the summary's part: nothing goes on from it.
            notice = start if start < len(days) else -start
            with contextlib.suppress(OSError):
                self._auftraege.write(f"{notice}\n".encode())
                self._auftraege.flush()
            handed = self._warte(f"u{start - 1}")
        if handed is None:
            rewind()
            return Verlauf(), None, 0
        weiter, fertig = handed
        self.uebernommen = start
        if start == len(days):
            return Verlauf(notes=weiter.notes, moved=weiter.moved), fertig, start
        return weiter, None, start


def uebernehmen(
    session: Session,
    days: list[date],
    vergleich: dict[date, Tafel],
    stand: Gebietsstand,
    katalog: Katalog,
    mindestzahl: int,
    berechnung_id: int,
    write: Callable[[list[dict[str, Any]]], None],
    rewind: Callable[[], None],
) -> tuple[Verlauf, Any, int]:
    """(state to go on from, (latest values, class counts) if every Stichtag was taken, how many
    were): the worker's results for the leading Stichtage, written with ``write`` (``rewind``
    removes what was written, when the worker's state to go on from is not there after all)."""
    for vorrechnung in list(_OFFEN):
        if vorrechnung.passt(stand, katalog, mindestzahl):
            return vorrechnung.uebernehmen(session, days, vergleich, berechnung_id, write, rewind)
    return Verlauf(), None, 0


def melde(session: Session, day: date, key: Bestandsschluessel, tafel: Tafel) -> None:
    """What a load calls after writing a Stichtag of a wide file."""
    for vorrechnung in list(_OFFEN):
        vorrechnung.melde(session, day, key, tafel)


class Kette:
    """The worker's side: computes the jobs in order as long as it can take them."""

    def __init__(self, ordner: Path) -> None:
        self.ordner = ordner
        self.aus = False
        self._grund: tuple[Gebietsstand, Katalog, int] | None = None
        self._verlauf = Verlauf()

    def rechne(self, i: int) -> None:
        if i < 0:  # the computation took every Stichtag: the summary's part after the last
            if not self.aus:
                self.aus = True
                self._uebergeben(-i - 1, weiter=False)
            return
        if self.aus:
            return
        if not nehmen(self.ordner, f"r{i}"):  # taken over: hand over the state after ``i - 1``
            self.aus = True
            if i > 0:
                self._uebergeben(i - 1)
            return
        chunks: list[dict[str, Any]] | None = None
        try:
            if self._grund is None:
                self._grund = _lesen(self.ordner / "grund")
            stand, katalog, mindestzahl = self._grund
            day, tafel, vergleich = _lesen(self.ordner / f"t{i}")
            chunks = self._verlauf.schritt(day, tafel, vergleich, stand, katalog, mindestzahl, 0)
        except Exception:  # the computation computes everything itself
            self.aus = True
        _ablegen(self.ordner / f"e{i}", chunks)
        (self.ordner / f"t{i}").unlink(missing_ok=True)

    def _uebergeben(self, i: int, *, weiter: bool = True) -> None:
        """The state after Stichtag ``i``: to go on from (unless ``weiter`` is False: the last
        was computed here, and the ~10 MB of values would be pickled and read for nothing), and
        the summary's part if it was the last."""
        handed: Any = None
        try:
            assert self._grund is not None
            stand = self._grund[0]
            aktuell, klassen = self._verlauf.abschluss()
            verlauf = self._verlauf
            state = verlauf.weitergabe(stand) if weiter else Verlauf(notes=verlauf.notes, moved=verlauf.moved)
            handed = (state, (planungsgebiete(aktuell, stand), klassen))
        except Exception:  # the computation computes everything itself
            handed = None
        _ablegen(self.ordner / f"u{i}", handed)

"""Reading the next GENESIS files on the second core while this process loads the current one.

A nationwide refresh is ten files of 11,000 Gemeinden × 80 Merkmale. Parsing one (pandas' C
parser, the symbols, the keys) is about 40 % of the time its load takes, and it needs neither
the store nor the other files; the rest (keys against the areas, checks, the plausibility
report against the earlier Stichtage, writing) does, in order. So ``vorlesen`` starts one worker
process that parses the refresh's GENESIS files ahead, in the order they will be loaded, and
each load takes its file's parse from there. The loads themselves stay as they were: in this
process, in order, each file its own transaction, all or nothing.

Nothing about what is stored can change. The worker runs the same ``read_genesis`` on the
file's bytes, and its result is used only when the checksum of the bytes it read is the one the
load read and the Stichtag is the one the load asks for. A file the worker has not begun is
read here instead (whoever comes first takes it: a load never waits for a worker that is still
starting up). Whatever goes wrong in the worker — a file it cannot read, a worker that died —
means this process reads the file itself, as without the worker, and reports its problems as
always. A process, not a thread: the parse holds the GIL for much of its time. Started as
``python -m sozialforum.daten.vorlesen``, not through ``multiprocessing``: its spawn would run
the caller's main module again in the worker (a script, ``prefect.engine``), and its fork is
unsafe in a process with threads. Who parses a file is decided by creating a marker file for it
(``O_EXCL``, atomic); parses come back pickled through a pipe, whose buffer also keeps the
worker from running more than one file ahead.

Small refreshes (a Landkreis's files are a few hundred kilobytes) do not start a worker: its
start (importing pandas) costs more than it saves. A refresh that is also computed inside the
``with`` has the worker compute each loaded Stichtag in between its parses (``vorrechnen``).
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING

from sozialforum.daten.genesis import is_genesis, read_genesis
from sozialforum.daten.kodierung import kodiere
from sozialforum.daten.quelldatei import Rohdaten, checksum, csv_rohbytes, read_bytes

if TYPE_CHECKING:
    from sozialforum.daten.katalog import Katalog
    from sozialforum.daten.vorrechnen import Vorrechnung

MINDESTBYTES = 16 * 2**20  # GENESIS files of a refresh together; below this a worker does not pay
_LAENGE = struct.Struct("<Q")

_WURZEL = Path(__file__).resolve().parents[2]  # the folder that holds the package ``sozialforum``
_AKTIV: list[Vorleser] = []
_SPERRE = threading.Lock()
_AM_ENDE: list[Callable[[], None]] = []  # what is forgotten when the last refresh ends

Ergebnis = tuple[str, Rohdaten | None] | None  # (checksum, parse); None: the worker could not


def lies(path: Path, stichtag: date | None) -> tuple[str, Rohdaten | None]:
    """The checksum of a file's bytes and, for a GENESIS file, its parse (None otherwise)."""
    raw = read_bytes(path)
    digest = checksum(raw)
    raw = csv_rohbytes(path, raw)
    if not is_genesis(raw):
        return digest, None
    return digest, read_genesis(path, stichtag=stichtag, raw=raw, pruefsumme=digest)


def vorkodieren(data: Rohdaten) -> Rohdaten:
    """The parse with every column encoded as it would be stored (``Rohdaten.spalten_kodiert``):
    work of the load's writing that needs nothing but the file, done here on the other core."""
    if not data.problems and data.werte.ndim == 2:
        werte, codes = data.werte.T.copy(), data.codes.T.copy()  # a column a row, as they are written
        data.spalten_kodiert = [(kodiere(werte[c]), kodiere(codes[c])) for c in range(len(werte))]
    return data


def _kerne() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def nehmen(ordner: Path, name: str) -> bool:
    """Take a piece of work (True) unless the other process has (atomic: the marker is created once)."""
    try:
        os.close(os.open(ordner / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


class _Absender:
    """Sends one parse at a time through the pipe, in a thread: the write blocks until the load
    takes it, and meanwhile the worker can compute (``vorrechnen``)."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._frei = threading.Event()
        self._frei.set()

    def frei(self) -> bool:
        return self._frei.is_set()

    def schicke(self, payload: bytes) -> None:
        self._frei.clear()
        threading.Thread(target=self._schreibe, args=(payload,), daemon=True).start()

    def _schreibe(self, payload: bytes) -> None:
        try:
            self._out.write(_LAENGE.pack(len(payload)))
            self._out.write(payload)
            self._out.flush()
        except OSError:  # the refresh ended
            pass
        self._frei.set()

    def warte(self) -> None:
        self._frei.wait()


def _auftraege(offen: bool) -> tuple[list[int], bool]:
    """Job notices that have arrived on stdin (numbers, one a line; the other process writes
    each line at once), and whether stdin is still open."""
    jobs: list[int] = []
    while offen and select.select([0], [], [], 0)[0]:
        chunk = os.read(0, 65536)
        if not chunk:
            offen = False
        jobs += [int(number) for number in chunk.split()]
    return jobs, offen


def _arbeite(ordner: Path, fd: int) -> None:
    """The worker: parses, in order, the files nobody took yet, and sends each parse; while the
    load has not taken the last one, computes the Stichtage it is given on stdin (a file it has
    not begun meanwhile the load parses itself); ends when stdin ends."""
    auftrag = json.loads((ordner / "auftrag.json").read_text(encoding="utf-8"))
    kette = None
    jobs: list[int] = []
    offen = True
    k = 0
    with os.fdopen(fd, "wb") as out:
        absender = _Absender(out)
        while True:
            neu, offen = _auftraege(offen)
            jobs += neu
            if k < len(auftrag) and absender.frei():  # the loads wait for parses, the computation comes after them
                if nehmen(ordner, str(k)):
                    absender.schicke(_lese_fuer(k, *auftrag[k]))
                k += 1
            elif jobs:
                if kette is None:
                    from sozialforum.daten.vorrechnen import Kette  # the computation only when asked

                    kette = Kette(ordner)
                kette.rechne(jobs.pop(0))
            elif not offen and k >= len(auftrag):
                break
            else:  # waiting for a job or for the load to take the parse
                select.select([0] if offen else [], [], [], 0.002)
        absender.warte()


def _lese_fuer(k: int, pfad: str, tag: str | None) -> bytes:
    result: Ergebnis
    try:
        digest, parse = lies(Path(pfad), date.fromisoformat(tag) if tag else None)
        result = digest, vorkodieren(parse) if parse is not None else None
    except Exception:  # the load reads the file itself and reports its problems
        result = None
    return pickle.dumps((k, result), protocol=pickle.HIGHEST_PROTOCOL)


class Vorleser:
    """One refresh's worker (a context manager; ``abholen`` is what a load calls)."""

    def __init__(
        self,
        dateien: list[tuple[Path, date | None]],
        *,
        mindestbytes: int = MINDESTBYTES,
        rechnen: tuple[Katalog, int] | None = None,
    ) -> None:
        self.dateien = [(p.resolve(), day) for p, day in dateien]
        self.rechnen = rechnen
        self.vorrechnung: Vorrechnung | None = None
        self._index = {entry: k for k, entry in enumerate(self.dateien)}
        self._fertig: dict[int, Ergebnis] = {}
        self._gefragt: set[int] = set()
        self._prozess: subprocess.Popen[bytes] | None = None
        self._ordner: Path | None = None
        self._pipe: IO[bytes] | None = None
        self.mindestbytes = mindestbytes
        self.gestartet = False  # whether a worker was started (for tests and the benchmark)
        self.uebernommen = 0  # loads that took the worker's parse

    def _lohnt(self) -> bool:
        if len(self.dateien) < 2 or _kerne() < 2:
            return False
        size = 0
        for path, _ in self.dateien:
            try:
                with path.open("rb") as handle:
                    if is_genesis(handle.read(64)):
                        size += path.stat().st_size
            except OSError:
                continue  # the load reports it
        return size >= self.mindestbytes

    def __enter__(self) -> Vorleser:
        if self._lohnt():
            self._ordner = Path(tempfile.mkdtemp(prefix="sozialforum-vorlesen-"))
            auftrag = [(str(p), d.isoformat() if d else None) for p, d in self.dateien]
            (self._ordner / "auftrag.json").write_text(json.dumps(auftrag), encoding="utf-8")
            read, write = os.pipe()
            try:
                self._prozess = subprocess.Popen(
                    [sys.executable, "-m", "sozialforum.daten.vorlesen", str(self._ordner), str(write)],
                    pass_fds=(write,),
                    stdin=subprocess.PIPE if self.rechnen else subprocess.DEVNULL,
                    cwd=_WURZEL,  # ``-m`` imports from here first: this very code, not another checkout's
                )
            except (OSError, ValueError):  # no worker (pass_fds is POSIX): the loads parse as always
                os.close(read)
            else:
                self._pipe = os.fdopen(read, "rb")
                self.gestartet = True
                if self.rechnen is not None and self._prozess.stdin is not None:
                    from sozialforum.daten.vorrechnen import _OFFEN, Vorrechnung

                    katalog, floor = self.rechnen
                    self.vorrechnung = Vorrechnung(self._ordner, katalog, floor, self._prozess.stdin, self._prozess)
                    _OFFEN.append(self.vorrechnung)
            finally:
                os.close(write)
        with _SPERRE:
            _AKTIV.append(self)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        with _SPERRE:
            _AKTIV.remove(self)
            ended = not _AKTIV
        if ended:
            for forget in _AM_ENDE:
                forget()
        if self.vorrechnung is not None:
            from sozialforum.daten.vorrechnen import _OFFEN

            _OFFEN.remove(self.vorrechnung)
        if self._prozess is not None:
            if self._prozess.stdin is not None:
                with contextlib.suppress(OSError):
                    self._prozess.stdin.close()
            if self._prozess.poll() is None:
                self._prozess.terminate()
            self._prozess.wait()
        if self._pipe is not None:
            self._pipe.close()
        if self._ordner is not None:
            shutil.rmtree(self._ordner, ignore_errors=True)
        self._prozess = self._pipe = self._ordner = None

    def _empfange(self) -> tuple[int, Ergebnis] | None:
        assert self._pipe is not None
        head = self._pipe.read(_LAENGE.size)
        if len(head) < _LAENGE.size:  # the worker ended
            return None
        payload = self._pipe.read(_LAENGE.unpack(head)[0])
        message: tuple[int, Ergebnis] = pickle.loads(payload)  # noqa: S301 (our own worker, our pipe)
        return message

    def abholen(self, path: Path, digest: str, stichtag: date | None) -> Rohdaten | None:
        """The worker's parse of this file, if it has or is making one of these bytes."""
        k = self._index.get((path.resolve(), stichtag))
        if k is None or self._ordner is None or self._pipe is None or k in self._gefragt:
            return None
        self._gefragt.add(k)
        if nehmen(self._ordner, str(k)):  # the worker has not come to it: parsed here
            return None
        while k not in self._fertig:
            message = self._empfange()
            if message is None:
                return None
            j, result = message
            if j >= k:  # a file before this one was not loaded after all (unchanged)
                self._fertig[j] = result
        found = self._fertig.pop(k)
        if found is None or found[0] != digest or found[1] is None:
            return None
        self.uebernommen += 1
        return found[1]


def vorlesen(
    dateien: Iterable[tuple[Path, date | None]],
    *,
    mindestbytes: int = MINDESTBYTES,
    rechnen: tuple[Katalog, int] | None = None,
) -> Vorleser:
    """``with vorlesen([(path, stichtag), …]):`` then load the files in this order. With
    ``rechnen`` (the catalogue and the population floor of the computation), the worker also
    computes each loaded Stichtag, for a computation inside the ``with`` (``vorrechnen``)."""
    return Vorleser(list(dateien), mindestbytes=mindestbytes, rechnen=rechnen)


def laeuft() -> bool:
    """Whether a refresh is open: what one load keeps for the next (``plausibel_spruenge``)
    is kept only then, and forgotten when it ends (``am_ende``)."""
    with _SPERRE:
        return bool(_AKTIV)


def am_ende(forget: Callable[[], None]) -> None:
    """Have ``forget`` called when the last open refresh ends (registered once, at import)."""
    _AM_ENDE.append(forget)


def abholen(path: Path, digest: str, stichtag: date | None) -> Rohdaten | None:
    """What a load asks before parsing a GENESIS file itself."""
    with _SPERRE:
        active = list(_AKTIV)
    for vorleser in active:
        found = vorleser.abholen(path, digest, stichtag)
        if found is not None:
            return found
    return None


if __name__ == "__main__":
    _arbeite(Path(sys.argv[1]), int(sys.argv[2]))

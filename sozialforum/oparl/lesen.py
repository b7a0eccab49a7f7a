"""Reading OParl objects as real endpoints serve them: every defect is named, logged as a warning
and worked around, never silently "fixed" and never fatal to the rest of the import.

Defects seen in the wild (and in tests/data/oparl): text where a URL belongs, a whole object
where a URL belongs, empty ``created``, missing ``order``, references to objects that do not
exist (dangling), list pages whose ``links.next`` leads back to an earlier page (cyclic).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sozialforum.timeutil import BERLIN, as_utc

log = logging.getLogger("sozialforum.oparl")

_TYPE = re.compile(r"^https?://schema\.oparl\.org/(1\.[01])/(\w+)/?$")
_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class Mangel:
    objekt: str  # the OParl id (or list URL) where it was found
    feld: str | None
    meldung: str

    def __str__(self) -> str:
        where = f"{self.objekt}, Feld „{self.feld}“" if self.feld else self.objekt
        return f"{where}: {self.meldung}"


@dataclass
class Maengel:
    """All defects of one import; each is logged once as a warning when it is found."""

    liste: list[Mangel] = field(default_factory=list)
    _seen: set[Mangel] = field(default_factory=set)

    def melde(self, objekt: str, feld: str | None, meldung: str) -> None:
        mangel = Mangel(objekt, feld, meldung)
        if mangel in self._seen:
            return
        self._seen.add(mangel)
        self.liste.append(mangel)
        log.warning("OParl-Mangel: %s", mangel)


_TYPES: dict[str, tuple[str, str] | None] = {}  # type URL → what it names (a handful recur)


def typ_of(obj: dict[str, Any]) -> tuple[str, str] | None:
    """``("Meeting", "1.1")`` from the ``type`` URL, or None."""
    text = str(obj.get("type", ""))
    try:
        return _TYPES[text]
    except KeyError:
        match = _TYPE.match(text)
        found = (match.group(2), match.group(1)) if match else None
        if len(_TYPES) < 1000:
            _TYPES[text] = found
        return found


def is_url(value: object) -> bool:
    return isinstance(value, str) and bool(_URL.match(value))


class Leser:
    """Typed access to the fields of OParl objects, reporting defects to ``maengel``.

    Embedded objects found where a URL belongs are collected in ``eingebettet`` so that the
    importer can take them in too (the reference then still resolves).
    """

    def __init__(self, maengel: Maengel) -> None:
        self.maengel = maengel
        self.eingebettet: list[dict[str, Any]] = []
        self._zeiten: dict[str, datetime] = {}  # timestamps read without a defect (they recur)
        self._urls: set[str] = set()  # strings already found to be URLs (each is read several times)

    def _is_url(self, value: object) -> bool:
        if type(value) is not str:
            return is_url(value)
        if value in self._urls:
            return True
        if _URL.match(value):
            self._urls.add(value)
            return True
        return False

    def _one_url(self, owner: str, name: str, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if self._is_url(value):
            return str(value)
        if isinstance(value, dict):
            if is_url(value.get("id")):
                self.maengel.melde(owner, name, "Objekt statt URL: die id des Objekts wird verwendet")
                self.eingebettet.append(value)
                return str(value["id"])
            self.maengel.melde(owner, name, "Objekt ohne gültige id statt URL: ignoriert")
            return None
        self.maengel.melde(owner, name, f"Text statt URL ({str(value)[:60]!r}): ignoriert")
        return None

    def url(self, obj: dict[str, Any], name: str) -> str | None:
        value = obj.get(name)
        if self._is_url(value):  # the usual case, without the checks below
            return str(value)
        if isinstance(value, list):
            self.maengel.melde(self.id(obj), name, "Liste statt einer URL: das erste Element zählt")
            value = value[0] if value else None
        return self._one_url(self.id(obj), name, value)

    def urls(self, obj: dict[str, Any], name: str) -> list[str]:
        value = obj.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.maengel.melde(self.id(obj), name, "einzelner Wert statt Liste")
            value = [value]
        found: list[str] = []
        for item in value:
            if type(item) is str and item in self._urls:
                found.append(item)
            elif (url := self._one_url(self.id(obj), name, item)) is not None:
                found.append(url)
        return found

    def objects(self, obj: dict[str, Any], name: str) -> list[dict[str, Any]]:
        """Embedded objects (``agendaItem`` of a Meeting); plain URLs are kept as stubs."""
        value = obj.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            value = [value]
        return [
            item if isinstance(item, dict) else {"id": item} for item in value if isinstance(item, dict) or is_url(item)
        ]

    @staticmethod
    def id(obj: dict[str, Any]) -> str:
        return str(obj.get("id") or "(ohne id)")

    def text(self, obj: dict[str, Any], name: str, limit: int | None = None) -> str | None:
        value = obj.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.maengel.melde(self.id(obj), name, f"kein Text ({type(value).__name__}): umgewandelt")
            value = str(value)
        value = " ".join(value.split()) if limit else value.strip()
        if limit and len(value) > limit:
            self.maengel.melde(self.id(obj), name, f"länger als {limit} Zeichen: gekürzt")
            value = value[: limit - 1] + "…"
        return value or None

    def zeitpunkt(self, obj: dict[str, Any], name: str) -> datetime | None:
        value = obj.get(name)
        if value is None:
            return None
        if type(value) is str and value in self._zeiten:
            return self._zeiten[value]
        if value == "":
            self.maengel.melde(self.id(obj), name, "leer statt Zeitpunkt")
            return None
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            self.maengel.melde(self.id(obj), name, f"kein Zeitpunkt ({value!r}): ignoriert")
            return None
        if moment.tzinfo is None:
            self.maengel.melde(self.id(obj), name, "Zeitpunkt ohne Zeitzone: Europe/Berlin angenommen")
            moment = moment.replace(tzinfo=BERLIN)
            return as_utc(moment)
        if type(value) is str and len(self._zeiten) < 100_000:
            self._zeiten[value] = as_utc(moment)
            return self._zeiten[value]
        return as_utc(moment)

    def datum(self, obj: dict[str, Any], name: str) -> date | None:
        value = obj.get(name)
        if value is None:
            return None
        if value == "":
            self.maengel.melde(self.id(obj), name, "leer statt Datum")
            return None
        text = str(value)
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        moment = self.zeitpunkt({"id": obj.get("id"), name: text}, name)
        if moment is not None:
            self.maengel.melde(self.id(obj), name, "Zeitpunkt statt Datum: der Tag zählt")
            return moment.astimezone(BERLIN).date()
        return None

    def ganzzahl(self, obj: dict[str, Any], name: str) -> int | None:
        value = obj.get(name)
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            self.maengel.melde(self.id(obj), name, "Zahl als Text")
            return int(value)
        self.maengel.melde(self.id(obj), name, f"keine ganze Zahl ({value!r}): ignoriert")
        return None

    def wahr(self, obj: dict[str, Any], name: str) -> bool | None:
        value = obj.get(name)
        if value is None or isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "1", "ja"):
            return True
        if str(value).lower() in ("false", "0", "nein"):
            return False
        self.maengel.melde(self.id(obj), name, f"kein Wahrheitswert ({value!r}): ignoriert")
        return None

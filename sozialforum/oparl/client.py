"""Reading an OParl API over HTTP (httpx): objects and paginated lists, without losing anything.

A list is read page by page through ``links.next``. Server errors (5xx, 429), timeouts and broken
connections are retried with exponential backoff; a page that still cannot be had leaves the list
*incomplete* (``Liste.vollstaendig`` is False, ``Liste.luecke`` says in German what is missing),
and the caller must not advance that list's ``modified_since`` state, so the next run reads it
again. Nothing is silently dropped.

``modified_since`` is sent in UTC to the second with ``Z`` (no microseconds, no ``+`` that would
need percent-encoding: SOMACOS SessionNet refuses encoded query strings, STERNBERG microseconds).
A server that refuses the filter (4xx on the first page) gets the list without it, which is complete
by definition; that is a warning, not a gap.

Vendor behaviour handled here (each has a test in ``tests/oparl/test_anbieter.py``):
STERNBERG answers 404 with its error body (code 802) or ``[]`` where a filtered list is empty, and
a single Body where the body list belongs; CC e-gov ALLRIS sends unescaped control characters in
JSON strings and occasional 500s; SOMACOS delivers objects whose ``id`` differs from the URL they
were fetched from; some servers answer an array where one object belongs (the first element counts).
"""

from __future__ import annotations

import functools
import json
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from sozialforum.oparl.lesen import Maengel, is_url

MAX_PAGES = 10_000
# SD.NET RIM (STERNBERG): "the resource was not found" where a filtered list is empty.
STERNBERG_EMPTY = 802


def lenient_json(text: str) -> Any:
    """JSON that may carry raw control characters inside strings (CC e-gov ALLRIS)."""
    return json.loads(text, strict=False)


@functools.cache
def _tls() -> ssl.SSLContext:
    """The default TLS context (the CA bundle read once per process, not once per client: that
    took 0.1–0.15 s each time, a large part of a small incremental run)."""
    return httpx.create_ssl_context()


class Abbruch(Exception):
    """Raised by a test transport to stand for a killed process (never caught here)."""


@dataclass
class Antwort:
    status: int  # 0: no answer at all
    data: Any = None
    grund: str | None = None  # German, when the answer is unusable


@dataclass
class Liste:
    url: str
    objekte: list[dict[str, Any]] = field(default_factory=list)
    seiten: int = 0
    vollstaendig: bool = True
    luecke: str | None = None  # German: what is missing and why
    gefiltert: bool = False  # modified_since was accepted


def since_param(moment: datetime) -> str:
    """``2026-03-20T09:00:00Z``: UTC, whole seconds, nothing that needs encoding."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _with_query(url: str, key: str, value: str) -> str:
    """``url`` with ``key=value`` set verbatim (no percent-encoding), replacing an existing one."""
    base, _, query = url.partition("?")
    parts = [p for p in query.split("&") if p and not p.startswith(f"{key}=")]
    parts.append(f"{key}={value}")
    return f"{base}?{'&'.join(parts)}"


def _sternberg_empty(data: Any) -> bool:
    return isinstance(data, dict) and data.get("code") == STERNBERG_EMPTY and "error" in data


class OparlClient:
    def __init__(
        self,
        maengel: Maengel,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.maengel = maengel
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.requests = 0
        self.http = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            transport=transport or httpx.HTTPTransport(verify=_tls()),
            headers={"Accept": "application/json", "User-Agent": "sozialforum-oparl/1.1"},
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> OparlClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _wait(self, attempt: int) -> None:
        self.sleep(min(self.backoff * 2**attempt, 30.0))

    def fetch(self, url: str) -> Antwort:
        """One GET with retries for what may pass (5xx, 429, timeouts, broken connections)."""
        answer = Antwort(0, grund="nicht abgerufen")
        for attempt in range(self.retries + 1):
            if attempt:
                self._wait(attempt - 1)
            self.requests += 1
            try:
                response = self.http.get(url)
            except httpx.TimeoutException:
                answer = Antwort(0, grund="Zeitüberschreitung")
                continue
            except httpx.TransportError as exc:
                answer = Antwort(0, grund=f"nicht erreichbar ({exc.__class__.__name__})")
                continue
            if response.status_code >= 500 or response.status_code == 429:
                answer = Antwort(response.status_code, grund=f"HTTP-Status {response.status_code}")
                continue
            return self._decode(url, response)
        tries = self.retries + 1
        answer.grund = f"{answer.grund} nach {tries} Versuch{'en' if tries > 1 else ''}"
        return answer

    def _decode(self, url: str, response: httpx.Response) -> Antwort:
        text = response.text
        try:
            data = json.loads(text) if text.strip() else None
        except ValueError:
            try:
                data = lenient_json(text)
            except ValueError:
                data = None
                if response.status_code == 200:
                    return Antwort(200, grund="Antwort ist kein gültiges JSON")
            else:
                self.maengel.melde(url, None, "Steuerzeichen im JSON (nicht maskiert): maskiert gelesen")
        if response.status_code != 200:
            return Antwort(response.status_code, data, f"HTTP-Status {response.status_code}")
        return Antwort(200, data)

    def get_json(self, url: str) -> Any:
        """The JSON at ``url``, or None (with a warning) if it cannot be had."""
        answer = self.fetch(url)
        if answer.grund:
            self.maengel.melde(url, None, answer.grund)
            return None
        return answer.data

    def get_object(self, url: str) -> dict[str, Any] | None:
        data = self.get_json(url)
        if isinstance(data, list):
            objects = [d for d in data if isinstance(d, dict)]
            self.maengel.melde(url, None, "Liste statt eines Objekts: das erste Element zählt")
            data = objects[0] if objects else None
        if data is None:
            return None
        if not isinstance(data, dict):
            self.maengel.melde(url, None, "kein OParl-Objekt (JSON-Objekt erwartet)")
            return None
        if is_url(data.get("id")) and str(data["id"]).rstrip("/") != url.rstrip("/"):
            self.maengel.melde(url, "id", f"weicht von der abgerufenen Adresse ab ({data['id']})")
            data.setdefault("_abgerufen_als", url)
        return data

    def lies_liste(self, url: str, *, modified_since: datetime | None = None) -> Liste:
        """Every object of an external list; ``vollstaendig`` only if every page was read."""
        result = Liste(url)
        first = _with_query(url, "modified_since", since_param(modified_since)) if modified_since else url
        if modified_since is not None:
            answer = self.fetch(first)
            if answer.grund and 400 <= answer.status < 500 and not _sternberg_empty(answer.data):
                self.maengel.melde(
                    url,
                    "modified_since",
                    f"Filter abgelehnt ({answer.grund}): die ganze Liste wird gelesen",
                )
                return self._walk(result, url, None, None)
            result.gefiltert = True
            return self._walk(result, first, answer, since_param(modified_since))
        return self._walk(result, url, None, None)

    def _walk(self, result: Liste, page: str | None, answer: Antwort | None, since: str | None) -> Liste:
        seen: set[str] = set()
        while page is not None:
            if page in seen:
                self.maengel.melde(
                    result.url, "links.next", f"zyklische Seitenfolge ({page} schon gelesen): Liste hier beendet"
                )
                return result
            if len(seen) >= MAX_PAGES:
                result.vollstaendig = False
                result.luecke = f"mehr als {MAX_PAGES} Seiten"
                return result
            seen.add(page)
            answer = answer or self.fetch(page)
            data, answer = answer.data, answer if answer.grund else None
            if answer is not None:
                if answer.status == 404 and _sternberg_empty(data):
                    return result  # STERNBERG: an empty (filtered) list
                result.vollstaendig = False
                result.luecke = f"Seite {result.seiten + 1} ({page}) nicht lesbar: {answer.grund}"
                self.maengel.melde(result.url, None, result.luecke)
                return result
            result.seiten += 1
            if isinstance(data, list):  # a plain array (STERNBERG's empty filtered list, file dumps)
                result.objekte.extend(item for item in data if isinstance(item, dict))
                return result
            if isinstance(data, dict) and "data" not in data and is_url(data.get("id")):
                self.maengel.melde(result.url, None, "ein Objekt statt einer Liste: als Liste mit einem Eintrag")
                result.objekte.append(data)
                return result
            if not isinstance(data, dict) or not isinstance(data.get("data"), list):
                result.vollstaendig = False
                result.luecke = f"Seite {result.seiten} ({page}) ist keine OParl-Objektliste"
                self.maengel.melde(result.url, "data", result.luecke)
                return result
            for item in data["data"]:
                if isinstance(item, dict):
                    result.objekte.append(item)
                else:
                    self.maengel.melde(page, "data", f"Eintrag ist kein Objekt ({str(item)[:60]!r}): übersprungen")
            raw_links = data.get("links")
            links = raw_links if isinstance(raw_links, dict) else {}
            following = links.get("next")
            if following is not None and not is_url(following):
                self.maengel.melde(page, "links.next", f"Text statt URL ({str(following)[:60]!r})")
                following = None
            if following and since and "modified_since=" not in following:
                following = _with_query(str(following), "modified_since", since)
            page = str(following) if following else None
            answer = None
        return result

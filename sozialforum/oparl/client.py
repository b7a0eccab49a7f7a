"""Reading an OParl API over HTTP (httpx): objects and paginated lists.

Lists are followed through ``links.next``; a page seen before ends the walk with a warning
(cyclic pagination is a real defect), as does a hard page limit. ``modified_since`` is kept on
every page even where a server drops it from its ``next`` links. A plain JSON array (some
servers, and the cached Karlsruhe files) is accepted as a list of one page. Transient server
errors (502/503/504, timeouts) are retried a few times; anything else is a warning and the
object counts as unavailable.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx

from sozialforum.oparl.lesen import Maengel, is_url

MAX_PAGES = 10_000
RETRY_STATUS = {502, 503, 504}


class OparlClient:
    def __init__(
        self, maengel: Maengel, *, timeout: float = 30.0, retries: int = 2, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.maengel = maengel
        self.retries = retries
        self.requests = 0
        self.http = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            transport=transport or httpx.HTTPTransport(retries=retries),
            headers={"Accept": "application/json", "User-Agent": "sozialforum-oparl/1.0"},
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> OparlClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get_json(self, url: str | httpx.URL) -> Any:
        """The JSON at ``url``, or None (with a warning) if it cannot be had."""
        for attempt in range(self.retries + 1):
            self.requests += 1
            try:
                response = self.http.get(url)
            except httpx.TimeoutException:
                if attempt < self.retries:
                    time.sleep(0.2 * (attempt + 1))
                    continue
                self.maengel.melde(str(url), None, "Zeitüberschreitung beim Abruf")
                return None
            except httpx.HTTPError as exc:
                self.maengel.melde(str(url), None, f"nicht erreichbar ({exc.__class__.__name__})")
                return None
            if response.status_code in RETRY_STATUS and attempt < self.retries:
                time.sleep(0.2 * (attempt + 1))
                continue
            if response.status_code != 200:
                self.maengel.melde(str(url), None, f"HTTP-Status {response.status_code}")
                return None
            try:
                return response.json()
            except ValueError:
                self.maengel.melde(str(url), None, "Antwort ist kein JSON")
                return None
        return None

    def get_object(self, url: str) -> dict[str, Any] | None:
        data = self.get_json(url)
        if data is None:
            return None
        if not isinstance(data, dict):
            self.maengel.melde(url, None, "kein OParl-Objekt (JSON-Objekt erwartet)")
            return None
        return data

    def iter_list(self, url: str, *, modified_since: datetime | None = None) -> Iterator[dict[str, Any]]:
        """Every object of an external list, page by page."""
        extra = {"modified_since": modified_since.isoformat()} if modified_since else {}
        page: httpx.URL | None = httpx.URL(url).copy_merge_params(extra)
        seen: set[str] = set()
        while page is not None:
            if str(page) in seen:
                self.maengel.melde(
                    url, "links.next", f"zyklische Seitenfolge ({page} schon gelesen): Liste hier beendet"
                )
                return
            if len(seen) >= MAX_PAGES:
                self.maengel.melde(url, "links.next", f"mehr als {MAX_PAGES} Seiten: Liste beendet")
                return
            seen.add(str(page))
            data = self.get_json(page)
            if isinstance(data, list):
                yield from (item for item in data if isinstance(item, dict))
                return
            if not isinstance(data, dict) or not isinstance(data.get("data"), list):
                if data is not None:
                    self.maengel.melde(str(page), "data", "keine OParl-Objektliste")
                return
            yield from (item for item in data["data"] if isinstance(item, dict))
            following = (data.get("links") or {}).get("next") if isinstance(data.get("links"), dict) else None
            if following is not None and not is_url(following):
                self.maengel.melde(str(page), "links.next", f"Text statt URL ({str(following)[:60]!r})")
                following = None
            page = (
                httpx.URL(following).copy_merge_params(
                    {k: v for k, v in extra.items() if k not in httpx.URL(following).params}
                )
                if following
                else None
            )

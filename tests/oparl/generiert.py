"""A generated OParl 1.0 system in STERNBERG's shape, served on loopback: Consultations without
``role``/``authoritative``, results as vote counts, the body list answering one Body, next links
without ``modified_since``, STERNBERG's 404 error body (code 802) for an empty filtered list.
``stoerung`` lets a test break any request (a 500 on page 3, a strict server refusing the filter,
a kill)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

T = "https://schema.oparl.org/1.0/"
STAMP = "2026-01-10T10:00:00+01:00"
LISTS = ("organization", "person", "meeting", "paper")
EMPTY_802 = {"error": "Die angeforderte Ressource wurde nicht gefunden.", "code": 802, "type": "SD.NET RIM Webservice"}


class System:
    def __init__(self, base: str, *, papers: int = 12, meetings: int = 4, page_size: int = 3) -> None:
        self.root = f"{base}/webservice/oparl/v1.0"
        self.body = f"{self.root}/body/1"
        self.page_size = page_size
        self.requests: list[str] = []
        self.stoerung: Callable[[str], tuple[int, Any] | None] | None = None
        self.lists: dict[str, list[dict[str, Any]]] = {name: [] for name in LISTS}
        for key, name in (("1", "Gemeinderat"), ("2", "Ausschuss für Soziales"), ("3", "Jugendhilfeausschuss")):
            self.lists["organization"].append(
                {
                    "id": self.url("organization", key),
                    "type": T + "Organization",
                    "name": name,
                    "organizationType": "Gremium",
                    "modified": STAMP,
                }
            )
        # STERNBERG: a person without any name
        self.lists["person"].append({"id": self.url("person", "1"), "type": T + "Person", "modified": STAMP})
        for m in range(1, meetings + 1):
            self.lists["meeting"].append(
                {
                    "id": self.url("meeting", str(m)),
                    "type": T + "Meeting",
                    "name": f"{m}. Sitzung",
                    "start": f"2025-{m:02d}-15T17:00:00+01:00",
                    "end": f"2025-{m:02d}-15T19:00:00+01:00",
                    "organization": [self.url("organization", "1" if m % 2 == 0 else "2")],
                    "modified": STAMP,
                    "agendaItem": [],
                }
            )
        for p in range(1, papers + 1):
            steps = []
            for m in (1 + (p % 2) * 2, 2 + (p % 2) * 2):  # Ausschuss first, then Gemeinderat
                if m > meetings:
                    continue
                meeting = self.lists["meeting"][m - 1]
                item_id = self.url("agendaitem", f"{p}-{m}")
                result = "zur Beschlussfassung empfohlen"
                if m % 2 == 0:
                    result = {5: "Ja 3, Nein 9", 7: "siehe Niederschrift"}.get(
                        p, "13 Ja-Stimmen, 2 Nein-Stimmen, 1 Enthaltung"
                    )
                meeting["agendaItem"].append(
                    {
                        "id": item_id,
                        "type": T + "AgendaItem",
                        "meeting": meeting["id"],
                        "number": str(len(meeting["agendaItem"]) + 1),
                        "order": len(meeting["agendaItem"]),
                        "name": f"Vorlage {p}",
                        "result": result,
                        "consultation": self.url("consultation", f"{p}-{m}"),
                        "modified": STAMP,
                    }
                )
                steps.append(
                    {
                        "id": self.url("consultation", f"{p}-{m}"),
                        "type": T + "Consultation",
                        "paper": self.url("paper", str(p)),
                        "meeting": meeting["id"],
                        "agendaItem": item_id,
                        "organization": meeting["organization"],
                        "modified": STAMP,
                    }
                )
            self.lists["paper"].append(
                {
                    "id": self.url("paper", str(p)),
                    "type": T + "Paper",
                    "name": f"Vorlage {p}",
                    "reference": f"VO/{p:04d}/2025",
                    "date": "2025-01-05",
                    "paperType": "Beschlussvorlage",
                    "consultation": steps,
                    "modified": STAMP,
                }
            )

    def url(self, kind: str, key: str) -> str:
        return f"{self.root}/{kind}/{key}"

    def touch(self, obj: dict[str, Any]) -> dict[str, Any]:
        obj["modified"] = "2026-02-01T10:00:00+01:00"
        return obj

    def page(self, kind: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        items = self.lists[kind]
        since = query.get("modified_since", [None])[0]
        if since:
            limit = datetime.fromisoformat(since)
            items = [i for i in items if datetime.fromisoformat(i["modified"]) >= limit]
            if not items:
                return 404, EMPTY_802
        number = int(query.get("page", ["1"])[0])
        pages = max(1, -(-len(items) // self.page_size))
        chunk = items[(number - 1) * self.page_size : number * self.page_size]
        links: dict[str, str] = {}
        if number < pages:  # STERNBERG drops modified_since from its next links
            links["next"] = f"{self.body}/{kind}?page={number + 1}"
        return 200, {"data": chunk, "pagination": {"totalPages": pages, "currentPage": number}, "links": links}

    def answer(self, raw: str) -> tuple[int, Any]:
        self.requests.append(raw)
        if self.stoerung is not None and (broken := self.stoerung(raw)) is not None:
            return broken
        parts = urlsplit(raw)
        path = parts.path.removeprefix("/webservice/oparl/v1.0").strip("/")
        if path == "":
            system = {"id": self.root, "type": T + "System", "oparlVersion": T, "body": f"{self.root}/body"}
            return 200, {**system, "contactName": "STERNBERG Software GmbH & Co. KG"}
        if path in ("body", "body/1"):  # STERNBERG: the body list answers the one body itself
            return 200, self.body_object()
        if path.startswith("body/1/") and path[7:] in LISTS:
            return self.page(path[7:], parse_qs(parts.query))
        url = f"{self.root}/{path}"
        for items in self.lists.values():
            for obj in items:
                if obj["id"] == url:
                    return 200, obj
        return 404, {"error": "nicht gefunden"}

    def body_object(self) -> dict[str, Any]:
        lists = {kind: f"{self.body}/{kind}" for kind in LISTS}
        return {"id": self.body, "type": T + "Body", "name": "Gemeinde Musterdorf", "system": self.root, **lists}


@contextmanager
def serve(**options: Any) -> Iterator[System]:
    state: dict[str, System] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = state["api"].answer(self.path)
            data = (body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["api"] = System(f"http://127.0.0.1:{server.server_address[1]}", **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["api"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

"""A paginated OParl API served from the JSON files in ``api/`` on loopback (a real HTTP server in
a thread). Lists are paged (``page``), filtered by ``modified_since`` as OParl 1.1 §5.4 says, and
every object is reachable under its own id. ``zyklisch`` makes the people list's last page point
back to the first (a real defect); ``requests`` records every path and query for assertions."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

API = Path(__file__).parent / "api"
PAGE_SIZE = 2
LISTS = {
    "bodies": "bodies.json",
    "bodies/1/organizations": "organizations.json",
    "bodies/1/people": "people.json",
    "bodies/1/memberships": "memberships.json",
    "bodies/1/meetings": "meetings.json",
    "bodies/1/papers": "papers.json",
}


class OparlApi:
    def __init__(self, base: str) -> None:
        self.base = base
        self.root = f"{base}/oparl/v1"
        self.lists: dict[str, list[dict[str, Any]]] = {}
        for path, name in LISTS.items():
            self.lists[path] = self._load(name)
        self.system = self._load("system.json")
        self.requests: list[str] = []
        self.zyklisch = True

    def _load(self, name: str) -> Any:
        return json.loads((API / name).read_text(encoding="utf-8").replace("{base}", self.base))

    def objects(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {self.system["id"]: self.system}

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if isinstance(node.get("id"), str) and "type" in node:
                    found.setdefault(node["id"], node)
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        for items in self.lists.values():
            walk(items)
        return found

    def page(self, path: str, query: dict[str, list[str]]) -> dict[str, Any]:
        items = self.lists[path]
        since = query.get("modified_since", [None])[0]
        if since:
            limit = datetime.fromisoformat(since)
            items = [i for i in items if datetime.fromisoformat(i["modified"]) >= limit]
        number = int(query.get("page", ["1"])[0])
        pages = max(1, -(-len(items) // PAGE_SIZE))
        chunk = items[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
        keep = {"modified_since": since} if since else {}
        links: dict[str, str] = {"first": f"{self.root}/{path}?{urlencode({**keep, 'page': 1})}"}
        if number < pages:
            links["next"] = f"{self.root}/{path}?{urlencode({**keep, 'page': number + 1})}"
        elif self.zyklisch and path.endswith("people") and pages > 1:
            links["next"] = f"{self.root}/{path}?{urlencode({**keep, 'page': 1})}"
        return {
            "data": chunk,
            "pagination": {
                "totalElements": len(items),
                "elementsPerPage": PAGE_SIZE,
                "currentPage": number,
                "totalPages": pages,
            },
            "links": links,
        }

    def answer(self, raw_path: str) -> tuple[int, Any]:
        self.requests.append(raw_path)
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/").removeprefix("/oparl/v1").strip("/")
        if path in self.lists:
            return 200, self.page(path, parse_qs(parts.query))
        found = self.objects().get(f"{self.root}/{path}" if path else self.root)
        return (200, found) if found is not None else (404, {"error": "nicht gefunden"})


@contextmanager
def serve() -> Iterator[OparlApi]:
    state: dict[str, OparlApi] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = state["api"].answer(self.path)
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["api"] = OparlApi(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["api"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

"""The export as static files: lists in pages with OParl 1.1 links, the folder replaced as a whole,
and the checks on the written files (internal URLs, the objects to validate)."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

PAGE_SIZE = 100


def page_url(url: str, number: int) -> str:
    """``…/meetings.json`` for page 1, ``…/meetings-2.json`` after it (static files, no query)."""
    return url if number == 1 else f"{url.removesuffix('.json')}-{number}.json"


def pages(items: list[dict[str, Any]], url: str, size: int = PAGE_SIZE) -> list[tuple[str, dict[str, Any]]]:
    """The pages of one list as (URL, page), with OParl 1.1 §5.3 pagination and links."""
    total = max(1, -(-len(items) // size))
    result = []
    for number in range(1, total + 1):
        links = {"first": page_url(url, 1), "last": page_url(url, total), "self": page_url(url, number)}
        if number > 1:
            links["prev"] = page_url(url, number - 1)
        if number < total:
            links["next"] = page_url(url, number + 1)
        chunk = items[(number - 1) * size : number * size]
        page = {
            "data": chunk,
            "pagination": {
                "totalElements": len(items),
                "elementsPerPage": size,
                "currentPage": number,
                "totalPages": total,
            },
            "links": links,
        }
        result.append((page_url(url, number), page))
    return result


def single_page(items: list[dict[str, Any]], url: str) -> dict[str, Any]:
    return pages(items, url)[0][1]


def write_export(files: dict[str, dict[str, Any]], directory: Path) -> int:
    """Replace ``directory`` by the export as a whole: written beside it, then swapped in by two
    renames, so a server never sees a half-written export and no file of an earlier one stays."""
    directory = directory.resolve()
    directory.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{directory.name}.neu-", dir=directory.parent))
    try:
        for relative, obj in files.items():
            target = fresh / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        old = directory.parent / f".{directory.name}.alt-{fresh.name.rsplit('-', 1)[-1]}"
        if directory.exists():
            directory.rename(old)
        fresh.rename(directory)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return len(files)


def internal_urls(files: dict[str, dict[str, Any]], base: str) -> set[str]:
    """Every URL under ``base`` that the export mentions anywhere (for the resolve check)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and node.startswith(base.rstrip("/") + "/"):
            found.add(node)

    for obj in files.values():
        walk(obj)
    return found


def objects_to_validate(files: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each OParl object once (list pages are containers, not objects)."""
    return [obj for obj in files.values() if "type" in obj]

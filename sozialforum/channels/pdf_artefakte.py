"""The footer as a pagination artifact in WeasyPrint's tagged PDF.

WeasyPrint marks the text of page margin boxes (our footer with the page number) as a Span with
a marked-content id whose structure element hangs in the parent tree but in no element's kids:
outside the tree, yet not an artifact either. PDF/UA wants running footers to be artifacts
(ISO 14289-1, 7.8). This finisher, run by WeasyPrint before it writes the file, turns every such
marked-content sequence into ``/Artifact <</Type /Pagination /Subtype /Footer>>`` and drops it
from the parent tree, so every piece of content is either in the tree or an artifact.
"""

from __future__ import annotations

from typing import Any

Pdf = Any  # pydyf.PDF: untyped


def _object(pdf: Pdf, reference: object) -> Any:
    if isinstance(reference, bytes) and reference.endswith(b" R"):
        return pdf.objects[int(reference.split()[0])]
    return reference


def _in_tree(pdf: Pdf) -> set[int]:
    """Object numbers of every structure element reachable from the StructTreeRoot."""
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    seen: set[int] = set()
    todo = list(root["K"])
    while todo:
        element = _object(pdf, todo.pop())
        if not hasattr(element, "number") or element.number in seen or not hasattr(element, "get"):
            continue
        seen.add(element.number)
        todo.extend(item for item in element.get("K", ()) if isinstance(item, bytes))
    return seen


def footer_als_artefakt(_document: object, pdf: Pdf) -> None:
    """WeasyPrint ``finisher``: margin-box content becomes a pagination artifact."""
    import pydyf

    if "StructTreeRoot" not in pdf.catalog:
        return
    root = _object(pdf, pdf.catalog["StructTreeRoot"])
    parent_tree = _object(pdf, root["ParentTree"])
    in_tree = _in_tree(pdf)
    nums = parent_tree["Nums"]
    for position in range(0, len(nums), 2):
        page_number, references = nums[position], nums[position + 1]
        if not isinstance(references, pydyf.Array) or page_number >= len(pdf.page_references):
            continue
        outside: set[int] = set()
        for index, reference in enumerate(references):
            element = _object(pdf, reference)
            if hasattr(element, "number") and element.number not in in_tree:
                outside.update(k for k in element.get("K", ()) if isinstance(k, int))
                references[index] = b"null"
        if not outside:
            continue
        page = _object(pdf, pdf.page_references[page_number])
        stream = _object(pdf, page["Contents"])
        items = stream.stream
        for index, item in enumerate(items):
            if isinstance(item, pydyf.Dictionary) and item.get("MCID") in outside and index > 0:
                items[index - 1] = "/Artifact"
                items[index] = pydyf.Dictionary({"Type": "/Pagination", "Subtype": "/Footer"})

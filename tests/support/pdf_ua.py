"""A PDF/UA check with pikepdf, for every PDF a public body hands out (veraPDF needs a Java
download that this project's machines cannot make; see docs/design.md).

``probleme(pdf, html=...)`` lists what is wrong, ``assert_pdf_ua(pdf, html=...)`` fails with that
list. What it checks, as far as the file itself can tell:

- /MarkInfo /Marked true, /Lang de-DE, /ViewerPreferences /DisplayDocTitle true and a title;
- a structure tree with headings (H1 first), tables made of TR with TH and TD where every TD of
  a table with heads names its heads (/Headers; a row head needs ``scope="row"``), lists, and an
  /Alt text on every Figure;
- every font embedded (a font file in its descriptor);
- the headings of the structure tree, in tree order and with the text they mark on the pages,
  equal to the headings of the HTML the PDF was made from (reading order = DOM order);
- no untagged content: every painting operator on a page lies inside marked content that is
  either an /Artifact or carries an MCID, and every MCID on a page belongs to an element of
  the structure tree.

The Sozialbericht and any other PDF can use it the same way:
``assert_pdf_ua(pdf_bytes, html=body_html)``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pikepdf

SPRACHE = "de-DE"
HEADINGS = ("/H", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6")
# Operators that put something on the page (text, paths, images, shadings, inline images).
PAINTING = {"Tj", "TJ", "'", '"', "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "Do", "EI"}


# --- the HTML side ---------------------------------------------------------------------------


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self._open, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self.found.append((f"/{tag.upper()}", _normal("".join(self._text))))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)


def html_headings(html: str) -> list[tuple[str, str]]:
    """(``/H1``, text) for every heading of the HTML, in document order."""
    parser = _Headings()
    parser.feed(html)
    return parser.found


def _normal(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u00ad", "").split())


# --- the text on the pages, per marked-content id ----------------------------------------------


def _cmap(stream: pikepdf.Stream) -> dict[bytes, str]:
    """A ToUnicode CMap's bfchar and bfrange entries (what WeasyPrint and most writers use)."""
    text = stream.read_bytes().decode("latin-1")
    mapping: dict[bytes, str] = {}

    def uni(hexa: str) -> str:
        raw = bytes.fromhex(hexa)
        return raw.decode("utf-16-be", errors="replace")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[bytes.fromhex(src)] = uni(dst)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for start, end, rest in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]*>)", block):
            width = len(start) // 2
            low, high = int(start, 16), int(end, 16)
            if rest.startswith("["):
                targets = re.findall(r"<([0-9A-Fa-f]*)>", rest)
                for offset, dst in enumerate(targets):
                    mapping[(low + offset).to_bytes(width, "big")] = uni(dst)
            else:
                base = int(rest[1:-1], 16)
                digits = len(rest) - 2
                for offset in range(high - low + 1):
                    mapping[(low + offset).to_bytes(width, "big")] = uni(f"{base + offset:0{digits}X}")
    return mapping


@dataclass
class _Font:
    width: int
    mapping: dict[bytes, str]

    def decode(self, raw: bytes) -> str:
        return "".join(self.mapping.get(raw[i : i + self.width], "") for i in range(0, len(raw), self.width))


def _fonts(resources: pikepdf.Dictionary) -> dict[str, _Font]:
    fonts = {}
    for name, font in (resources.get("/Font") or {}).items():
        width = 2 if font.get("/Subtype") == "/Type0" else 1
        unicode = font.get("/ToUnicode")
        fonts[str(name)] = _Font(width, _cmap(unicode) if isinstance(unicode, pikepdf.Stream) else {})
    return fonts


@dataclass
class _Page:
    text: dict[int, str] = field(default_factory=dict)  # MCID → text
    untagged: list[str] = field(default_factory=list)  # painting operators outside marked content


def _page_content(page: pikepdf.Page, number: int) -> _Page:
    result = _Page()
    fonts = _fonts(page.obj.get("/Resources") or pikepdf.Dictionary())
    stack: list[tuple[bool, int | None]] = []  # (covered, mcid) per open marked-content sequence
    font: _Font | None = None
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BMC", "BDC"):
            tag = str(operands[0])
            props = operands[1] if op == "BDC" and len(operands) > 1 else None
            mcid = int(props["/MCID"]) if isinstance(props, pikepdf.Dictionary) and "/MCID" in props else None
            covered = tag == "/Artifact" or mcid is not None or any(c for c, _ in stack)
            stack.append((covered, mcid))
        elif op == "EMC":
            if stack:
                stack.pop()
        elif op == "Tf":
            font = fonts.get(str(operands[0]))
        if op in PAINTING:
            if not any(c for c, _ in stack):
                result.untagged.append(f"Seite {number}: {op} außerhalb von markiertem Inhalt")
            mcid = next((m for _, m in reversed(stack) if m is not None), None)
            if mcid is not None and font is not None and op in ("Tj", "TJ", "'", '"'):
                parts = operands[0] if op == "TJ" else [operands[-1]]
                text = "".join(font.decode(bytes(p)) for p in parts if isinstance(p, pikepdf.String))
                result.text[mcid] = result.text.get(mcid, "") + text
    return result


# --- the structure tree ------------------------------------------------------------------------


@dataclass
class Element:
    typ: str
    alt: str | None
    depth: int
    text: str
    obj: pikepdf.Dictionary


def _kids(node: pikepdf.Dictionary) -> list[object]:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _walk(
    node: pikepdf.Dictionary, page: object, depth: int, pages: dict[tuple[int, int], _Page], used: set[tuple[int, int]]
) -> Iterator[Element]:
    """Depth-first, in tree order; every element with the text of its marked content."""
    page = node.get("/Pg", page)
    parts: list[str] = []
    below: list[Element] = []
    for kid in _kids(node):
        if isinstance(kid, int):
            key = (page.objgen if isinstance(page, pikepdf.Dictionary) else (0, 0), kid)
            used.add(key)
            parts.append(_mcid_text(pages, key))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            kid_page = kid.get("/Pg", page)
            key = (kid_page.objgen, int(kid["/MCID"]))
            used.add(key)
            parts.append(_mcid_text(pages, key))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            children = list(_walk(kid, page, depth + 1, pages, used))
            below.extend(children)
            if children:
                parts.append(children[0].text)
    if "/S" in node:
        alt = node.get("/Alt")
        yield Element(str(node["/S"]), str(alt) if alt is not None else None, depth, "".join(parts), node)
    yield from below


def _mcid_text(pages: dict[tuple[int, int], _Page], key: tuple[tuple[int, int], int]) -> str:
    page = pages.get(key[0])
    return page.text.get(key[1], "") if page else ""


@dataclass
class Befund:
    elemente: list[Element]
    probleme: list[str]
    pdf: pikepdf.Pdf  # kept open: the elements' objects live in it

    def typen(self) -> list[str]:
        return [e.typ for e in self.elemente]


def pruefe(pdf: bytes, *, html: str | None = None) -> Befund:
    problems: list[str] = []
    doc = pikepdf.open(io.BytesIO(pdf))
    root = doc.Root
    mark = root.get("/MarkInfo")
    if not (isinstance(mark, pikepdf.Dictionary) and bool(mark.get("/Marked", False))):
        problems.append("/MarkInfo /Marked ist nicht true (kein getaggtes PDF)")
    if str(root.get("/Lang", "")) != SPRACHE:
        problems.append(f"/Lang ist {root.get('/Lang')!r}, erwartet {SPRACHE}")
    prefs = root.get("/ViewerPreferences")
    if not (isinstance(prefs, pikepdf.Dictionary) and bool(prefs.get("/DisplayDocTitle", False))):
        problems.append("/ViewerPreferences /DisplayDocTitle fehlt")
    with doc.open_metadata() as meta:
        if not meta.get("dc:title"):
            problems.append("kein dc:title in den XMP-Metadaten")

    pages: dict[tuple[int, int], _Page] = {}
    for number, page in enumerate(doc.pages, start=1):
        content = _page_content(page, number)
        pages[page.obj.objgen] = content
        problems += content.untagged
        for name, font in ((page.obj.get("/Resources") or {}).get("/Font") or {}).items():
            problems += _font_problems(number, str(name), font)

    tree = root.get("/StructTreeRoot")
    elements: list[Element] = []
    if not isinstance(tree, pikepdf.Dictionary):
        problems.append("kein StructTreeRoot")
    else:
        used: set[tuple[tuple[int, int], int]] = set()
        elements = list(_walk(tree, None, 0, pages, used))
        problems += _tree_problems(elements)
        for objgen, content in pages.items():
            for mcid in content.text.keys() - {m for g, m in used if g == objgen}:
                problems.append(f"MCID {mcid} auf einer Seite gehört zu keinem Strukturelement")
    if html is not None:
        # Compared without white space: a line break inside a heading drops the space at its end.
        expected = [(typ, "".join(text.split())) for typ, text in html_headings(html)]
        found = [(e.typ, "".join(_normal(e.text).split())) for e in elements if e.typ in HEADINGS]
        if found != expected:
            problems.append(f"Überschriften in Baumreihenfolge {found} ≠ HTML {expected}")
    return Befund(elements, problems, doc)


def _font_problems(page: int, name: str, font: pikepdf.Dictionary) -> list[str]:
    fonts = [font, *(font.get("/DescendantFonts") or [])]
    for item in fonts:
        descriptor = item.get("/FontDescriptor")
        if isinstance(descriptor, pikepdf.Dictionary) and any(
            k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
        ):
            return []
    return [f"Seite {page}: Schrift {name} ({font.get('/BaseFont')}) ist nicht eingebettet"]


def _tree_problems(elements: list[Element]) -> list[str]:
    problems = []
    types = [e.typ for e in elements]
    headings = [t for t in types if t in HEADINGS]
    if not headings or headings[0] != "/H1":
        problems.append(f"die erste Überschrift ist nicht H1: {headings[:3]}")
    for e in elements:
        if e.typ == "/Figure" and not (e.alt or "").strip():
            problems.append("Figure ohne /Alt")
        if e.typ == "/Table":
            rows = [k for k in _descendants(e.obj) if k.get("/S") == "/TR"]
            cells = {str(k.get("/S")) for k in _descendants(e.obj)}
            if not rows or not cells & {"/TD", "/TH"}:
                problems.append("Tabelle ohne TR/TH/TD")
            if "/TH" in cells:  # a data table: every cell names its headers (Headers and IDs)
                for cell in _descendants(e.obj):
                    attributes = cell.get("/A")
                    headers = attributes.get("/Headers") if isinstance(attributes, pikepdf.Dictionary) else None
                    if cell.get("/S") == "/TD" and not (isinstance(headers, pikepdf.Array) and len(headers)):
                        problems.append(f"Tabellenzelle ohne Kopf (/Headers): {e.text[:60]!r}")
                        break
        if e.typ == "/TR" and not {str(k.get("/S")) for k in _children(e.obj)} <= {"/TH", "/TD"}:
            problems.append("TR mit anderen Kindern als TH/TD")
        if e.typ == "/L" and not any(k.get("/S") == "/LI" for k in _children(e.obj)):
            problems.append("Liste (L) ohne LI")
    return problems


def _children(node: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    return [k for k in _kids(node) if isinstance(k, pikepdf.Dictionary) and "/S" in k]


def _descendants(node: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    for kid in _children(node):
        yield kid
        yield from _descendants(kid)


def assert_pdf_ua(pdf: bytes, *, html: str | None = None) -> Befund:
    """Fail with every problem found; the findings for further assertions otherwise."""
    befund = pruefe(pdf, html=html)
    assert not befund.probleme, "PDF/UA-Prüfung:\n" + "\n".join(befund.probleme)
    return befund

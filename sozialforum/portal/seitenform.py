"""Pages rendered once per shape and filled per request (the RSVP page, the portal's hot path).

Every invited person of a Sitzung sees the same RSVP page except for a few printed values: name,
address, CSRF token, link path, what they answered before. Running the template's form macros for
each request cost about half a millisecond of CPU, more than the rest of the request. So the
template is rendered once per *shape*: the page's values with each personal text replaced by a
marker (``Luecken``). The HTML is kept split at the markers; a request joins the pieces with its
own values, each escaped with ``markupsafe.escape``, which is what Jinja's autoescape does with a
printed value. The template stays the one place of the page's HTML.

A caller marks with ``luecke(value)`` only values the template prints as they are
(``{{ value }}``: no filter, no comparison but truthiness). A falsy value is no gap: it stays in
the shape as itself (``None``, ``""``, ``0`` print and test alike for every request). Everything
else in the context is the shape and the cache key, so it must be hashable once frozen (dicts,
lists and ``SimpleNamespace`` are frozen to tuples); otherwise, or if a shape's own text contains
a marker, the page is rendered directly. ``tests/portal/test_seitenform.py`` compares
both ways on every state of the RSVP page.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from markupsafe import escape

# A marker no text can hold by chance: NUL, a random word of this process, the gap's number, NUL.
_MARKE = f"\x00{secrets.token_hex(8)}"
_TEILE = re.compile(f"{_MARKE}(\\d+)\x00")
GROESSE = 256  # shapes kept (a few per Sitzung: answered or not, saved, closed …)


class Luecken:
    """The values one page leaves open, in the order they were marked."""

    def __init__(self) -> None:
        self.werte: list[Any] = []

    def __call__(self, value: Any) -> Any:
        if not value:
            return value
        self.werte.append(value)
        return f"{_MARKE}{len(self.werte) - 1}\x00"


def ohne_luecken(value: Any) -> Any:
    """The ``luecke`` of a page rendered directly: every value as it is."""
    return value


class Unfreezable(Exception):
    pass


# Values that are their own key, looked up by type (``isinstance`` in turn cost the RSVP page
# more than the rest of its shape lookup).
_EINFACH = frozenset({str, int, bool, float, type(None), datetime, date})


def _frozen(value: Any) -> Any:
    kind = type(value)
    if kind in _EINFACH:
        return value
    if kind is tuple:
        try:
            hash(value)  # a tuple of plain values (a constant list of choices) is its own key
            return value
        except TypeError:
            return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, _frozen(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, SimpleNamespace):
        return (SimpleNamespace, _frozen(vars(value)))
    try:
        hash(value)
    except TypeError:
        raise Unfreezable from None
    return value


class Seitenformen:
    """Rendered shapes of pages, the last ``groesse`` used kept (one store per Portal: the
    values ``render`` adds itself, such as the Geschäftsstelle from the settings, are the same
    for all of them)."""

    def __init__(self, render: Callable[..., str], groesse: int = GROESSE) -> None:
        self._render = render
        self._groesse = groesse
        self._formen: OrderedDict[Any, list[Any]] = OrderedDict()
        self._lock = threading.Lock()

    def render(self, template: str, luecken: Luecken, values: dict[str, Any]) -> str:
        """``template`` rendered with ``values``, whose marked gaps are filled from ``luecken``."""
        try:
            key = (template, _frozen(values))
        except Unfreezable:
            key = None
        teile = self._shape(key) if key is not None else None
        if teile is None:
            teile = self._form(template, values) if key is not None else None
            if teile is None:  # no shape: render with the values themselves
                return self._render(template, **_gefuellt(values, luecken.werte))
            with self._lock:
                self._formen[key] = teile
                if len(self._formen) > self._groesse:
                    self._formen.popitem(last=False)
        werte = luecken.werte
        html = [teile[0]]
        for index in range(1, len(teile), 2):
            html.append(escape(werte[teile[index]]))
            html.append(teile[index + 1])
        return "".join(html)

    def _shape(self, key: Any) -> list[Any] | None:
        # One lock for reading and keeping: on PostgreSQL pages are made in the threadpool.
        with self._lock:
            teile = self._formen.get(key)
            if teile is not None:
                self._formen.move_to_end(key)
            return teile

    def _form(self, template: str, values: dict[str, Any]) -> list[Any] | None:
        """The HTML split at the markers: text, gap number, text, …; None if a NUL is left in
        the text (a filter changed a gap's marker, or the shape's own text holds one)."""
        teile: list[Any] = _TEILE.split(self._render(template, **values))
        for index in range(1, len(teile), 2):
            teile[index] = int(teile[index])
        if any("\x00" in teil for teil in teile[::2]):
            return None
        return teile


def _gefuellt(value: Any, werte: list[Any]) -> Any:
    """``value`` with every marker put back to the value it stands for (the direct render)."""
    if isinstance(value, str) and _MARKE in value:
        found = _TEILE.fullmatch(value)
        return werte[int(found.group(1))] if found else value
    if isinstance(value, dict):
        return {key: _gefuellt(item, werte) for key, item in value.items()}
    if isinstance(value, list):
        return [_gefuellt(item, werte) for item in value]
    if isinstance(value, tuple):
        return tuple(_gefuellt(item, werte) for item in value)
    if isinstance(value, SimpleNamespace):
        return SimpleNamespace(**_gefuellt(vars(value), werte))
    return value

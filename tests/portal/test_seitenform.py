"""The RSVP page made from its shape (``portal.seitenform``) is the page Jinja renders with the
values themselves, in every state the page has; personal values stay escaped, and one person's
values never reach another's page through a shared shape."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.portal.app import create_app
from sozialforum.portal.seitenform import Luecken, Seitenformen, _gefuellt
from sozialforum.settings import Settings
from sozialforum.vocab import LinkZweck
from tests.portal.conftest import Clock, Welt, csrf_of, issue, make_settings

BOESE = "<script>alert(\"x\")</script> & 'Co'"


class Direkt(Seitenformen):
    """Renders every page directly, each gap filled with the value it stands for."""

    def render(self, template: str, luecken: Luecken, values: dict[str, Any]) -> str:
        return self._render(template, **_gefuellt(values, luecken.werte))


def test_the_shaped_page_is_the_directly_rendered_page(
    tmp_path: Path, engine: Engine, welt: Welt, clock: Clock
) -> None:
    settings = make_settings(tmp_path, engine)
    direct_app = create_app(settings, engine, clock=clock)
    direct_app.state.portal._formen = Direkt(direct_app.state.portal._render)
    with (
        TestClient(create_app(settings, engine, clock=clock), base_url="http://testserver") as shaped,
        TestClient(direct_app, base_url="http://testserver") as direct,
    ):
        _compare(shaped, direct, engine, settings, welt, clock)


def _compare(
    shaped: TestClient, direct: TestClient, engine: Engine, settings: Settings, welt: Welt, clock: Clock
) -> None:
    url_a = issue(engine, settings, person_id=welt.person_a, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    url_b = issue(engine, settings, person_id=welt.person_b, zweck=LinkZweck.RSVP, bezug_id=welt.sitzung)
    seen: set[str] = set()

    def same(url: str) -> str:
        first, again, expected = shaped.get(url), shaped.get(url), direct.get(url)
        assert first.status_code == expected.status_code == 200
        assert first.text == again.text == expected.text
        assert "\x00" not in first.text
        seen.add(first.text)
        return first.text

    # Nobody has answered: both persons share a shape, each sees only their own name and token.
    page_a, page_b = same(url_a), same(url_b)
    assert "Anna Albers" in page_a and "Anna" not in page_b and "Bernd Brandt" in page_b
    assert csrf_of(page_a) != csrf_of(page_b) and url_b.rsplit("/", 1)[1] not in page_a

    # Names and answers with markup stay text; a person without Träger or address.
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE person SET vorname = :v WHERE id = :id"), {"v": BOESE, "id": welt.person_a})
        conn.execute(
            sa.text("UPDATE person SET organisation_id = NULL, email = NULL WHERE id = :id"), {"id": welt.person_b}
        )
    page_a = same(url_a)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;Co&#39;" in page_a and "<script>" not in page_a
    same(url_b)

    answers = [
        (
            url_a,
            {"antwort": "zusage", "personen": "3", "beduerfnisse": ["stufenlos", "grossdruck"], "kommentar": BOESE},
        ),
        (url_b, {"antwort": "delegiert", "vertretung_name": "O'Neil <Vertretung>", "vertretung_email": "v@x.example"}),
    ]
    for url, data in answers:
        sent = shaped.post(url, data={"csrf": csrf_of(shaped.get(url).text), **data}, follow_redirects=False)
        assert sent.status_code == 303
        for query in ("", "?gespeichert=1"):
            page = same(url + query)
        assert "&lt;script&gt;" in page or "O&#39;Neil &lt;Vertretung&gt;" in page

    # On the waiting list, then after the Sitzung has begun (closed: no form).
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE rueckmeldung SET warteliste = :w WHERE person_id = :id"), {"w": True, "id": welt.person_a}
        )
    assert "Sie stehen auf der Warteliste" in same(url_a)
    clock.now = datetime(2026, 3, 18, 17, 30, tzinfo=UTC)  # the Sitzung has begun
    closed = same(url_a)
    assert "bereits begonnen" in closed and "<form" not in closed
    assert len(seen) >= 8

"""Every page a Träger can reach, with the data the demo Landkreis produces, at a phone's 390 px
and a desktop's 1280 px: axe-core finds nothing serious or critical, and no page scrolls
sideways as a whole (wide tables scroll inside their own keyboard-reachable region).

The demo (README command (a), run once per test run in the background) writes every personal
link it mails into its outbox (.eml); this test serves a copy of the demo's store with the real
``sozialforum portal`` command and opens one link of each kind."""

from __future__ import annotations

import email
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from sozialforum.links import issue_link
from sozialforum.portal.server import free_port
from sozialforum.settings import load_settings
from sozialforum.store.db import make_engine, session_scope
from sozialforum.store.models import Rueckmeldung
from sozialforum.store.models.gremien import Sitzung
from sozialforum.timeutil import utcnow
from sozialforum.vocab import LinkZweck
from tests.portal.portal_prozess import wait_listening
from tests.portal.test_browser import _axe
from tests.support import readme_demo

pytestmark = [pytest.mark.browser, pytest.mark.readme_demo, pytest.mark.timeout(1500)]
# The demo mails links for its own portal address; its portal step serves on a port of its own.
DEMO_BASE = re.compile(r"http://127\.0\.0\.1:\d+")


def _links(outbox: Path) -> dict[str, str]:
    """One personal link path per kind (``rueckmeldung``, ``protokoll-kommentar``, …) from the mails."""
    found: dict[str, str] = {}
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(("plain",))  # type: ignore[attr-defined]  # policy.default gives EmailMessage
        if body is None:
            continue
        for url in re.findall(DEMO_BASE.pattern + r"(/[a-z-]+/[A-Za-z0-9_.-]+)", body.get_content()):
            found.setdefault(url.split("/")[1], url)
    return found


def _topic_link(data_dir: Path) -> str:
    """A topic-proposal link for someone invited to the demo's next Sitzung, signed with the
    demo's own key (so the served portal accepts it)."""
    settings = load_settings(data_dir=data_dir)
    engine = make_engine(settings.db_url)
    with session_scope(engine, actor="test") as session:
        row = session.exec(
            select(Rueckmeldung).join(Sitzung).where(Sitzung.beginn > utcnow()).order_by(col(Sitzung.beginn))
        ).first()
        assert row is not None
        url = issue_link(
            session,
            person_id=row.person_id,
            zweck=LinkZweck.THEMENVORSCHLAG,
            bezug_id=row.sitzung_id,
            now=utcnow(),
            settings=settings,
        )
    engine.dispose()
    return "/" + url.split("/", 3)[3]


@pytest.fixture(scope="module")
def demo(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    # The demo of README command (a), run once in the background for the whole test run; its
    # data folder as the demo left it, copied so that nothing here changes what others read.
    lauf = readme_demo.wait(pytestconfig)
    assert lauf.returncode == 0, lauf.stdout + lauf.stderr
    folder = tmp_path_factory.mktemp("demo")
    shutil.copytree(lauf.demo_var, folder / "var")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOZIALFORUM_", "PREFECT_"))}
    env["COLUMNS"] = "200"
    links = _links(folder / "var" / "outbox")
    links["themenvorschlag"] = _topic_link(folder / "var")  # the demo proposes its topic without mail
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sozialforum", "portal", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_listening(process, port)
        base = f"http://127.0.0.1:{port}"
        yield base, {kind: base + path for kind, path in links.items()}
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_demo_mails_links_of_every_traeger_page(demo: tuple[str, dict[str, str]]) -> None:
    _, links = demo
    assert set(links) >= {
        "rueckmeldung",
        "themenvorschlag",
        "formular",
        "protokoll-kommentar",
        "sachstand",
        "projektbericht",
        "foerderantrag",
    }


@pytest.mark.parametrize("breite", [390, 1280])
def test_every_traeger_page_passes_axe_and_fits_the_screen(
    browser: Any, demo: tuple[str, dict[str, str]], breite: int
) -> None:
    base, links = demo
    pages = {
        **links,
        **{"anfragen-von-" + kind: url.replace(base, base + "/anfragen", 1) for kind, url in links.items()},
        "start": base + "/",
        "impressum": base + "/impressum",
        "datenschutz": base + "/datenschutz",
        "barrierefreiheit": base + "/barrierefreiheit",
        "neuer-link": base + "/neuer-link",
        "ungueltig": base + "/rueckmeldung/AAAA.BBBB",
    }
    page = browser.new_page(locale="de-DE", viewport={"width": breite, "height": 900})
    found: dict[str, Any] = {}
    for name, url in pages.items():
        response = page.goto(url)
        assert response is not None and response.status in (200, 403, 410), (name, response and response.status)
        found[name] = _axe(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 1:
            found[name + " (seitlich)"] = f"{overflow} px breiter als der Bildschirm"
    page.close()
    assert {name: v for name, v in found.items() if v} == {}

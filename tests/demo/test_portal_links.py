"""The demo's form requests stay in var/outbox after the demo; their personal links must lead to
where `sozialforum portal` serves (portal.base_url), not to the demo step's passing port."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import time, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sozialforum.demo import DemoRun
from sozialforum.demo import portal as demo_portal
from sozialforum.konferenz import termine
from sozialforum.store.db import session_scope
from sozialforum.store.models import OutboxMessage
from sozialforum.timeutil import utcnow
from tests.demo.helfer import demo_konferenz
from tests.portal.conftest import make_settings


def test_form_request_links_use_the_portals_address(tmp_path: Path, sqlite_engine: Engine) -> None:
    settings = make_settings(tmp_path, sqlite_engine, base_url="http://portal.landkreis.example")
    now = utcnow()
    with session_scope(sqlite_engine, actor="test") as session:
        gremium_id = demo_konferenz(session)
        termine.plan_sitzung(
            session, gremium_id=gremium_id, tag=now.date() + timedelta(days=40), uhrzeit=time(16, 0), settings=settings
        )
    demo_portal.demo_step(DemoRun(settings=settings, engine=sqlite_engine, now=now))
    with session_scope(sqlite_engine, actor="test") as session:
        mails = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.art == "portal_link")).all()
        bodies = [
            email.message_from_bytes(m.inhalt or b"", policy=email.policy.default).get_body(("plain",)).get_content()  # type: ignore[union-attr]
            for m in mails
        ]
    links = [link for body in bodies for link in re.findall(r"https?://\S+/formular/\S+", body)]
    assert links and all(link.startswith("http://portal.landkreis.example/formular/") for link in links), links

"""The demo ends with a way into the workspace: the printed name and password log in."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from sozialforum.arbeitsplatz.app import create_app
from sozialforum.demo.arbeitsplatz import demo_zugang
from sozialforum.settings import Settings
from tests.arbeitsplatz.conftest import login
from tests.portal.conftest import NOW, Clock

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_demo_access_logs_in_and_changes_each_time(sqlite_engine: Engine, ap_settings: Settings) -> None:
    name, first = demo_zugang(sqlite_engine, now=NOW)
    name_again, second = demo_zugang(sqlite_engine, now=NOW)
    assert name == name_again == "planerin" and first != second and len(second) >= 12
    with TestClient(create_app(ap_settings, sqlite_engine, clock=Clock())) as client:
        login(client, name, second)
        assert "Übersicht" in client.get("/arbeitsplatz/").text

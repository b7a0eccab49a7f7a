"""The Prefect server as the product starts it (`sozialforum serve`, docs/betrieb.md)."""

from __future__ import annotations

import httpx

from sozialforum.betrieb.prefect_server import PrefectServer


def test_a_run_held_back_by_its_deployments_limit_is_looked_at_again_after_five_seconds(
    server: PrefectServer,
) -> None:
    # Prefect's default of 30 s left the day's second invitation run waiting up to half a minute
    # after the first one had freed the deployment's only slot.
    settings = httpx.get(f"{server.api_url}/admin/settings", timeout=30).raise_for_status().json()
    assert settings["server"]["deployments"]["concurrency_slot_wait_seconds"] == 5

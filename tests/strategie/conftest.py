"""The strategy tests reuse the portal's browser fixture (Debian's Chromium via Playwright)."""

from tests.portal.conftest import browser  # noqa: F401

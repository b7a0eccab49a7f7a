"""Security of the portal: response headers, CSRF tokens, same-origin check, client keys.

CSRF: every form carries ``csrf``, an HMAC under the installation key over the context the page
belongs to (``link:<id>`` for a personal link, ``gs:<session hash>`` for a logged-in user,
``anmelden:<cookie>`` for the login form). A forged cross-site POST cannot know it, since it needs
the link's secret or the session cookie. POSTs whose ``Origin`` names another site are refused
as well (defence in depth; SameSite=Strict cookies are the third layer).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Awaitable, Callable, MutableMapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# No scripts at all; styles only from our own origin; forms only back to us; no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The staff workspace adds scripts from our own origin (one: the progress page of long work
# reloads its status; the page works without it) and fetching from itself.
WORKSPACE_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self';", "script-src 'self'; connect-src 'self'; style-src 'self';"
)
# A generated report shown as it is printed (participant list, profile): its styles are inline,
# it has no scripts and no forms, so inline styles are all it may use.
REPORT_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # Personal links carry their secret in the path: never pass it on in a Referer.
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"x-robots-tag", b"noindex, nofollow"),
]
_NO_STORE = (b"cache-control", b"no-store")
_HSTS = (b"strict-transport-security", b"max-age=31536000")
_NAMES = frozenset(name for name, _ in _HEADERS)


class SecurityHeaders:
    """Pure ASGI middleware (no BaseHTTPMiddleware: it would cost throughput on every request)."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        # The usual case, a response that sets none of them: one list added as it is.
        self.page_headers = [*_HEADERS, _NO_STORE, *([_HSTS] if https else [])]
        self.static_headers = [*_HEADERS, *([_HSTS] if https else [])]
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                if present.isdisjoint(_NAMES) and b"cache-control" not in present:
                    headers += self.static_headers if is_static else self.page_headers
                else:  # a response with headers of its own (another CSP, its own caching)
                    headers.extend(h for h in _HEADERS if h[0] not in present)
                    if not is_static and b"cache-control" not in present:
                        headers.append(_NO_STORE)
                    if self.https:
                        headers.append(_HSTS)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def security_headers(*, https: bool) -> dict[str, str]:
    """The headers as a dict (for responses made outside the middleware, e.g. the 500 page)."""
    headers = [*_HEADERS, _NO_STORE, *([_HSTS] if https else [])]
    return {name.decode(): value.decode() for name, value in headers}


@lru_cache(maxsize=1024)  # a page's token is computed again on its submission: remembered for a while
def csrf_token(key: str, context: str) -> str:
    return hmac.new(key.encode(), f"csrf:{context}".encode(), hashlib.sha256).hexdigest()[:40]


def csrf_valid(key: str, context: str, submitted: object) -> bool:
    if not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(submitted.encode(), csrf_token(key, context).encode())


# A workspace page with its query, percent-encoded as it arrived; no scheme, host, "//" or "\\".
_WORKSPACE_PATH = re.compile(r"/arbeitsplatz/[A-Za-z0-9_/.\-]{0,300}(\?[A-Za-z0-9_=&%.+\-]{0,500})?")


def workspace_path(target: str) -> str | None:
    """``target`` when it is a path of this site's workspace (where a login may lead on to: no
    open redirect), else None."""
    if _WORKSPACE_PATH.fullmatch(target) and "//" not in target and ".." not in target:
        return target
    return None


def same_origin(headers: Any, base_url: str, request_origin: Callable[[], str]) -> bool:
    """False when the browser says the POST comes from another site (Origin or Referer).

    ``request_origin`` gives the origin the request was sent to; it is only asked for when the
    browser names an origin at all.
    """
    origin = headers.get("origin")
    if origin is None or origin == "null":
        # Old browsers send no Origin; a "null" origin (sandbox, privacy mode) proves nothing
        # either way. The CSRF token still protects the form.
        return True
    allowed = {_origin(base_url), request_origin()}
    return _origin(origin) in allowed


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def client_key(request_client: Any) -> str:
    """The address failed attempts are counted against: the client's IPv4 address, or the /64
    network of an IPv6 address (one connection holds a whole /64 and could otherwise take a new
    address for every guess). The client is the direct peer, or the address a trusted proxy
    forwards (``portal.vertrauenswuerdige_proxies``)."""
    host = str(getattr(request_client, "host", None) or "unbekannt")[:100]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class TooLarge(Exception):
    """The streamed body passed the limit (raised from ``receive``)."""


_TOO_LARGE_PAGE = (
    '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Anfrage zu groß</title></head>'
    "<body><h1>Anfrage zu groß</h1><p>Die gesendeten Daten sind größer als erlaubt. Bitte kürzen Sie "
    "Ihre Eingabe oder wählen Sie eine kleinere Datei.</p></body></html>"
).encode()


class BodyLimit:
    """Refuses request bodies above the configured size before they are read, and never reads
    a body sent to a personal link whose token is not ours.

    * ``Content-Length`` above the limit: 413 at once, the body is not read (uvicorn then closes
      the connection).
    * Chunked or lying bodies: the bytes are counted as they stream; at the limit the request
      ends with 413 (or, once a response has started, the connection is dropped).
    * ``token_ok(path)`` is False (a personal-link path whose signature does not verify; no
      store access): the app sees an empty body, so the route refuses the token (403, counted
      against the address) without parsing hundreds of megabytes of form fields or spooling
      an upload to the temp folder.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        form_max: int,
        upload_max: int,
        token_ok: Callable[[str], bool] = lambda path: True,
    ) -> None:
        self.app = app
        self.form_max = form_max
        self.upload_max = upload_max
        self.token_ok = token_ok

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        content_type, declared = b"", None
        for name, value in scope["headers"]:  # ASGI servers give the names in lower case
            if name == b"content-type":
                content_type = value
            elif name == b"content-length":
                declared = value
        limit = self.upload_max if content_type.lower().startswith(b"multipart/") else self.form_max
        if declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = True
            if too_large:
                await _refuse(send)
                return
        if not self.token_ok(scope.get("path", "")):
            await self.app(scope, _empty_body, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except TooLarge:
            if started:
                raise
            await _refuse(send)


async def _empty_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _refuse(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(_TOO_LARGE_PAGE)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _TOO_LARGE_PAGE})

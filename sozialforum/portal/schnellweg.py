"""The RSVP's routes served ahead of FastAPI's request stack (the portal's hot path).

Before a handler runs, FastAPI and Starlette pass every request through about ten layers: the
telemetry check and its middleware (which read the environment on every request), the app's
call, the error middleware, the exception middleware and the router's exception wrapper (each
with a send wrapper of its own), the exit-stack middleware, the router's matching of every
route, and the route's own wrapper. For the two RSVP routes (every invited Träger opens the page
and answers within the hour after an invitation) that cost as much CPU as the page's own work.

``PortalApp`` sends the requests of one route path (``/<segment>/{token}``, GET and POST) on a
shorter way that keeps what those layers give them, with the same classes:

* the portal's own middlewares (security headers, answer limit, body limit), built from the
  app's ``user_middleware``, so their settings stay in one place (``app.create_app``); each
  path is counted by one answer limit only, since its POSTs always take this way;
* the app's exception handlers (German error pages) as the exception middleware applies them
  (``starlette.routing.request_response``), and ``ServerErrorMiddleware`` with the app's
  handler for anything unexpected (500 page, raised on for the server's log);
* ``scope["app"]`` and ``path_params`` as the router sets them.

Everything else (other methods, a ``root_path``, a path with more segments) goes the usual way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.routing import Route, request_response
from starlette.types import ASGIApp, Receive, Scope, Send


class PortalApp(FastAPI):
    """FastAPI with the routes of one path served ahead of the stack (see the module)."""

    _prefix: str = ""
    _wege: dict[str, ASGIApp] | None = None
    _handlers: tuple[dict[Any, Callable[..., Any]], dict[int, Callable[..., Any]]] = ({}, {})

    def schnellweg(self, path: str) -> None:
        """Serve the routes of ``path`` (``/<segment>/{token}``) on the short way. Call it after
        the middlewares and exception handlers are added: the way is built from them."""
        segment, parameter = path.rsplit("/", 1)
        assert parameter == "{token}", path
        handlers: dict[Any, Callable[..., Any]] = {}
        status_handlers: dict[int, Callable[..., Any]] = {}
        for key, handler in self.exception_handlers.items():  # as ExceptionMiddleware splits them
            if isinstance(key, int):
                status_handlers[key] = handler
            elif key is not Exception:
                handlers[key] = handler
        wege: dict[str, ASGIApp] = {}
        for route in self.router.routes:
            if isinstance(route, Route) and route.path == path:
                way: ASGIApp = request_response(route.endpoint)
                for cls, args, kwargs in reversed(self.user_middleware):
                    way = cls(way, *args, **kwargs)
                way = ServerErrorMiddleware(way, handler=self.exception_handlers.get(Exception))
                for method in route.methods or ():
                    if method in ("GET", "POST"):
                        wege[method] = way
        self._prefix, self._wege, self._handlers = segment + "/", wege, (handlers, status_handlers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        wege = self._wege
        if wege is not None and scope["type"] == "http" and not scope.get("root_path"):
            path: str = scope["path"]
            prefix = self._prefix
            if path.startswith(prefix) and len(path) > len(prefix) and "/" not in path[len(prefix) :]:
                way = wege.get(scope["method"])
                if way is not None:
                    scope["app"] = self
                    scope["path_params"] = {"token": path[len(prefix) :]}
                    scope["starlette.exception_handlers"] = self._handlers
                    await way(scope, receive, send)
                    return
        await super().__call__(scope, receive, send)

"""Small, deliberately broken OFAPI look-alikes: the contract kit must fail each one with the
check that names its fault."""

from __future__ import annotations

import contextlib
import threading
import time

import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from mockserver.testing import free_port

META = {
    "_credits": {"used": 0, "balance": 100, "note": "Free"},
    "_cache": {"is_cached": False, "cached_at": None, "note": "off"},
    "_rate_limits": {"limit_minute": 60, "limit_day": None, "remaining_minute": 59, "remaining_day": None},
}
HEADERS = {"X-Mock-Upstream-Calls": "1"}


def _answer(body, status: int = 200, headers=None):
    async def endpoint(request):
        return JSONResponse(body, status, headers={**HEADERS, **(headers or {})})

    return endpoint


async def _whoami(request):
    return JSONResponse({"api_key": {"name": "k"}, "team": {"name": "t", "slug": "t"}}, headers=HEADERS)


FAULTS = {  # fault -> (operationId to test, path, handler)
    "wrong-types": (
        "fansListActive",
        "/api/{account}/fans/active",
        _answer(
            {
                "data": {"list": [{"id": "not-a-number", "username": 7}], "hasMore": "yes"},
                "_meta": META,
                "_pagination": {"next_page": None},
            }
        ),
    ),
    "missing-envelope": ("statisticsGetOverview", "/api/{account}/statistics/overview", _answer({"visitors": 3})),
    "server-error": ("meRetrieve", "/api/{account}/me", _answer({"error": "boom"}, 500)),
    "computed-calls-upstream": ("smartLinksList", "/api/smart-links", _answer({"data": [], "_meta": META})),
    "foreign-media-host": (
        "mediaVaultList",
        "/api/{account}/media/vault",
        _answer(
            {
                "data": {
                    "list": [{"id": 1, "files": {"full": {"url": "https://evil.example.com/a.jpg"}}}],
                    "hasMore": False,
                },
                "_meta": META,
                "_pagination": {"next_page": None},
            }
        ),
    ),
}


@contextlib.contextmanager
def broken_server(fault: str):
    """Serve one fault on loopback; yields (base URL, operationId to test)."""
    op_id, path, handler = FAULTS[fault]
    with serving(Starlette(routes=[Route("/api/whoami", _whoami), Route(path, handler)])) as url:
        yield url, op_id


@contextlib.contextmanager
def real_looking_server(seen: list, headers: dict | None = None):
    """A server that is not the mock (no `GET /_mock/info`, and no X-Mock-Upstream-Calls unless
    `headers` add it); records the methods it gets."""

    async def smart_links(request):
        seen.append(request.method)
        return JSONResponse({"data": [], "_meta": META}, headers=headers)

    async def whoami(request):
        return JSONResponse({"api_key": {"name": "k"}, "team": {"name": "t", "slug": "t"}})

    routes = [Route("/api/whoami", whoami), Route("/api/smart-links", smart_links, methods=["GET", "POST"])]
    with serving(Starlette(routes=routes)) as url:
        yield url


@contextlib.contextmanager
def rejecting_server():
    """A server that answers OFAPI's 401 to everything, as the real API does to a wrong key."""

    async def unauthorized(request):
        return JSONResponse({"error": "Unauthorized. Go to the dashboard to get your API key."}, 401)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    with serving(Starlette(routes=[Route("/{path:path}", unauthorized, methods=methods)])) as url:
        yield url


@contextlib.contextmanager
def unwilling_server():
    """Takes the key, but answers every `fansListActive` call with a 422: nothing is exercised."""

    async def refuse(request):
        message = "The limit field must not be greater than 0."
        return JSONResponse({"message": message, "errors": {"limit": [message]}}, 422)

    routes = [Route("/api/whoami", _whoami), Route("/api/{account}/fans/active", refuse)]
    with serving(Starlette(routes=routes)) as url:
        yield url, "fansListActive"


@contextlib.contextmanager
def serving(app):
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("broken server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)

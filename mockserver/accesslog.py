"""One log line per request, as `ofapi-mock serve` prints it:

    GET /api/acct_…/fans/active?limit=5 200 credits=1 upstream=1 12.3ms

method, target, status, the credits OFAPI charged and the calls it made to the fake OnlyFans
(read from the `X-OFAPI-Credits-Used` and `X-Mock-Upstream-Calls` headers; `-` where the
answer has none, e.g. a 401), and the time to the last byte. Logged at INFO on this module's
logger, which the CLI sends to stdout (`--quiet` turns it off); nothing is measured while the
logger is off. `GET /_mock/info` is not logged: it is what the CLI's start line and the contract
kit poll to find the mock.
"""

from __future__ import annotations

import logging
import time

LOG = logging.getLogger(__name__)
HEADERS = {b"x-ofapi-credits-used": "credits", b"x-mock-upstream-calls": "upstream"}
PROBE = "/_mock/info"


class AccessLog:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] == PROBE or not LOG.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen = {"status": 500, "credits": "-", "upstream": "-"}

        async def noting(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                for name, value in message.get("headers", ()):
                    if name.lower() in HEADERS:
                        seen[HEADERS[name.lower()]] = value.decode("latin-1")
            await send(message)

        try:
            await self.app(scope, receive, noting)
        finally:
            ms = (time.perf_counter() - started) * 1000
            LOG.info(
                "%s %s %s credits=%s upstream=%s %.1fms",
                scope["method"],
                _target(scope),
                seen["status"],
                seen["credits"],
                seen["upstream"],
                ms,
            )


def _target(scope) -> str:
    """The path as the client sent it (percent-encoding kept), with its query string."""
    path = scope.get("raw_path") or scope["path"].encode("utf-8")
    query = scope.get("query_string") or b""
    target = path + (b"?" + query if query else b"")
    return target.decode("ascii", "backslashreplace")

"""Every request's bookkeeping, in one pass around the whole app (outside Connexion, so nothing
escapes it: unknown paths, 401s, validation errors, crashes):

- the operation that answered is named in `X-Mock-Operation` (Connexion's router writes it into
  the scope's `extensions`, which this middleware hands down);
- API requests are journaled for their team (status, operation, upstream calls, credits, time,
  worker), whatever became of them;
- one line per request is logged (`ofapi-mock serve` prints it; `--quiet` turns it off):

    GET /api/acct_…/fans/active?limit=5 200 credits=1 upstream=1 12.3ms

  the credits and upstream calls read from `X-OFAPI-Credits-Used` / `X-Mock-Upstream-Calls`
  (`-` where the answer has none, e.g. a 401). `GET /_mock/info` is neither logged nor
  journaled: it is what the start line and the contract kit poll to find the mock.
"""

from __future__ import annotations

import logging
import os
import time

from .faults import SCOPE_KEY as FAULT

LOG = logging.getLogger(__name__)
OPERATION = b"x-mock-operation"
NOTED = {b"x-ofapi-credits-used": "credits", b"x-mock-upstream-calls": "upstream"}
PROBE = "/_mock/info"


class RequestLog:
    def __init__(self, app, ofapi):
        self.app = app
        self.ofapi = ofapi

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] == PROBE:
            return await self.app(scope, receive, send)
        extensions = scope.setdefault("extensions", {})  # shared with the copies Connexion makes
        started, seen = time.perf_counter(), {"status": 500}

        async def noting(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                headers = message.get("headers", [])
                for name, value in headers:
                    if name.lower() in NOTED:
                        seen[NOTED[name.lower()]] = value.decode("latin-1")
                operation = extensions.get("connexion_routing", {}).get("operation_id")
                if operation:
                    seen["operation"] = operation
                    message = {**message, "headers": [*headers, (OPERATION, operation.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, noting)
        finally:
            ms = (time.perf_counter() - started) * 1000
            if scope["path"].startswith("/api"):
                self._journal(scope, seen, ms)
            if LOG.isEnabledFor(logging.INFO):
                LOG.info(
                    "%s %s %s credits=%s upstream=%s %.1fms",
                    scope["method"],
                    _target(scope),
                    seen["status"],
                    seen.get("credits", "-"),
                    seen.get("upstream", "-"),
                    ms,
                )

    def _journal(self, scope, seen: dict, ms: float) -> None:
        query = scope.get("query_string", b"").decode("latin-1")
        auth = dict(scope.get("headers", ())).get(b"authorization", b"").decode("latin-1")
        key = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        self.ofapi.store.journal.add(
            "request",
            {
                "method": scope["method"],
                "path": scope["path"] + (f"?{query}" if query else ""),
                "operation": seen.get("operation"),
                "status": seen["status"],
                "upstream_calls": int(seen.get("upstream", 0) or 0),
                "credits_used": int(seen.get("credits", 0) or 0),
                "ms": round(ms, 1),
                "worker": os.getpid(),  # which server process answered (several with --workers)
                **({"fault": scope["extensions"][FAULT]} if FAULT in scope["extensions"] else {}),
            },
            self.ofapi.store.tenants.of(key).slug if key else None,
        )


def _target(scope) -> str:
    """The path as the client sent it (percent-encoding kept), with its query string."""
    path = scope.get("raw_path") or scope["path"].encode("utf-8")
    query = scope.get("query_string") or b""
    target = path + (b"?" + query if query else b"")
    return target.decode("ascii", "backslashreplace")

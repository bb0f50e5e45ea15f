"""Every API request in the journal, whatever became of it: routed or not, rejected by auth or
validation, answered or failed. ASGI middleware outside Connexion, so nothing escapes it; the
operation comes from Connexion's routing (shared through the scope's `extensions`), the
upstream calls and credits from the response headers the OFAPI layer sets."""

from __future__ import annotations

import os
import time

from .faults import SCOPE_KEY as FAULT


class Journaling:
    def __init__(self, app, ofapi):
        self.app = app
        self.ofapi = ofapi

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/api"):
            return await self.app(scope, receive, send)
        scope.setdefault("extensions", {})  # Connexion's routing writes the operation id into it
        started, seen = time.perf_counter(), {}

        async def watched(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                seen["headers"] = {k.decode().lower(): v.decode("latin-1") for k, v in message.get("headers", ())}
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            self._record(scope, seen, time.perf_counter() - started)

    def _record(self, scope, seen: dict, seconds: float) -> None:
        headers = seen.get("headers", {})
        query = scope.get("query_string", b"").decode("latin-1")
        routing = scope["extensions"].get("connexion_routing", {})
        auth = dict(scope.get("headers", ())).get(b"authorization", b"").decode("latin-1")
        key = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        tenant = self.ofapi.store.tenants.of(key).slug if key else None
        self.ofapi.store.journal.add(
            "request",
            {
                "method": scope["method"],
                "path": scope["path"] + (f"?{query}" if query else ""),
                "operation": routing.get("operation_id"),
                "status": seen.get("status", 500),
                "upstream_calls": int(headers.get("x-mock-upstream-calls", 0) or 0),
                "credits_used": int(headers.get("x-ofapi-credits-used", 0) or 0),
                "ms": round(seconds * 1000, 1),
                "worker": os.getpid(),  # which server process answered (several with --workers)
                **({"fault": scope["extensions"][FAULT]} if FAULT in scope["extensions"] else {}),
            },
            tenant,
        )


class LoopGuard:
    """Refuses requests that are the mock's own webhook deliveries (they carry LOOP_HEADER): a
    webhook registered at the mock's own address can never drive it."""

    def __init__(self, app, header: str):
        self.app = app
        self.header = header.lower().encode()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and any(name == self.header for name, _ in scope.get("headers", ())):
            body = b'{"error": "Webhook deliveries of this mock cannot be sent to the mock itself."}'
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)

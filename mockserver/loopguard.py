"""Webhook deliveries of this mock carry a header (`ofapi/deliveries.py`, LOOP_HEADER) the mock
itself refuses: a webhook registered at the mock's own address can never drive it (reset it,
raise its events)."""

from __future__ import annotations


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

"""Request bodies over a limit get 413 JSON, whether they announce their size or stream it. JSON
bodies have a lower limit than uploads: parsing and validating a huge JSON document would hold
a worker for seconds."""

from __future__ import annotations

from starlette.datastructures import Headers

from .jsonbody import dumps


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: bodies larger than `max_bytes` never reach the app."""

    def __init__(self, app, max_bytes: int, max_json_bytes: int | None = None):
        self.app = app
        self.max_bytes = max_bytes
        self.max_json_bytes = min(max_json_bytes or max_bytes, max_bytes)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        limit = self.max_json_bytes if "json" in headers.get("content-type", "") else self.max_bytes
        length = headers.get("content-length", "")
        if length.isascii() and length.isdigit() and int(length) > limit:
            return await self._too_large(send, limit)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
            return message

        started = False

        async def tracked_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked_send)
        except BodyTooLarge:
            if not started:
                await self._too_large(send, limit)

    async def _too_large(self, send, limit: int):
        body = dumps({"error": f"Request body too large: the limit is {limit} bytes."})
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})

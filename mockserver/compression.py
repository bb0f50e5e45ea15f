"""Gzip for answers of 1 KiB and more when the client sends `Accept-Encoding: gzip` (the spec
at `/openapi.json`, lists of fans, chats …). Media bytes are left as they are: images, video
and audio are compressed already, and a `206` range must count the file's own bytes.

A client that does not take gzip gets the answer as it is, with `Vary: Accept-Encoding` added
to its headers, without Starlette's identity responder (which parses every answer's headers
to decide the same: a tenth of a small request's time)."""

from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

OPTIONS = {
    "minimum_size": 1024,
    "compresslevel": 6,  # zlib's default: most of level 9's gain at a fraction of the CPU
    "exclude_content_types": (*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/octet-stream"),
}
VARY = (b"vary", b"Accept-Encoding")


class Compression(GZipMiddleware):
    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or any(
            name == b"accept-encoding" and b"gzip" in value for name, value in scope["headers"]
        ):
            return await super().__call__(scope, receive, send)

        async def vary(message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers") or []
                if not any(name.lower() == b"vary" for name, _ in headers):
                    message = {**message, "headers": [*headers, VARY]}
            await send(message)

        await self.app(scope, receive, vary)


__all__ = ["Compression", "OPTIONS"]

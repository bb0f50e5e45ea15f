"""`GET /openapi.json`: the spec as written (components and `$ref`s kept, a third of the size of
the resolved copy Connexion would serve), with a `servers` list the interactive UI at `/ui`
can call: this server first (`--public-url`, or the origin the request came to), then the
spec's servers that are not a local mock.
"""

from __future__ import annotations

import json
from functools import lru_cache
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

PATH = "/openapi.json"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "0.0.0.0", "::1"}


class OpenApiJson:
    def __init__(self, app, spec: dict, public_url: str | None = None):
        self.app = app
        self.public_url = public_url.rstrip("/") if public_url else None
        others = [s for s in spec.get("servers") or [] if urlsplit(s.get("url", "")).hostname not in LOCAL_HOSTS]

        @lru_cache(maxsize=8)  # one per origin the mock is reached at
        def document(origin: str) -> bytes:
            servers = [{"url": origin, "description": "this ofapi-mock"}, *others]
            return json.dumps({**spec, "servers": servers}, default=str, ensure_ascii=False).encode("utf-8")

        self.document = document

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        origin = self.public_url or str(Request(scope).base_url).rstrip("/")
        await Response(self.document(origin), media_type="application/json")(scope, receive, send)

"""The request path through the OFAPI layer, in one straight line:

data source (live / hybrid / computed)  ->  [CDN rewrite]  ->  credits & limits  ->  envelope
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from ..errors import ApiError
from ..jsonbody import dumps
from ..onlyfans.payloads import Request
from ..onlyfans.upstream import FakeOnlyFans
from ..settings import Settings
from ..store.memory import MemoryStore
from .envelope import envelope, meta
from .limits import RateLimiter
from .sources import SOURCES


@dataclass
class EnrichmentContext:
    """What an enricher may read: the account's world and OFAPI's store."""

    world: object
    store: MemoryStore
    request: Request


class Ofapi:
    def __init__(self, settings: Settings, upstream: FakeOnlyFans, store: MemoryStore, world):
        self.settings = settings
        self.upstream = upstream
        self.store = store
        self.world = world
        self.limiter = RateLimiter(settings.rate_limit_per_minute)

    def enrichment_context(self, req: Request) -> EnrichmentContext:
        return EnrichmentContext(self.world.account(req.path_params.get("account", "")), self.store, req)

    def respond(self, req: Request, api_key: str, url) -> Response:
        remaining, reset = self.limiter.hit(api_key)
        limit = self.settings.rate_limit_per_minute
        limit_headers = {
            "X-Rate-Limit-Limit-Minute": str(limit),
            "X-Rate-Limit-Remaining-Minute": str(max(remaining, 0)),
        }
        if remaining < 0:
            raise ApiError(429, headers={**limit_headers, "Retry-After": str(reset)})

        payload, calls = SOURCES[req.op.data_source](self, req)
        used, balance = self.store.debit(api_key, calls)  # 1 credit per OnlyFans request; computed is free
        headers = {
            **limit_headers,
            "X-Mock-Upstream-Calls": str(calls),
            "X-OFAPI-Credits-Used": str(used),
            "X-OFAPI-Credits-Balance": str(balance),
        }
        op = req.op
        if op.binary:
            content, content_type = payload.data
            return Response(content, op.status, headers=headers, media_type=content_type)
        body = payload.data
        if op.enveloped:
            next_page = None
            if payload.next_cursor:
                name, value = payload.next_cursor
                next_page = str(url.include_query_params(**{name: value}))
            body = envelope(body, meta(used, balance, limit, max(remaining, 0)), next_page, op.paginated)
        return Response(dumps(body), op.status, headers=headers, media_type="application/json")

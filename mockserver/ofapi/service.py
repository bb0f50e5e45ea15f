"""The request path through the OFAPI layer, in one straight line:

cache -> rate limit -> idempotency -> credits check -> data source or behaviour
      -> credits debit -> envelope -> CDN rewrite
"""

from __future__ import annotations

import json
import time
from dataclasses import replace

from starlette.responses import Response

from ..errors import ApiError
from ..jsonbody import dumps
from ..onlyfans.payloads import Request
from ..onlyfans.upstream import FakeOnlyFans
from ..settings import Settings
from . import cdn, credits
from .cache import DISABLED, PublicCache
from .envelope import CACHE_HIT, CHARGED, FREE, envelope, meta
from .idempotency import Idempotency
from .limits import RateLimiter
from .sources import BEHAVIOURS, SOURCES, Outcome


class Ofapi:
    def __init__(
        self, settings: Settings, upstream: FakeOnlyFans, store, world, schemas: dict, clock=time.time, rebuild=None
    ):
        self.settings = settings
        self.schemas = schemas
        self._rebuild = rebuild  # seed -> the world-dependent parts (for a reset to another seed)
        self.upstream = upstream
        self.store = store
        self.world = world
        self.limiter = RateLimiter(settings.rate_limit_per_minute)
        self.cache = PublicCache(store.responses, settings.cache_ttl_seconds, clock)
        self.idempotency = Idempotency(store.idempotency, clock)

    def reset(self, seed: int | None = None) -> None:
        """Forget OFAPI's stored data; with a seed, also start a new world from it."""
        self.store.db.reset()
        self.store.media.forget()
        self.store.responses.clear()
        self.store.idempotency.clear()
        if seed is not None and self._rebuild is not None:
            parts = self._rebuild(seed)
            self.world = self.store.world = parts.world
            self.upstream = parts.upstream
            self.store.renderer = parts.store_renderer

    def require_credits(self, api_key: str, amount: int) -> None:
        if amount and self.store.balance(api_key) < amount:
            raise ApiError(402, f"Insufficient credits: this call needs {amount}. Top up your balance to continue.")

    def respond(self, req: Request) -> Response:
        op = req.op
        req.tenant = self.store.tenants.of(req.api_key).slug
        account = req.path_params.get("account")
        if account and self.store.is_disconnected(req.tenant, account):
            raise ApiError(404, f"Account {account} is not connected.")
        before = self.upstream.calls
        try:
            response = self._respond(req)
        except ApiError as exc:  # errors say how many OnlyFans calls were made too
            exc.headers.setdefault("X-Mock-Upstream-Calls", str(self.upstream.calls - before))
            raise
        self.store.journal(
            "request",
            {
                "method": op.method,
                "path": req.url.path if req.url is not None else op.path,
                "operation": op.op_id,
                "status": response.status_code,
                "upstream_calls": int(response.headers.get("X-Mock-Upstream-Calls", 0)),
                "tenant": req.tenant,
            },
        )
        return response

    def _respond(self, req: Request) -> Response:
        op = req.op
        hit = self.cache.lookup(req)
        remaining, reset = self.limiter.hit(req.api_key, count=hit is None)
        limit = self.settings.rate_limit_per_minute
        limit_headers = {
            "X-Rate-Limit-Limit-Minute": str(limit),
            "X-Rate-Limit-Remaining-Minute": str(max(remaining, 0)),
        }
        if remaining < 0:
            raise ApiError(429, headers={**limit_headers, "Retry-After": str(reset)})

        scope, replay = self.idempotency.begin(req)
        if replay is not None:
            return self._replay(req, replay, limit_headers)
        if hit is not None:
            outcome, cache_meta = replace(hit[0], calls=0, cost=0), hit[1]
        else:
            self.require_credits(req.api_key, credits.minimum(op))
            try:
                outcome = (BEHAVIOURS.get(op.behaviour) or SOURCES[op.data_source])(self, req)
            except Exception:
                self.idempotency.abandon(scope)
                raise
            cache_meta = self.cache.save(req, outcome) if outcome.calls else DISABLED

        cost = outcome.cost
        if cost is None:
            cost = credits.cost(op, outcome.data, outcome.calls, int(req.headers.get("content-length") or 0))
        used, balance = self.store.debit(req.api_key, cost)
        note = CACHE_HIT if hit is not None else CHARGED if used else FREE
        headers = {
            **limit_headers,
            **outcome.headers,
            "X-Mock-Upstream-Calls": str(outcome.calls),
            "X-OFAPI-Credits-Used": str(used),
            "X-OFAPI-Credits-Balance": str(balance),
        }
        status = outcome.status or op.status
        if isinstance(outcome.data, bytes):
            return Response(outcome.data, status, headers=headers, media_type=outcome.media_type)

        body = outcome.data
        if op.enveloped:
            body = envelope(
                body,
                meta(used, balance, note, cache_meta, limit, max(remaining, 0)),
                self._next_page(req, outcome),
                op.paginated,
            )
        content = cdn.rewrite(dumps(body), self.store.media)
        self.idempotency.finish(scope, status, content, "application/json")
        return Response(content, status, headers=headers, media_type="application/json")

    def _next_page(self, req: Request, outcome: Outcome) -> str | None:
        if not outcome.next_cursor or req.url is None:
            return None
        name, value = outcome.next_cursor
        base = self.settings.public_url
        url = req.url.include_query_params(**{name: value})
        return f"{base.rstrip('/')}{url.path}?{url.query}" if base else str(url)

    def _replay(self, req: Request, record, limit_headers: dict) -> Response:
        """The stored answer again: no OnlyFans call, no credits (`_credits.used` reads 0)."""
        body = json.loads(record.body)
        if isinstance(body, dict) and isinstance(body.get("_meta"), dict):
            body["_meta"]["_credits"] = {"used": 0, "balance": self.store.balance(req.api_key), "note": FREE}
        headers = {
            **limit_headers,
            "Idempotent-Replayed": "true",
            "X-Mock-Upstream-Calls": "0",
            "X-OFAPI-Credits-Used": "0",
            "X-OFAPI-Credits-Balance": str(self.store.balance(req.api_key)),
        }
        return Response(dumps(body), record.status, headers=headers, media_type=record.media_type)

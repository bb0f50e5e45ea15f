"""The request path through the OFAPI layer, in one straight line:

world state -> account -> cache -> rate limit + credits reserved -> idempotency
    -> data source or behaviour -> credits settled -> envelope -> CDN rewrite

Everything two workers (or instances) must agree on is decided in the store, in one
transaction each: the request's rate-limit count and credit reservation, the idempotency claim,
the settlement. What a worker keeps itself (the generated world, rendered entities, known
cached files) is a cache of the store's state, rebuilt when the store's generation moves on.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import time
from dataclasses import replace
from urllib.parse import parse_qsl, quote, urlencode

from starlette.responses import Response

from ..errors import ApiError
from ..jsonbody import dumps
from ..onlyfans.payloads import Request
from ..settings import Settings
from ..store.store import STATE_TTL
from . import cdn, credits
from .answers import Answer, RenderedAnswers
from .cache import PublicCache
from .envelope import CACHE_HIT, CHARGED, FREE, envelope_bytes, meta
from .idempotency import Idempotency
from .sources import BEHAVIOURS, SOURCES, Outcome

PATH_SAFE = "/:@!$&'()*+,;=-._~%"  # what a URI path may hold as it is (RFC 3986)
NEXT_PAGE_URL = ("next_page", "next_page_url")  # `_pagination` members holding the next page's URL


class Ofapi:
    def __init__(self, settings: Settings, store, build, schemas: dict, clock=time.time):
        self.settings = settings
        self.schemas = schemas  # the spec's component schemas (enrichment conforms values to them)
        self.store = store
        self._build = build  # seed -> the world-dependent parts (world, fake OnlyFans, renderers)
        self.clock = clock
        self.cache = PublicCache(store.public, settings.cache_ttl_seconds, clock)
        self.idempotency = Idempotency(store.idempotency, clock)
        self.answers = RenderedAnswers(settings.answer_cache_bytes)
        self._generation: int | None = None
        self._state, self._synced = None, float("-inf")
        self._frozen = False
        self.parts = None
        self.sync()

    # -- the world, as the store says it is ---------------------------------------------------
    def sync(self, force: bool = False):
        """Catch up with the store: a new generation (a reset, maybe another seed) rebuilds the
        world; new epochs empty the memos of cached files and usable accounts. The state is read
        at most once per `STATE_TTL` seconds: whoever changes it waits longer than that before
        answering (`Store.settled`), so no request that follows sees the old one."""
        now = time.monotonic()
        if not force and self._state is not None and now - self._synced < STATE_TTL:
            return self._state
        state = self._state = self.store.state()
        self._synced = now
        if state.generation != self._generation:
            if self._frozen:
                gc.unfreeze()  # the old world may be garbage now
            self.parts = self._build(state.seed if state.seed is not None else self.settings.seed)
            if self._frozen:
                gc.collect()  # the world it replaced
                gc.freeze()
            self.store.world, self.store.renderer = self.parts.world, self.parts.store_renderer
            self._generation = state.generation
            self.answers.clear()
            self.store.windows.forget_leases()  # the windows were emptied
            self.store.balances.forget_leases()
        self.store.media.sync(state.media_epoch)
        if self.store.accounts.sync(state.accounts_epoch):  # a team was reset or an account disconnected
            self.parts.world.forget_views()
            self.store.balances.forget_leases()
        return state

    def freeze_world(self) -> None:
        """For a server process (not someone's test session, whose own objects it would freeze
        too): the world lives until the next reset, so the collector leaves it out of its scans
        (a full collection over it paused requests ~30 ms). Each rebuild unfreezes first, so a
        replaced world is freed."""
        self._frozen = True
        gc.freeze()

    @property
    def world(self):
        return self.parts.world

    @property
    def upstream(self):
        return self.parts.upstream

    def reset(self, seed: int | None = None, tenant: str | None = None) -> None:
        """Forget OFAPI's stored data (of every team, or of one); with a seed, a new world too."""
        self.store.reset(seed, tenant)
        self.sync(force=True)

    # -- credits ------------------------------------------------------------------------------
    def charge(self, req: Request, amount: int) -> int:
        """Take `amount` credits now, before contacting OnlyFans (402 when the balance is short):
        behaviours that learn their price on the way (a file's size) pay this way."""
        with self.store.db.tx() as db:
            balance = self.store.balances.reserve(db, req.tenant, amount, ledger(req)) if amount else 0
        if balance is None:
            raise _short(amount)
        return amount

    # -- one request ---------------------------------------------------------------------------
    def respond(self, req: Request) -> Response:
        state = self.sync()
        req.tenant = self.store.tenants.of(req.api_key).slug
        account = req.path_params.get("account")
        if account:
            self.store.accounts.require(req.tenant, str(account))
        before = self.upstream.calls
        try:
            return self._respond(req, state)
        except ApiError as exc:  # errors say how many OnlyFans calls were made too
            exc.headers.setdefault("X-Mock-Upstream-Calls", str(self.upstream.calls - before))
            raise

    def _respond(self, req: Request, state) -> Response:
        op = req.op
        hit = self.cache.lookup(req)
        wants_replay = self.idempotency.key_of(req) is not None
        reserve = 0 if hit is not None or wants_replay else credits.minimum(op)
        remaining, limit_headers, reserved, balance = self._admit(req, count=hit is None, reserve=reserve)

        scope, replay = self.idempotency.begin(req)
        if replay is not None:
            return self._replay(req, replay, limit_headers)
        memo = None
        try:
            if hit is not None:
                outcome, cache_meta = replace(hit[0], calls=0, cost=0), hit[1]
            else:
                if wants_replay:  # a first use of an idempotency key pays now
                    reserved = self.charge(req, credits.minimum(op))
                memo, outcome = self._from_memo(req, state)
                if outcome is None:
                    outcome = (BEHAVIOURS.get(op.behaviour) or SOURCES[op.data_source])(self, req)
                cache_meta = self.cache.save(req, outcome)
        except Exception:
            self.idempotency.abandon(scope)
            if reserved:
                self.store.balances.settle(req.tenant, reserved, 0, ledger(req))  # nothing done, nothing charged
            raise

        cost = outcome.cost
        if cost is None:
            cost = credits.cost(op, outcome.data, outcome.calls, int(req.headers.get("content-length") or 0))
        paid = reserved + (cost if outcome.paid else 0)
        if cost != paid:
            used, balance = self.store.balances.settle(req.tenant, paid, cost, ledger(req))
        else:
            used = cost
            if balance is None:  # a free call: the balance to show, read (nothing to write)
                balance = self.store.balances.balance(req.tenant)
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

        data = outcome.encoded
        if data is None:
            data, stable = cdn.rewrite_stable(dumps(outcome.data), self.store.media)
            if memo is not None and stable:
                self.answers.put(memo, Answer(data, outcome.next_cursor, cost, outcome.pagination))
        content = data
        if op.enveloped:
            limit = self.settings.rate_limit_per_minute
            the_meta = meta(used, balance, note, cache_meta, limit, remaining)
            pagination = self._pagination(req, outcome) if op.paginated else None
            content = envelope_bytes(data, dumps(the_meta), pagination)
        self.idempotency.finish(scope, status, content, "application/json")
        return Response(content, status, headers=headers, media_type="application/json")

    def _from_memo(self, req: Request, state):
        """(key, outcome) of a read this worker answered before; outcome None when it must be made."""
        if not self.answers.cacheable(req):
            return None, None
        account = req.path_params.get("account")
        req.world_version = self.store.overlay.version(req.tenant, str(account)) if account else 0
        key = self.answers.key(req, state, req.world_version)
        kept = self.answers.get(key)
        if kept is None:
            return key, None
        self.upstream.count()  # it stands for the OnlyFans call the answer came from
        outcome = Outcome(None, calls=1, cost=kept.cost, next_cursor=kept.next_cursor, encoded=kept.data)
        outcome.pagination = kept.pagination
        return key, outcome

    def _admit(self, req: Request, count: bool, reserve: int) -> tuple[int, dict, int]:
        """Count the request in its key's minute and reserve its minimum credits, in one
        transaction: (remaining this minute, rate-limit headers, credits reserved, balance after
        or None when nothing was reserved). 429 / 402."""
        now = self.clock()
        minute, limit = int(now // 60), self.settings.rate_limit_per_minute
        key = _window_key(req.api_key)
        balance = short = None
        windows, balances = self.store.windows, self.store.balances
        used = windows.leased(key, minute) if count else None  # leases: most calls write nothing
        if used is not None and used <= limit and reserve:
            balance = balances.take(req.tenant, reserve, ledger(req))
        if used is None or (reserve and balance is None and used <= limit):
            with self.store.db.tx() as db:
                if used is None:
                    used = windows.hit(db, key, minute, limit) if count else windows.used(key, minute)
                if used <= limit and reserve:
                    balance = balances.take(req.tenant, reserve, ledger(req))
                    if balance is None:
                        balance = balances.reserve(db, req.tenant, reserve, ledger(req))
                    short = balance is None
        remaining = limit - used
        headers = {"X-Rate-Limit-Limit-Minute": str(limit), "X-Rate-Limit-Remaining-Minute": str(max(remaining, 0))}
        if remaining < 0:
            raise ApiError(429, headers={**headers, "Retry-After": str(60 - int(now % 60))})
        if short:
            raise _short(reserve)
        return remaining, headers, reserve, balance

    def _pagination(self, req: Request, outcome: Outcome) -> dict:
        """`_pagination` as the operation's schema has it: the next page's URL (`next_page`, or
        search's `next_page_url`) and what the pager reported for the other members."""
        url = self._next_page(req, outcome)
        members = req.op.pagination or ("next_page",)
        return {
            name: url if name in NEXT_PAGE_URL else outcome.pagination[name]
            for name in members
            if name in NEXT_PAGE_URL or name in outcome.pagination
        }

    def _next_page(self, req: Request, outcome: Outcome) -> str | None:
        if not outcome.next_cursor or req.url is None:
            return None
        name, value = outcome.next_cursor  # this query with the cursor set, as `URL.include_query_params` would
        query = [(k, v) for k, v in parse_qsl(req.url.query, keep_blank_values=True) if k != name]
        query.append((name, str(value)))
        return f"{req.base_url}{quote(req.url.path, safe=PATH_SAFE)}?{urlencode(query)}"  # its path percent-encoded

    def _replay(self, req: Request, record, limit_headers: dict) -> Response:
        """The stored answer again: no OnlyFans call, no credits (`_credits.used` reads 0)."""
        balance = self.store.balances.balance(req.tenant)
        body = json.loads(record.body)
        if isinstance(body, dict) and isinstance(body.get("_meta"), dict):
            body["_meta"]["_credits"] = {"used": 0, "balance": balance, "note": FREE}
        headers = {
            **limit_headers,
            "Idempotent-Replayed": "true",
            "X-Mock-Upstream-Calls": "0",
            "X-OFAPI-Credits-Used": "0",
            "X-OFAPI-Credits-Balance": str(balance),
        }
        return Response(dumps(body), record.status, headers=headers, media_type=record.media_type)


@functools.lru_cache(maxsize=4096)
def _window_key(api_key: str) -> str:
    """The rate-limit window's key: the API key's digest (the key itself is never stored)."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def ledger(req: Request) -> tuple[str, str]:
    """Where a call's credits are booked: its endpoint as OFAPI names it, and its account."""
    return req.op.path.lstrip("/"), str(req.path_params.get("account") or "")


def _short(amount: int) -> ApiError:
    return ApiError(402, f"Insufficient credits: this call needs {amount}. Top up your balance to continue.")

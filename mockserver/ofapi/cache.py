"""OFAPI's cache of public answers (`x-cache: public`, e.g. profiles): a hit is free, makes no
OnlyFans call and does not count against the rate limit; `?fresh=true` skips it. Answers are
kept in the store (per team), so every worker serves the same hits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ..jsonbody import dumps
from ..onlyfans.payloads import Request
from ..onlyfans.values import ofapi_time
from .sources import Outcome

DISABLED = {"is_cached": False, "cached_at": None, "note": "Cache disabled for this endpoint"}
FRESH_NOTE = "Add ?fresh=true to the request URL to skip the cache and fetch a fresh answer from OnlyFans"


def _key(req: Request) -> str:
    query = sorted((k, str(v)) for k, v in req.query.items() if k != "fresh")
    return json.dumps([req.op.op_id, sorted(req.path_params.items()), query])


def _fresh(req: Request) -> bool:
    return str(req.query.get("fresh", "")).lower() in ("true", "1")


class PublicCache:
    def __init__(self, answers, ttl_seconds: float, clock):
        self._answers = answers  # store.public
        self._ttl = ttl_seconds
        self._clock = clock

    def lookup(self, req: Request):
        """(outcome, `_meta._cache`) of a still-fresh cached answer, or None."""
        if req.op.cache != "public" or _fresh(req):
            return None
        hit = self._answers.get(req.tenant, _key(req))
        if hit is None or self._clock() - hit[0] > self._ttl:
            return None
        at, body = hit
        saved = json.loads(body)
        cursor = tuple(saved["next_cursor"]) if saved["next_cursor"] else None
        cached_at = ofapi_time(datetime.fromtimestamp(at, UTC))  # OFAPI's own moment, as Laravel writes it
        outcome = Outcome(saved["data"], calls=0, cost=0, next_cursor=cursor)
        return outcome, {"is_cached": True, "cached_at": cached_at, "note": FRESH_NOTE}

    def save(self, req: Request, outcome: Outcome) -> dict:
        """Keep a public answer that came from OnlyFans; returns its `_meta._cache`."""
        if req.op.cache != "public" or not outcome.calls:
            return DISABLED
        self._answers.put(req.tenant, _key(req), dumps({"data": outcome.data, "next_cursor": outcome.next_cursor}))
        return {"is_cached": False, "cached_at": None, "note": FRESH_NOTE}

"""OFAPI's cache of public answers (`x-cache: public`, e.g. profiles): a hit is free, makes no
OnlyFans call and does not count against the rate limit; `?fresh=true` skips it."""

from __future__ import annotations

from datetime import UTC, datetime

from ..onlyfans.payloads import Request

DISABLED = {"is_cached": False, "cached_at": None, "note": "Cache disabled for this endpoint"}
FRESH_NOTE = "Add ?fresh=true to the request URL to skip the cache and fetch a fresh answer from OnlyFans"


def _key(req: Request) -> tuple:
    query = tuple(sorted((k, str(v)) for k, v in req.query.items() if k != "fresh"))
    return (req.op.op_id, tuple(sorted(req.path_params.items())), query)


def _fresh(req: Request) -> bool:
    return str(req.query.get("fresh", "")).lower() in ("true", "1")


class PublicCache:
    def __init__(self, entries, ttl_seconds: float, clock):
        self._entries = entries  # a bounded mapping in the store
        self._ttl = ttl_seconds
        self._clock = clock

    def lookup(self, req: Request):
        """(payload, `_meta._cache`) of a still-fresh cached answer, or None."""
        if req.op.cache != "public" or _fresh(req):
            return None
        hit = self._entries.get(_key(req))
        if hit is None or self._clock() - hit[0] > self._ttl:
            return None
        at, payload = hit
        cached_at = datetime.fromtimestamp(at, UTC).replace(microsecond=0).isoformat()
        return payload, {"is_cached": True, "cached_at": cached_at, "note": FRESH_NOTE}

    def save(self, req: Request, payload) -> dict:
        """Keep a public answer; returns its `_meta._cache`."""
        if req.op.cache != "public":
            return DISABLED
        self._entries[_key(req)] = (self._clock(), payload)
        return {"is_cached": False, "cached_at": None, "note": FRESH_NOTE}

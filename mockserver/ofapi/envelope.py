"""OFAPI's response envelope: `data`, `_meta` (credits, cache, rate limits), `_pagination`."""

from __future__ import annotations

from ..jsonbody import dumps

RATE_LIMIT_NOTICE = "Daily rate limits were removed; only the per-minute limit applies."
CHARGED = "Always"
FREE = "Free endpoint. No credits debited"
CACHE_HIT = "Cache HIT. No credits debited"


def meta(used: int, balance: int, note: str, cache: dict, limit: int | None, remaining: int | None) -> dict:
    return {
        "_credits": {"used": used, "balance": balance, "note": note},
        "_cache": cache,
        "_rate_limits": {
            "limit_minute": limit,
            "limit_day": None,
            "remaining_minute": remaining,
            "remaining_day": None,
            "notice": RATE_LIMIT_NOTICE,
        },
    }


def envelope(data, meta_: dict, pagination: dict | None) -> dict:
    """`pagination`: the `_pagination` object of a paginated operation (None: the body has none)."""
    body = {"data": data, "_meta": meta_}
    if pagination is not None:
        body["_pagination"] = pagination
    return body


def envelope_bytes(data: bytes, meta_: bytes, pagination: dict | None) -> bytes:
    """`envelope`, encoded, around `data` already encoded (the same bytes `dumps(envelope(...))` gives)."""
    body = b'{"data":' + data + b',"_meta":' + meta_
    if pagination is not None:
        body += b',"_pagination":' + dumps(pagination)
    return body + b"}"

"""OFAPI's response envelope: `data`, `_meta` (credits, cache, rate limits), `_pagination`."""

from __future__ import annotations

CACHE_DISABLED = {"is_cached": False, "cached_at": None, "note": "Cache disabled for this endpoint"}
CREDIT_NOTES = {0: "Free endpoint. No credits debited"}
RATE_LIMIT_NOTICE = "Daily rate limits were removed; only the per-minute limit applies."


def meta(used: int, balance: int, limit_minute: int | None, remaining_minute: int | None) -> dict:
    return {
        "_credits": {"used": used, "balance": balance, "note": CREDIT_NOTES.get(used, "Always")},
        "_cache": CACHE_DISABLED,
        "_rate_limits": {
            "limit_minute": limit_minute,
            "limit_day": None,
            "remaining_minute": remaining_minute,
            "remaining_day": None,
            "notice": RATE_LIMIT_NOTICE,
        },
    }


def envelope(data, meta_: dict, next_page: str | None, paginated: bool) -> dict:
    body = {"data": data, "_meta": meta_}
    if paginated:
        body["_pagination"] = {"next_page": next_page}
    return body

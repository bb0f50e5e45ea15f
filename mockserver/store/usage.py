"""`GET /usage/credits`: what the team spent, from the credits ledger (`balances.py`), grouped by
day, account or endpoint. Days are the server clock's (UTC); today only when asked for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from ..errors import InvalidInput
from .actions import Answer, action

DEFAULT_DAYS = 30


def _day(value, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput({name: [f"The {name} field must be a valid date (Y-m-d)."]}) from None


@action("usage.credits")
def credits(store, req) -> Answer:
    q = req.query
    today = datetime.fromtimestamp(store.clock(), UTC).date()
    last = _day(q["to"], "to") if q.get("to") else today
    if last > today:
        raise InvalidInput({"to": ["The to field must be a date before or equal to today."]})
    first = _day(q["from"], "from") if q.get("from") else last - timedelta(days=DEFAULT_DAYS)
    if first > last:
        raise InvalidInput({"from": ["The from field must be a date before or equal to to."]})
    include_today = bool(q.get("include_today"))
    group = q.get("group_by") or "day"
    rows = [
        r
        for r in store.balances.usage(req.tenant, first.isoformat(), last.isoformat())
        if (include_today or r[0] != today.isoformat()) and (not q.get("account_id") or r[2] == q["account_id"])
    ]
    groups: dict[str, dict] = {}
    for day, endpoint, account, requests, spent in rows:
        key = {"day": day, "account": account, "endpoint": endpoint}[group]
        entry = groups.setdefault(key, {"credit_type": "api_request", "credits": 0, "requests": 0})
        entry[{"day": "day", "account": "account_id", "endpoint": "endpoint"}[group]] = key or None
        entry["credits"] += spent
        entry["requests"] += requests
    results = sorted(groups.values(), key=lambda e: (-e["credits"], str(e)))
    return Answer(
        {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "group_by": group,
            "includes_today": include_today,
            "totals": {"credits": sum(e["credits"] for e in results), "requests": sum(e["requests"] for e in results)},
            "results": results,
        }
    )

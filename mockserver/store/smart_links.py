"""Smart links: CRUD, and analytics computed from stored click and conversion rows.

Each link's traffic is seeded from its id (so it is the same every time it is read) and
spread over the 60 days after its first minute: rows dated after *now* appear as time passes,
so a link's numbers grow like real traffic. Conversions point at the account's fans.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from ..errors import InvalidInput
from ..lenient import found, rule, stand_in
from ..onlyfans.entities import stable_int
from ..onlyfans.values import ofapi_time
from .actions import Answer, action, body_of, not_found, page
from .ids import new_id, ulid

KIND = "smart_link"
QUIET_SECONDS = 60  # a link's first click comes no sooner
CONVERSION_TYPES = (
    "new_subscriber",
    "new_transaction",
    "message_received",
    "fan_sent_1_message",
    "fan_sent_3_messages",
)


def _iso(ts: float) -> str:
    """A moment as OFAPI writes its own (`2025-05-23T15:51:52.000000Z`), the notation the spec
    declares for these fields: stored so, it needs no rewriting at every answer."""
    return ofapi_time(datetime.fromtimestamp(ts, UTC))


def _get(store, req) -> dict:
    doc = found(store, KIND, req.path_params["smart_link_id"], req.tenant)
    if doc is None:
        raise not_found("Smart link")
    return doc


def _traffic(store, doc: dict) -> tuple[list[dict], list[dict]]:
    """(clicks, conversions) that have happened by now: the link's traffic over 60 days from a
    minute after it was made, so a new link has none yet. Everything is drawn in time order
    (the click times as ascending uniform order statistics), stopping at now: what happened is
    a prefix of the draws, so it reads the same whenever asked, and a link's future costs nothing."""
    created, now = doc["_created"], store.clock()
    clicks, conversions = [], []
    if now < created + QUIET_SECONDS:  # the answer to its own create, most often
        return clicks, conversions
    rng = random.Random(stable_int("smart-link", doc["id"]))
    world, pools = store.world.account(doc["account"]["id"]), store.world.pools
    count, share = rng.randint(40, 120), 0.0  # share: of the 60 days, where the last click was
    for n in range(count):
        share += (1 - share) * (1 - rng.random() ** (1 / (count - n)))  # the next smallest of what is left
        at = created + QUIET_SECONDS + share * 60 * 86400
        if at > now:  # what has not happened yet is not made
            break
        ip, country, agent = rng.choice(pools.ips), rng.choice(pools.countries), rng.choice(pools.user_agents)
        bot, duplicate, source = rng.random() < 0.05, rng.random() < 0.1, rng.choice(("reddit", "x", "ig"))
        click = {
            "id": ulid(at, stable_int(doc["id"], n)),
            "created_at": _iso(at),
            "_at": at,
            "ip_address": ip,
            "country_code": country,
            "user_agent": agent,
            "is_bot": bot,
            "is_duplicate": duplicate,
            "gross_clicks": 1,
            "utm_source": source,
        }
        clicks.append(click)
        if rng.random() < 0.25 and world.fans:
            fan = world.fans[rng.randrange(len(world.fans))]
            kind = "new_subscriber" if rng.random() < 0.6 else rng.choice(CONVERSION_TYPES[1:])
            conv_at = at + rng.uniform(60, 86400)
            if conv_at <= now:
                gross, net = world.spend_of(fan)
                conversions.append(
                    {
                        "id": ulid(conv_at, stable_int(doc["id"], "c", n)),
                        "conversion_type": kind,
                        "conversion_at": _iso(conv_at),
                        "_at": conv_at,
                        "amount_gross": gross,
                        "amount_net": net,
                        "fan_onlyfans_id": str(fan["id"]),
                        "click": click,
                        "_fan": fan,
                        "fan": {
                            "onlyfans_id": str(fan["id"]),
                            "username": fan["username"],
                            "name": fan["name"],
                            "avatar_url": fan["avatar"],
                            "onlyfans_url": f"https://onlyfans.com/{fan['username']}",
                        },
                    }
                )
    return clicks, conversions


def _day(req, name: str) -> float | None:
    """A `date_start` / `date_end` filter as a timestamp (Laravel's `date` rule: 422 otherwise)."""
    value = req.query.get(name)
    if value in (None, ""):
        return None
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise InvalidInput({name: [f"The {name.replace('_', ' ')} field must be a valid date."]}) from None


def _in_window(rows: list[dict], req) -> list[dict]:
    start, end = _day(req, "date_start"), _day(req, "date_end")
    lo = start if start is not None else float("-inf")
    hi = end + 86400 if end is not None else float("inf")
    return [r for r in rows if lo <= r["_at"] < hi]


def _summary(store, doc: dict) -> dict:
    clicks, conversions = _traffic(store, doc)
    subs = [c for c in conversions if c["conversion_type"] == "new_subscriber"]
    spenders = {c["fan_onlyfans_id"] for c in subs if c["amount_net"] > 0}
    return {
        "clicks_count": len(clicks),
        "conversions_count": len(conversions),
        "subscribers_count": len(subs),
        "spenders_count": len(spenders),
        "revenue": f"{sum(c['amount_net'] for c in subs):.2f}",
    }


@action("smart_links.create")
def create(store, req) -> Answer:
    body = body_of(req)
    trial_days = body.get("link_type") != "free_trial" or 1 <= int(body.get("free_trial_days") or 0) <= 360
    rule(
        store,
        trial_days,
        InvalidInput({"free_trial_days": ["The free trial days field is required for free trials (1-360)."]}),
    )
    usable = store.accounts.usable(req.tenant, str(body["account_id"]))
    rule(store, usable, InvalidInput({"account_id": ["The selected account id is invalid."]}))
    doc = _new(store, body, new_id(), store.clock())
    store.docs.insert(KIND, doc, req.tenant, doc["account"]["id"])
    return Answer({**doc, **_summary(store, doc)})


@stand_in(KIND)
def _stand_in(store, ident: str, tenant: str) -> dict:
    body = {"account_id": store.accounts.fixture_ids[0], "link_type": "tracking_link", "name": f"Smart link {ident}"}
    return _new(store, body, ident, store.world.now.timestamp())


def _new(store, body: dict, ident: str, now: float) -> dict:
    account = store.world.owner(str(body["account_id"]))
    return {
        "id": ident,
        "name": body["name"],
        "link_type": body["link_type"],
        "free_trial_days": body.get("free_trial_days") if body["link_type"] == "free_trial" else None,
        "account": {
            "id": str(body["account_id"]),
            "display_name": account["display_name"],
            "username": account["username"],
        },
        "traffic_redirect_url": f"https://onlyfans.com/{account['username']}",
        "created_at": (made := _iso(now)),
        "updated_at": made,
        "_created": now,
        "cost": {  # no cost set yet: nulls, as OFAPI shows a new link
            "inputMode": None,
            "inputValue": None,
            "perClick": None,
            "perSub": None,
            "perPromo": None,
            "clickSourceCount": 0,
            "subscriberSourceCount": 0,
        },
    }


@action("smart_links.list")
def list_links(store, req) -> Answer:
    """A page of the team's links; only the page's links get their analytics computed."""
    wanted = set(str(req.query["account_ids"]).split(",")) if req.query.get("account_ids") else None
    name = str(req.query.get("name") or "").lower()
    docs = store.docs.sequence(KIND, req.tenant)  # unfiltered: only the page is read
    if wanted is not None or name:
        docs = [d for d in docs if (wanted is None or d["account"]["id"] in wanted) and name in d["name"].lower()]
    shown = page(req, docs)
    return Answer([{**d, **_summary(store, d)} for d in shown.items], shown.next)


@action("smart_links.get")
def get(store, req) -> Answer:
    doc = _get(store, req)
    return Answer({**doc, **_summary(store, doc)})


@action("smart_links.delete")
def delete(store, req) -> Answer:
    _get(store, req)
    store.docs.delete(KIND, req.path_params["smart_link_id"], req.tenant)
    with store.db.tx() as db:  # its tags go with it (`/link-tags` counts only live links)
        db.execute(
            "DELETE FROM link_tags WHERE tenant = ? AND collection = 'smart_links' AND link_id = ?",
            (req.tenant, req.path_params["smart_link_id"]),
        )
    return Answer({"success": True})


def _days(rows: list[dict], count) -> list[dict]:
    by_day: dict[str, list[dict]] = {}
    for row in rows:
        by_day.setdefault(_iso(row["_at"])[:10], []).append(row)
    return [{"timestamp": f"{day}T00:00:00+00:00", **count(day_rows)} for day, day_rows in sorted(by_day.items())]


@action("smart_links.stats")
def stats(store, req) -> Answer:
    clicks, conversions = (_in_window(rows, req) for rows in _traffic(store, _get(store, req)))
    subs = [c for c in conversions if c["conversion_type"] == "new_subscriber"]

    def metrics(rows):
        s = [r for r in rows if r.get("conversion_type") == "new_subscriber"]
        return {
            "clicks": sum(1 for r in rows if "conversion_type" not in r),
            "subs": len(s),
            "spenders": sum(1 for r in s if r["amount_net"] > 0),
            "revenue": int(sum(r["amount_net"] for r in s)),
        }

    daily = _days(clicks + conversions, metrics)
    monthly: dict[str, dict] = {}
    for day in daily:
        month = monthly.setdefault(
            day["timestamp"][:7],
            {
                "timestamp": f"{day['timestamp'][:7]}-01T00:00:00+00:00",
                "clicks": 0,
                "subs": 0,
                "spenders": 0,
                "revenue": 0,
            },
        )
        for k in ("clicks", "subs", "spenders", "revenue"):
            month[k] += day[k]
    summary = {
        "clicks_total": len(clicks),
        "subs_total": len(subs),
        "spenders_total": len({c["fan_onlyfans_id"] for c in subs if c["amount_net"] > 0}),
        "revenue_total": int(sum(c["amount_net"] for c in subs)),
    }
    return Answer({"summary": summary, "daily_metrics": daily, "monthly_metrics": list(monthly.values())})


def _filters(req, defaults: dict) -> dict:
    return {**defaults, **{k: v for k, v in req.query.items() if k in defaults or k.startswith(("date_", "min_"))}}


@action("smart_links.clicks")
def clicks(store, req) -> Answer:
    rows = _in_window(_traffic(store, _get(store, req))[0], req)
    f = _filters(req, {"include_bots": True, "include_duplicates": True, "limit": 100, "offset": 0})
    rows = [
        r for r in rows if (f["include_bots"] or not r["is_bot"]) and (f["include_duplicates"] or not r["is_duplicate"])
    ]
    chart = _days(rows, lambda rs: {"clicks": len(rs)})
    shown = page(req, rows)
    return Answer(
        {"filters": f, "summary": {"clicks_total": len(rows)}, "chart": chart, "rows": shown.items}, shown.next
    )


@action("smart_links.conversions")
def conversions(store, req) -> Answer:
    rows = _in_window(_traffic(store, _get(store, req))[1], req)
    f = _filters(
        req,
        {
            "include_bots": True,
            "include_duplicates": True,
            "limit": 100,
            "offset": 0,
            "conversion_type": req.query.get("conversion_type"),
        },
    )
    if f["conversion_type"]:
        rows = [r for r in rows if r["conversion_type"] == f["conversion_type"]]
    if req.query.get("onlyfans_user_id"):
        rows = [r for r in rows if r["fan_onlyfans_id"] == str(req.query["onlyfans_user_id"])]
    subs = [r for r in rows if r["conversion_type"] == "new_subscriber"]
    summary = {
        "conversions_total": len(rows),
        "subscribers_total": len(subs),
        "revenue_total": round(sum(r["amount_net"] for r in subs), 2),
    }
    chart = _days(rows, lambda rs: {"conversions": len(rs)})
    shown = page(req, rows)
    return Answer({"filters": f, "summary": summary, "chart": chart, "rows": shown.items}, shown.next)


def _fan_rows(store, req) -> list[dict]:
    world_fans = {}
    for conv in _traffic(store, _get(store, req))[1]:
        if conv["conversion_type"] == "new_subscriber":
            world_fans.setdefault(conv["fan_onlyfans_id"], conv)
    rows = []
    for conv in world_fans.values():
        fan = conv["_fan"]
        tips = round(fan["subscribedOnData"]["tipsSumm"] * 0.8, 2)
        rows.append(
            {
                "fan_id": fan["id"],
                "onlyfans_id": str(fan["id"]),
                "username": fan["username"],
                "name": fan["name"],
                "avatar_url": fan["avatar"],
                "click_id": conv["click"]["id"],
                "conversion_id": stable_int(conv["id"]) % 10**9,
                "converted_at": conv["conversion_at"],
                "revenue_net": conv["amount_net"],
                "tips_net": tips,
                "messages_sent_by_fan": stable_int(fan["id"], "msgs") % 12,
            }
        )
    return rows


@action("smart_links.fans")
def fans(store, req) -> Answer:
    rows = _fan_rows(store, req)
    q = req.query
    if q.get("min_revenue_net") is not None:
        rows = [r for r in rows if r["revenue_net"] >= float(q["min_revenue_net"])]
    if q.get("min_messages_sent_by_fan") is not None:
        rows = [r for r in rows if r["messages_sent_by_fan"] >= int(q["min_messages_sent_by_fan"])]
    sort = str(q.get("sort") or "-revenue_net")
    rows.sort(
        key=lambda r: r[sort.lstrip("-")] if sort.lstrip("-") in r else r["revenue_net"], reverse=sort.startswith("-")
    )
    f = _filters(req, {"limit": 100, "offset": 0, "sort": sort})
    summary = {
        "fans_total": len(rows),
        "revenue_net_total": round(sum(r["revenue_net"] for r in rows), 2),
        "tips_net_total": round(sum(r["tips_net"] for r in rows), 2),
        "fans_with_1_plus_messages_total": sum(1 for r in rows if r["messages_sent_by_fan"] >= 1),
        "fans_with_3_plus_messages_total": sum(1 for r in rows if r["messages_sent_by_fan"] >= 3),
    }
    shown = page(req, rows)
    return Answer({"filters": f, "summary": summary, "rows": shown.items}, shown.next)


@action("smart_links.spenders")
def spenders(store, req) -> Answer:
    minimum = float(req.query.get("minSpend") or req.query.get("min_spend") or 1)
    rows = sorted((r for r in _fan_rows(store, req) if r["revenue_net"] >= minimum), key=lambda r: -r["revenue_net"])
    now = _iso(store.clock())
    shown = page(req, rows)
    return Answer(
        [
            {
                "onlyfans_id": r["onlyfans_id"],
                "username": r["username"],
                "revenue": {"total": r["revenue_net"], "calculated_at": now},
            }
            for r in shown.items
        ],
        shown.next,
    )


@action("smart_links.cohort_arps")
def cohort_arps(store, req) -> Answer:
    """Average revenue per subscriber, by month of acquisition, 7/30/90 days after."""
    basis = req.query.get("revenue_basis") or "net"
    cohorts: dict[str, list[dict]] = {}
    for conv in _traffic(store, _get(store, req))[1]:
        if conv["conversion_type"] == "new_subscriber":
            cohorts.setdefault(conv["conversion_at"][:7], []).append(conv)
    out = []
    for month, convs in sorted(cohorts.items()):
        amount = "amount_net" if basis == "net" else "amount_gross"
        total = sum(c[amount] for c in convs)
        windows = [
            {"days": d, "revenue": round(total * share, 2), "arps": round(total * share / len(convs), 2)}
            for d, share in ((7, 0.35), (30, 0.7), (90, 1.0))
        ]
        out.append({"cohort": f"{month}-01", "subscribers": len(convs), "revenue_basis": basis, "windows": windows})
    return Answer(out)

"""Hybrid enrichment: rules registered under the names the spec's `x-enrichment` uses.

A hybrid operation's payload comes from OnlyFans; OFAPI then adds what its own data knows.
The spec says *where* (the field paths of each rule); a rule here says *what*: it gets one
object at that place and returns the fields to set on it. Adding an enrichment is one
decorated function here plus one `x-enrichment` entry in the spec. Payload objects are shared
render caches, so the fields are set on copies, along the path only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..onlyfans.payloads import Request
from ..onlyfans.values import conform
from ..onlyfans.world import AccountWorld
from .classify import classify

Rule = Callable[[dict, "Context"], dict]
RULES: dict[str, Rule] = {}


@dataclass
class Context:
    """What a rule may read: the account's world, OFAPI's store, the request."""

    world: AccountWorld
    store: object
    request: Request
    tenant: str
    collection: str | None  # the world collection the payload lists (links: tracking or trial)
    schemas: dict  # the spec's component schemas (values are conformed to the declared types)


def rule(name: str):
    def register(fn: Rule) -> Rule:
        RULES[name] = fn
        return fn

    return register


def enrich(data, ctx: Context):
    """Apply the operation's rules, in spec order, to a copy of `data`."""
    for enrichment in ctx.request.op.enrichments:
        fn, declared = RULES[enrichment.rule], enrichment.schemas

        def fields(obj, fn=fn, declared=declared):
            return {k: conform(v, declared[k], ctx.schemas) if k in declared else v for k, v in fn(obj, ctx).items()}

        data = update_at(data, enrichment.parent, fields)
    return data


def update_at(value, path: str, fields: Callable[[dict], dict]):
    """A copy of `value` where each object at `path` (`list[]`, `[].fromUser`, `` for the value
    itself) gets the fields `fields(obj)` returns; everything off the path is shared."""
    if not path:
        return {**value, **fields(value)} if isinstance(value, dict) else value
    head, _, rest = path.partition(".")
    name, is_list = head.removesuffix("[]"), head.endswith("[]")
    if name:  # `name` or `name[]`: step into the field, then (for a list) into its items
        if not isinstance(value, dict) or name not in value:
            return value
        inner = "[]" + (f".{rest}" if rest else "") if is_list else rest
        return {**value, name: update_at(value[name], inner, fields)}
    if isinstance(value, list):  # `[]`: every item
        return [update_at(item, rest, fields) for item in value]
    return value


# -- the rules ---------------------------------------------------------------------------
@rule("last_reply_at")
def last_reply_at(obj: dict, ctx: Context) -> dict:
    """When the creator last replied to the fan this object is about; omitted for non-fans."""
    chat_id = ctx.request.path_params.get("chat_id")
    person = obj.get("fan") or obj.get("withUser") or obj
    fan_id = chat_id if chat_id is not None else person.get("id")
    if chat_id is None and not ctx.world.is_fan(fan_id):
        return {}
    return {"lastReplyAt": ctx.world.last_reply_at(fan_id)}


@rule("transaction_type")
def transaction_type(obj: dict, ctx: Context) -> dict:
    return {"type": classify(obj.get("description"))}


@rule("link_tags")
def link_tags(obj: dict, ctx: Context) -> dict:
    account = ctx.request.path_params["account"]
    return {"tags": ctx.store.link_tags(ctx.tenant, account, ctx.collection, obj.get("id"))}


@rule("link_revenue")
def link_revenue(obj: dict, ctx: Context) -> dict:
    """Net revenue and spenders among the fans this link brought (OFAPI's cached figures)."""
    fans = ctx.world.fans_from(ctx.collection, obj.get("id"))
    nets = [ctx.world.spend_of(fan)[1] for fan in fans]
    total = round(sum(nets), 2)
    clicks = obj.get("clicksCount") or obj.get("clicksCounts") or 0
    revenue = {
        "total": total,
        "revenuePerSubscriber": round(total / len(fans), 2) if fans else 0.0,
        "revenuePerClick": round(total / clicks, 2) if clicks else 0.0,
        "spendersCount": sum(1 for n in nets if n > 0),
        "chargebacks": 0.0,
        "calculatedAt": ctx.world.now.isoformat(),
        "isLoading": False,
    }
    return {"revenue": revenue}


@rule("campaign_url")
def campaign_url(obj: dict, ctx: Context) -> dict:
    """The full campaign URL, prefixed with the creator's profile URL (the link's own, in the world)."""
    field = "campaignUrl" if ctx.collection == "tracking_links" else "url"
    return {field: ctx.world.entity(ctx.collection, obj.get("id"))[field]}


@rule("engagement_stats")
def engagement_stats(obj: dict, ctx: Context) -> dict:
    """The reach and sales of the account's messages: what the creator sent in its chats (messages
    sent through the API included), what fans opened, and paid-message purchases."""
    world = ctx.world
    sales = [t for t in world.transactions if t["_kind"] == "chat_messages"]
    sent = [m for thread in world.messages.values() for m in thread if m["isSentByMe"]]
    return {
        "sentCount": len(sent),
        "viewedCount": sum(1 for m in sent if m.get("isOpened")),
        "purchasedCount": len(sales),
        "totalRevenueGenerated": f"{sum(t['amount'] for t in sales):.2f}",
    }

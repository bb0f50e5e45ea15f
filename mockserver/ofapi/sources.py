"""How OFAPI builds an answer: the three data sources (`x-data-source`), and the special
behaviours an operation may name instead (`x-behaviour`, e.g. media download). Each is one
registered function returning an `Outcome`: the payload and how many OnlyFans calls it took.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..onlyfans.payloads import Request
from ..store.actions import ACTIONS
from .enrich import Context, enrich


@dataclass
class Outcome:
    data: object  # the JSON payload (`data` when enveloped), or bytes for a file
    calls: int  # calls made to OnlyFans for it
    cost: int | None = None  # credits, when the source decides (files); None: the operation's default
    paid: bool = False  # the source already took `cost` from the balance (`Ofapi.charge`)
    encoded: bytes | None = None  # `data` already encoded and CDN-rewritten (a kept answer)
    next_cursor: tuple[str, object] | None = None  # (query parameter, value) of the next page
    pagination: dict = field(default_factory=dict)  # `_pagination` members besides the next page's URL
    status: int | None = None  # None: the operation's success status
    headers: dict = field(default_factory=dict)
    media_type: str | None = None  # for file bodies
    cache: dict | None = None  # `_meta._cache` when the source answered from OFAPI's cache


SOURCES: dict[str, Callable] = {}
BEHAVIOURS: dict[str, Callable] = {}


def source(name: str):
    def register(fn):
        SOURCES[name] = fn
        return fn

    return register


def behaviour(name: str):
    def register(fn):
        BEHAVIOURS[name] = fn
        return fn

    return register


def _remember_links(ofapi, req: Request, data) -> None:
    """Live link lists feed OFAPI's stored inventory (`/stored/*`)."""
    if req.op.sync_links and isinstance(data, dict) and isinstance(data.get("list"), list):
        ofapi.store.remember_links(req.tenant, req.path_params["account"], req.op.sync_links, data["list"])


def _announce(ofapi, req: Request, data) -> None:
    """After a write to OnlyFans (`x-world-write`), what OFAPI itself does: keep the tags a link
    was created with (its own data), and report the change to webhooks."""
    spec = req.op.world_write or {}
    if isinstance(data, list) and len(data) == 1:  # some creates answer a list of the one created
        data = data[0]
    if not spec or not isinstance(data, dict):
        return
    account = req.path_params.get("account")
    tags = req.body.get("tags") if isinstance(req.body, dict) else None
    if spec.get("tags") and tags and data.get("id") is not None:
        ofapi.store.add_link_tags(req.tenant, account, spec["tags"], data["id"], tags)
    if spec.get("event"):
        ofapi.store.emit(spec["event"], account, data, req.tenant)


@source("live")
def live(ofapi, req: Request) -> Outcome:
    """Forward to OnlyFans; the payload passes through unchanged."""
    payload = ofapi.upstream.fetch(req)
    _remember_links(ofapi, req, payload.data)
    _announce(ofapi, req, payload.data)
    media_type = req.op.media_type if isinstance(payload.data, bytes) else None
    return Outcome(
        payload.data, calls=1, next_cursor=payload.next_cursor, media_type=media_type, pagination=payload.pagination
    )


@source("hybrid")
def hybrid(ofapi, req: Request) -> Outcome:
    """Call OnlyFans, then add what OFAPI knows (the operation's `x-enrichment` rules)."""
    payload = ofapi.upstream.fetch(req)
    _announce(ofapi, req, payload.data)
    context = Context(
        world=ofapi.world.view(req.path_params.get("account", ""), req.tenant),
        store=ofapi.store,
        request=req,
        tenant=req.tenant,
        collection=ofapi.upstream.collection_of(req.op),
        schemas=ofapi.schemas,
    )
    data = enrich(payload.data, context)
    _remember_links(ofapi, req, data)
    return Outcome(data, calls=1, next_cursor=payload.next_cursor, pagination=payload.pagination)


@source("computed")
def computed(ofapi, req: Request) -> Outcome:
    """Answer from OFAPI's own data; OnlyFans is never called."""
    if req.op.data_schema is None and not req.op.binary:  # no body (204): the action's effect is the answer
        answer = ACTIONS[req.op.store["action"]](ofapi.store, req)
        return Outcome(b"", calls=0, cost=answer.cost or 0)
    payload = ofapi.store.answer(req)
    return Outcome(payload.data, calls=0, cost=payload.cost, next_cursor=payload.next_cursor, paid=payload.paid)

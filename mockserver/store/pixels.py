"""Smart-link pixels: a team's ad-platform pixels (Meta, Snapchat, TikTok, CreatorTraffic) and
the smart links each one is connected to. OFAPI's own resource: never an OnlyFans call; free.

A pixel belongs to the team. Creating one through a smart link connects it there; an update
applies to every link using it; disconnecting removes it from that one link (the team keeps
the pixel). The access token is write-only: kept as a digest, never answered."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import UTC, datetime

from ..errors import InvalidInput
from ..lenient import found, rule, stand_in
from .actions import Answer, action, body_of, is_http_url, not_found
from .smart_links import KIND as SMART_LINK

KIND = "pixel"
EVENTS = (
    "event_click",
    "event_new_subscriber",
    "event_first_transaction",
    "event_new_transaction",
    "event_message_received_from_fan",
    "event_fan_sent_1_message",
    "event_fan_sent_3_messages",
)
# Each platform's label and the event names a new pixel sends unless the request names others.
PLATFORMS = {
    "meta": ("Meta Ads", ("ViewContent", "Subscribe", "Purchase", "Purchase", None, "Contact", "Lead")),
    "tiktok": (
        "TikTok Ads",
        ("ViewContent", "Subscribe", "CompletePayment", "CompletePayment", None, "Contact", "SubmitForm"),
    ),
    "snapchat": ("Snapchat Ads", ("PAGE_VIEW", "SUBSCRIBE", "PURCHASE", "PURCHASE", None, "SIGN_UP", "CUSTOM_EVENT_1")),
    "creatortraffic": ("CreatorTraffic", ("click", "subscribe", "purchase", "purchase", None, "message", "engaged")),
}
TEST_EVENTS = {"event_new_subscriber_free": "event_new_subscriber", "event_new_subscriber_paid": "event_new_subscriber"}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).replace(microsecond=0).isoformat()


def _link(store, req) -> str:
    link = req.path_params["smart_link_id"]
    if found(store, SMART_LINK, link, req.tenant) is None:
        raise not_found("Smart link")
    return link


def _pixel(store, req, link: str) -> dict:
    doc = found(store, KIND, req.path_params["pixel_id"], req.tenant)
    if doc is None or not rule(store, link in doc["_links"]):
        raise not_found("Pixel")
    return doc


def _public(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _fields(body: dict) -> dict:
    """The request's pixel settings (only those it names), checked beyond the schema."""
    if body.get("event_source_url") is not None and not is_http_url(body["event_source_url"]):
        raise InvalidInput({"event_source_url": ["The event source url field must be a valid URL."]})
    out = {k: body[k] for k in ("label", "pixel_id", "event_source_url", *EVENTS) if k in body}
    if "supercharged_events" in body:
        out["_supercharged"] = [e for e in body["supercharged_events"] or () if e]
    if body.get("pixel_access_token") is not None:
        out["_token"] = hashlib.sha256(str(body["pixel_access_token"]).encode()).hexdigest()
    return out


@stand_in(KIND)
def _stand_in(store, ident: str, tenant: str) -> dict:
    return _new(int(ident) if ident.isdigit() else ident, "meta", _iso(store.world.now.timestamp()), [])


def _new(ident, platform: str, now: str, links: list[str]) -> dict:
    label, defaults = PLATFORMS[platform]
    return {
        "id": ident,
        "platform": platform,
        "platform_label": label,
        "label": label,
        "pixel_id": None,
        "event_source_url": None,
        **dict(zip(EVENTS, defaults, strict=True)),
        "status": "healthy",
        "traffic_source_ids": [],
        "traffic_sources": [],
        "created_at": now,
        "updated_at": now,
        "_links": links,
        "_supercharged": [],
    }


@action("pixels.list")
def list_pixels(store, req) -> Answer:
    link = _link(store, req)
    return Answer([_public(d) for d in store.docs.list(KIND, req.tenant) if link in d["_links"]])


@action("pixels.create")
def create(store, req) -> Answer:
    link, body = _link(store, req), body_of(req)
    ident = int(time.time() * 1000) % 10**12 * 100 + os.urandom(1)[0] % 100
    doc = _new(ident, body["platform"], _iso(store.clock()), [link])
    doc |= {k: v for k, v in _fields(body).items() if v is not None or k in EVENTS or k == "event_source_url"}
    doc["label"] = doc["label"] or doc["platform_label"]
    return Answer(_public(store.docs.insert(KIND, doc, req.tenant)))


@action("pixels.update")
def update(store, req) -> Answer:
    link = _link(store, req)
    doc = _pixel(store, req, link)
    changes = _fields(body_of(req))
    for required in ("pixel_id", "label"):  # these cannot be cleared, only replaced
        if required in changes and changes[required] is None:
            del changes[required]
    doc |= changes | {"updated_at": _iso(store.clock())}
    return Answer(_public(store.docs.save(KIND, doc, req.tenant)))


@action("pixels.disconnect")
def disconnect(store, req) -> Answer:
    link = _link(store, req)
    doc = _pixel(store, req, link)
    doc["_links"] = [x for x in doc["_links"] if x != link]
    store.docs.save(KIND, doc, req.tenant)
    return Answer({"success": True})


@action("pixels.test_event")
def test_event(store, req) -> Answer:
    link = _link(store, req)
    doc, body = _pixel(store, req, link), body_of(req)
    supported = doc["platform"] != "creatortraffic"
    rule(store, supported, InvalidInput({"event_type": ["CreatorTraffic pixels do not support test events."]}))
    event_type = body["event_type"]
    name = doc.get(TEST_EVENTS.get(event_type, event_type))
    message = f"This pixel sends no event for {event_type}; name one first."
    rule(store, bool(name), InvalidInput({"event_type": [message]}))
    return Answer({"accepted": True, "event_name": name or event_type, "status": 200, "body": {"events_received": 1}})

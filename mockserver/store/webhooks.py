"""Webhooks (both spellings: `/webhooks` and the seed's `/{account}/webhooks`): CRUD, the event
catalogue and an example payload per event. Delivery is `mockserver/ofapi/deliveries.py`."""

from __future__ import annotations

from datetime import UTC, datetime

from ..errors import ApiError, InvalidInput
from ..lenient import found, stand_in
from ..onlyfans.entities import stable_int
from .actions import Answer, action, body_of, is_http_url, not_found, page
from .ids import new_id

KIND = "webhook"
EVERY = 2**31 - 1  # rows: a webhook's whole delivery history (its pager cuts the page)
EVENTS = {
    "accounts.connected": "An OnlyFans account finished connecting.",
    "accounts.reconnected": "A connected account re-authenticated.",
    "accounts.session_expired": "A connected account's OnlyFans session expired.",
    "accounts.authentication_failed": "A connect attempt failed.",
    "accounts.otp_code_required": "A connect attempt waits for a 2FA code.",
    "accounts.face_otp_required": "A connect attempt waits for a selfie check.",
    "accounts.disconnected": "An account was disconnected.",
    "messages.received": "A fan sent the creator a message.",
    "messages.sent": "The creator sent a message.",
    "messages.ppv.unlocked": "A fan bought a paid message.",
    "subscriptions.new": "A fan subscribed.",
    "subscriptions.renewed": "A fan's subscription renewed.",
    "users.typing": "A fan is typing.",
    "posts.liked": "A fan liked a post.",
    "media_uploads.completed": "An asynchronous upload finished.",
    "media_uploads.failed": "An asynchronous upload failed.",
    "data_exports.in_progress": "A data export started running.",
    "data_exports.completed": "A data export finished; its file is ready.",
    "data_exports.failed": "A data export failed.",
    "data_exports.cancelled": "A data export was cancelled.",
}
SCOPES = ("global", "inclusive", "exclusive")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).replace(microsecond=0).isoformat()


def _validated(body: dict) -> dict:
    errors: dict[str, list[str]] = {}
    url = str(body.get("endpoint_url") or "")
    if not is_http_url(url):
        errors["endpoint_url"] = ["The endpoint url field must be an http(s) URL."]
    events = body.get("events") or []
    if not events or any(e not in EVENTS for e in events):
        errors["events"] = ["The selected events are invalid (see GET /api/webhooks/events)."]
    scope = body.get("account_scope") or "global"
    if scope not in SCOPES:
        errors["account_scope"] = ["The selected account scope is invalid."]
    elif scope != "global" and not body.get("account_ids"):
        errors["account_ids"] = ["The account ids field is required unless the scope is global."]
    secret = body.get("signing_secret")
    if secret is not None and (not isinstance(secret, str) or len(secret) > 255):
        errors["signing_secret"] = ["The signing secret field must be a string of at most 255 characters."]
    ids = body.get("account_ids") or []
    if not isinstance(ids, list) or not all(isinstance(a, str) for a in ids):
        errors["account_ids"] = ["The account ids field must be an array of account ids."]
    if errors:
        raise InvalidInput(errors)
    return {
        "url": url,
        "events": list(dict.fromkeys(events)),
        "account_scope": scope,
        "account_ids": list(body.get("account_ids") or []),
    }


def matches(webhook: dict, event: str, account_id: str | None) -> bool:
    """Whether a webhook wants this event of this account."""
    if not webhook.get("enabled", True) or event not in webhook.get("events", ()):
        return False
    scope, ids = webhook.get("account_scope", "global"), webhook.get("account_ids") or []
    if scope == "inclusive":
        return account_id in ids
    if scope == "exclusive":
        return account_id not in ids
    return True


def _get(store, req) -> dict:
    doc = found(store, KIND, req.path_params["webhook_id"], req.tenant)
    if doc is None:
        raise not_found("Webhook")
    return doc


def _public(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "signing_secret"}


@action("webhooks.create")
def create(store, req) -> Answer:
    doc = _new(body_of(req), new_id("wh_"), store.clock())
    store.docs.insert(KIND, doc, req.tenant)
    return Answer(_public(doc))


@stand_in(KIND)
def _stand_in(store, ident: str, tenant: str) -> dict:
    body = {"endpoint_url": "https://example.com/webhooks", "events": [next(iter(EVENTS))]}
    return _new(body, ident, store.world.now.timestamp())


def _new(body: dict, ident: str, now: float) -> dict:
    doc = {
        "id": ident,
        **_validated(body),
        "enabled": True,
        "created_at": _iso(now),
        "signing_secret": body.get("signing_secret") or None,
    }
    doc["has_signing_secret"] = bool(doc["signing_secret"])
    return doc


@action("webhooks.update")
def update(store, req) -> Answer:
    doc, body = _get(store, req), body_of(req)
    doc |= _validated({**doc, "endpoint_url": doc["url"], **body})
    if "enabled" in body:
        doc["enabled"] = bool(body["enabled"])
    if "signing_secret" in body:
        doc["signing_secret"] = body["signing_secret"] or None
        doc["has_signing_secret"] = bool(doc["signing_secret"])
    store.docs.save(KIND, doc, req.tenant)
    return Answer(_public(doc))


@action("webhooks.list")
def list_webhooks(store, req) -> Answer:
    return Answer([_public(d) for d in store.docs.list(KIND, req.tenant)])


@action("webhooks.get")
def get(store, req) -> Answer:
    return Answer(_public(_get(store, req)))


@action("webhooks.delete")
def delete(store, req) -> Answer:
    _get(store, req)
    store.docs.delete(KIND, req.path_params["webhook_id"], req.tenant)
    return Answer({"success": True})


@action("webhooks.events")
def events(store, req) -> Answer:
    return Answer([{"value": name, "description": text} for name, text in EVENTS.items()])


def _person(fan: dict) -> dict:
    return {"id": fan["id"], "username": fan["username"], "name": fan["name"]}


def _message(world, mine: bool | None = None, paid: bool = False) -> dict:
    """A message from the account's chats (the creator's own, a fan's, or a paid one)."""
    messages = [m for chat in world.chats for m in world.messages[chat["id"]]]
    found = next((m for m in messages if mine in (None, m["isSentByMe"]) and (m["price"] or not paid)), messages[0])
    body = {k: v for k, v in found.items() if not k.startswith("_") and k != "media"}
    media = [{k: v for k, v in item.items() if not k.startswith("_")} for item in found.get("media", ())]
    return body | {"fromUser": {k: v for k, v in found["fromUser"].items() if not k.startswith("_")}, "media": media}


def example_payload(store, event: str, account_id: str) -> dict:
    """What a delivery of `event` carries, built from the account's world: OnlyFans objects
    (a message, a fan, a transaction) for OnlyFans events, OFAPI's own rows for the others."""
    world = store.world.account(account_id)
    group, _, what = event.partition(".")
    fan = world.fans[0]
    if group == "accounts":
        payload = {
            "state": "disconnected" if what == "disconnected" else "authenticated",
            "progress": "started",
            "latestAuthAttempt": {
                "started_at": world.now.isoformat(),
                "completed_at": None,
                "success": False,
                "error_message": "The email or password is incorrect." if what == "authentication_failed" else None,
                "needs_otp": what == "otp_code_required",
                "needs_face_otp": what == "face_otp_required",
                "otp_phone_ending": "42" if what == "otp_code_required" else None,
            },
        }
        if what == "connected":
            payload["client_reference_id"] = None
        return payload
    if group == "messages":
        return _message(world, mine={"received": False, "sent": True}.get(what), paid=what == "ppv.unlocked")
    if group == "subscriptions":
        data = fan["subscribedOnData"]
        at = data["renewedAt"] if what == "renewed" and data["renewedAt"] else data["subscribeAt"]
        ident = stable_int(account_id, "subscription", fan["id"]) % 10**9
        return {"id": ident, "user": _person(fan), "price": data["price"], "subscribedAt": at}
    if group == "users":
        return {"user": _person(fan), "chatId": fan["id"], "isTyping": True}
    if group == "posts":
        post = world.posts[0]
        return {"user": _person(fan), "post": {"id": post["id"], "likesCount": post.get("likesCount", 0)}}
    if group == "media_uploads":
        prefixed = f"ofapi_media_{stable_int(account_id, 'upload') % 16**32:032x}"
        if what == "failed":
            return {
                "status": "failed",
                "prefixed_id": prefixed,
                "error": "Failed to download file from the provided URL.",
            }
        media = {k: v for k, v in world.media[0].items() if not k.startswith("_")}
        return {"status": "completed", "prefixed_id": prefixed, "media": media, "credits_used": 1}
    ident = f"data_export_{stable_int(account_id, 'export') % 36**12:012x}"
    return {"id": ident, "status": what, "type": "transactions", "account_ids": [account_id]}


@action("webhooks.example")
def example(store, req) -> Answer:
    """An example delivery; team-wide (`/api/webhooks/…`) it speaks for the first fixture account."""
    event = req.path_params["webhookEventType"]
    if event not in EVENTS:
        raise not_found("Event type")
    account = req.path_params.get("account") or store.world.connected[0]["id"]
    return Answer({"event": event, "account_id": account, "payload": example_payload(store, event, account)})


@action("webhooks.deliveries")
def deliveries(store, req) -> Answer:
    """The webhook's deliveries, newest first: each event it was sent, with the last attempt."""
    hook = _get(store, req)
    query = dict(req.query)
    for bound in ("date_start", "date_end"):
        if query.get(bound) is not None:
            query[bound] = _timestamp(query[bound], bound)
    shown = page(req, store.deliveries.history(req.tenant, hook["id"], query, EVERY, 0))
    for row in shown.items:
        row["created_at"] = _iso(row.pop("_created"))
    return Answer(shown.items, shown.next)


@action("webhooks.redeliver")
def redeliver(store, req) -> Answer:
    """Send a past delivery again: a new delivery with the same event, idempotency key and body."""
    hook = _get(store, req)
    found = store.deliveries.find(req.tenant, hook["id"], req.path_params["delivery_id"])
    if found is None:
        raise not_found("Delivery")
    event, key, body, original = found
    ident = store.deliveries.enqueue(req.tenant, hook, event, body, key, again=original)
    if ident is None:
        raise ApiError(409, "The webhook's delivery queue is full; try again once it has drained.")
    if store.dispatcher is not None:
        store.dispatcher.wake()
    return Answer(
        {
            "redelivery_id": ident,
            "delivery_id": req.path_params["delivery_id"],
            "webhook_id": hook["id"],
            "event": event,
            "idempotency_key": key,
            "url": hook["url"],
            "queued_at": _iso(store.clock()),
        }
    )


def _timestamp(value, name: str) -> float:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput({name: [f"The {name.replace('_', ' ')} field must be a valid date."]}) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()

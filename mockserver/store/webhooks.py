"""Webhooks (both spellings: `/webhooks` and the seed's `/{account}/webhooks`): CRUD, the event
catalogue and an example payload per event. Delivery is `mockserver/ofapi/deliveries.py`."""

from __future__ import annotations

from datetime import UTC, datetime

from ..errors import ApiError, InvalidInput
from .actions import Answer, action, body_of, is_http_url, not_found
from .ids import new_id

KIND = "webhook"
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
    doc = store.docs.get(KIND, req.path_params["webhook_id"], req.tenant)
    if doc is None:
        raise not_found("Webhook")
    return doc


def _public(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "signing_secret"}


@action("webhooks.create")
def create(store, req) -> Answer:
    body = body_of(req)
    doc = {
        "id": new_id("wh_"),
        **_validated(body),
        "enabled": True,
        "created_at": _iso(store.clock()),
        "signing_secret": body.get("signing_secret") or None,
    }
    doc["has_signing_secret"] = bool(doc["signing_secret"])
    store.docs.insert(KIND, doc, req.tenant)
    return Answer(_public(doc))


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


def example_payload(store, event: str, account_id: str) -> dict:
    """What a delivery of `event` carries (the message and upload ones from the world)."""
    world = store.world.account(account_id)
    if event.startswith("accounts."):
        payload = {
            "state": "authenticated",
            "progress": "started",
            "latestAuthAttempt": {
                "started_at": _iso(store.clock()),
                "completed_at": None,
                "success": False,
                "error_message": None,
                "needs_otp": event == "accounts.otp_code_required",
                "needs_face_otp": event == "accounts.face_otp_required",
                "otp_phone_ending": None,
            },
        }
        if event == "accounts.connected":
            payload["client_reference_id"] = None
        return payload
    if event.startswith("messages."):
        message = world.messages[world.chats[0]["id"]][0]
        return {k: v for k, v in message.items() if not k.startswith("_") and k != "media"} | {"media": []}
    if event.startswith("subscriptions."):
        fan = world.fans[0]
        return {
            "user": {"id": fan["id"], "username": fan["username"], "name": fan["name"]},
            "subscribedAt": fan["subscribedOnData"]["subscribeAt"],
            "price": 9.99,
        }
    if event.startswith("data_exports."):
        return {"id": new_id(), "status": event.split(".", 1)[1], "type": "transactions"}
    return {"user": {"id": world.fans[0]["id"]}, "createdAt": _iso(store.clock())}


@action("webhooks.example")
def example(store, req) -> Answer:
    event = req.path_params["webhookEventType"]
    if event not in EVENTS:
        raise not_found("Event type")
    account = req.path_params["account"]
    return Answer({"event": event, "account_id": account, "payload": example_payload(store, event, account)})


@action("webhooks.deliveries")
def deliveries(store, req) -> Answer:
    """The webhook's deliveries, newest first: each event it was sent, with the last attempt."""
    hook = _get(store, req)
    limit, offset = int(req.query.get("limit") or 25), int(req.query.get("offset") or 0)
    query = dict(req.query)
    for bound in ("date_start", "date_end"):
        if query.get(bound) is not None:
            query[bound] = _timestamp(query[bound], bound)
    rows = store.deliveries.history(req.tenant, hook["id"], query, limit + 1, offset)
    more = len(rows) > limit
    for row in rows:
        row["created_at"] = _iso(row.pop("_created"))
    return Answer(rows[:limit], ("offset", offset + limit) if more else None)


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

"""Writes to the fake OnlyFans: what a live or hybrid operation that creates, changes or deletes
something does to the account's world, as the spec names it (`x-world-write`):

    x-world-write:
      do: create | update | delete | set      # what happens to the object
      collection: messages                    # which of the world's collections it is in
      target: message_id                      # update / delete / set: the path parameter naming it
      parent: chat_id                         # create: the path parameter of the object it belongs to
      set: {isMuted: true}                    # set: the fields it gets
      event: messages.sent                    # the webhook event OFAPI raises for it

A created object is what the request asked for (a maker per collection reads the request's
fields), with a fresh id in the API's format, no activity yet, and the server clock's time; an
update changes the fields the request sent; a delete makes the object answer 404 and leave
every list. The changes are overlay rows (`store/overlay.py`); `view.py` merges them for reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from .entities import iso
from .view import Gone

MAKERS: dict[str, Callable] = {}  # collection -> fn(view, req, ident, now) -> the created object
ID_BASE = {  # new objects get ids above every seeded one, in the API's range for the kind
    "messages": 9_000_000_000,
    "posts": 2_000_000_000,
    "stories": 8_000_000,
    "tracking_links": 20_000_000,
    "trial_links": 30_000_000,
    "media": 4_000_000_000,
}
DEFAULT_ID_BASE = 900_000_000
ID_PARAMS = {"messages": "message_id", "posts": "post_id", "stories": "story_id", "chats": "chat_id"}


def maker(collection: str):
    def register(fn):
        MAKERS[collection] = fn
        return fn

    return register


class Writer:
    """Applies writes to the overlay of (team, account)."""

    def __init__(self, rows, numbers, clock=time.time):
        self.rows = rows  # store.overlay
        self.numbers = numbers  # a store sequence: fn(name) -> next number
        self.clock = clock

    def apply(self, view, req, spec: dict) -> dict:
        """Do the write; returns the object as it now is (the answer's source)."""
        do, collection = spec["do"], spec["collection"]
        account = req.path_params["account"]
        body = req.body if isinstance(req.body, dict) else {}
        if do == "create":
            ident = ID_BASE.get(collection, DEFAULT_ID_BASE) + self.numbers(f"world/{collection}")
            now = iso(datetime.fromtimestamp(self.clock(), UTC))
            obj = MAKERS[collection](view, req, body, ident, now) if collection in MAKERS else {**body}
            obj |= {"id": obj.get("id", ident), "_new": True, "_fresh": True}
            if spec.get("parent"):
                obj["_parent"] = str(req.path_params[spec["parent"]])
            obj["_key"] = f"{req.tenant}/{account}/{collection}/{obj['id']}"
            self.rows.write(req.tenant, account, [(collection, str(obj["id"]), obj)])
            return obj
        target = req.path_params[spec.get("target") or ID_PARAMS.get(collection, "id")]
        current = view.entity(collection, target)  # Gone (404) when the team deleted it already
        if do == "delete":
            self.rows.write(req.tenant, account, [(collection, str(current["id"]), None)])
            return {"success": True, "id": current["id"]}
        fields = (
            dict(spec.get("set") or {}) if do == "set" else {k: v for k, v in body.items() if not k.startswith("_")}
        )
        change = self._changed(view, collection, current, fields)
        self.rows.write(req.tenant, account, [(collection, str(current["id"]), change)])
        return {"success": True, **{k: v for k, v in current.items() if k != "_key"}, **fields}

    @staticmethod
    def _changed(view, collection: str, current: dict, fields: dict) -> dict:
        """The overlay row after a change: a created object stays whole, others keep a patch."""
        if current.get("_new"):  # a new revision: a new key, so no cache serves the old one
            rev = current.get("_rev", 0) + 1
            return {**current, **fields, "_rev": rev, "_key": f"{current['_key'].split('#')[0]}#{rev}"}
        changes = getattr(view, "changes", {})  # the base world (no write of the team yet) has none
        earlier = changes.get(collection, {}).get(str(current["id"])) or {}
        return {**earlier, **fields}


# -- what each kind of created object looks like -----------------------------------------------
def _media(view, ids) -> list[dict]:
    """The vault media a request names (by id), as OnlyFans attaches them."""
    found = []
    for ident in ids or ():
        try:
            found.append(view.entity("media", ident))
        except Gone:
            continue
    return found


@maker("messages")
def message(view, req, body: dict, ident: int, now: str) -> dict:
    media = _media(view, body.get("mediaFiles"))
    price = body.get("price") or 0
    return {
        "id": ident,
        "_chat": str(req.path_params.get("chat_id")),
        "text": body.get("text") or "",
        "isSentByMe": True,
        "fromUser": {"id": view.creator["id"], "_view": "s"},
        "createdAt": now,
        "changedAt": now,
        "price": price,
        "isFree": not price,
        "isTip": False,
        "media": media,
        "mediaCount": len(media),
        "previews": [m for m in media if m["id"] in set(body.get("previews") or ())],
        "isOpened": True,
        "isNew": False,
        "canPurchase": False,
        "lockedText": bool(body.get("lockedText")),
        "giphyId": body.get("giphyId"),
        "replyToMessageId": body.get("replyToMessageId"),
        "responseType": "message",
    }


@maker("posts")
def post(view, req, body: dict, ident: int, now: str) -> dict:
    media = _media(view, body.get("mediaFiles"))
    text = body.get("text") or ""
    return {
        "id": ident,
        "postedAt": now,
        "postedAtPrecise": f"{datetime.fromisoformat(now).timestamp():.6f}",
        "text": f"<p>{text}</p>" if text else "",
        "rawText": text,
        "author": view.creator,
        "media": media,
        "mediaCount": len(media),
        "likesCount": 0,
        "commentsCount": 0,
        "tipsAmount": "0.00",
        "price": body.get("price") or 0,
        "isOpened": True,
        "isPinned": False,
        "isArchived": False,
    }


@maker("stories")
def story(view, req, body: dict, ident: int, now: str) -> dict:
    return {
        "id": ident,
        "userId": view.creator["id"],
        "createdAt": now,
        "isWatched": False,
        "media": _media(view, body.get("mediaFiles") or [body.get("mediaFile")] if body.get("mediaFile") else None),
        "viewersCount": 0,
    }


@maker("tracking_links")
def tracking_link(view, req, body: dict, ident: int, now: str) -> dict:
    username = view.account["username"]
    return {
        "id": ident,
        "campaignCode": ident,
        "campaignName": body.get("campaignName") or body.get("name") or "",
        "campaignUrl": f"https://onlyfans.com/{username}/c{ident}",
        "tags": [],
        "clicksCount": 0,
        "subscribersCount": 0,
        "createdAt": now,
        "endDate": body.get("endDate"),
    }


@maker("trial_links")
def trial_link(view, req, body: dict, ident: int, now: str) -> dict:
    username = view.account["username"]
    days = body.get("subscribeDays") or body.get("duration") or 1
    code = f"{ident:x}"
    expires = body.get("offerExpiration")
    expired_at = iso(datetime.fromisoformat(now) + timedelta(days=int(expires))) if expires else None
    return {
        "id": ident,
        "_code": code,
        "url": f"https://onlyfans.com/{username}/trial/{code}",
        "tags": [],
        "trialLinkName": body.get("trialLinkName") or body.get("name") or "",
        "subscribeDays": days,
        "subscribeCounts": 0,
        "claimCounts": 0,
        "clicksCounts": 0,
        "createdAt": now,
        "expiredAt": expired_at,
        "offerLimit": body.get("offerLimit"),
        "isFinished": False,
    }

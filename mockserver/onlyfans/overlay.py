"""Writes to the fake OnlyFans: what a live or hybrid operation that creates, changes or deletes
something does to the account's world, as the spec names it (`x-world-write`):

    x-world-write:
      do: create | update | delete | set | toggle | add | remove | reorder | none
      collection: messages       # which of the world's collections the object is in
      target: message_id         # the path parameter naming the object (none: the account's single one)
      targets: mediaIds          # or the request field naming it (or them)
      parent: chat_id            # create: the path parameter of the object it belongs to
      set: {isMuted: true}       # fields it gets ("$now": the server clock's time)
      fields: {price: subscribePrice}   # request field -> object field(s), where the names differ
      field: hiddenForRf         # toggle: the field(s) flipped
      members: _users            # add / remove: the container field holding member ids
      member: user_id            #   the path parameter naming the member, or
      ids: ids                   #   the request field listing them (reorder: the new order)
      counts: {posts: commentsCount}   # create / delete: a count on another object moves by one
      step: {likesCount: 1}      # set: a count on the object moves when the set changed it
      event: messages.sent       # the webhook event OFAPI raises for it
      why: ...                   # none: why nothing a later read shows changes

A created object is what the request asked for (a maker per collection reads the request's
fields), with a fresh id above the kind's seeded ones, no activity yet, and the server clock's
time; an update changes the fields the request sent; a delete makes the object answer 404 and
leave every list. The changes are overlay rows (`store/overlay.py`); `view.py` merges them for
reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from ..errors import ApiError, InvalidInput
from .entities import cdn_url, iso, stable_int
from .kinds import DERIVED, KINDS, container_fields
from .view import Gone
from .world import as_id

URL_SAFE = ":/?#[]@!$&'()*+,;=-._~%"

MAKERS: dict[str, Callable] = {}  # collection -> fn(view, req, inputs, ident, now) -> the created object
ID_BASE = {  # new objects get ids above every seeded one, in the API's range for the kind
    "messages": 9_000_000_000,
    "posts": 2_000_000_000,
    "stories": 8_000_000,
    "tracking_links": 20_000_000,
    "trial_links": 30_000_000,
    "media": 4_000_000_000,
    **{name: kind.base + kind.span for name, kind in KINDS.items()},
}
DEFAULT_ID_BASE = 900_000_000
NOW = "$now"


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

    def apply(self, view, req, spec: dict):
        """Do the write; returns the object as it now is (the answer's source), or the list."""
        now = iso(datetime.fromtimestamp(self.clock(), UTC))
        return getattr(self, f"_{spec['do']}")(view, req, spec, now)

    # -- the verbs ------------------------------------------------------------------------------
    def _create(self, view, req, spec: dict, now: str) -> dict:
        collection = spec["collection"]
        account = req.path_params["account"]
        ident = ID_BASE.get(collection, DEFAULT_ID_BASE) + self.numbers(f"world/{collection}")
        inputs = self._inputs(req, spec)
        obj = MAKERS[collection](view, req, inputs, ident, now) if collection in MAKERS else dict(inputs)
        obj |= _fixed(spec, now)
        obj |= {"id": obj.get("id", ident), "_new": True, "_fresh": True}
        if spec.get("parent"):
            obj["_parent"] = str(req.path_params[spec["parent"]])
        obj["_key"] = obj["_seed"] = f"{req.tenant}/{account}/{collection}/{obj['id']}"
        self.rows.write(req.tenant, account, [(collection, str(obj["id"]), obj), *self._counts(view, req, spec, 1)])
        return view.derive(collection, obj) if collection in DERIVED else obj

    def _delete(self, view, req, spec: dict, now: str) -> dict:
        collection, gone = spec["collection"], []
        for current in self._targets(view, req, spec):
            gone.append((collection, str(current["id"]), None))
        self.rows.write(req.tenant, req.path_params["account"], [*gone, *self._counts(view, req, spec, -1)])
        return {"success": True, "id": as_id(gone[0][1]) if len(gone) == 1 else [as_id(g[1]) for g in gone]}

    def _update(self, view, req, spec: dict, now: str) -> dict:
        return self._change(view, req, spec, lambda current: {**self._inputs(req, spec), **_fixed(spec, now)})

    def _set(self, view, req, spec: dict, now: str) -> dict:
        def fields(current: dict) -> dict:
            fixed = _fixed(spec, now)
            if any(current.get(k) != v for k, v in fixed.items()):  # it changed: counts move
                fixed |= {k: (current.get(k) or 0) + by for k, by in (spec.get("step") or {}).items()}
            return fixed

        return self._change(view, req, spec, fields)

    def _toggle(self, view, req, spec: dict, now: str) -> dict:
        names = _names(spec["field"])
        return self._change(view, req, spec, lambda current: dict.fromkeys(names, not current.get(names[0])))

    def _add(self, view, req, spec: dict, now: str) -> dict:
        return self._members(view, req, spec, lambda held, ids: [*(i for i in ids if i not in held), *held])

    def _remove(self, view, req, spec: dict, now: str) -> dict:
        return self._members(view, req, spec, lambda held, ids: [i for i in held if i not in ids])

    def _reorder(self, view, req, spec: dict, now: str) -> list[dict]:
        """The collection's objects take their place in the order the request lists (others after)."""
        collection, field = spec["collection"], spec["field"]
        order = [as_id(i) for i in _listed(self._input(req, spec["ids"]))]
        items = list(view.lists[collection])
        rank = {i: n for n, i in enumerate(order)}
        placed = sorted(items, key=lambda obj: rank.get(obj["id"], len(order) + items.index(obj)))
        changes = []
        for n, obj in enumerate(placed):
            changes.append((collection, str(obj["id"]), self._changed(view, collection, obj, {field: n})))
        self.rows.write(req.tenant, req.path_params["account"], changes)
        return [{**obj, field: n} for n, obj in enumerate(placed)]

    # -- helpers --------------------------------------------------------------------------------
    def _change(self, view, req, spec: dict, fields_of: Callable) -> dict:
        collection, rows, answer = spec["collection"], [], {}
        sent = {k: v for k, v in (req.body if isinstance(req.body, dict) else {}).items() if not k.startswith("_")}
        for current in self._targets(view, req, spec):
            fields = _normalized(collection, fields_of(current))
            rows.append((collection, str(current["id"]), self._changed(view, collection, current, fields)))
            mine = {k: v for k, v in current.items() if k != "_key"}
            answer = {**sent, "success": True, **mine, **fields}
        self.rows.write(req.tenant, req.path_params["account"], rows)
        return answer

    def _members(self, view, req, spec: dict, combine: Callable) -> dict:
        collection, field = spec["collection"], spec["members"]
        ids = [req.path_params[spec["member"]]] if spec.get("member") else _listed(self._input(req, spec["ids"]))
        ids = [as_id(i) for i in ids]
        (container,) = self._targets(view, req, spec)
        held = [as_id(i) for i in view.member_ids(collection, container, field)]
        after = combine(held, ids)
        change = self._changed(view, collection, container, {field: after})
        self.rows.write(req.tenant, req.path_params["account"], [(collection, str(container["id"]), change)])
        if spec.get("answer") == "member":  # answered with the member (a user subscribed to)
            return view.entity(container_fields(collection)[field].collection, ids[0])
        held_now = {**container, field: after}
        return {"success": True, **(view.derive(collection, held_now) if collection in DERIVED else held_now)}

    def _targets(self, view, req, spec: dict) -> list[dict]:
        """The objects a write names: by a path parameter, by request field(s), or the account's own."""
        collection = spec["collection"]
        if spec.get("all"):
            return list(view.lists[collection])
        if spec.get("targets"):
            named = _listed(self._input(req, spec["targets"]))
            found = []
            for ident in named:
                try:
                    found.append(view.entity(collection, ident))
                except Gone:
                    if len(named) == 1:
                        raise
            return found
        if spec.get("target"):
            return [view.entity(collection, req.path_params[spec["target"]])]
        return [view.container(collection, req.path_params)]  # the account's own (a setting, its profile)

    def _counts(self, view, req, spec: dict, by: int) -> list:
        """Counts on other objects that cover the created or deleted one (a post's `commentsCount`)."""
        rows = []
        for collection, field in (spec.get("counts") or {}).items():
            owner = view.container(collection, req.path_params)
            moved = {field: (owner.get(field) or 0) + by}
            rows.append((collection, str(owner["id"]), self._changed(view, collection, owner, moved)))
        return rows

    @staticmethod
    def _input(req, name: str):
        body = req.body if isinstance(req.body, dict) else {}
        return body.get(name, req.query.get(name))

    @staticmethod
    def _inputs(req, spec: dict) -> dict:
        """The fields a request sends (query and body), under the object's names. Query defaults
        the client did not send change nothing."""
        body = req.body if isinstance(req.body, dict) else {}
        defaults = req.op.query_defaults
        sent = {k: v for k, v in req.query.items() if k not in defaults or defaults[k] != v}
        skip = {spec.get("targets"), spec.get("ids")}
        fields = {}
        for name, value in {**sent, **body}.items():
            if name.startswith("_") or name in skip:
                continue
            for to in _names((spec.get("fields") or {}).get(name, name)):
                fields[to] = value
        return _normalized(spec["collection"], fields)

    @staticmethod
    def _changed(view, collection: str, current: dict, fields: dict) -> dict:
        """The overlay row after a change: a created object stays whole, others keep a patch."""
        stored = getattr(view, "changes", {}).get(collection, {}).get(str(current["id"])) or {}
        if stored.get("_new"):  # a new revision of the created object: a new key, so no cache serves the old one
            rev = stored.get("_rev", 0) + 1
            return {**stored, **fields, "_rev": rev, "_key": f"{stored['_key'].split('#')[0]}#{rev}"}
        return {**stored, **fields}


def _fixed(spec: dict, now: str) -> dict:
    return {k: now if v == NOW else v for k, v in (spec.get("set") or {}).items()}


def _names(value) -> list[str]:
    return list(value) if isinstance(value, list) else [value]


def _listed(value) -> list:
    if value is None:
        raise ApiError(422, "The request names no object.")
    return list(value) if isinstance(value, list) else [value]


def _normalized(collection: str, fields: dict) -> dict:
    """Member ids are kept as the world's ids (numbers), whatever the request sent."""
    held = container_fields(collection)
    return {k: [as_id(i) for i in v] if k in held and isinstance(v, list) else v for k, v in fields.items()}


# -- what each kind of created object looks like -----------------------------------------------
def _named(ident) -> bool:
    """Whether a request value can name an object: an id (a number or a string)."""
    return isinstance(ident, (int, str)) and not isinstance(ident, bool)


def _media(view, ids, field: str = "mediaFiles") -> list[dict]:
    """The vault media a request names (by id or an upload's prefixed id), as OnlyFans attaches them."""
    found = []
    for n, ident in enumerate(ids or ()):
        if not _named(ident):
            raise InvalidInput({f"{field}.{n}": [f"The {field}.{n} field must be a media id."]})
        try:
            found.append(view.entity("media", ident))
        except Gone:
            continue
    return found


def _after(now: str, days, field: str) -> str:
    """The time `days` days after `now`; a number of days no calendar holds is the request's fault."""
    try:
        return iso(datetime.fromisoformat(now) + timedelta(days=int(days)))
    except (OverflowError, ValueError):
        raise InvalidInput({field: [f"The {field} field must be a number of days a date can hold."]}) from None


def _price(view) -> float:
    return float(view.creator.get("subscribePrice") or 0)


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
        "previews": [m for m in media if m["id"] in {as_id(p) for p in body.get("previews") or () if _named(p)}],
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
        "isMediaReady": True,
        "canViewMedia": True,
        **dict.fromkeys(("canDelete", "canEdit", "canEditText", "canComment", "canToggleFavorite"), True),
        "isPinned": False,
        "isArchived": False,
    }


@maker("comments")
def comment(view, req, body: dict, ident: int, now: str) -> dict:
    text = body.get("text") or ""
    return {
        "id": ident,
        "postedAt": now,
        "postedAtPrecise": f"{datetime.fromisoformat(now).timestamp():.6f}",
        "changedAt": now,
        "text": text,
        "rawText": text,
        "author": view.creator,
        "giphyId": body.get("giphyId"),
        "answerTo": body.get("answerTo"),
        "tipsAmount": "0.00",
        "responseType": "comment",
        "canDelete": True,
        "canEdit": True,
        "canEditText": True,
        "canLike": True,
        "isOpened": True,
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
        "canDelete": True,
        "isReady": True,
    }


@maker("media")
def media(view, req, body: dict, ident: int, now: str) -> dict:
    """An upload: a file (or a URL) becomes vault media on the OnlyFans CDN, ready to attach."""
    upload = body.get("file") or body.get("file_url") or "upload.jpg"
    name = str(upload).rsplit("/", 1)[-1].split("?", 1)[0] or "upload.jpg"
    kind = getattr(upload, "content_type", "") or ""
    video = kind.startswith("video/") or name.lower().endswith((".mp4", ".mov", ".webm"))
    rng = view.make.rng("upload", ident)
    owner = view.account["onlyfans_id"]
    w, h = (1920, 1080) if video else (1080, 1350)
    full = cdn_url(rng, owner, w, h, ext="mp4" if video else "jpg")
    digest = f"{stable_int(req.tenant, ident):016x}{rng.getrandbits(64):016x}"
    return {
        "id": ident,
        "prefixed_id": f"ofapi_media_{digest}",
        "type": "video" if video else "photo",
        "createdAt": now,
        "canView": True,
        "isReady": True,
        "hasError": False,
        "convertedToVideo": False,
        "videoSources": {"720": full} if video else {},
        "files": {
            "full": {"url": full, "width": w, "height": h, "size": getattr(upload, "size", 0), "sources": []},
            "thumb": {"url": cdn_url(rng, owner, 300, 300, thumbs=True), "width": 300, "height": 300},
            "preview": {"url": cdn_url(rng, owner, 960, 1280, thumbs=True), "width": 960, "height": 1280},
            "squarePreview": {"url": cdn_url(rng, owner, 960, 960, thumbs=True), "width": 960, "height": 960},
            "drm": None,
        },
        "file_name": name,
        "sourceUrl": full,
        "processId": digest[:20],
        "host": "convert3.onlyfans.com",
        "thumbs": [{"id": 1, "url": cdn_url(rng, owner, 300, 544, thumbs=True)}],
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
    expired_at = _after(now, expires, "offerExpiration") if expires and int(expires) > 0 else None
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


@maker("user_lists")
def user_list(view, req, body: dict, ident: int, now: str) -> dict:
    owned = {"canDelete": True, "canUpdate": True, "canAddUsers": True, "canManageUsers": True}
    return {"id": ident, "name": body.get("name") or "", "type": "custom", "_users": [], "_pinned": [], **owned}


@maker("vault_lists")
def vault_list(view, req, body: dict, ident: int, now: str) -> dict:
    owned = {"canDelete": True, "canUpdate": True}
    return {"id": ident, "name": body.get("name") or "", "type": "custom", "_media": [], **owned}


@maker("labels")
def label(view, req, body: dict, ident: int, now: str) -> dict:
    return {"id": ident, "name": body.get("name") or "", "type": "custom"}


@maker("highlights")
def highlight(view, req, body: dict, ident: int, now: str) -> dict:
    return {
        "id": ident,
        "title": body.get("title") or "",
        "coverStoryId": body.get("coverStoryId"),
        "_stories": body.get("_stories") or [],
        "createdAt": now,
        "userId": view.creator["id"],
    }


@maker("promotions")
def promotion(view, req, body: dict, ident: int, now: str) -> dict:
    discount = body.get("discount") or 0
    days = body.get("expirationDays")
    message = body.get("message") or ""
    return {
        "id": ident,
        "type": body.get("type"),
        "message": message,
        "rawMessage": message,
        "price": round(_price(view) * (100 - discount) / 100, 2),
        "subscribeDays": body.get("freeTrialDays") or 30,
        "createdAt": now,
        "finishedAt": _after(now, days, "expirationDays") if days else None,
        "isFinished": False,
        "canClaim": True,
    }


@maker("bundles")
def bundle(view, req, body: dict, ident: int, now: str) -> dict:
    discount, months = body.get("discount") or 0, body.get("duration") or 1
    price = _price(view) * int(months) * (100 - int(discount)) / 100
    return {"id": ident, "discount": discount, "duration": months, "price": round(price), "canBuy": True}


@maker("mass_messages")
def mass_message(view, req, body: dict, ident: int, now: str) -> dict:
    """Sent to the fans and lists it names (else every active fan); a scheduled one is pending."""
    media = _media(view, body.get("mediaFiles"))
    text = body.get("text") or ""
    price = body.get("price") or 0
    fans = set(body.get("userIds") or ())
    for list_id in body.get("userLists") or ():
        try:
            fans |= set(view.member_ids("user_lists", view.entity("user_lists", list_id), "_users"))
        except Gone:
            continue
    total = len(fans) if body.get("userIds") or body.get("userLists") else len(view.lists["active_fans"])
    scheduled = body.get("scheduledDate")
    return {
        "id": ident,
        "text": text,
        "textCropped": text[:100],
        "giphyId": body.get("giphyId"),
        "date": scheduled or now,
        "price": price,
        "isFree": not price,
        "media": media,
        "mediaTypes": ",".join(sorted({m["type"] for m in media})) or None,
        "total": total,
        "pending": total if scheduled else 0,
        "sentCount": 0 if scheduled else total,
        "isReady": True,
        "isDone": not scheduled,
        "canUnsend": True,
        "unsendSeconds": 0,
    }


@maker("social_buttons")
def social_button(view, req, body: dict, ident: int, now: str) -> dict:
    network, value = body.get("socialMedia") or "website", str(body.get("url") or "")
    url = value if value.startswith(("http://", "https://")) else f"https://{network}.com/{quote(value, safe='')}"
    url = quote(url, safe=URL_SAFE)  # a URI, as OnlyFans stores it: what a URL may not hold, percent-encoded
    order = max((b.get("sort") or 0 for b in view.lists["social_buttons"]), default=-1) + 1
    return {
        "id": ident,
        "label": body.get("label") or "",
        "socialMedia": network,
        "username": value.rsplit("/", 1)[-1],
        "url": url,
        "link": url,
        "sort": order,
        "isValid": True,
    }


@maker("release_forms")
def release_form(view, req, body: dict, ident: int, now: str) -> dict:
    code = f"{stable_int(req.tenant, 'release_form', ident):x}"[:12]
    return {
        "id": ident,
        "name": body.get("name") or "",
        "code": code,
        "token": code,
        "date": now,
        "createdAt": now,
        "last_changed": now,
        "status": "pending",
        "hiddenForRf": False,
        "invitationUrl": f"https://onlyfans.com/release-form/invite/{code}",
        "submissionUrl": f"https://onlyfans.com/release-form/{code}",
        "user": view.creator,
    }


@maker("payout_requests")
def payout_request(view, req, body: dict, ident: int, now: str) -> dict:
    request = {"amount": body.get("amount"), "createdAt": now, "state": "new", "currency": "USD"}
    return {"id": ident, "invoiceId": f"INV-{ident}", "rejectReason": None, **request}

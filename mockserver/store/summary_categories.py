"""Custom fan-summary categories: a team's own categories (a label and the keywords that mark
it) that AI fan summaries add to their built-in ones. OFAPI's own data, never an OnlyFans call.

Each category's `key` is derived from its label (`custom_gift_preferences`), so a team cannot
have two categories with the same label."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ..errors import InvalidInput
from ..lenient import found, rule, stand_in
from .actions import Answer, action, body_of, not_found
from .ids import new_id

KIND = "summary_category"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _key(label: str) -> str:
    return "custom_" + re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")


def _validated(store, req, ident: str | None) -> dict:
    body = body_of(req)
    label, keywords = str(body.get("label") or "").strip(), str(body.get("keywords") or "").strip()
    errors: dict[str, list[str]] = {}
    if _key(label) == "custom_":
        errors["label"] = ["The label field must contain at least one letter or digit."]
    if not keywords:
        errors["keywords"] = ["The keywords field is required."]
    taken = any(d["key"] == _key(label) and d["id"] != ident for d in store.docs.list(KIND, req.tenant))
    if label and not rule(store, not taken):
        errors["label"] = ["The label has already been taken."]
    if errors:
        raise InvalidInput(errors)
    return {"key": _key(label), "label": label, "keywords": keywords}


def _get(store, req) -> dict:
    doc = found(store, KIND, req.path_params["category_id"], req.tenant)
    if doc is None:
        raise not_found("Summary category")
    return doc


@stand_in(KIND)
def _stand_in(store, ident: str, tenant: str) -> dict:
    label = f"Category {ident}"
    return {"id": ident, "key": _key(label), "label": label, "keywords": "placeholder", "created_at": _iso(0)}


@action("summary_categories.list")
def list_categories(store, req) -> Answer:
    return Answer({"data": store.docs.list(KIND, req.tenant)})


@action("summary_categories.create")
def create(store, req) -> Answer:
    doc = {"id": new_id("fan_cat_").lower(), **_validated(store, req, None), "created_at": _iso(store.clock())}
    return Answer({"data": store.docs.insert(KIND, doc, req.tenant)})


@action("summary_categories.update")
def update(store, req) -> Answer:
    doc = _get(store, req)
    doc |= _validated(store, req, doc["id"])
    return Answer({"data": store.docs.save(KIND, doc, req.tenant)})


@action("summary_categories.delete")
def delete(store, req) -> Answer:
    _get(store, req)
    store.docs.delete(KIND, req.path_params["category_id"], req.tenant)
    return Answer(None)

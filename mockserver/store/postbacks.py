"""Smart-link postbacks: OFAPI's own resource (team-level, never an OnlyFans call), kept in the
store with full CRUD. The seed predates them; they cannot exist on OnlyFans, so they are
`computed` (`openapi/endpoints.tsv` says why)."""

from __future__ import annotations

from datetime import UTC, datetime

from ..errors import InvalidInput
from ..lenient import found, rule, stand_in
from .actions import Answer, action, body_of, is_http_url, not_found
from .smart_links import CONVERSION_TYPES
from .smart_links import KIND as SMART_LINK

KIND = "postback"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).replace(microsecond=0).isoformat()


def _validated(store, req, body: dict) -> dict:
    errors: dict[str, list[str]] = {}
    if not is_http_url(body.get("url")):
        errors["url"] = ["The url field must be an http(s) URL."]
    if not body.get("conversion_types") or any(c not in CONVERSION_TYPES for c in body["conversion_types"]):
        errors["conversion_types"] = ["The selected conversion types are invalid."]
    links = list(body.get("smart_link_ids") or [])
    if not rule(store, body.get("smart_link_scope") != "campaign_specific" or links):
        errors["smart_link_ids"] = ["The smart link ids field is required for campaign-specific postbacks."]
    known = [found(store, SMART_LINK, link, req.tenant) for link in links]
    if any(k is None for k in known):
        errors["smart_link_ids"] = ["The selected smart link ids are invalid."]
    if errors:
        raise InvalidInput(errors)
    return {
        "url": body["url"],
        "http_method": body.get("http_method") or "GET",
        "body": body.get("body"),
        "headers": [h for h in body.get("headers") or [] if h.get("name")],  # a header without a name is none
        "conversion_types": list(body["conversion_types"]),
        "smart_link_scope": body["smart_link_scope"],
        "smart_link_ids": links,
        "smart_links": [
            {
                "link_ulid": k["id"],
                "name": k["name"],
                "account_prefixed_id": k["account"]["id"],
                "account_display_name": k["account"]["display_name"],
            }
            for k in known
        ],
    }


def _get(store, req) -> dict:
    doc = found(store, KIND, req.path_params["postback_id"], req.tenant)
    if doc is None:
        raise not_found("Postback")
    return doc


@action("postbacks.create")
def create(store, req) -> Answer:
    # OFAPI numbers postbacks; a sequence never repeats one
    doc = _new(store.docs.next_number(KIND), _validated(store, req, body_of(req)), store.clock())
    return Answer(store.docs.insert(KIND, doc, req.tenant))


@stand_in(KIND)
def _stand_in(store, ident: str, tenant: str) -> dict:
    fields = {
        "url": "https://example.com/postback",
        "http_method": "GET",
        "body": None,
        "headers": [],
        "conversion_types": [CONVERSION_TYPES[0]],
        "smart_link_scope": "global",
        "smart_link_ids": [],
        "smart_links": [],
    }
    return _new(int(ident) if ident.isdigit() else ident, fields, store.world.now.timestamp())


def _new(ident, fields: dict, now: float) -> dict:
    return {
        "id": ident,
        **fields,
        "traffic_source_ids": [],
        "traffic_sources": [],
        "latest_response": None,
        "created_at": _iso(now),
        "updated_at": _iso(now),
    }


@action("postbacks.list")
def list_postbacks(store, req) -> Answer:
    return Answer(store.docs.list(KIND, req.tenant))


@action("postbacks.get")
def get(store, req) -> Answer:
    return Answer(_get(store, req))


@action("postbacks.update")
def update(store, req) -> Answer:
    doc = _get(store, req)
    doc |= _validated(store, req, {**doc, **body_of(req)}) | {"updated_at": _iso(store.clock())}
    return Answer(store.docs.save(KIND, doc, req.tenant))


@action("postbacks.delete")
def delete(store, req) -> Answer:
    _get(store, req)
    store.docs.delete(KIND, req.path_params["postback_id"], req.tenant)
    return Answer({"success": True})

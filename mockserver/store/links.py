"""Link tags (OFAPI's own, on tracking, trial and shared links) and the stored link inventory
(links OFAPI has seen through the live list endpoints). Never calls OnlyFans; always free."""

from __future__ import annotations

import json

from .actions import Answer, action, body_of, page

# The tag namespaces `/link-tags?type=` knows; shared links use their owned kind's namespace.
NAMESPACES = {
    "tracking_links": ("tracking_links", "shared_tracking_links"),
    "trial_links": ("trial_links", "shared_trial_links"),
    "smart_links": ("smart_links",),
}


def _link(req) -> tuple[str, str, str]:
    collection = req.op.store["collection"]
    link_id = next(str(v) for k, v in req.path_params.items() if k.endswith("link_id"))
    return req.path_params.get("account", ""), collection, link_id  # smart links are team-level


def _tags(store, req) -> dict:
    account, collection, link_id = _link(req)
    return {"tags": store.link_tags(req.tenant, account, collection, link_id)}


def _names(req) -> list[str]:
    tags = body_of(req).get("tags") or []
    return [str(t).strip() for t in tags if str(t).strip()]


@action("tags.list")
def list_tags(store, req) -> Answer:
    return Answer(_tags(store, req))


@action("tags.add")
def add_tags(store, req) -> Answer:
    """Adding is idempotent: a tag the link has stays once."""
    account, collection, link_id = _link(req)
    store.add_link_tags(req.tenant, account, collection, link_id, _names(req))
    return Answer(_tags(store, req))


@action("tags.remove")
def remove_tags(store, req) -> Answer:
    """Removing a tag the link does not have is a no-op."""
    account, collection, link_id = _link(req)
    with store.db.tx() as db:
        db.executemany(
            "DELETE FROM link_tags WHERE tenant = ? AND account = ? AND collection = ? AND link_id = ? AND tag = ?",
            [(req.tenant, account, collection, link_id, tag) for tag in _names(req)],
        )
        store.overlay.touch(db, req.tenant, account)  # the link lists show tags: their answers change
    return Answer(_tags(store, req))


@action("tags.catalog")
def catalog(store, req) -> Answer:
    """Every tag of the team, with how many links carry it."""
    kinds = NAMESPACES.get(req.query.get("type"), tuple(c for cs in NAMESPACES.values() for c in cs))
    marks = ",".join("?" * len(kinds))
    rows = store.db.rows(
        f"SELECT tag, COUNT(*) AS n FROM link_tags WHERE tenant = ? AND collection IN ({marks}) "
        "GROUP BY tag ORDER BY tag",
        (req.tenant, *kinds),
    )
    return Answer({"tags": [r[0] for r in rows], "counts": {r[0]: r[1] for r in rows}})


@action("stored.list")
def stored(store, req) -> Answer:
    account, collection = req.path_params["account"], req.op.store["collection"]
    rows = store.db.rows(
        "SELECT link_id, body FROM stored_links WHERE tenant = ? AND account = ? AND collection = ? "
        "ORDER BY seen DESC, link_id",
        (req.tenant, account, collection),
    )
    shown = page(req, rows)
    items = [
        {**json.loads(body), "tags": store.link_tags(req.tenant, account, collection, ident)}
        for ident, body in shown.items
    ]
    return Answer({"list": items, "hasMore": shown.fields["hasMore"]}, shown.next)

"""Tags on smart links: the same tag table as tracking and trial links (`links.py`), under
the `smart_links` collection, for the team's own smart links only (another id is a 404)."""

from __future__ import annotations

from ..lenient import found
from . import links
from .actions import Answer, action, not_found
from .smart_links import KIND as SMART_LINK


def _checked(store, req) -> None:
    if found(store, SMART_LINK, req.path_params["smart_link_id"], req.tenant) is None:
        raise not_found("Smart link")


@action("smart_link_tags.list")
def list_tags(store, req) -> Answer:
    _checked(store, req)
    return links.list_tags(store, req)


@action("smart_link_tags.add")
def add_tags(store, req) -> Answer:
    _checked(store, req)
    return links.add_tags(store, req)


@action("smart_link_tags.remove")
def remove_tags(store, req) -> Answer:
    _checked(store, req)
    return links.remove_tags(store, req)

"""The lint rule for `x-world-write` (what a write to OnlyFans does to the fake world): every
write that reaches OnlyFans has one; a known verb, a collection the world has, and parameters
and fields the operation really has. Kept in a
module of its own, registered with the runner's `@rule`."""

from __future__ import annotations

import warnings
from functools import lru_cache

from .lint import Spec, rule

NEEDS = {  # verb -> keys it cannot do without
    "create": ("collection",),
    "update": ("collection",),
    "delete": ("collection",),
    "set": ("collection", "set"),
    "toggle": ("collection", "field"),
    "add": ("collection", "members"),
    "remove": ("collection", "members"),
    "reorder": ("collection", "ids", "field"),
    "none": ("why",),
}


@lru_cache(maxsize=1)
def world() -> tuple[set, set, dict]:
    """The world's collections, its member lists, and each container's member fields."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ..onlyfans.kinds import KINDS, MEMBERS, container_fields
        from ..onlyfans.world import LISTS
    collections = set(LISTS) | set(KINDS)
    return collections, set(MEMBERS), {c: set(container_fields(c)) for c in collections}


def _params(spec: Spec, op: dict, where: str) -> set:
    return {p.get("name") for p in (spec.deref(p) or {} for p in op.get("parameters") or []) if p.get("in") == where}


def _fields(spec: Spec, op: dict) -> set:
    """The request's field names: its query parameters and its body's properties."""
    names = _params(spec, op, "query")
    for content in ((op.get("requestBody") or {}).get("content") or {}).values():
        names |= set((spec.deref(content.get("schema")) or {}).get("properties") or {})
    return names


@rule("world-write")
def world_write(spec: Spec):
    collections, member_lists, member_fields = world()
    for at, method, _, op in spec.operations():
        write = op.get("x-world-write")
        if write is None:
            if method != "GET" and op.get("x-data-source") in ("live", "hybrid") and not op.get("x-behaviour"):
                yield at, f"{method} reaches OnlyFans but says nothing of what it changes (x-world-write)"
            continue
        at = at + ("x-world-write",)
        if not isinstance(write, dict) or write.get("do") not in NEEDS:
            yield at, f"x-world-write needs `do`, one of {', '.join(NEEDS)}"
            continue
        for key in NEEDS[write["do"]]:
            if key not in write:
                yield at, f"x-world-write `do: {write['do']}` needs `{key}`"
        collection = write.get("collection")
        if collection is not None and collection not in collections:
            yield at + ("collection",), f"collection {collection!r} is not one the world has"
        for key in ("target", "parent", "member"):
            if key in write and write[key] not in _params(spec, op, "path"):
                yield at + (key,), f"{key} {write[key]!r} is not a path parameter of the operation"
        for key in ("targets", "ids"):
            if key in write and write[key] not in _fields(spec, op):
                yield at + (key,), f"{key} {write[key]!r} is not a field of the request"
        if "members" in write and write["members"] not in member_fields.get(collection, ()):
            yield at + ("members",), f"members {write['members']!r} is not a member field of {collection!r}"
        for owner in write.get("counts") or {}:
            if owner not in collections:
                yield at + ("counts", owner), f"counts names {owner!r}, not a collection the world has"
    for at, _, _, op in spec.operations():
        narrowed = op.get("x-world")
        name = narrowed.get("collection") if isinstance(narrowed, dict) else narrowed
        if name is not None and name not in collections | member_lists:
            yield at + ("x-world",), f"x-world {name!r} is not a collection or member list the world has"
    for at, name in _marks(spec.doc):
        if name not in collections:
            yield at, f"x-world-collection {name!r} is not a collection the world has"


def _marks(node, at: tuple = ()):
    """(pointer, name) of every `x-world-collection` in the document."""
    if isinstance(node, dict):
        if "x-world-collection" in node:
            yield at + ("x-world-collection",), node["x-world-collection"]
        for key, value in node.items():
            yield from _marks(value, at + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _marks(value, at + (i,))

"""The kinds of things OnlyFans keeps that the world seeds only thinly: a post's comments, vault
lists, user lists, highlights, promotions, bundles, mass messages, queue items, social-media
buttons, release forms, payout requests, and the account's settings (single objects).

Each account starts with a few of each (`count`, or `sizes.<kind>` in the fixtures), with ids in
the kind's seeded range and a few fields of their own; the renderer fills the rest from the spec,
keyed by the object, so one object reads the same everywhere. What clients create, change or
delete through the API is the overlay on top (`view.py`), created ids above the seeded range.

A kind may be
- scoped: its objects belong to another object, named by a path parameter (a post's comments);
- a container: a field holds the ids of members of another collection (a user list's fans),
  with the members a seeded container starts with;
- single: one object per account (a setting), read without an id;
and may have fields derived from the world when read (a vault list's counts from its media).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from .entities import iso


@dataclass(frozen=True)
class Kind:
    name: str
    base: int  # seeded ids are base .. base + span; created ones start at base + span
    span: int
    count: int = 3  # how many each account (or each scope) starts with
    scope: str | None = None  # path parameter naming the object they belong to
    counted_by: tuple[str, str] | None = None  # (collection, field) of the owner saying how many it has
    single: bool = False
    seed: Callable | None = None  # fn(world, rng, n) -> the seeded object's own fields
    order: str | None = None  # a field the kind's list is sorted by (ascending)


@dataclass(frozen=True)
class Members:
    """A container's member ids: `field` of a `container` object lists ids of `collection`."""

    container: str
    field: str
    collection: str
    seeded: Callable = field(default=lambda world, obj: [])  # fn(world, container) -> the ids it starts with
    query: str | None = None  # a query parameter of the member collection's list that narrows it to these


KINDS: dict[str, Kind] = {}
MEMBERS: dict[str, Members] = {}  # a list name (`x-world`) -> the members it shows
DERIVED: dict[str, Callable] = {}  # collection -> fn(world, obj) -> fields computed when read


def kind(name: str, base: int, span: int, **options):
    KINDS[name] = Kind(name, base, span, **options)


def members(name: str, container: str, member_field: str, collection: str, seeded=None, query=None):
    MEMBERS[name] = Members(container, member_field, collection, seeded or (lambda world, obj: []), query)


def derived(collection: str):
    def register(fn):
        DERIVED[collection] = fn
        return fn

    return register


def container_fields(collection: str) -> dict[str, Members]:
    """The member fields of a container collection, by field."""
    return {m.field: m for m in MEMBERS.values() if m.container == collection}


def _sample(rng: random.Random, ids: list, most: int) -> list:
    """A container starts with a few members (at least one, when there are any)."""
    return rng.sample(ids, k=min(len(ids), rng.randint(1, most)))


def _ago(world, rng: random.Random, days: float) -> str:
    return iso(world.now - timedelta(seconds=rng.uniform(3600, days * 86400)))


def _ahead(world, rng: random.Random, days: float) -> str:
    return iso(world.now + timedelta(seconds=rng.uniform(3600, days * 86400)))


def _words(world, rng: random.Random, n: int = 2) -> str:
    return " ".join(rng.choice(world.make.pools.words) for _ in range(n)).capitalize()


# -- the kinds -------------------------------------------------------------------------------
kind(
    "comments",
    300_000_000,
    100_000_000,
    scope="post_id",
    counted_by=("posts", "commentsCount"),
    seed=lambda w, rng, n: {
        "postedAt": _ago(w, rng, 300),
        "rawText": rng.choice(w.make.pools.sentences),
        "author": w.fans[rng.randrange(len(w.fans))] if w.fans else w.creator,
        "isPinned": False,
    },
)
kind("vault_lists", 1_000_000, 1_000_000, count=4, seed=lambda w, rng, n: {"name": _words(w, rng), "type": "custom"})
kind("user_lists", 1_000_000_000, 100_000_000, seed=lambda w, rng, n: {"name": _words(w, rng), "type": "custom"})
kind("labels", 10_000, 10_000, seed=lambda w, rng, n: {"name": _words(w, rng, 1), "type": "custom"})
kind(
    "promotions",
    10_000_000,
    1_000_000,
    count=2,
    seed=lambda w, rng, n: {"createdAt": _ago(w, rng, 200), "isFinished": False, "finishedAt": None},
)
kind("bundles", 100_000, 100_000, count=2, seed=lambda w, rng, n: {"duration": (3, 6, 12)[n % 3], "canBuy": True})
kind(
    "mass_messages",
    500_000_000,
    100_000_000,
    count=5,
    seed=lambda w, rng, n: {
        "date": _ago(w, rng, 90),
        "text": rng.choice(w.make.pools.sentences),
        "isDone": True,
        "isReady": True,
        "isCanceled": False,
        "hasError": False,
        "pending": 0,
    },
)
kind(
    "highlights",
    1_000_000,
    1_000_000,
    seed=lambda w, rng, n: {"title": _words(w, rng, 1), "createdAt": _ago(w, rng, 300), "userId": w.creator["id"]},
)
kind("social_buttons", 100_000, 100_000, order="sort", seed=lambda w, rng, n: {"sort": n, "isValid": True})
kind("release_forms", 100_000, 100_000, seed=lambda w, rng, n: {"date": _ago(w, rng, 400), "hiddenForRf": False})
kind(
    "payout_requests",
    1_000_000,
    1_000_000,
    count=2,
    seed=lambda w, rng, n: {"createdAt": _ago(w, rng, 120), "state": "done", "currency": "USD"},
)
kind(
    "queue",
    2_000_000_000,
    100_000_000,
    count=4,
    seed=lambda w, rng, n: {"publishDateTime": _ahead(w, rng, 20), "type": ("post", "message")[n % 2]},
)
# The account's settings, one object each (GET without an id).
kind(
    "settings",
    1,
    1,
    count=1,
    single=True,
    seed=lambda w, rng, n: (lambda drm: {"isDrmEnabled": drm, "enabled": drm, "blockedStates": []})(rng.random() < 0.5),
)
kind("welcome_message", 1, 1, count=1, single=True)
kind("saved_messages_settings", 1, 1, count=1, single=True, seed=lambda w, rng, n: {"isEnabled": False})
kind("saved_posts_settings", 1, 1, count=1, single=True, seed=lambda w, rng, n: {"isEnabled": False})
kind("notification_counts", 1, 1, count=1, single=True)
kind(
    "notification_tabs",
    1,
    1,
    count=1,
    single=True,
    seed=lambda w, rng, n: {"tabs": ["all", "tags", "commented", "mentioned", "subscribed", "tip", "purchases"]},
)

# -- members: what a container holds -----------------------------------------------------------
members(
    "user_list_users",
    "user_lists",
    "_users",
    "fans",
    lambda w, obj: _sample(w.make.rng("members", obj["_key"]), [f["id"] for f in w.fans], 8),
)
members(
    "user_list_pinned", "user_lists", "_pinned", "fans", lambda w, obj: w.member_ids("user_lists", obj, "_users")[:1]
)
members(
    "vault_list_media",
    "vault_lists",
    "_media",
    "media",
    lambda w, obj: _sample(w.make.rng("members", obj["_key"]), [m["id"] for m in w.media], 8),
    query="list",  # the vault's list filter: GET media/vault?list=<vault list id>
)
members(
    "highlight_stories",
    "highlights",
    "_stories",
    "stories",
    lambda w, obj: _sample(w.make.rng("members", obj["_key"]), [s["id"] for s in w.stories], 3),
)
members("following", "profile", "_following", "fans", lambda w, obj: [f["id"] for f in w.fans])


# -- fields derived when read ------------------------------------------------------------------
@derived("profile")
def _profile(world, obj: dict) -> dict:
    """The profile counts the posts it shows, archived ones apart. The generated world makes
    `sizes.posts`, none archived: counted without making them (a profile is read far more often)."""
    if world.base is None:
        return {"postsCount": world.sizes["posts"], "archivedPostsCount": 0}
    shown = sum(1 for p in world.posts if not p.get("isArchived"))
    return {"postsCount": shown, "archivedPostsCount": len(world.posts) - shown}


@derived("user_lists")
def _user_list(world, obj: dict) -> dict:
    users = world.members("user_lists", obj, "_users")
    return {"usersCount": len(users), "users": users[:3]}


@derived("vault_lists")
def _vault_list(world, obj: dict) -> dict:
    media = world.members("vault_lists", obj, "_media")
    count = {t: sum(1 for m in media if m.get("type") == t) for t in ("photo", "video", "gif", "audio")}
    return {
        "medias": media[:3],
        "hasMedia": bool(media),
        "photosCount": count["photo"],
        "videosCount": count["video"],
        "gifsCount": count["gif"],
        "audiosCount": count["audio"],
        "mediaCount": len(media),
    }


@derived("highlights")
def _highlight(world, obj: dict) -> dict:
    stories = world.members("highlights", obj, "_stories")
    cover = obj.get("coverStoryId") or (stories[0]["id"] if stories else None)
    return {"stories": stories, "storiesCount": len(stories), "coverStoryId": cover}


@derived("posts")
def _post(world, obj: dict) -> dict:
    """A post's statistics name its counts their own way."""
    return {"commentCount": obj.get("commentsCount"), "likeCount": obj.get("likesCount")}

"""A seeded, coherent OnlyFans world.

One seed gives, per account, the creator's profile, fans (some brought by tracking or trial
links), chats with those fans and the messages in them, media on `cdn*.onlyfans.com`, posts,
stories, and every fan's transactions (so a fan's spend, a link's revenue and the transaction
list agree). An id a fan list returns is the id chats, messages and transactions refer to.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

import orjson
import yaml

from ..lru import ByteLRU
from .entities import EntityMaker, Pools, stable_int

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "world.yaml"
PYTHON_OVERHEAD = 4  # bytes in memory per byte of JSON, for dicts of short strings and numbers (measured)
EXTRA_BYTES = 2 * 2**20  # per world: entities made up for unknown ids
EXTRA_ENTITY_BYTES = 8 * 1024

# Which path parameters name an entity of which collection.
ID_PARAMS = {
    "fans": ("username", "fan_id", "user_id"),
    "chats": ("chat_id",),
    "messages": ("message_id",),
    "posts": ("post_id",),
    "stories": ("story_id",),
    "media": ("media_id",),
    "tracking_links": ("tracking_link_id",),
    "trial_links": ("trial_link_id",),
}

# The transaction list's `type` filter speaks its own vocabulary.
TRANSACTION_FILTER = {
    "subscribes": "subs",
    "tips": "tips",
    "post": "post",
    "chat_messages": "chat_messages",
    "stream": "stream",
}


def load_fixtures(path: Path = FIXTURES) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def as_id(value):
    """OnlyFans ids are numbers; path parameters arrive as strings."""
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return value


class AccountWorld:
    """Everything OnlyFans knows about one connected account."""

    def __init__(self, account: dict, pools: Pools, seed: int, now: datetime, sizes: dict, connected=()):
        self.account = account
        self.connected_accounts = list(connected)
        self.now = now
        self.make = make = EntityMaker(account, pools, seed, now)
        self.creator = make.creator()
        self.fans = [make.fan(i, active=i < sizes["active_fans"]) for i in range(sizes["fans"])]
        self.media = [make.media(i) for i in range(sizes["media"])]
        self.tracking_links = [make.tracking_link(i) for i in range(sizes["tracking_links"])]
        self.trial_links = [make.trial_link(i) for i in range(sizes["trial_links"])]
        self._attribute_fans(make.rng("attribution"))
        self._block_some(make.rng("blocking"))
        self.transactions = sorted(
            (t for fan in self.fans for t in make.earnings(fan)), key=lambda t: t["createdAt"], reverse=True
        )
        lo, hi = sizes["messages_per_chat"]
        self.messages = {
            fan["id"]: make.thread(fan, make.rng("thread", fan["id"]).randint(lo, hi), self.media)
            for fan in self.fans[: sizes["chats"]]
        }
        self.chats = sorted(
            (make.chat(fan, self.messages[fan["id"]]) for fan in self.fans[: sizes["chats"]]),
            key=lambda c: c["lastMessage"]["createdAt"],
            reverse=True,
        )
        self.posts = [make.post(i, self.creator, self.media) for i in range(sizes["posts"])]
        self.stories = [make.story(i, self.media) for i in range(sizes["stories"])]
        self._index = {name: {e["id"]: e for e in items} for name, items in self.lists.items()}
        self._index["fans"].update({f["username"]: f for f in self.fans})
        self._extra = ByteLRU(EXTRA_BYTES)  # entities made up for ids the world does not have

    def approximate_bytes(self) -> int:
        """What this world takes in memory, roughly: its entities as JSON times Python's overhead."""
        return len(orjson.dumps(self.lists, default=str)) * PYTHON_OVERHEAD + EXTRA_BYTES

    def _attribute_fans(self, rng: random.Random) -> None:
        """Some fans came through a tracking or trial link; the links count them."""
        for fan in self.fans:
            roll = rng.random()
            if roll < 0.4 and self.tracking_links:
                link = rng.choice(self.tracking_links)
                link["subscribersCount"] += 1
                fan["_source"] = ("tracking_links", link["id"])
            elif roll < 0.6 and self.trial_links:
                link = rng.choice(self.trial_links)
                link["subscribeCounts"] += 1
                link["claimCounts"] += 1 + (rng.random() < 0.3)
                fan["_source"] = ("trial_links", link["id"])

    def _block_some(self, rng: random.Random) -> None:
        """A tenth of the fans are blocked and another tenth restricted (every view shows it)."""
        picked = (
            [f["id"] for f in rng.sample(self.fans, k=2 * max(1, len(self.fans) // 10))] if len(self.fans) > 1 else []
        )
        half = len(picked) // 2
        for fan in self.fans:
            fan["isBlocked"], fan["isRestricted"] = fan["id"] in picked[:half], fan["id"] in picked[half:]

    # -- collections -----------------------------------------------------------------
    @cached_property
    def lists(self) -> dict[str, list[dict]]:
        return {
            "fans": self.fans,
            "active_fans": [f for f in self.fans if f["subscribedOn"]],
            "expired_fans": [f for f in self.fans if not f["subscribedOn"]],
            "latest_fans": sorted(self.fans, key=lambda f: f["subscribedOnData"]["subscribeAt"], reverse=True),
            "top_fans": sorted(self.fans, key=lambda f: f["subscribedOnData"]["totalSumm"], reverse=True),
            "blocked_users": [f for f in self.fans if f["isBlocked"]],
            "restricted_users": [f for f in self.fans if f["isRestricted"]],
            "chats": self.chats,
            "messages": [m for chat in self.chats for m in self.messages[chat["id"]]],
            "media": self.media,
            "posts": self.posts,
            "stories": self.stories,
            "transactions": self.transactions,
            "tracking_links": self.tracking_links,
            "trial_links": self.trial_links,
            "accounts": self.connected_accounts,
            "profile": [self.creator],
        }

    def collection(self, name: str, scope: dict, query: dict | None = None) -> list[dict]:
        """A collection as OnlyFans lists it: narrowed by the path parameters that scope it (a
        chat's messages) and by the filters OnlyFans itself applies."""
        query = query or {}
        if name == "messages" and "chat_id" in scope:
            return self.thread(scope["chat_id"])
        items = self.lists[name]
        if name == "transactions" and query.get("type") in TRANSACTION_FILTER:
            kind, source = TRANSACTION_FILTER[query["type"]], query.get("tipsSource")
            items = [t for t in items if t["_kind"] == kind and (not source or t["_tips_source"] == source)]
        return items

    def thread(self, chat_id) -> list[dict]:
        """A chat's messages, newest first (any chat id has one)."""
        chat_id = as_id(chat_id)
        if chat_id in self.messages:
            return self.messages[chat_id]
        key = ("thread", chat_id)
        thread = self._extra.get(key)
        if thread is None:
            thread = self.make.thread(self.entity("fans", chat_id), 3, self.media)
            self._extra.put(key, thread, EXTRA_ENTITY_BYTES * 3)
        return thread

    def entity(self, collection: str, ident) -> dict:
        """The entity with this id, or one made up for it: any id answers, the same way each time."""
        ident = as_id(ident)
        found = self._index.get(collection, {}).get(ident)
        if found is not None:
            return found
        key = (collection, ident)
        entity = self._extra.get(key)
        if entity is None:
            entity = self._materialize(collection, ident)
            self._extra.put(key, entity, EXTRA_ENTITY_BYTES)
        return entity

    def _materialize(self, collection: str, ident) -> dict:
        n = 10_000 + stable_int(self.account["id"], collection, ident) % 10_000
        make = self.make
        if collection == "chats":
            return make.chat(self.entity("fans", ident), self.thread(ident))
        if collection == "messages":
            fan = self.fans[n % len(self.fans)]
            return make.message(n, fan, self.now - timedelta(days=1), self.media, ident=ident)
        builders = {
            "fans": lambda: make.fan(n, active=True),
            "media": lambda: make.media(n),
            "posts": lambda: make.post(n, self.creator, self.media),
            "stories": lambda: make.story(n, self.media),
            "tracking_links": lambda: make.tracking_link(n),
            "trial_links": lambda: make.trial_link(n),
        }
        entity = builders[collection]() if collection in builders else {}
        entity["username" if collection == "fans" and not isinstance(ident, int) else "id"] = ident
        entity["_key"] = f"{self.account['id']}/{collection}/{ident}"
        return entity

    # -- what OFAPI derives from it ----------------------------------------------------
    def is_fan(self, ident) -> bool:
        return as_id(ident) in self._index["fans"]

    def last_reply_at(self, fan_id) -> str | None:
        """When the creator last wrote to this fan (None: never)."""
        thread = self.messages.get(as_id(fan_id), ())
        return next((m["createdAt"] for m in thread if m["isSentByMe"]), None)

    def fans_from(self, collection: str, link_id) -> list[dict]:
        """The fans a tracking or trial link brought."""
        return [f for f in self.fans if f.get("_source") == (collection, as_id(link_id))]

    def spend_of(self, fan: dict) -> tuple[float, float]:
        """(gross, net) the fan has spent, from their transactions."""
        mine = [t for t in self.transactions if t["user"] is fan]
        return round(sum(t["amount"] for t in mine), 2), round(sum(t["net"] for t in mine), 2)


class World:
    """All accounts' worlds for one seed. Fixture accounts keep their ids; an account connected
    through the auth flow gets a creator made from its login (`profiles`); any other account id
    gets a world derived from it. Worlds are made on demand and kept within `max_bytes` (least
    recently used dropped first: the same seed makes the same world again)."""

    def __init__(
        self, seed: int | None = None, fixtures: dict | None = None, max_bytes: int = 256 * 2**20, profiles=None
    ):
        self.fixtures = fixtures or load_fixtures()
        self.seed = self.fixtures["seed"] if seed is None else seed
        self.now = datetime.fromisoformat(self.fixtures["now"])
        self.pools = Pools(self.seed)
        self.accounts = {a["id"]: a for a in self.fixtures["accounts"]}
        self._profiles = profiles or (lambda account_id: None)
        self._worlds = ByteLRU(max_bytes)

    def account(self, account_id: str) -> AccountWorld:
        world = self._worlds.get(account_id)
        if world is None:
            world = AccountWorld(
                self.owner(account_id), self.pools, self.seed, self.now, self.fixtures["sizes"], self.connected
            )
            self._worlds.put(account_id, world, world.approximate_bytes())
        return world

    def owner(self, account_id: str) -> dict:
        """The account's OnlyFans identity: the fixtures', a login's, or one derived from its id."""
        if account_id in self.accounts:
            return self.accounts[account_id]
        profile = self._profiles(account_id)
        if profile:
            return {
                "id": account_id,
                "onlyfans_id": 400_000_000 + stable_int(account_id) % 99_000_000,
                **{k: profile[k] for k in ("username", "name", "display_name", "email")},
            }
        return self._stranger(account_id)

    def listing(self, account_id: str) -> dict:
        """The account as OFAPI lists it (`/accounts`), with its OnlyFans profile."""
        a = self.owner(account_id)
        return {
            "_key": f"account/{account_id}",
            "id": account_id,
            "display_name": a["display_name"],
            "onlyfans_id": a["onlyfans_id"],
            "onlyfans_username": a["username"],
            "onlyfans_email": a["email"],
            "is_authenticated": True,
            "authentication_progress": "completed",
            "onlyfans_user_data": EntityMaker(a, self.pools, self.seed, self.now).creator(),
        }

    @cached_property
    def connected(self) -> list[dict]:
        """The fixture accounts as OFAPI lists them (each with its OnlyFans profile)."""
        return [self.listing(a["id"]) for a in self.fixtures["accounts"]]

    def _stranger(self, account_id: str) -> dict:
        rng = random.Random(stable_int(self.seed, "account", account_id))
        name = rng.choice(self.pools.first_names)
        username = f"{name.lower()}_{rng.randint(100, 999)}"
        return {
            "id": account_id,
            "display_name": f"{name} (generated)",
            "username": username,
            "name": name,
            "onlyfans_id": 400_000_000 + stable_int(account_id) % 99_000_000,
            "email": f"{username}@example.com",
        }

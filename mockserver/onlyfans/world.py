"""A seeded, coherent OnlyFans world.

One seed gives, per account, the creator's profile, fans (some brought by tracking or trial
links), chats with those fans and the messages in them, media on `cdn*.onlyfans.com`, posts,
stories, and every fan's transactions (so a fan's spend, a link's revenue and the transaction
list agree). An id a fan list returns is the id chats, messages and transactions refer to.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

import orjson
import yaml

from ..lru import ByteLRU
from .entities import EntityMaker, Pools, pools, stable_int
from .kinds import DERIVED, KINDS, MEMBERS, container_fields

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "world.yaml"
PYTHON_OVERHEAD = 1  # bytes in memory per byte of JSON: tracemalloc saw 0.53 for a whole world (shared dicts)
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
    "shared_tracking_links": ("shared_tracking_link_id",),
    "shared_trial_links": ("shared_trial_link_id",),
    "comments": ("comment_id",),
    "vault_lists": ("list_id",),
    "user_lists": ("user_list_id",),
    "promotions": ("promotion_id",),
    "bundles": ("bundle_id",),
    "mass_messages": ("id",),
    "highlights": ("highlight_id",),
    "social_buttons": ("button_id",),
    "queue": ("queue_id",),
}
# Other fields a collection's objects are found by (a fan by username, an upload by its prefixed id).
ALIASES = {"fans": "username", "media": "prefixed_id"}

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
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return value


class AccountWorld:
    """Everything OnlyFans knows about one connected account, made part by part as requests need
    it (a profile needs no fans; fans need their transactions and the links that brought them;
    a chat list needs every chat's thread). Each part, once made, is kept with the world."""

    base = None  # the generated world a view is made from (None: this is one)

    def __init__(self, account: dict, pools: Pools, seed: int, now: datetime, sizes: dict, connected=()):
        self.account = account
        self.connected_accounts = list(connected)
        self.now = now
        self.sizes = sizes
        self.make = EntityMaker(account, pools, seed, now)
        self.creator = self.make.creator()
        self.lists = Lists(self)
        self._threads: dict = {}
        self._indexes: dict[str, dict] = {}
        self._kinds: dict[str, list] = {}
        self._extra = ByteLRU(EXTRA_BYTES)  # entities made up for ids the world does not have
        self.grew = lambda: None  # set by World: this world takes more memory now

    # -- its parts, made on first use ----------------------------------------------------
    @cached_property
    def media(self) -> list[dict]:
        media = [self.make.media(i) for i in range(self.sizes["media"])]
        self.grew()
        return media

    @cached_property
    def _people(self) -> tuple[list, list, list, list]:
        """Fans, the links that brought some of them, and every fan's transactions (which set the
        fans' spend): made together because each changes the others."""
        make, sizes = self.make, self.sizes
        fans = [make.fan(i, active=i < sizes["active_fans"]) for i in range(sizes["fans"])]
        tracking = [make.tracking_link(i) for i in range(sizes["tracking_links"])]
        trial = [make.trial_link(i) for i in range(sizes["trial_links"])]
        self._attribute_fans(make.rng("attribution"), fans, tracking, trial)
        self._block_some(make.rng("blocking"), fans)
        transactions = sorted(
            (t for fan in fans for t in make.earnings(fan)), key=lambda t: t["createdAt"], reverse=True
        )
        self.__dict__["_people"] = people = (fans, tracking, trial, transactions)
        self.grew()
        return people

    @property
    def fans(self) -> list[dict]:
        return self._people[0]

    @property
    def tracking_links(self) -> list[dict]:
        return self._people[1]

    @property
    def trial_links(self) -> list[dict]:
        return self._people[2]

    @property
    def transactions(self) -> list[dict]:
        return self._people[3]

    def chat_thread(self, fan_id) -> list[dict] | None:
        """The thread with a fan the account chats with (the first `chats` fans), or None."""
        if fan_id not in self._threads:
            chatting = {f["id"]: f for f in self.fans[: self.sizes["chats"]]}
            fan = chatting.get(fan_id)
            if fan is None:
                return None
            lo, hi = self.sizes["messages_per_chat"]
            count = self.make.rng("thread", fan["id"]).randint(lo, hi)
            self._threads[fan_id] = self.make.thread(fan, count, self.media)
            if len(self._threads) % 10 == 0:
                self.grew()
        return self._threads[fan_id]

    @cached_property
    def messages(self) -> dict:
        """Every chat's thread, by fan id."""
        return {fan["id"]: self.chat_thread(fan["id"]) for fan in self.fans[: self.sizes["chats"]]}

    @cached_property
    def chats(self) -> list[dict]:
        chats = sorted(
            (self.make.chat(fan, self.messages[fan["id"]]) for fan in self.fans[: self.sizes["chats"]]),
            key=lambda c: c["lastMessage"]["createdAt"],
            reverse=True,
        )
        self.grew()
        return chats

    @cached_property
    def posts(self) -> list[dict]:
        return [self.make.post(i, self.creator, self.media) for i in range(self.sizes["posts"])]

    @cached_property
    def stories(self) -> list[dict]:
        return [self.make.story(i, self.media) for i in range(self.sizes["stories"])]

    def kind_list(self, name: str) -> list[dict]:
        """The objects of a thinly seeded kind (`kinds.py`) the account starts with."""
        made = self._kinds.get(name)
        if made is None:
            kind = KINDS[name]
            made = self._kinds[name] = [self.seeded(kind.name, n) for n in range(self.sizes.get(name, kind.count))]
        return made

    def scoped(self, name: str, parent) -> list[dict]:
        """The objects of a scoped kind that belong to `parent` (a post's comments)."""
        key = ("scoped", name, parent)
        made = self._extra.get(key)
        if made is None:
            kind = KINDS[name]
            count = self.sizes.get(name, kind.count)
            if kind.counted_by:  # as many as the owner says it has (a post's `commentsCount`)
                count = int(self.entity(kind.counted_by[0], parent).get(kind.counted_by[1]) or 0)
            made = [self.seeded(name, n, parent) for n in range(count)]
            self._extra.put(key, made, EXTRA_ENTITY_BYTES * max(1, count // 8))
        return made

    def seeded(self, name: str, n: int, parent=None, ident=None) -> dict:
        kind = KINDS[name]
        parts = (name, n) if parent is None else (name, parent, n)
        ident = self.make.ident(kind.base, kind.span, *parts) if ident is None else ident
        obj = {"_key": f"{self.account['id']}/{name}/{ident}", "id": ident}
        if parent is not None:
            obj["_parent"] = str(parent)
        if kind.seed:
            obj.update(kind.seed(self, self.make.rng(*parts), n))
        return obj

    # -- containers and what is derived when read ---------------------------------------------
    def member_ids(self, collection: str, obj: dict, field: str) -> list:
        """The ids a container holds in `field` (a user list's fans): its own, or those it started with."""
        if field in obj:
            return list(obj[field])
        return container_fields(collection)[field].seeded(self, obj)

    def members(self, collection: str, obj: dict, field: str) -> list[dict]:
        """The member objects a container holds, as the team left them (deleted ones are gone)."""
        found = []
        for ident in self.member_ids(collection, obj, field):
            try:
                found.append(self.entity(container_fields(collection)[field].collection, ident))
            except LookupError:  # deleted
                continue
        return found

    def derive(self, collection: str, obj: dict) -> dict:
        """`obj` with the fields the world derives for it when read (a vault list's counts)."""
        return {**obj, **DERIVED[collection](self, obj)}

    def merge_list(self, name: str, items: list[dict]) -> list[dict]:
        """A list as the team left it: the generated world has no writes."""
        return items

    def approximate_bytes(self) -> int:
        """What this world takes in memory now, roughly: the parts made so far, as JSON."""
        made = {k: v for k, v in self.__dict__.items() if k in MEASURED}
        made["threads"] = self._threads
        size = len(orjson.dumps(made, default=str, option=orjson.OPT_NON_STR_KEYS))
        return size * PYTHON_OVERHEAD + self._extra.bytes + 4096

    @staticmethod
    def _attribute_fans(rng: random.Random, fans: list, tracking: list, trial: list) -> None:
        """Some fans came through a tracking or trial link; the links count them."""
        for fan in fans:
            roll = rng.random()
            if roll < 0.4 and tracking:
                link = rng.choice(tracking)
                link["subscribersCount"] += 1
                fan["_source"] = ("tracking_links", link["id"])
            elif roll < 0.6 and trial:
                link = rng.choice(trial)
                link["subscribeCounts"] += 1
                link["claimCounts"] += 1 + (rng.random() < 0.3)
                fan["_source"] = ("trial_links", link["id"])

    @staticmethod
    def _block_some(rng: random.Random, fans: list) -> None:
        """A tenth of the fans are blocked and another tenth restricted (every view shows it)."""
        picked = [f["id"] for f in rng.sample(fans, k=2 * max(1, len(fans) // 10))] if len(fans) > 1 else []
        half = len(picked) // 2
        for fan in fans:
            fan["isBlocked"], fan["isRestricted"] = fan["id"] in picked[:half], fan["id"] in picked[half:]

    # -- collections -----------------------------------------------------------------
    def index(self, collection: str) -> dict:
        """A collection's entities by id (fans by username too), made on first use."""
        found = self._indexes.get(collection)
        if found is None:
            items = self.lists[collection] if collection in LISTS else ()
            found = self._indexes[collection] = {e["id"]: e for e in items}
            alias = ALIASES.get(collection)
            if alias:
                found.update({e[alias]: e for e in items if e.get(alias)})
        return found

    def collection(self, name: str, scope: dict, query: dict | None = None) -> list[dict]:
        """A collection as OnlyFans lists it: narrowed by the path parameters that scope it (a
        chat's messages) and by the filters OnlyFans itself applies."""
        query = query or {}
        if name == "messages" and "chat_id" in scope:
            return self.thread(scope["chat_id"])
        kind = KINDS.get(name)
        if kind is not None and kind.scope:
            return self.scoped(name, as_id(scope.get(kind.scope)))
        if name in MEMBERS:
            held = MEMBERS[name]
            return self.members(held.container, self.container(held.container, scope), held.field)
        for held in MEMBERS.values():  # narrowed to a container's members by a query parameter
            if held.collection == name and held.query and query.get(held.query):
                container = self.container(held.container, {ID_PARAMS[held.container][0]: query[held.query]})
                return self.members(held.container, container, held.field)
        items = self.lists[name]
        if name == "transactions" and query.get("type") in TRANSACTION_FILTER:
            kind, source = TRANSACTION_FILTER[query["type"]], query.get("tipsSource")
            items = [t for t in items if t["_kind"] == kind and (not source or t["_tips_source"] == source)]
        return items

    def container(self, collection: str, scope: dict) -> dict:
        """The object a request's path names (by its id parameter), or the account's own one."""
        param = next((p for p in ID_PARAMS.get(collection, ()) if p in scope), None)
        return self.entity(collection, scope[param]) if param else self.lists[collection][0]

    def thread(self, chat_id) -> list[dict]:
        """A chat's messages, newest first (any chat id has one)."""
        chat_id = as_id(chat_id)
        known = self.chat_thread(chat_id)
        if known is not None:
            return known
        key = ("thread", chat_id)
        thread = self._extra.get(key)
        if thread is None:
            thread = self.make.thread(self.entity("fans", chat_id), 3, self.media)
            self._extra.put(key, thread, EXTRA_ENTITY_BYTES * 3)
        return thread

    def entity(self, collection: str, ident) -> dict:
        """The entity with this id, or one made up for it: any id answers, the same way each time."""
        ident = as_id(ident)
        found = self.index(collection).get(ident) if collection in LISTS else None
        if found is not None:
            return found
        key = (collection, ident)
        entity = self._extra.get(key)
        if entity is None:
            entity = self._materialize(collection, ident)
            if collection in DERIVED:
                entity = self.derive(collection, entity)
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
        if collection in KINDS:
            return self.seeded(collection, n, ident=ident)
        entity = builders[collection]() if collection in builders else {}
        entity["username" if collection == "fans" and not isinstance(ident, int) else "id"] = ident
        entity["_key"] = f"{self.account['id']}/{collection}/{ident}"
        return entity

    # -- what OFAPI derives from it ----------------------------------------------------
    def is_fan(self, ident) -> bool:
        return as_id(ident) in self.index("fans")

    def last_reply_at(self, fan_id) -> str | None:
        """When the creator last wrote to this fan (None: never)."""
        thread = self.chat_thread(as_id(fan_id)) or ()
        return next((m["createdAt"] for m in thread if m["isSentByMe"]), None)

    def fans_from(self, collection: str, link_id) -> list[dict]:
        """The fans a tracking or trial link brought."""
        return [f for f in self.fans if f.get("_source") == (collection, as_id(link_id))]

    def spend_of(self, fan: dict) -> tuple[float, float]:
        """(gross, net) the fan has spent, from their transactions (summed once per list of
        transactions, in its order, for every fan)."""
        transactions = self.transactions
        index = getattr(self, "_spend", None)
        if index is None or index[0] is not transactions:
            totals: dict[int, tuple[float, float]] = {}
            for t in transactions:
                gross, net = totals.get(id(t["user"]), (0, 0))
                totals[id(t["user"])] = (gross + t["amount"], net + t["net"])
            index = self._spend = (transactions, totals)
        gross, net = index[1].get(id(fan), (0, 0))
        return round(gross, 2), round(net, 2)


# How each collection OnlyFans lists is made from the world's parts.
LISTS = {
    "fans": lambda w: w.fans,
    "active_fans": lambda w: [f for f in w.fans if f["subscribedOn"]],
    "expired_fans": lambda w: [f for f in w.fans if not f["subscribedOn"]],
    "latest_fans": lambda w: sorted(w.fans, key=lambda f: f["subscribedOnData"]["subscribeAt"], reverse=True),
    "top_fans": lambda w: sorted(w.fans, key=lambda f: f["subscribedOnData"]["totalSumm"], reverse=True),
    "blocked_users": lambda w: [f for f in w.fans if f["isBlocked"]],
    "restricted_users": lambda w: [f for f in w.fans if f["isRestricted"]],
    "chats": lambda w: w.chats,
    "messages": lambda w: [m for chat in w.chats for m in w.thread(chat["id"])],
    "media": lambda w: w.media,
    "posts": lambda w: w.posts,
    "stories": lambda w: w.stories,
    "transactions": lambda w: w.transactions,
    "tracking_links": lambda w: w.tracking_links,
    "trial_links": lambda w: w.trial_links,
    "accounts": lambda w: w.connected_accounts,
    "profile": lambda w: [w.creator],
    # links other creators share with the account (the seeded links stand in for them)
    "shared_tracking_links": lambda w: (w.base or w).tracking_links,
    "shared_trial_links": lambda w: (w.base or w).trial_links,
    **{name: (lambda w, name=name: w.kind_list(name)) for name, kind in KINDS.items() if not kind.scope},
}
SINGLE = {"profile", *(name for name, kind in KINDS.items() if kind.single)}  # one object per account
MEASURED = ("media", "_people", "chats", "posts", "stories")


class Lists(Mapping):
    """An account's collections by name, each made (and kept) when first read."""

    def __init__(self, world: AccountWorld):
        self._world = world
        self._made: dict[str, list] = {}

    def __getitem__(self, name: str) -> list[dict]:
        made = self._made.get(name)
        if made is None:
            world = self._world
            made = [obj for obj in world.merge_list(name, LISTS[name](world)) if not obj.get("_hidden")]
            if name in DERIVED:
                made = [world.derive(name, obj) for obj in made]
            order = KINDS[name].order if name in KINDS else None
            if order:
                made = sorted(made, key=lambda obj: obj.get(order) or 0)
            self._made[name] = made
        return made

    def __iter__(self):
        return iter(LISTS)

    def __len__(self) -> int:
        return len(LISTS)


class World:
    """All accounts' worlds for one seed. Fixture accounts keep their ids; an account connected
    through the auth flow gets a creator made from its login (`profiles`); any other account id
    gets a world derived from it. Worlds are made on demand and kept within `max_bytes` (least
    recently used dropped first: the same seed makes the same world again)."""

    def __init__(
        self,
        seed: int | None = None,
        fixtures: dict | None = None,
        max_bytes: int = 256 * 2**20,
        profiles=None,
        overlay=None,
    ):
        self.fixtures = fixtures or load_fixtures()
        self.seed = self.fixtures["seed"] if seed is None else seed
        self.now = datetime.fromisoformat(self.fixtures["now"])
        self.pools = pools(self.seed)
        self.accounts = {a["id"]: a for a in self.fixtures["accounts"]}
        self._profiles = profiles or (lambda account_id: None)
        self._worlds = ByteLRU(max_bytes)
        self._views = ByteLRU(max_bytes // 2)  # the newest view of each team's writes to an account
        self.overlay = overlay  # the store's overlay rows (None: a world no client writes to)

    def account(self, account_id: str) -> AccountWorld:
        world = self._worlds.get(account_id)
        if world is None:
            world = AccountWorld(
                self.owner(account_id), self.pools, self.seed, self.now, self.fixtures["sizes"], self.connected
            )
            world.grew = lambda: self._worlds.put(account_id, world, world.approximate_bytes())
            world.grew()
        return world

    def view(self, account_id: str, tenant: str, version: int | None = None) -> AccountWorld:
        """The account's world as a team sees it: with the team's writes, when it made any
        (`version`: the team's overlay version of the account, when the caller read it already)."""
        base = self.account(account_id)
        if self.overlay is None or not tenant:
            return base
        if version is None:
            version = self.overlay.version(tenant, account_id)
        if not version:
            return base
        from .view import AccountView

        latest = self._views.get((tenant, account_id))  # the newest view this worker made of it
        if latest is not None and latest.version == version:
            return latest
        if latest is not None and latest.version < version:  # only the rows written since
            version, rows = self.overlay.rows(tenant, account_id, after=latest.version)
            view = AccountView(base, tenant, version, rows, previous=latest)
        else:
            version, rows = self.overlay.rows(tenant, account_id)
            view = AccountView(base, tenant, version, rows)
        self._views.put((tenant, account_id), view, view.approximate_bytes())
        return view

    def forget_views(self) -> None:
        """Teams' writes were forgotten (a team's reset): views must be made again from the store."""
        self._views.clear()

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

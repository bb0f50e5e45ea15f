"""The one place the generated world and the overlay meet: an account's world as one team sees
it, the seeded world with that team's writes on top.

An overlay row is either a whole object a client created (`_new`) or the fields a client changed
on an existing one (a patch), or None (deleted). A view merges them part by part, as the world
makes them: created objects come first in their lists (they are the newest), patched ones take
their new fields, deleted ones leave every list and answer 404 by id; what is derived from them
follows (a chat's last message and unread count from its merged thread, a fan's `lastReplyAt`).
Views are immutable, one per (team, account, overlay version); the generated parts they build on
are shared, never changed.
"""

from __future__ import annotations

import json
from functools import cached_property

from ..lru import ByteLRU
from .kinds import DERIVED
from .world import EXTRA_ENTITY_BYTES, LISTS, AccountWorld, Lists, as_id

# Where a written object of each collection lives in the generated world's parts.
THREADED = "messages"  # messages carry `_chat`: the fan id of their chat
# Collections merged where the world makes them (below); every other list is merged as it is read.
PARTS = {"media", "fans", "tracking_links", "trial_links", "posts", "stories", "messages", "chats", "profile"}


class Gone(LookupError):
    """The object was deleted through the API: it answers 404."""


class AccountView(AccountWorld):
    def __init__(self, base: AccountWorld, tenant: str, version: int, rows: list, previous=None):
        """`rows`: the overlay rows written after `previous` (an older view of the same team and
        account, whose rows this view takes over), or all of them."""
        # The generated parts are the base's; only what the overlay touches is made again here.
        self.base = base
        self.account, self.connected_accounts, self.now = base.account, base.connected_accounts, base.now
        self.sizes, self.make = base.sizes, base.make
        self.version = version
        self.stamp = f"{tenant}:{version}"  # in the `_key` of every object this view makes or changes
        self.changes: dict[str, dict[str, dict | None]] = (
            {c: dict(d) for c, d in previous.changes.items()} if previous else {}
        )
        self.created: dict[str, list[str]] = (  # collection -> ids of created objects, newest first
            {c: list(ids) for c, ids in previous.created.items()} if previous else {}
        )
        self.rows_bytes = previous.rows_bytes if previous else 0
        # What an extension keeps of the view it extends, so a write costs a read what it changed:
        # the threads made so far, and which messages each chat got since (None: cannot tell).
        self._prior_threads = previous._threads if previous else {}
        self._sent_since: dict | None = {} if previous else None
        self.touched: set = set(previous.touched) if previous else set()  # chats to make again
        for collection, ident, obj, _seq in rows:
            self._note(collection, ident, obj)
            self.rows_bytes += 256 + (len(json.dumps(obj, default=str)) if obj else 0)
            self.changes.setdefault(collection, {})[ident] = obj
            created = self.created.setdefault(collection, [])
            if obj is not None and obj.get("_new") and ident not in created[:1]:
                if ident in created:
                    created.remove(ident)
                created.insert(0, ident)
        self.creator = self._patched("profile", base.creator)
        self.lists = Lists(self)
        self._threads: dict = {}
        self._indexes: dict[str, dict] = {}
        self._extra = ByteLRU(base._extra.max_bytes)
        self.grew = lambda: None

    def _note(self, collection: str, ident: str, obj: dict | None) -> None:
        """Which chats a row touches, and (when extending a view) what each was sent since."""
        chat = as_id(obj.get("_chat")) if obj and obj.get("_chat") is not None else None
        if collection == "chats":
            self.touched.add(as_id(ident))
            chat = as_id(ident)
        elif collection != THREADED:
            return
        if chat is not None:
            self.touched.add(chat)
        if self._sent_since is None:
            return
        fresh = obj is not None and obj.get("_new") and not obj.get("_rev") and collection == THREADED
        if chat is None or not fresh:  # a deletion or a change: that thread is merged again in full
            self._sent_since = None if chat is None else {**self._sent_since, chat: None}
        elif self._sent_since.get(chat, []) is not None:
            self._sent_since.setdefault(chat, []).append(obj)

    # -- merging --------------------------------------------------------------------------
    def _patched(self, collection: str, item: dict) -> dict | None:
        """`item` as the team left it: None if deleted, with its changed fields if patched."""
        change = self.changes.get(collection, {}).get(str(item.get("id")), ...)
        if change is ...:
            return item
        if change is None:
            return None
        if change.get("_new"):
            return change
        return {**item, **change, "_key": f"{item.get('_key', '')}@{self.stamp}", "_seed": _seed(item)}

    def merge_list(self, name: str, items: list[dict]) -> list[dict]:
        if name in PARTS or name not in self.changes:
            return items
        return self.merged(name, items)

    def derive(self, collection: str, obj: dict) -> dict:
        """Derived fields follow the team's writes: a new key, so no cache serves the old ones."""
        key = obj.get("_key", "")
        stamped = key if key.endswith(f"@{self.stamp}") else f"{key}@{self.stamp}"
        return {**obj, **DERIVED[collection](self, obj), "_key": stamped, "_seed": _seed(obj)}

    def kind_list(self, name: str) -> list[dict]:
        return self.base.kind_list(name)

    def scoped(self, name: str, parent) -> list[dict]:
        items = self.base.scoped(name, parent)
        return self.merged(name, items, keep=lambda obj: obj.get("_parent") == str(parent))

    def merged(self, collection: str, items: list[dict], keep=lambda obj: True) -> list[dict]:
        """`items` with the team's writes: its created objects first (newest first), changed ones
        changed, deleted ones gone. `keep` picks the created objects that belong in this list."""
        if collection not in self.changes:
            return items
        fresh = [self.changes[collection][i] for i in self.created.get(collection, ())]
        fresh = [obj for obj in fresh if obj is not None and keep(obj)]
        known = {str(obj["id"]) for obj in fresh}
        rest = [p for p in (self._patched(collection, i) for i in items) if p is not None and str(p["id"]) not in known]
        return fresh + rest

    # -- the parts, merged ------------------------------------------------------------------
    @cached_property
    def media(self) -> list[dict]:
        return self.merged("media", self.base.media)

    @cached_property
    def _people(self) -> tuple[list, list, list, list]:
        fans, tracking, trial, transactions = self.base._people
        return (
            self.merged("fans", fans),
            self.merged("tracking_links", tracking),
            self.merged("trial_links", trial),
            transactions,
        )

    @cached_property
    def posts(self) -> list[dict]:
        return self.merged("posts", self.base.posts)

    @cached_property
    def stories(self) -> list[dict]:
        return self.merged("stories", self.base.stories)

    def chat_thread(self, fan_id) -> list[dict] | None:
        """A chat's thread with the messages the team sent (newest first) and its changes."""
        if fan_id in self._threads:
            return self._threads[fan_id]
        prior = self._prior_threads.get(fan_id)
        if prior is not None and self._sent_since is not None and self._sent_since.get(fan_id, []) is not None:
            thread = self._threads[fan_id] = [*reversed(self._sent_since.get(fan_id, [])), *prior]  # only sent since
            return thread
        base = self.base.chat_thread(fan_id)
        sent = [m for m in self._created_in(THREADED) if as_id(m.get("_chat")) == fan_id]
        if base is None and not sent:
            return None
        thread = self.merged(THREADED, base or [], keep=lambda m: as_id(m.get("_chat")) == fan_id)
        self._threads[fan_id] = thread
        return thread

    def thread(self, chat_id) -> list[dict]:
        chat_id = as_id(chat_id)
        known = self.chat_thread(chat_id)
        if known is not None:
            return known
        return self.merged(THREADED, self.base.thread(chat_id), keep=lambda m: as_id(m.get("_chat")) == chat_id)

    def _created_in(self, collection: str) -> list[dict]:
        return [o for o in (self.changes[collection][i] for i in self.created.get(collection, ())) if o]

    @cached_property
    def messages(self) -> dict:
        threads = dict(self.base.messages)
        for fan_id in {as_id(m.get("_chat")) for m in self._created_in(THREADED)} | set(threads):
            threads[fan_id] = self.chat_thread(fan_id) or threads.get(fan_id, [])
        return threads

    @cached_property
    def chats(self) -> list[dict]:
        """Chats whose thread or state changed are made again; the others are the base's."""
        touched = self.touched
        chats = []
        for chat in self.base.chats:
            if chat["id"] in touched:
                chat = self._remade_chat(chat["fan"], chat)
                if chat is None or chat.get("_hidden"):  # deleted or hidden
                    continue
            chats.append(chat)
        started = [fan_id for fan_id in touched if fan_id not in {c["id"] for c in self.base.chats}]
        for fan_id in started:  # a first message to a fan the account had no chat with
            if self.chat_thread(fan_id) is None and str(fan_id) not in self.changes.get("chats", {}):
                continue  # its messages were deleted again
            chat = self._remade_chat(self.entity("fans", fan_id), None)
            if chat is not None and not chat.get("_hidden"):
                chats.append(chat)
        return sorted(chats, key=lambda c: (c["lastMessage"] or {}).get("createdAt", ""), reverse=True)

    def _remade_chat(self, fan: dict, base_chat: dict | None) -> dict | None:
        thread = self.thread(fan["id"])
        chat = self.make.chat(fan, thread) if thread else dict(base_chat or self.make.chat(fan, []))
        chat["_seed"] = _seed(chat)
        chat["_key"] = f"{chat['_key']}@{self.stamp}"
        return self._patched("chats", chat)

    # -- lookups ------------------------------------------------------------------------------
    def entity(self, collection: str, ident) -> dict:
        """The object with this id as the team left it; Gone when the team deleted it."""
        key = str(as_id(ident))
        change = self.changes.get(collection, {}).get(key, ...)
        if change is None:
            raise Gone(f"{collection} {ident}")
        found = self.index(collection).get(as_id(ident)) if collection in LISTS else None
        if found is not None:
            return found
        if change is not ... and change.get("_new"):
            return self.derive(collection, change) if collection in DERIVED else change
        made = self._extra.get((collection, key))
        if made is None:
            made = self._patched(collection, self.base.entity(collection, ident))
            if made is not None and collection in DERIVED:
                made = self.derive(collection, made)
            self._extra.put((collection, key), made, EXTRA_ENTITY_BYTES)
        if made is None:  # named by another of its ids (a fan's username), it was deleted
            raise Gone(f"{collection} {ident}")
        return made

    def approximate_bytes(self) -> int:
        """Its rows as JSON (counted as they arrive), twice over for what merging makes of them."""
        return 64 * 1024 + 2 * self.rows_bytes


def _seed(obj: dict) -> str:
    """What the renderer keys an object's filled-in values by: its first key, whatever its revision,
    so a change alters only the fields it names."""
    return obj.get("_seed") or obj.get("_key", "")

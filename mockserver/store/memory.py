"""The in-memory store: OFAPI's own data.

Computed operations answer from it without calling OnlyFans. Until stored resources land
(smart links, webhooks, exports …) computed answers come from the seeded fixtures through the
same payload builder the fake OnlyFans uses; credits, the media cache, link tags, the public
response cache and idempotency records are real state already.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from ..onlyfans.payloads import Payload, PayloadBuilder, Request

MEDIA_CACHE_MAX = 200_000  # files; oldest forgotten first
RESPONSE_CACHE_MAX = 10_000
IDEMPOTENCY_MAX = 10_000


class BoundedDict(OrderedDict):
    """A dict that forgets its oldest entries past `limit` (so memory stays bounded)."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        if len(self) > self.limit:
            self.popitem(last=False)


class MediaCache:
    """Which OnlyFans CDN files OFAPI holds a copy of (keys from `cdn.file_key`)."""

    def __init__(self, limit: int = MEDIA_CACHE_MAX):
        self._files = BoundedDict(limit)

    def is_cached(self, key: str) -> bool:
        return key in self._files

    def add(self, keys) -> None:
        for key in keys:
            self._files[key] = True

    def __len__(self) -> int:
        return len(self._files)


class MemoryStore:
    def __init__(self, builder: PayloadBuilder, initial_balance: int):
        self._builder = builder
        self._initial_balance = initial_balance
        self._balances: dict[str, int] = {}
        self._tags: dict[tuple, list[str]] = {}
        self._lock = threading.Lock()
        self.media = MediaCache()
        self.responses = BoundedDict(RESPONSE_CACHE_MAX)  # public-endpoint answers: key -> (at, payload)
        self.idempotency = BoundedDict(IDEMPOTENCY_MAX)  # scope -> record

    def answer(self, req: Request) -> Payload:
        return self._builder.build(req)

    # -- credits ---------------------------------------------------------------------
    def balance(self, api_key: str) -> int:
        return self._balances.get(api_key, self._initial_balance)

    def debit(self, api_key: str, amount: int) -> tuple[int, int]:
        """Take up to `amount` credits from the key's balance: (used, balance after). A balance
        never goes below zero."""
        with self._lock:
            balance = self._balances.get(api_key, self._initial_balance)
            used = max(0, min(amount, balance))
            self._balances[api_key] = balance - used
            return used, balance - used

    # -- link tags ---------------------------------------------------------------------
    def link_tags(self, tenant: str, account: str, collection: str | None, link_id) -> list[str]:
        return list(self._tags.get((tenant, account, collection, str(link_id)), ()))

    def now(self) -> float:
        return time.time()

"""The in-memory store.

Computed operations answer from it without calling OnlyFans. Until stored resources land
(smart links, webhooks, exports …) it answers from the seeded fixtures through the same
payload builder the fake OnlyFans uses; credit balances are real counters already.
"""

from __future__ import annotations

import threading

from ..onlyfans.payloads import Payload, PayloadBuilder, Request


class MemoryStore:
    def __init__(self, builder: PayloadBuilder, initial_balance: int):
        self._builder = builder
        self._initial_balance = initial_balance
        self._balances: dict[str, int] = {}
        self._lock = threading.Lock()

    def answer(self, req: Request) -> Payload:
        return self._builder.build(req)

    def debit(self, api_key: str, amount: int) -> tuple[int, int]:
        """Take up to `amount` credits from the key's balance: (used, balance after)."""
        with self._lock:
            balance = self._balances.get(api_key, self._initial_balance)
            used = min(amount, max(balance, 0))
            self._balances[api_key] = balance - used
            return used, balance - used

"""A mapping that forgets its least recently used entries past a budget in bytes: the only kind
of cache a worker keeps in memory (the sizes are estimates the caller gives)."""

from __future__ import annotations

import threading
from collections import OrderedDict


class ByteLRU:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict = OrderedDict()  # key -> (value, size)
        self._lock = threading.Lock()

    def get(self, key, default=None):
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return default
            self._items.move_to_end(key)
            return hit[0]

    def put(self, key, value, size: int) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            if size > self.max_bytes:
                return  # larger than the whole budget: not kept
            self._items[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self.bytes -= dropped

    def pop(self, key, default=None):
        with self._lock:
            hit = self._items.pop(key, None)
            if hit is None:
                return default
            self.bytes -= hit[1]
            return hit[0]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key) -> bool:
        return key in self._items

"""Per-key, per-minute request windows (OFAPI plans count requests per minute)."""

from __future__ import annotations

import threading
import time


class RateLimiter:
    def __init__(self, per_minute: int, clock=time.monotonic):
        self.per_minute = per_minute
        self._clock = clock
        self._windows: dict[str, tuple[int, int]] = {}  # key -> (minute, count)
        self._lock = threading.Lock()

    def hit(self, api_key: str, count: bool = True) -> tuple[int, int]:
        """Count one request (unless `count` is False: cached answers are not counted):
        (remaining this minute, seconds until the window resets). Remaining below zero means
        this request is over the limit."""
        now = self._clock()
        minute = int(now // 60)
        with self._lock:
            start, used = self._windows.get(api_key, (minute, 0))
            used = used if start == minute else 0
            if count:
                used += 1
                self._windows[api_key] = (minute, used)
        return self.per_minute - used, 60 - int(now % 60)

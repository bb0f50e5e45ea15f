"""The fake OnlyFans API the OFAPI layer calls for live and hybrid operations."""

from __future__ import annotations

import threading

from .files import file_for
from .payloads import Payload, PayloadBuilder, Request


class FakeOnlyFans:
    """Answers one OnlyFans call per `fetch`, and counts them: tests and the
    `X-Mock-Upstream-Calls` header show which operations reached OnlyFans."""

    def __init__(self, builder: PayloadBuilder):
        self._builder = builder
        self._lock = threading.Lock()
        self.calls = 0

    def fetch(self, req: Request) -> Payload:
        self.count()
        return self._builder.build(req)

    def count(self) -> None:
        """One call to OnlyFans (an answer kept from an earlier identical call stands for one too)."""
        with self._lock:
            self.calls += 1

    def collection_of(self, op) -> str | None:
        """The world collection an operation lists or looks up (e.g. `tracking_links`)."""
        plan = self._builder.plans.get(op.op_id)
        return plan.collection if plan else None

    def size_of(self, url: str) -> int:
        """A file's size, as OFAPI learns it before transferring (a HEAD; not counted)."""
        return len(file_for(url)[0])

    def file(self, url: str) -> tuple[bytes, str]:
        """One CDN file download (a call to OnlyFans, counted)."""
        with self._lock:
            self.calls += 1
        return file_for(url)

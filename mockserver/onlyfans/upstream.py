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
        with self._lock:
            self.calls += 1
        if req.op.binary:  # a CDN file: its bytes and content type
            return Payload(file_for(str(req.path_params.get("cdn_url", ""))))
        return self._builder.build(req)

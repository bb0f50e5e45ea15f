"""The three ways OFAPI builds an answer (`x-data-source`), one registered function each.

Each returns the payload and how many calls it made to OnlyFans for it.
"""

from __future__ import annotations

from collections.abc import Callable

from ..onlyfans.payloads import Payload, Request
from .enrich import enrich

SOURCES: dict[str, Callable] = {}


def source(name: str):
    def register(fn):
        SOURCES[name] = fn
        return fn

    return register


@source("live")
def live(services, req: Request) -> tuple[Payload, int]:
    """Forward to OnlyFans; the payload passes through unchanged."""
    return services.upstream.fetch(req), 1


@source("hybrid")
def hybrid(services, req: Request) -> tuple[Payload, int]:
    """Call OnlyFans, then add what OFAPI knows (the operation's `x-enrichment` rules)."""
    payload = services.upstream.fetch(req)
    payload.data = enrich(req.op.enrichments, payload.data, services.enrichment_context(req))
    return payload, 1


@source("computed")
def computed(services, req: Request) -> tuple[Payload, int]:
    """Answer from OFAPI's own data; OnlyFans is never called."""
    return services.store.answer(req), 0

"""Hybrid enrichment: rules registered by the name the spec's `x-enrichment` uses.

A hybrid operation's payload comes from OnlyFans; OFAPI then adds fields from its own data.
Adding an enrichment is one decorated function here plus one `x-enrichment` line in the spec.
"""

from __future__ import annotations

from collections.abc import Callable

Enricher = Callable[[object, "object"], object]  # (data, context) -> data
ENRICHERS: dict[str, Enricher] = {}


def enricher(name: str):
    def register(fn: Enricher) -> Enricher:
        ENRICHERS[name] = fn
        return fn

    return register


def enrich(rules: tuple[str, ...], data, context):
    """Apply the named rules in order; each returns a new payload (inputs are shared caches)."""
    for rule in rules:
        fn = ENRICHERS.get(rule)
        if fn is not None:
            data = fn(data, context)
    return data

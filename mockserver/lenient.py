"""Lenient mode (`--lenient`), for test suites generated from a spec (the official SDK's among
them): stateless mocks such as Prism and stripe-mock answer any id and any order of calls, so
those suites retrieve, update and delete made-up ids, move state machines out of order and send
placeholder values. The default stays faithful to OFAPI; lenient mode relaxes exactly OFAPI's
own rules, never the spec's:

- a made-up id of a stored resource (smart link, webhook, export …) is taken as an existing
  one: the first time it is named, a deterministic resource with that id is stored for the
  team (`found`, `ensure`; each resource kind registers its `stand_in`), so a later update,
  delete or read sees the same resource;
- a business rule (a state-machine move, a check across resources, a duplicate label, an
  entity of the fake OnlyFans deleted earlier) is waived (`rule`): the action goes on as if it held;
- request validation checks what the spec's schemas say (types, required, enums, formats) but
  not OFAPI's conditional `x-required-when` rules (`LenientScope` flags the request for it).
"""

from __future__ import annotations

from collections.abc import Callable

SCOPE_FLAG = "ofapi.lenient"  # set in the request scope's extensions on a lenient server

STAND_INS: dict[str, Callable] = {}  # resource kind -> (store, id, team) -> the resource


def stand_in(kind: str):
    """Register how a resource of `kind` looks when a lenient request names an id that is not stored."""

    def register(fn):
        STAND_INS[kind] = fn
        return fn

    return register


def rule(holder, holds: bool, error: Exception | None = None) -> bool:
    """One of OFAPI's business rules. Faithful: raises `error` (when given) if it does not hold,
    and says whether it holds. Lenient: it always holds. `holder` has the server's `settings`
    (the store, the fake OnlyFans' payload builder)."""
    if holds or getattr(getattr(holder, "settings", None), "lenient", False):
        return True
    if error is not None:
        raise error
    return False


def found(store, kind: str, ident, tenant: str) -> dict | None:
    """The team's resource; on a lenient server a made-up id gets a stored stand-in."""
    doc = store.docs.get(kind, ident, tenant)
    if doc is None and store.settings.lenient and kind in STAND_INS:
        store.docs.insert(kind, STAND_INS[kind](store, str(ident), tenant), tenant, exists_ok=True)
        doc = store.docs.get(kind, ident, tenant)
    return doc


def ensure(store, kind: str, ident, tenant: str) -> None:
    """Before a read-modify-write (`docs.change`): on a lenient server, a made-up id gets its stand-in."""
    if store.settings.lenient:
        found(store, kind, ident, tenant)


class LenientScope:
    """ASGI middleware of a lenient server: flags each request so validation skips `x-required-when`."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            scope.setdefault("extensions", {})[SCOPE_FLAG] = True
        await self.app(scope, receive, send)

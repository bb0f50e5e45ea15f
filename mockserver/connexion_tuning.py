"""Where Connexion 3.3 does per request what depends only on the spec, or what our app does not use:

- `AsyncOperation.fn` wraps the handler in its decorators again on every call; they build a URI
  parser, read path, query and body once more and pass them as arguments. Our handlers read the
  request `validation.ReadingMiddleware` left in the scope and answer a Starlette response, so
  `DirectOperation` calls them with the scope, undecorated. The security middleware inspects the
  verifying function's signature twice per request; that is remembered.
- Routing tries the spec's ~300 path templates one after another (twice: the path, then its
  mount). `IndexedRouter` tries, in the same order, only the templates that can match: as many
  segments as the request's path, and the path's own literal where they differ most, so the
  first match is the one Starlette's would be.

Measured with `bench/inprocess.py` on fans/active: 700 -> 470 us per request (decorated once),
395 -> 290 us (not decorated), 290 -> 253 us (routes told apart by a literal segment too); with
the rest of the request path's work, 236 us against the floor's 280 (`--floor`, 2026-11-27). Installed on this app only:
`bench/references.py`'s Connexion floor keeps the library's defaults (its own process).
"""

from __future__ import annotations

import functools

from connexion import security
from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.middleware.routing import RoutingAPI, RoutingMiddleware
from connexion.utils import inspect_function_arguments
from starlette.routing import Match, Mount, Router, get_route_path

ANY = None  # the segments of routes that may match paths of any length (mounts, `:path` templates)
TEMPLATE = None  # a segment with a `{parameter}` in it: it may match any one segment


class DirectOperation(AsyncOperation):
    """An operation whose handler takes the ASGI scope and returns a Starlette response."""

    async def __call__(self, scope, receive, send) -> None:
        response = await self._fn(scope)
        await response(scope, receive, send)


class DirectApi(AsyncApi):
    def make_operation(self, operation) -> AsyncOperation:
        return DirectOperation.from_operation(operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)


class IndexedRouter(Router):
    """Starlette's Router, trying only the routes that can match the path: those with as many
    segments (a template segment matches exactly one), and of those, the ones whose segment at
    the bucket's most telling position is a template or the path's own. In Starlette's order, so
    the first match is the one Starlette's would be; anything unmatched goes the usual way."""

    def __init__(self, router: Router):
        super().__init__(routes=router.routes, default=router.default, redirect_slashes=router.redirect_slashes)
        self._index: dict[int, Bucket] = {}
        self._any: list = []
        self._indexed = -1  # how many routes the index covers

    def _candidates(self, path: str) -> list:
        if self._indexed != len(self.routes):
            keys = [_segments(route) for route in self.routes]
            self._any = [r for r, k in zip(self.routes, keys, strict=True) if k is ANY]
            self._index = {
                n: Bucket([(r, k) for r, k in zip(self.routes, keys, strict=True) if k is ANY or len(k) == n])
                for n in {len(k) for k in keys if k is not ANY}
            }
            self._indexed = len(self.routes)
        segments = path.split("/")
        bucket = self._index.get(len(segments))
        return bucket.candidates(segments) if bucket else self._any

    async def app(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await super().app(scope, receive, send)
        scope.setdefault("router", self)
        partial = None
        for route in self._candidates(get_route_path(scope)):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                return await route.handle(scope, receive, send)
            if match is Match.PARTIAL and partial is None:
                partial, partial_scope = route, child_scope
        if partial is not None:  # the path is known, not the method: its 405
            scope["route"] = partial
            scope.update(partial_scope)
            return await partial.handle(scope, receive, send)
        await super().app(scope, receive, send)  # unmatched: slash redirects and the default, as Starlette does


class Bucket:
    """The routes of one segment count (and those of any length), told apart at one position:
    the one with the most distinct literal segments."""

    def __init__(self, routes: list[tuple]):
        width = max((len(k) for _, k in routes if k is not ANY), default=0)
        distinct = [len({k[i] for _, k in routes if k is not ANY and k[i] is not TEMPLATE}) for i in range(width)]
        self.position = max(range(width), key=distinct.__getitem__) if width else 0
        at = [TEMPLATE if k is ANY else k[self.position] for _, k in routes]
        self.others = [r for (r, _), s in zip(routes, at, strict=True) if s is TEMPLATE]
        self.by_segment = {
            value: [r for (r, _), s in zip(routes, at, strict=True) if s in (value, TEMPLATE)]
            for value in set(at) - {TEMPLATE}
        }

    def candidates(self, segments: list[str]) -> list:
        return self.by_segment.get(segments[self.position], self.others)


def _segments(route) -> tuple | None:
    """A route's path segments (TEMPLATE where a parameter is), or ANY."""
    path = getattr(route, "path", None)
    if isinstance(route, Mount) or path is None or ":path}" in path:
        return ANY
    return tuple(TEMPLATE if "{" in s else s for s in path.split("/"))


class IndexedRoutingMiddleware(RoutingMiddleware):
    def add_api(self, specification, base_path=None, arguments=None, **kwargs) -> None:
        api = RoutingAPI(specification, base_path=base_path, arguments=arguments, next_app=self.app, **kwargs)
        api.router = IndexedRouter(api.router)
        self.router.mount(api.base_path, app=api.router)


def middlewares(stack: list) -> list:
    """`stack` with the indexed routing in place of Connexion's."""
    return [IndexedRoutingMiddleware if m is RoutingMiddleware else m for m in stack]


def install(app) -> None:
    """Before `add_api`: the app's operations call their handlers directly."""
    app._middleware_app.api_cls = DirectApi
    security.inspect_function_arguments = functools.lru_cache(maxsize=64)(inspect_function_arguments)

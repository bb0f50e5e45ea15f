"""Where Connexion 3.3 does per request what depends only on the spec, the app does it once:

- `AsyncOperation.fn` wraps the handler in its decorators again on every call, the decorator
  builds the operation's URI parser and decorates once more inside, and the security middleware
  inspects the verifying function's signature twice. Each of our operations has a handler of its
  own, so each is wrapped once, with its parser built once; signature inspection is remembered.
- Routing tries the spec's ~300 path templates one after another (twice: the path, then its
  mount). `IndexedRouter` tries, in the same order, only the templates with as many segments as
  the request's path, so the first match is the one Starlette's would be.

Measured with `bench/inprocess.py` on fans/active: 700 -> 470 us per request. Installed on this app only:
`bench/references.py`'s Connexion floor keeps the library's defaults (its own process).
"""

from __future__ import annotations

import functools

from connexion import security
from connexion.apps.asynchronous import AsyncApi, AsyncOperation
from connexion.context import receive, scope
from connexion.decorators import StarletteDecorator
from connexion.middleware.routing import RoutingAPI, RoutingMiddleware
from connexion.utils import inspect_function_arguments
from starlette.routing import Match, Mount, Router, get_route_path

ANY = -1  # routes that may match paths of any length (mounts, `:path` templates)


class OnceDecorator(StarletteDecorator):
    def __call__(self, function):
        made: list = []  # (the URI parser, the decorated function), on the first call

        @functools.wraps(function)
        async def wrapper(*args, **kwargs):
            if not made:  # `uri_parser` reads the operation of the request: this handler's, always
                made.append((self.uri_parser, self.decorate(function)))
            parser, decorated = made[0]
            return await decorated(self.framework.get_request(uri_parser=parser, scope=scope, receive=receive))

        return wrapper


class OnceDecoratedOperation(AsyncOperation):
    @functools.cached_property
    def fn(self):
        return OnceDecorator(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)(self._fn)


class OnceDecoratedApi(AsyncApi):
    def make_operation(self, operation) -> AsyncOperation:
        return OnceDecoratedOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )


class IndexedRouter(Router):
    """Starlette's Router, trying only the routes that can match a path of this many segments
    (a template segment matches exactly one); anything unmatched goes the usual way."""

    def __init__(self, router: Router):
        super().__init__(routes=router.routes, default=router.default, redirect_slashes=router.redirect_slashes)
        self._index: dict[int, list] = {}
        self._any: list = []
        self._indexed = -1  # how many routes the index covers

    def _candidates(self, path: str) -> list:
        if self._indexed != len(self.routes):
            keys = [_segments(route) for route in self.routes]
            self._index = {n: [r for r, k in zip(self.routes, keys, strict=True) if k in (n, ANY)] for n in set(keys)}
            self._any = [r for r, k in zip(self.routes, keys, strict=True) if k == ANY]
            self._indexed = len(self.routes)
        return self._index.get(path.count("/"), self._any)

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


def _segments(route) -> int:
    path = getattr(route, "path", None)
    if isinstance(route, Mount) or path is None or ":path}" in path:
        return ANY
    return path.count("/")


class IndexedRoutingMiddleware(RoutingMiddleware):
    def add_api(self, specification, base_path=None, arguments=None, **kwargs) -> None:
        api = RoutingAPI(specification, base_path=base_path, arguments=arguments, next_app=self.app, **kwargs)
        api.router = IndexedRouter(api.router)
        self.router.mount(api.base_path, app=api.router)


def middlewares(stack: list) -> list:
    """`stack` with the indexed routing in place of Connexion's."""
    return [IndexedRoutingMiddleware if m is RoutingMiddleware else m for m in stack]


def install(app) -> None:
    """Before `add_api`: the app's operations wrap their handlers once."""
    app._middleware_app.api_cls = OnceDecoratedApi
    security.inspect_function_arguments = functools.lru_cache(maxsize=64)(inspect_function_arguments)

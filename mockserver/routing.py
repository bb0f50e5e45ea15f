"""Routing order, and which operation answered a request.

Connexion registers routes in the order the spec lists its paths, and the first match wins.
`by_specificity` orders the paths so that, wherever two templates can match one URL, the one
with a static segment at the first place they differ comes first (`/users/blocked` before
`/users/{username}`; a one-segment template before a `format: path` one that spans segments).

Every response names the operation that answered it in `X-Mock-Operation` (a mock header, like
`X-Mock-Upstream-Calls`), errors included: `RoutedOperation` sits right after Connexion's
router and notes its choice; `OperationHeader`, outside the exception handlers, writes it.
"""

from __future__ import annotations

from contextvars import ContextVar

HEADER = b"x-mock-operation"
_operation: ContextVar[str | None] = ContextVar("mock_operation", default=None)


def _rank(segment: str, spanning: set[str]) -> int:
    if not segment.startswith("{"):
        return 0
    return 2 if segment[1:-1] in spanning else 1


def _spanning(item: dict, parameters: dict) -> set[str]:
    """Path parameters of a path item declared `format: path` (they match across `/`)."""
    names = set()
    declared = [*item.get("parameters", [])]  # the path item's own, then each operation's
    declared += [p for op in item.values() if isinstance(op, dict) for p in op.get("parameters", [])]
    for param in declared:
        if "$ref" in param:
            param = parameters.get(param["$ref"].rsplit("/", 1)[1], {})
        if param.get("in") == "path" and param.get("schema", {}).get("format") == "path":
            names.add(param["name"])
    return names


def by_specificity(spec: dict) -> dict:
    """The spec with its paths ordered most specific first (a stable sort: otherwise as listed)."""
    parameters = spec.get("components", {}).get("parameters", {})

    def key(entry):
        path, item = entry
        spanning = _spanning(item, parameters)
        return tuple(_rank(s, spanning) for s in path.strip("/").split("/"))

    return {**spec, "paths": dict(sorted(spec["paths"].items(), key=key))}


class RoutedOperation:
    """ASGI middleware right after Connexion's router: remembers the operation it chose."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        _operation.set(routing.get("operation_id"))
        await self.app(scope, receive, send)


class OperationHeader:
    """ASGI middleware outside the error handlers: adds `X-Mock-Operation` to every response
    that a spec operation answered (an unknown path has none)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        token = _operation.set(None)

        async def named(message):
            op_id = _operation.get()
            if message["type"] == "http.response.start" and op_id:
                message = {**message, "headers": [*message.get("headers", []), (HEADER, op_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, named)
        finally:
            _operation.reset(token)

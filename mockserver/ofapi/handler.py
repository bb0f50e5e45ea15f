"""One generic handler, bound per operationId by the resolver: it takes the request as
`validation.ReadingMiddleware` read it (one input bag, validated) and hands it to the OFAPI layer.
It is called with the ASGI scope alone (`connexion_tuning.DirectOperation`): Connexion's own
reading of path, query and body would only repeat what the scope already holds."""

from __future__ import annotations

from connexion.resolver import Resolution, Resolver
from starlette.datastructures import URL, Headers

from ..onlyfans.payloads import Request
from ..reading import Input
from ..spec.operations import Operation
from ..validation import INPUT
from .service import Ofapi


def make_handler(ofapi: Ofapi, op: Operation):
    async def handler(scope):
        extensions = scope["extensions"]
        read: Input = extensions[INPUT]
        api_key = (extensions.get("connexion_context", {}).get("token_info") or {}).get("sub", "")
        req = Request(op, read.path, read.query, read.body, Headers(scope=scope), URL(scope=scope), api_key)
        req.base_url = base_url(ofapi.settings.public_url, scope)
        return ofapi.respond(req)

    handler.__name__ = op.op_id
    return handler


def base_url(public_url: str | None, scope) -> str:
    """Absolute URLs the mock hands out (`next_page`, `polling_url`) start here: `--public-url`,
    else the address the client reached this server on. Never the client's `Host` header."""
    if public_url:
        return public_url.rstrip("/")
    host, port = scope.get("server") or ("127.0.0.1", 4010)
    scheme = scope.get("scheme", "http")
    host = f"[{host}]" if ":" in host else host
    default = (scheme, port) in (("http", 80), ("https", 443))
    return f"{scheme}://{host}" if default or port is None else f"{scheme}://{host}:{port}"


class OperationResolver(Resolver):
    """operationId -> the generic handler bound to that operation."""

    def __init__(self, ofapi: Ofapi, table: dict[str, Operation]):
        super().__init__()
        self._handlers = {op_id: make_handler(ofapi, op) for op_id, op in table.items()}

    def resolve(self, operation) -> Resolution:
        return Resolution(self._handlers[operation.operation_id], operation.operation_id)

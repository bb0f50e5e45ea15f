"""The two references `make bench` measures ofapi-mock against, in the same run:

- the **ceiling**: a raw ASGI app on uvicorn answering each endpoint's bytes, fixed: what the
  web server and the machine allow at all;
- the **floor**: a Connexion AsyncApp on our own spec, with our request reading and validation
  (`mockserver.validation`), our routing order and security, whose every handler answers those
  same fixed bytes: what any Connexion-based server of this spec costs before it does anything.

Both read the bytes to answer from the JSON file named by `OFAPI_BENCH_BODIES`
(`{"METHOD /path": base64 body}`, captured from ofapi-mock by the benchmark), and are started as
uvicorn factories: `uvicorn --factory bench.references:ceiling` / `:floor`.
"""

from __future__ import annotations

import base64
import inspect
import json
import os

from connexion import AsyncApp, request
from connexion.decorators.parameter import sanitized
from connexion.resolver import Resolution, Resolver
from starlette.responses import Response

from mockserver.routing import by_specificity
from mockserver.spec.load import load_spec
from mockserver.spec.operations import build_table
from mockserver.validation import RawURIParser, middlewares


def _bodies() -> dict[str, bytes]:
    with open(os.environ["OFAPI_BENCH_BODIES"], encoding="utf-8") as fh:
        return {key: base64.b64decode(value) for key, value in json.load(fh).items()}


def ceiling():
    bodies = _bodies()
    default = b"{}"

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        body = bodies.get(f"{scope['method']} {scope['path']}", default)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


class _Fixed(Resolver):
    """Every operation answers the fixed bytes of its path (or `{}`)."""

    def __init__(self, bodies: dict[str, bytes], path_params: dict[str, tuple[str, ...]]):
        super().__init__()
        self.bodies = bodies
        self.path_params = path_params

    def resolve(self, operation) -> Resolution:
        async def handler(**_path):
            body = self.bodies.get(f"{request.method} {request.url.path}", b"{}")
            return Response(body, 200, media_type="application/json")

        # As ofapi-mock's own handler: only the path parameters, so Connexion parses nothing more.
        names = self.path_params[operation.operation_id]
        handler.__signature__ = inspect.Signature(
            [inspect.Parameter(sanitized(n), inspect.Parameter.KEYWORD_ONLY, default=None) for n in names]
        )
        return Resolution(handler, operation.operation_id)


def floor():
    spec = load_spec()
    path_params = {op_id: op.path_params for op_id, op in build_table(spec).items()}
    app = AsyncApp(__name__, middlewares=middlewares())
    app.add_api(
        by_specificity(spec),
        resolver=_Fixed(_bodies(), path_params),
        validate_responses=False,
        uri_parser_class=RawURIParser,
    )
    return app

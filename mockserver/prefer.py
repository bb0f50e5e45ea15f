"""Prism-compatible request preferences: the `Prefer` header (RFC 7240) picks the answer, so a
client can be tried against answers it rarely sees.

    Prefer: code=404                        that status, with the body the spec gives it
    Prefer: example=account_disconnected    a named example of the spec (and its status)
    Prefer: code=503, example=unavailable   both
    Prefer: dynamic=true                    a payload generated from the schema, new values each time
    Prefer: dynamic=false                   a fixed payload: the spec's example, else the schema rendered once

A status is the operation's own (`responses`) or one OFAPI may answer anywhere (the spec's
`x-common-responses`: 401, 402, 404, 429, 5xx). Without `dynamic`, a response answers its first
example (an error in OFAPI's own wording), else its schema rendered with fixed values. As with
Prism, a preferred answer comes from the spec alone: the operation does not run (no credits, no
rate-limit count, nothing stored). Preferences are read after authentication and validation, so
the request must still be a valid one. A preference the mock does not know, a bad value, a status the operation cannot
answer or an example it does not have is a 400 naming it.
"""

from __future__ import annotations

import itertools

from starlette.datastructures import Headers
from starlette.responses import Response

from .errors import ApiError
from .jsonbody import dumps
from .spec.operations import METHODS

KNOWN = ("code", "example", "dynamic")
_draws = itertools.count()  # dynamic payloads: a new key per request


def parse(headers: Headers) -> dict[str, str]:
    """The request's preferences (`name=value`, comma-separated, over any number of headers)."""
    prefs: dict[str, str] = {}
    for token in ",".join(headers.getlist("prefer")).split(","):
        token = token.split(";", 1)[0].strip()
        if not token:
            continue
        name, _, value = token.partition("=")
        name, value = name.strip().lower(), value.strip().strip('"')
        if name not in KNOWN:
            raise ApiError(400, f"Unknown preference `{name}` in the Prefer header; this mock knows {_known()}.")
        prefs[name] = value
    return prefs


def _known() -> str:
    return ", ".join(f"`{name}`" for name in KNOWN)


class Preferences:
    """ASGI middleware after validation: answers a request that states preferences, or passes it on."""

    def __init__(self, app, spec: dict, ofapi):
        self.app = app
        self.ofapi = ofapi
        self.components = spec.get("components", {}).get("responses", {})
        self.common = spec.get("x-common-responses", {})
        self.operations = {
            op["operationId"]: op
            for item in spec["paths"].values()
            for method, op in item.items()
            if method in METHODS and isinstance(op, dict)
        }

    async def __call__(self, scope, receive, send):
        op_id = scope.get("extensions", {}).get("connexion_routing", {}).get("operation_id")
        if scope["type"] != "http" or op_id not in self.operations:
            return await self.app(scope, receive, send)
        prefs = parse(Headers(scope=scope))
        if not prefs:
            return await self.app(scope, receive, send)
        answer = self.answer(self.operations[op_id], prefs)
        answer.headers["Preference-Applied"] = ", ".join(f"{k}={v}" for k, v in prefs.items())
        await answer(scope, receive, send)

    # -- the preferred answer --------------------------------------------------------------
    def answer(self, op: dict, prefs: dict[str, str]) -> Response:
        """The preferred response, from the spec."""
        success = min((c for c in op["responses"] if c.startswith("2")), default=None)
        dynamic = _dynamic(prefs.get("dynamic"))
        status = _code(prefs.get("code"))
        name = prefs.get("example")
        if status is None and name is not None:
            status = self._status_of_example(op, name, success)
        if status is None:
            status = int(success) if success else None
        if status is None:
            raise ApiError(400, "The Prefer header asks for a payload, but this operation answers none.")
        response = self._response(op, status)
        return self._render(op, status, response, name, dynamic)

    def _response(self, op: dict, status: int) -> dict:
        response = op["responses"].get(str(status)) or self.common.get(str(status))
        if response is None:
            statuses = sorted({*op["responses"], *self.common})
            raise ApiError(
                400,
                f"Prefer: code={status} cannot be honoured: {op['operationId']} answers {', '.join(statuses)}.",
            )
        while "$ref" in response:
            response = self.components[response["$ref"].rsplit("/", 1)[1]]
        return response

    def _status_of_example(self, op: dict, name: str, success: str | None) -> int:
        """The status whose response has the example `name`: the success response first, then the others."""
        codes = [success] if success else []
        codes += sorted(c for c in {*op["responses"], *self.common} if c != success)
        for code in codes:
            if name in _examples(self._response(op, int(code))):
                return int(code)
        raise ApiError(400, f"Prefer: example={name} cannot be honoured: {op['operationId']} has no such example.")

    def _render(self, op: dict, status: int, response: dict, name: str | None, dynamic: bool | None) -> Response:
        media = (response.get("content") or {}).get("application/json")
        renderer = self.ofapi.parts.store_renderer
        key = f"prefer:{op['operationId']}:{status}"
        if dynamic:
            key += f":{next(_draws)}"
        headers = {
            header: str(renderer.render(spec.get("schema", {}), key=key, path=header))
            for header, spec in (response.get("headers") or {}).items()
        }
        if media is None:
            if name is not None:
                raise ApiError(400, f"Prefer: example={name} cannot be honoured: a {status} has no body.")
            return Response(b"", status, headers=headers)
        examples = _examples(response)
        if name is not None:
            if name not in examples:
                known = ", ".join(examples) or "none"
                raise ApiError(400, f"Prefer: example={name} cannot be honoured: the {status} has {known}.")
            body = examples[name]
        elif not dynamic and examples:
            body = next(iter(examples.values()))
        else:
            body = renderer.render(media["schema"], key=key)
        return Response(dumps(body), status, headers=headers, media_type="application/json")


def _examples(response: dict) -> dict:
    media = (response.get("content") or {}).get("application/json") or {}
    named = {name: example.get("value") for name, example in (media.get("examples") or {}).items()}
    if not named and "example" in media:
        named = {"example": media["example"]}
    return named


def _code(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or not 100 <= int(value) <= 599:
        raise ApiError(400, f"Prefer: code={value} is not an HTTP status code.")
    return int(value)


def _dynamic(value: str | None) -> bool | None:
    if value is None:
        return None
    if value.lower() not in ("true", "false"):
        raise ApiError(400, f"Prefer: dynamic={value} must be true or false.")
    return value.lower() == "true"

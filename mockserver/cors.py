"""CORS, on by default (`--no-cors` turns it off), so a browser front-end on another origin can
call the mock: Starlette's `CORSMiddleware`, configured from the spec.

- Any origin (`*`; the API authenticates with a bearer key, never with cookies).
- Preflights answered for every method the spec's paths have (and HEAD, OPTIONS); any other
  method is refused with a JSON 400 naming it.
- Allowed request headers: the ones OFAPI's clients send (`Authorization`, `Content-Type`,
  `Idempotency-Key`, `Prefer` …) always, plus whatever else a preflight asks for (SDKs add
  their own, e.g. `X-Stainless-*`).
- Exposed response headers: every header the spec's responses declare and the ones OFAPI and
  the mock add (credits, rate limits, `Retry-After`, `X-Mock-*`), so browser code can read them.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response

from .spec.operations import METHODS

REQUEST_HEADERS = ("Authorization", "Content-Type", "Accept", "Idempotency-Key", "Prefer")
RESPONSE_HEADERS = (
    "X-OFAPI-Credits-Used",
    "X-OFAPI-Credits-Balance",
    "X-Rate-Limit-Limit-Minute",
    "X-Rate-Limit-Remaining-Minute",
    "Retry-After",
    "Idempotent-Replayed",
    "Preference-Applied",
    "X-Mock-Operation",
    "X-Mock-Upstream-Calls",
    "X-Mock-Fault",
)


def options(spec: dict) -> dict:
    """`CORSMiddleware`'s configuration for this spec."""
    methods = {m.upper() for item in spec["paths"].values() for m in item if m in METHODS}
    declared = {
        name
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict)
        for response in (op.get("responses") or {}).values()
        for name in (response.get("headers") or {})
    }
    return {
        "allow_origins": ["*"],
        "allow_methods": sorted(methods | {"HEAD", "OPTIONS"}),
        "allow_headers": list(REQUEST_HEADERS),
        "expose_headers": sorted(declared | set(RESPONSE_HEADERS)),
        "allow_private_network": True,  # a public page may call a mock on localhost
        "max_age": 600,
    }


class Cors(CORSMiddleware):
    """Starlette's CORS middleware; a preflight allows any request header (ours always listed)
    and a refused one is OFAPI-style JSON."""

    def preflight_response(self, request_headers: Headers) -> Response:
        requested = [h.strip() for h in request_headers.get("access-control-request-headers", "").split(",")]
        requested = [h for h in requested if h]
        unknown = [h for h in requested if h.lower() not in self.allow_headers]
        answer = super().preflight_response(_without_headers(request_headers))
        if answer.status_code != 200:
            method = request_headers["access-control-request-method"]
            message = (
                f"CORS preflight refused: {method} is not a method of this API "
                f"(allowed: {', '.join(self.allow_methods)})."
            )
            cors_headers = {k: v for k, v in answer.headers.items() if k.startswith(("access-control-", "vary"))}
            return JSONResponse({"error": message}, 400, headers=cors_headers)
        listed = answer.headers["access-control-allow-headers"]
        answer.headers["Access-Control-Allow-Headers"] = ", ".join([listed, *unknown])
        return answer


def _without_headers(headers: Headers) -> Headers:
    """The preflight's headers minus its requested headers (each is allowed; only the origin and
    the method are checked)."""
    raw = [(k, v) for k, v in headers.raw if k.lower() != b"access-control-request-headers"]
    return Headers(raw=raw)

"""Every failure as OFAPI's JSON: `{"error": …}`, or Laravel's 422 `{"message", "errors"}`
naming the offending field. Never a traceback."""

from __future__ import annotations

import functools
import logging
import re

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionResponse
from starlette.exceptions import HTTPException

from .jsonbody import dumps
from .ofapi.auth import UNAUTHORIZED

log = logging.getLogger(__name__)

MESSAGES = {
    400: "Bad request.",
    401: UNAUTHORIZED,
    402: "Insufficient credits.",
    403: "Forbidden.",
    404: "Not found.",
    405: "Method not allowed.",
    406: "Not acceptable.",
    409: "Conflict.",
    413: "Request body too large.",
    415: "Unsupported media type.",
    429: "Too many requests.",
}


class ApiError(Exception):
    """Raised anywhere below the handler to answer with an OFAPI error body."""

    def __init__(self, status: int, message: str | None = None, headers: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.body = {"error": message or MESSAGES.get(status, "Error.")}
        if code:
            self.body["code"] = code
        self.headers = headers or {}


class InvalidInput(ProblemException):
    """A request that failed validation, field by field (Laravel's 422)."""

    def __init__(self, errors: dict[str, list[str]], status: int = 422):
        first = next(iter(errors.items()))
        message = first[1][0]
        if len(errors) > 1 or len(first[1]) > 1:
            message += f" (and {sum(map(len, errors.values())) - 1} more errors)"
        super().__init__(status=status, title="Unprocessable Content", detail=message)
        self.errors = errors
        self.message = message


def json_response(status: int, body: dict, headers: dict | None = None) -> ConnexionResponse:
    return ConnexionResponse(
        status_code=status, body=dumps(body), content_type="application/json", headers=headers or {}
    )


def on_invalid(request, exc: InvalidInput) -> ConnexionResponse:
    return json_response(exc.status, {"message": exc.message, "errors": exc.errors})


def on_api_error(request, exc: ApiError) -> ConnexionResponse:
    return json_response(exc.status, exc.body, exc.headers)


def on_problem(request, exc: ProblemException) -> ConnexionResponse:
    status = exc.status or 500
    detail = exc.detail if status not in (401, 404, 405) and exc.detail else MESSAGES.get(status, "Error.")
    return json_response(status, {"error": str(detail)}, dict(exc.headers or {}))


def on_http(request, exc: HTTPException) -> ConnexionResponse:
    return json_response(exc.status_code, {"error": MESSAGES.get(exc.status_code, str(exc.detail))})


VERBS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")  # the order Laravel lists them in


def method_not_allowed(paths: dict):
    """The 405 handler: Laravel's answer, naming the methods every route of that URL takes (a GET
    route takes HEAD too), also in `Allow`. Its patterns are compiled at the first 405, not at start."""

    @functools.cache
    def routes() -> list[tuple[re.Pattern, set[str]]]:
        return [
            (
                re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(path)) + "$"),
                {m.upper() for m in item if m.upper() in VERBS},
            )
            for path, item in paths.items()
        ]

    def on_405(request, exc: HTTPException) -> ConnexionResponse:
        taken = {m for pattern, methods in routes() if pattern.match(request.url.path) for m in methods}
        taken |= {"HEAD"} if "GET" in taken else set()
        allowed = [m for m in VERBS if m in taken] or [
            m.strip() for m in (exc.headers or {}).get("Allow", "").split(",")
        ]
        message = (
            f"The {request.method} method is not supported for route {request.url.path.lstrip('/')}. "
            f"Supported methods: {', '.join(allowed)}."
        )
        return json_response(405, {"error": message}, {"Allow": ", ".join(allowed)})

    return on_405


def on_store_gone(request, exc: Exception) -> ConnexionResponse:
    """The store went away while serving (`StoreUnavailable`): writes fail loudly."""
    log.error("%s", exc)
    return json_response(503, {"error": f"The mock's store is unavailable: {exc}."})


def on_crash(request, exc: Exception) -> ConnexionResponse:
    log.error("unhandled error", exc_info=exc)
    return json_response(500, {"error": "Internal error in ofapi-mock; please report it."})


HANDLERS = (
    (InvalidInput, on_invalid),
    (ApiError, on_api_error),
    (ProblemException, on_problem),
    (HTTPException, on_http),
    (Exception, on_crash),
)

"""Faults and latency on demand, for testing a client's retries, timeouts and error paths.

A rule (`POST /_mock/faults`, stored in the store: `store/faults.py`) matches requests by
`operation` (an operationId, or a glob of them), `tag`, `path` (a glob over the request path)
and `method`; all it names must hold. It fires with a `probability` (drawn from the mock's seed
and the rule's own count of matches, so a run is reproducible), at most `times` times, for
`seconds` from its creation. Its effect:

- `status`: OFAPI's own answer for it: 401 (a revoked key), 402 (out of credits), 404 (the
  account disconnected), 429 (with `Retry-After`, `retry_after` seconds), 500/502/503/504 (as
  OFAPI answers when OnlyFans fails); bodies are the spec's examples for those statuses;
- `latency_ms` (+ up to `jitter_ms` more), before the answer (the real one, or the status);
- `drop`: the connection is closed before the response is complete.

Rules are tried first to last; the first that fires applies. `--latency` / `--jitter` slow down
every API response. Each injected fault is marked in `X-Mock-Fault` and in the journal.

This is an ASGI middleware right after routing (not a step of `ofapi/service.py`): a fault must
be injectable on any request (one that would fail authentication or validation too), must not
count against rate limits or credits, waits without blocking the event loop, and a dropped
connection needs the raw ASGI channel.
"""

from __future__ import annotations

import asyncio
import fnmatch
import itertools
import json
import logging
import math

from starlette.datastructures import Headers
from starlette.responses import JSONResponse

from .errors import InvalidInput
from .onlyfans.entities import stable_int
from .spec.operations import METHODS

HEADER = "X-Mock-Fault"
SCOPE_KEY = "ofapi.fault"  # what was injected, for the journal
# The status a fault may answer -> the spec's example of OFAPI's body for it.
STATUSES = {
    401: "unauthorized",
    402: "out_of_credits",
    404: "account_disconnected",
    429: "rate_limited",
    500: "onlyfans_error",
    502: "bad_gateway",
    503: "unavailable",
    504: "timeout",
}
MATCH = ("operation", "tag", "path", "method")
FIELDS = (*MATCH, "probability", "times", "seconds", "status", "retry_after", "latency_ms", "jitter_ms", "drop")
MAX_LATENCY_MS = 600_000
_latency_draws = itertools.count()


class _DroppedQuietly(logging.Filter):
    """uvicorn logs an error for a response left incomplete: a dropped connection does that on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "ASGI callable returned without completing response."


logging.getLogger("uvicorn.error").addFilter(_DroppedQuietly())


# -- rules ------------------------------------------------------------------------------------
def parse_rule(body, operations: dict[str, list[str]]) -> tuple[dict, int | None, float | None]:
    """A rule from a request body: (what it matches and does, times, seconds). 422 naming each bad field."""
    if not isinstance(body, dict):
        raise InvalidInput({"body": ["The body must be a JSON object (a fault rule)."]})
    errors: dict[str, list[str]] = {}

    def bad(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field in body:
        if field not in FIELDS:
            bad(field, f"The {field} field is not a fault rule field (known: {', '.join(FIELDS)}).")
    tags = {t for ts in operations.values() for t in ts}
    operation, tag, path, method = (body.get(name) for name in MATCH)
    if operation is not None and (not isinstance(operation, str) or not fnmatch.filter(operations, operation)):
        bad("operation", "The operation field must name an operationId of the spec (or a glob of them).")
    if tag is not None and tag not in tags:
        bad("tag", f"The tag field must be a tag of the spec ({', '.join(sorted(tags))}).")
    if path is not None and (not isinstance(path, str) or not path.startswith("/")):
        bad("path", "The path field must be a path glob starting with / (e.g. /api/*/fans/*).")
    methods = [method] if isinstance(method, str) else method
    if method is not None and (
        not isinstance(methods, list) or not methods or any(str(m).lower() not in (*METHODS, "head") for m in methods)
    ):
        bad("method", "The method field must be GET, POST, PUT, PATCH, DELETE or HEAD (or a list of them).")
    probability = _number(body, "probability", 0, 1, bad, default=1.0)
    times = _integer(body, "times", 1, 10**9, bad)
    seconds = _number(body, "seconds", 0, 10**7, bad, exclusive=True)
    latency = _number(body, "latency_ms", 0, MAX_LATENCY_MS, bad)
    jitter = _number(body, "jitter_ms", 0, MAX_LATENCY_MS, bad)
    retry_after = _integer(body, "retry_after", 0, 86_400, bad)
    status, drop = body.get("status"), body.get("drop", False)
    if status is not None and (isinstance(status, bool) or status not in STATUSES):
        bad("status", f"The status field must be one of {', '.join(map(str, STATUSES))}.")
    if not isinstance(drop, bool):
        bad("drop", "The drop field must be true or false.")
    elif drop and status is not None:
        bad("drop", "A rule either answers a status or drops the connection, not both.")
    if status is None and not drop and not latency:
        bad("status", "A rule needs an effect: status, latency_ms or drop.")
    if retry_after is not None and status != 429:
        bad("retry_after", "The retry after field goes with status 429.")
    if errors:
        raise InvalidInput(errors)
    rule = {name: body[name] for name in MATCH if body.get(name) is not None}
    if methods:
        rule["method"] = [str(m).upper() for m in methods]
    rule["probability"] = probability
    rule |= {"status": status} if status is not None else {}
    rule |= {"retry_after": retry_after if retry_after is not None else 1} if status == 429 else {}
    rule |= {"latency_ms": latency, "jitter_ms": jitter or 0} if latency else {}
    rule |= {"drop": True} if drop else {}
    return rule, times, seconds


def _number(body, name, lo, hi, bad, default=None, exclusive=False):
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        bad(name, f"The {name.replace('_', ' ')} field must be a number.")
    elif value < lo or value > hi or (exclusive and value == lo):
        bad(
            name,
            f"The {name.replace('_', ' ')} field must be {'over' if exclusive else 'at least'} {lo} and at most {hi}.",
        )
    return value


def _integer(body, name, lo, hi, bad):
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        bad(name, f"The {name.replace('_', ' ')} field must be an integer.")
    elif not lo <= value <= hi:
        bad(name, f"The {name.replace('_', ' ')} field must be between {lo} and {hi}.")
    return value


def matches(rule: dict, op_id: str | None, tags: list[str], method: str, path: str) -> bool:
    if "operation" in rule and (op_id is None or not fnmatch.fnmatchcase(op_id, rule["operation"])):
        return False
    if "tag" in rule and rule["tag"] not in tags:
        return False
    if "path" in rule and not fnmatch.fnmatchcase(path, rule["path"]):
        return False
    return "method" not in rule or method in rule["method"]


def _unit(*parts) -> float:
    """A number in [0, 1) decided by `parts` (the seed, the rule, the draw)."""
    return stable_int(*parts) / 2**64


# -- the middleware -----------------------------------------------------------------------------
class Faults:
    def __init__(self, app, ofapi, spec: dict):
        self.app = app
        self.ofapi = ofapi
        self.tags = operation_tags(spec)
        self.bodies = _bodies(spec)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/api"):
            return await self.app(scope, receive, send)
        fault = self._fault(scope)
        settings = self.ofapi.settings
        latency = fault.get("latency", 0) if fault else 0
        if settings.latency_ms or settings.jitter_ms:  # --latency, --jitter: every API response
            draw = _unit(self.ofapi.world.seed, "latency", next(_latency_draws))
            latency += settings.latency_ms + draw * settings.jitter_ms
            fault = fault or {}
            fault["latency"] = round(latency)
        if not fault:
            return await self.app(scope, receive, send)
        scope.setdefault("extensions", {})[SCOPE_KEY] = {
            k: fault[k] for k in ("rule", "status", "drop", "latency") if k in fault
        }
        marker = _marker(fault)
        if latency:
            await asyncio.sleep(latency / 1000)
        if "status" in fault:
            return await self._status(fault, marker)(scope, receive, send)
        if fault.get("drop"):
            # The headers and the first byte go out, the rest never does: the client sees the
            # connection close mid-response (a byte of body, so that no middleware holds the start back).
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", b"64"),
                (HEADER.lower().encode(), marker),
            ]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            return await send({"type": "http.response.body", "body": b"{", "more_body": True})

        async def marked(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (HEADER.lower().encode(), marker)]}
            await send(message)

        await self.app(scope, receive, marked)

    def _fault(self, scope) -> dict | None:
        """The first rule that fires for this request, as what it injects (None: none fires)."""
        store = self.ofapi.store
        header = Headers(scope=scope).get("authorization", "")
        key = header[7:].strip() if header[:7].lower() == "bearer " else ""
        rules = store.faults.active(store.tenants.of(key).slug if key else None)
        if not rules:
            return None
        op_id = scope.get("extensions", {}).get("connexion_routing", {}).get("operation_id")
        method, path = scope["method"], scope["path"]
        seed = self.ofapi.world.seed
        for rule in rules:
            if not matches(rule.rule, op_id, self.tags.get(op_id, []), method, path):
                continue
            # The draws depend on the seed and what the rule says (not its random id): the same rule
            # on the same seed fires on the same requests.
            spec, ident = rule.rule, json.dumps(rule.rule, sort_keys=True)
            n = store.faults.draw(rule, lambda n, ident=ident, p=spec["probability"]: _unit(seed, ident, n) < p)
            if n is None:
                continue
            fault: dict = {"rule": rule.id}
            if "status" in spec:
                fault["status"] = spec["status"]
                if spec["status"] == 429:
                    fault["retry_after"] = spec["retry_after"]
            if "latency_ms" in spec:
                jitter = _unit(seed, ident, n, "jitter") * spec["jitter_ms"]
                fault["latency"] = round(spec["latency_ms"] + jitter)
            if spec.get("drop"):
                fault["drop"] = True
            fault["account"] = (scope.get("path_params") or {}).get("account")
            return fault
        return None

    def _status(self, fault: dict, marker: bytes) -> JSONResponse:
        status = fault["status"]
        body = self.bodies[status]
        if status == 404:  # the request's own account (as `store/accounts.py` words it), if it names one
            account = fault.get("account")
            body = {"error": f"Account {account} is not connected."} if account else self.bodies["not_found"]
        headers = {HEADER: marker.decode()}
        if status == 429:
            headers["Retry-After"] = str(fault["retry_after"])
        return JSONResponse(body, status, headers=headers)


def _marker(fault: dict) -> bytes:
    parts = [f"rule={fault['rule']}"] if "rule" in fault else []
    parts += [f"status={fault['status']}"] if "status" in fault else []
    parts += ["drop"] if fault.get("drop") else []
    parts += [f"latency={fault['latency']}"] if fault.get("latency") else []
    return "; ".join(parts).encode()


def operation_tags(spec: dict) -> dict[str, list[str]]:
    """operationId -> its tags."""
    return {
        op["operationId"]: list(op.get("tags", ()))
        for item in spec["paths"].values()
        for method, op in item.items()
        if method in METHODS and isinstance(op, dict)
    }


def _bodies(spec: dict) -> dict:
    """OFAPI's body for each fault status: the spec's named example of it (and a plain 404)."""
    common, components = spec.get("x-common-responses", {}), spec["components"]["responses"]

    def example(status: int, name: str) -> dict:
        response = components[common[str(status)]["$ref"].rsplit("/", 1)[1]]
        return response["content"]["application/json"]["examples"][name]["value"]

    return {
        **{status: example(status, name) for status, name in STATUSES.items()},
        "not_found": example(404, "not_found"),
    }

"""The mock's own endpoints, under `/_mock/` (not part of OFAPI, not in the spec).

GET  /_mock/info                    {"ofapi_mock": true, "version", "seed", "store"}: this is the mock (open)
POST /_mock/reset    {"seed": N}?   forget stored data: every team's (admin), or the caller's team's
GET  /_mock/journal  ?limit=&kind=  recent requests and deliveries: the caller's team's (every team's: admin)
POST /_mock/events   {"event", "account_id", "payload"?, "api_key"?}  simulate an OnlyFans event
GET|POST|DELETE /_mock/faults, DELETE /_mock/faults/{id}   fault rules (`faults.py`): a team's own
                     (set with its key), or global ones (set by the admin; they apply to every team)

Who may do what: with `--admin-token` set, the admin is whoever sends that token as a bearer
token; without one, a request with no key acts as the admin (a local mock has one user). Any
other bearer token is a team's API key and reaches only that team's data; the journal always
needs a key or the admin token, so no one reads another team's requests.
"""

from __future__ import annotations

import asyncio
import hmac
import json

from starlette.requests import Request
from starlette.responses import JSONResponse

from . import __version__
from . import faults as fault_rules
from .errors import InvalidInput
from .ofapi.auth import UNAUTHORIZED
from .store.faults import GLOBAL
from .store.store import STATE_TTL
from .store.webhooks import EVENTS, example_payload

ADMIN = object()


async def _json(request: Request) -> dict:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return {"__invalid__": True}
    return body if isinstance(body, dict) else {"__invalid__": True}


def _error(status: int, field: str, message: str) -> JSONResponse:
    return JSONResponse({"message": message, "errors": {field: [message]}}, status)


def caller(request: Request, ofapi):
    """ADMIN, a team's slug, or None (no credentials)."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    admin = ofapi.settings.admin_token
    if admin and token and hmac.compare_digest(token.encode(), admin.encode()):
        return ADMIN
    if token:
        return ofapi.store.tenants.of(token).slug
    return ADMIN if not admin else None


def routes(ofapi, spec: dict):
    async def info(request: Request):
        named = ofapi.settings.store_path and not ofapi.settings.admin_token  # a shared mock keeps it private
        store = ofapi.store.db.location if named else None  # a URL without its password
        return JSONResponse({"ofapi_mock": True, "version": __version__, "seed": ofapi.world.seed, "store": store})

    async def reset(request: Request):
        who, body = caller(request, ofapi), await _json(request)
        seed = body.get("seed")
        if body.get("__invalid__") or (seed is not None and (not isinstance(seed, int) or isinstance(seed, bool))):
            return _error(422, "seed", "The seed field must be an integer.")
        if who is None:
            return JSONResponse({"error": "This mock needs its admin token (or an API key, to reset one team)."}, 401)
        if who is not ADMIN and seed is not None:
            return _error(403, "seed", "Only the admin can change the seed: it resets every team's data.")
        ofapi.reset(seed, None if who is ADMIN else who)
        answer = {"reset": True, "seed": ofapi.world.seed}
        if who is not ADMIN:
            answer["team"] = who
        return JSONResponse(answer)

    async def journal(request: Request):
        who = caller(request, ofapi)
        if who is None or (who is ADMIN and not ofapi.settings.admin_token):
            return JSONResponse({"error": UNAUTHORIZED + " The journal shows your own team's entries."}, 401)
        try:
            limit = min(max(int(request.query_params.get("limit", 100)), 1), 1000)
        except ValueError:
            return _error(422, "limit", "The limit field must be an integer.")
        kind = request.query_params.get("kind")
        entries = ofapi.store.journal.entries(None if who is ADMIN else who, limit, kind, every_team=who is ADMIN)
        return JSONResponse({"data": entries})

    async def events(request: Request):
        who, body = caller(request, ofapi), await _json(request)
        event, account = body.get("event"), body.get("account_id")
        if event not in EVENTS:
            return _error(422, "event", "The selected event is invalid (see GET /api/webhooks/events).")
        if not isinstance(account, str) or not account or len(account) > 255:
            return _error(422, "account_id", "The account id field is required.")
        if body.get("api_key") is not None and not isinstance(body["api_key"], str):
            return _error(422, "api_key", "The api key field must be a string.")
        if who is None:
            return JSONResponse({"error": "This mock needs its admin token (or an API key) to raise events."}, 401)
        tenant = ofapi.store.tenants.of(body["api_key"]).slug if body.get("api_key") else None
        if who is not ADMIN:
            tenant = who  # a team raises events for its own webhooks only
        payload = body.get("payload")
        if payload is None:
            payload = example_payload(ofapi.store, event, account)
        queued = ofapi.store.emit(event, account, payload, tenant)
        return JSONResponse({"event": event, "deliveries_queued": queued}, 202)

    operations = fault_rules.operation_tags(spec)

    async def faults(request: Request):
        who = caller(request, ofapi)
        if who is None:
            return JSONResponse({"error": "This mock needs its admin token (or an API key) for fault rules."}, 401)
        tenant = None if who is ADMIN else who
        rules = ofapi.store.faults
        if request.method == "GET":
            return JSONResponse({"data": [r.public() for r in rules.listed(tenant)]})
        if request.method == "DELETE":
            return JSONResponse({"deleted": rules.clear(tenant)})
        body = await _json(request)
        try:
            rule, times, seconds = fault_rules.parse_rule(None if body.get("__invalid__") else body, operations)
        except InvalidInput as exc:
            return JSONResponse({"message": exc.message, "errors": exc.errors}, 422)
        added = rules.add(GLOBAL if who is ADMIN else who, rule, times, seconds)
        await asyncio.sleep(2 * STATE_TTL)  # every worker looks at the rules again before the next request
        return JSONResponse({"data": added.public()}, 201)

    async def fault(request: Request):
        who = caller(request, ofapi)
        if who is None:
            return JSONResponse({"error": "This mock needs its admin token (or an API key) for fault rules."}, 401)
        if not ofapi.store.faults.delete(request.path_params["rule_id"], None if who is ADMIN else who):
            return JSONResponse({"error": "Fault rule not found."}, 404)
        return JSONResponse({"deleted": 1})

    return [
        ("/_mock/info", info, ["GET"]),
        ("/_mock/faults", faults, ["GET", "POST", "DELETE"]),
        ("/_mock/faults/{rule_id}", fault, ["DELETE"]),
        ("/_mock/reset", reset, ["POST"]),
        ("/_mock/journal", journal, ["GET"]),
        ("/_mock/events", events, ["POST"]),
    ]

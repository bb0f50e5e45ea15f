"""The mock's own endpoints, under `/_mock/` (not part of OFAPI, not in the spec):

GET  /_mock/info                    {"ofapi_mock": true, "version", "seed", "store"}: this is the mock
POST /_mock/reset    {"seed": N}?   forget every stored resource (and start a new world)
GET  /_mock/journal  ?limit=&kind=  recent requests (with their upstream calls) and deliveries
POST /_mock/events   {"event", "account_id", "payload"?, "api_key"?}  simulate an OnlyFans event
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse

from . import __version__
from .store.webhooks import EVENTS, example_payload


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


def routes(ofapi):
    async def info(request: Request):
        store = ofapi.settings.store_path
        return JSONResponse({"ofapi_mock": True, "version": __version__, "seed": ofapi.world.seed, "store": store})

    async def reset(request: Request):
        body = await _json(request)
        seed = body.get("seed")
        if body.get("__invalid__") or (seed is not None and not isinstance(seed, int)):
            return _error(422, "seed", "The seed field must be an integer.")
        ofapi.reset(seed)
        return JSONResponse({"reset": True, "seed": ofapi.world.seed})

    async def journal(request: Request):
        try:
            limit = min(max(int(request.query_params.get("limit", 100)), 1), 1000)
        except ValueError:
            return _error(422, "limit", "The limit field must be an integer.")
        entries = ofapi.store.journal_entries(limit, request.query_params.get("kind"))
        return JSONResponse({"data": entries})

    async def events(request: Request):
        body = await _json(request)
        event, account = body.get("event"), body.get("account_id")
        if event not in EVENTS:
            return _error(422, "event", "The selected event is invalid (see GET /api/webhooks/events).")
        if not isinstance(account, str) or not account:
            return _error(422, "account_id", "The account id field is required.")
        payload = body.get("payload")
        if payload is None:
            payload = example_payload(ofapi.store, event, account)
        tenant = ofapi.store.tenants.of(body["api_key"]).slug if isinstance(body.get("api_key"), str) else None
        queued = ofapi.store.emit(event, account, payload, tenant)
        return JSONResponse({"event": event, "deliveries_queued": queued}, 202)

    return [
        ("/_mock/info", info, ["GET"]),
        ("/_mock/reset", reset, ["POST"]),
        ("/_mock/journal", journal, ["GET"]),
        ("/_mock/events", events, ["POST"]),
    ]

"""Data exports: a time-driven state machine (finishes within seconds by default).

    calculating_credits -> calculating_credits_completed --start--> pending -> in_progress
        -> completed (download URL) | failed          cancel: pending | in_progress -> cancelled
    retry: failed -> a new export with the same parameters, started
An export of an account the team has not connected fails, so both endings can be tried.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ..errors import ApiError
from .accounts import connected_accounts
from .actions import Answer, action, body_of, not_found
from .ids import new_id

KIND = "data_export"
RUNNING = ("pending", "in_progress")
FINAL = ("completed", "failed", "cancelled")


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).replace(microsecond=0).isoformat() if ts else None


def advance(store, doc: dict, tenant: str) -> dict:
    """Bring an export up to date with the clock; the webhook events of each change are queued
    in `doc["_events"]` for whoever saves it (`_save`), so two workers never send one twice."""
    now, seconds = store.clock(), store.settings.export_seconds
    if doc["status"] == "calculating_credits" and now - doc["_created"] >= seconds / 4:
        doc["status"] = "calculating_credits_completed"
        if doc.get("_auto_start"):
            doc |= {"status": "pending", "_started": now}
    if doc["status"] == "pending" and now - doc["_started"] >= seconds / 8:
        doc["status"] = "in_progress"
        doc.setdefault("_events", []).append("data_exports.in_progress")
    if doc["status"] == "in_progress":
        done = min(1.0, (now - doc["_started"]) / seconds)
        doc["progress_percentage"] = int(done * 100)
        doc["rows_processed"] = int(doc["total_rows"] * done)
        if done >= 1.0:
            if doc["_fails"]:
                doc |= {"status": "failed", "failed_at": _iso(now), "failed_reason": "An account is not connected."}
                doc.setdefault("_events", []).append("data_exports.failed")
            else:
                doc |= {
                    "status": "completed",
                    "completed_at": _iso(now),
                    "download_url": f"https://cdn.fansapi.com/exports/{doc['id']}.{doc['file_type']}",
                    "download_url_expires_at": _iso(now + 300),
                }
                doc.setdefault("_events", []).append("data_exports.completed")
    return doc


def _summary(doc: dict) -> dict:
    return {k: doc.get(k) for k in ("id", "type", "status", "file_type", "download_url")}


def _get(store, req) -> dict:
    doc = store.docs.get(KIND, req.path_params["data_export_id"], req.tenant)
    if doc is None:
        raise not_found("Data export")
    return _moved_on(store, doc, req.tenant)


def _moved_on(store, doc: dict, tenant: str) -> dict:
    before = json.dumps(doc)
    saved = _save(store, advance(store, doc, tenant), tenant, before)
    return saved if saved is not None else store.docs.get(KIND, doc["id"], tenant)


def _save(store, doc: dict, tenant: str, before: str | None = None) -> dict | None:
    """Store the export; if this save moved it on (and no other worker did first), send the
    webhook events of the change."""
    events = doc.pop("_events", [])
    if before is None:
        store.docs.put(KIND, doc, tenant)
    elif not store.docs.replace(KIND, doc, before):
        return None  # another worker moved it on first
    for event in events:
        store.emit(event, doc["_account"], _summary(doc), tenant)
    return doc


def tick(store) -> None:
    """Move every unfinished export on (the webhook dispatcher calls this periodically)."""
    for tenant, doc in store.docs.all_tenants(KIND):
        if doc["status"] not in FINAL:
            _moved_on(store, doc, tenant)


def _new(store, req, params: dict, original: str | None = None) -> dict:
    connected = {a["id"] for a in connected_accounts(store, req.tenant)}
    accounts = list(params.get("account_ids") or [])
    now = store.clock()
    rows = 100 + 37 * max(1, len(accounts))
    return {
        "id": new_id(),
        "type": params["type"],
        "file_type": params["file_type"],
        "status": "calculating_credits",
        "start_date": params["start_date"],
        "end_date": params["end_date"],
        "created_at": _iso(now),
        "accounts": [{"id": a, "display_name": a} for a in accounts],
        "export_columns": params.get("export_columns") or [],
        "credit_cost": max(1, rows // 50),
        "progress_percentage": 0,
        "rows_processed": 0,
        "total_rows": rows,
        "failed_downloads": 0,
        "requires_scraping": params["type"] in ("chat_messages", "media_vault"),
        "credit_calculation_note": "1 credit per 50 rows.",
        "original_id": original,
        "_params": params,
        "_created": now,
        "_started": None,
        "_auto_start": bool(params.get("auto_start")),
        "_fails": any(a not in connected for a in accounts),
        "_account": accounts[0] if accounts else None,
    }


@action("exports.create")
def create(store, req) -> Answer:
    return Answer(_save(store, _new(store, req, body_of(req)), req.tenant))


@action("exports.get")
def get(store, req) -> Answer:
    return Answer(_get(store, req))


@action("exports.list")
def list_exports(store, req) -> Answer:
    docs = [_moved_on(store, d, req.tenant) for d in store.docs.list(KIND, req.tenant)]
    if req.query.get("status"):
        docs = [d for d in docs if d["status"] == req.query["status"]]
    page, per_page = int(req.query.get("page") or 1), int(req.query.get("per_page") or 15)
    last = max(1, -(-len(docs) // per_page))
    chunk = docs[(page - 1) * per_page : page * per_page]
    meta = {"current_page": page, "last_page": last, "per_page": per_page, "total": len(docs)}
    return Answer({"data": chunk, "meta": meta}, ("page", page + 1) if page < last else None)


@action("exports.start")
def start(store, req) -> Answer:
    doc = _get(store, req)
    if doc["status"] != "calculating_credits_completed":
        raise ApiError(409, f"An export can start once its credits are calculated; this one is {doc['status']}.")
    if store.balance(req.api_key) < doc["credit_cost"]:
        raise ApiError(402, f"Insufficient credits: this export costs {doc['credit_cost']}.")
    doc |= {"status": "pending", "_started": store.clock()}
    _save(store, doc, req.tenant)
    return Answer({"id": doc["id"], "status": doc["status"], "message": "Export started."}, cost=doc["credit_cost"])


@action("exports.cancel")
def cancel(store, req) -> Answer:
    doc = _get(store, req)
    if doc["status"] not in RUNNING:
        raise ApiError(409, f"Only a pending or running export can be cancelled; this one is {doc['status']}.")
    doc["status"] = "cancelled"
    doc.setdefault("_events", []).append("data_exports.cancelled")
    _save(store, doc, req.tenant)
    return Answer({"id": doc["id"], "status": "cancelled", "message": "Export cancelled."})


@action("exports.retry")
def retry(store, req) -> Answer:
    doc = _get(store, req)
    if doc["status"] != "failed":
        raise ApiError(409, f"Only a failed export can be retried; this one is {doc['status']}.")
    again = _new(store, req, {**doc["_params"], "auto_start": True}, original=doc["id"])
    _save(store, again, req.tenant)
    return Answer(
        {
            "id": again["id"],
            "original_id": doc["id"],
            "type": again["type"],
            "status": again["status"],
            "message": "A new export was created from the failed one and will start.",
        }
    )

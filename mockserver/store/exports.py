"""Data exports: a time-driven state machine (finishes within seconds by default).

    calculating_credits -> calculating_credits_completed --start--> pending -> in_progress
        -> completed (download URL) | failed          cancel: pending | in_progress -> cancelled
    retry: failed -> a new export with the same parameters, started
An export of an account the team has not connected fails, so both endings can be tried.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..errors import ApiError
from ..lenient import ensure, rule, stand_in
from .actions import Answer, action, body_of, not_found, page
from .ids import new_id
from .timers import handler as timer_handler

KIND = "data_export"
RUNNING = ("pending", "in_progress")
FINAL = ("completed", "failed", "cancelled")


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).replace(microsecond=0).isoformat() if ts else None


def advance(store, doc: dict, tenant: str) -> dict:
    """Bring an export up to date with the clock; the webhook events of each change are queued
    in `doc["_events"]` for `_moved_on`, which queues them in the same transaction as the move."""
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
    doc = _moved_on(store, req.tenant, req.path_params["data_export_id"])
    if doc is None:
        raise not_found("Data export")
    return doc


def next_change(doc: dict, seconds: float) -> float | None:
    """When the export will next change state by itself (None: it will not)."""
    if doc["status"] == "calculating_credits":
        return doc["_created"] + seconds / 4
    if doc["status"] == "pending":
        return doc["_started"] + seconds / 8
    if doc["status"] == "in_progress":
        return doc["_started"] + seconds
    return None


def _moved_on(store, tenant: str, ident, change=None) -> dict | None:
    """Bring the export up to date (and apply `change`, an action's move) in one transaction with
    the webhook events the moves raise and the timer of its next move: two workers never move it
    twice, and an idle export costs nothing until its timer is due."""

    def step(doc: dict) -> None:
        advance(store, doc, tenant)
        if change is not None:
            change(doc)
        for event in doc.pop("_events", []):
            store.emit(event, doc["_account"], _summary(doc), tenant)
        due = next_change(doc, store.settings.export_seconds)
        if due is None:
            store.timers.clear(tenant, KIND, doc["id"])
        else:
            store.timers.set(tenant, KIND, doc["id"], due)

    ensure(store, KIND, ident, tenant)
    with store.db.tx():
        changed = store.docs.change(KIND, ident, tenant, step)
    return changed[0] if changed else None


@timer_handler(KIND)
def on_timer(store, tenant: str, ident: str) -> None:
    _moved_on(store, tenant, ident)


def _create(store, tenant: str, doc: dict) -> dict:
    with store.db.tx():
        store.docs.insert(KIND, doc, tenant)
        store.timers.set(tenant, KIND, doc["id"], next_change(doc, store.settings.export_seconds))
    return doc


def _new(store, tenant: str, params: dict, original: str | None = None, ident: str | None = None) -> dict:
    accounts = [str(a) for a in params.get("account_ids") or []]
    now = store.clock()
    rows = 100 + 37 * max(1, len(accounts))
    return {
        "id": ident or new_id("data_export_"),
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
        "_fails": not all(store.accounts.usable(tenant, a) for a in accounts),
        "_account": accounts[0] if accounts else None,
    }


@action("exports.create")
def create(store, req) -> Answer:
    return Answer(_create(store, req.tenant, _new(store, req.tenant, body_of(req))))


@stand_in(KIND)
def _stand_in(store, ident: str, tenant: str) -> dict:
    day = store.world.now.date().isoformat()
    params = {"type": "transactions", "file_type": "csv", "start_date": day, "end_date": day, "account_ids": []}
    return _new(store, tenant, params, ident=ident)


@action("exports.get")
def get(store, req) -> Answer:
    return Answer(_get(store, req))


@action("exports.list")
def list_exports(store, req) -> Answer:
    docs = store.docs.list(KIND, req.tenant)
    now, seconds = store.clock(), store.settings.export_seconds
    docs = [
        _moved_on(store, req.tenant, d["id"]) or d if (next_change(d, seconds) or now + 1) <= now else d for d in docs
    ]
    if req.query.get("status"):
        docs = [d for d in docs if d["status"] == req.query["status"]]
    shown = page(req, docs)
    meta = {name: shown.fields[name] for name in ("current_page", "last_page", "per_page", "total")}
    return Answer({"data": shown.items, "meta": meta}, shown.next)


def _move(store, req, check, change) -> dict:
    """An action's move: checked and applied on the up-to-date export, in one transaction."""

    def apply(doc: dict) -> None:
        check(doc)
        change(doc)

    doc = _moved_on(store, req.tenant, req.path_params["data_export_id"], apply)
    if doc is None:
        raise not_found("Data export")
    return doc


@action("exports.start")
def start(store, req) -> Answer:
    """Start a calculated export; its credits are taken in the same transaction (402 if short)."""

    def check(doc: dict) -> None:
        calculated = doc["status"] == "calculating_credits_completed"
        message = f"An export can start once its credits are calculated; this one is {doc['status']}."
        rule(store, calculated, ApiError(409, message))
        with store.db.tx() as db:  # joins the export's transaction
            if store.balances.reserve(db, req.tenant, doc["credit_cost"], (req.op.path.lstrip("/"), "")) is None:
                raise ApiError(402, f"Insufficient credits: this export costs {doc['credit_cost']}.")

    def change(doc: dict) -> None:
        doc |= {"status": "pending", "_started": store.clock()}

    doc = _move(store, req, check, change)
    answer = {"id": doc["id"], "status": doc["status"], "message": "Export started."}
    return Answer(answer, cost=doc["credit_cost"], paid=True)


@action("exports.cancel")
def cancel(store, req) -> Answer:
    def check(doc: dict) -> None:
        message = f"Only a pending or running export can be cancelled; this one is {doc['status']}."
        rule(store, doc["status"] in RUNNING, ApiError(409, message))

    def change(doc: dict) -> None:
        doc["status"] = "cancelled"
        doc.setdefault("_events", []).append("data_exports.cancelled")

    doc = _move(store, req, check, change)
    return Answer({"id": doc["id"], "status": "cancelled", "message": "Export cancelled."})


@action("exports.retry")
def retry(store, req) -> Answer:
    doc = _get(store, req)
    message = f"Only a failed export can be retried; this one is {doc['status']}."
    rule(store, doc["status"] == "failed", ApiError(409, message))
    params = {**doc["_params"], "auto_start": True}
    again = _create(store, req.tenant, _new(store, req.tenant, params, original=doc["id"]))
    return Answer(
        {
            "id": again["id"],
            "original_id": doc["id"],
            "type": again["type"],
            "status": again["status"],
            "message": "A new export was created from the failed one and will start.",
        }
    )

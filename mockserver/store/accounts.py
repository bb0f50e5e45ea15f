"""Connected accounts and the flow that connects them, API-key identity, client sessions and
upload status: OFAPI rows only (the real OnlyFans login runs in OFAPI's queued job).

The connect flow is a state machine driven by polling, and by the credentials in
`fixtures/world.yaml`: each poll moves an attempt one step.

    pending --poll--> otp_required --PUT code--> pending --poll--> authenticated
       |                      `--PUT wrong code--> failed
       `--poll--> authenticated (no 2FA)  |  failed (wrong password)
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from ..errors import ApiError, InvalidInput
from .actions import Answer, action, body_of, not_found
from .ids import new_id

ATTEMPT, ACCOUNT, UPLOAD = "auth_attempt", "account", "upload"
SESSION_LIFETIME = timedelta(minutes=30)
UPLOAD_STEPS = ("pending", "processing", "completed")


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).replace(microsecond=0).isoformat()


def connected_accounts(store, tenant: str) -> list[dict]:
    """Fixture accounts (every team has them) and the team's own, less the disconnected ones."""
    rows = store.world.connected + store.docs.list(ACCOUNT, tenant)
    return [a for a in rows if not store.is_disconnected(tenant, a["id"])]


@action("accounts.list")
def list_accounts(store, req) -> Answer:
    accounts = connected_accounts(store, req.tenant)
    for field in ("onlyfans_email", "onlyfans_username", "onlyfans_id"):
        if req.query.get(field) is not None:
            accounts = [a for a in accounts if str(a[field]) == str(req.query[field])]
    return Answer(accounts)


@action("accounts.disconnect")
def disconnect(store, req) -> Answer:
    account = req.path_params["id"]
    if not any(a["id"] == account for a in connected_accounts(store, req.tenant)):
        raise not_found("Account")
    with store.db.tx() as db:
        db.execute("INSERT OR IGNORE INTO disconnected (tenant, account) VALUES (?, ?)", (req.tenant, account))
    store.emit("accounts.disconnected", account, {"state": "disconnected"}, req.tenant)
    return Answer({"success": True, "message": "Account disconnected."})


@action("whoami.get")
def whoami(store, req) -> Answer:
    team = store.tenants.of(req.api_key)
    now = _iso(store.clock())
    return Answer(
        {
            "api_key": {"name": team.key_name, "created_at": "2026-01-01T00:00:00+00:00", "last_used_at": now},
            "team": {"name": team.name, "slug": team.slug},
        }
    )


@action("client_sessions.create")
def client_session(store, req) -> Answer:
    body = body_of(req)
    expires = _iso(store.clock() + SESSION_LIFETIME.total_seconds())
    return Answer(
        {
            "token": f"ofapi_cs_{secrets.token_hex(20)}",
            "display_name": body.get("display_name"),
            "client_reference_id": body.get("client_reference_id"),
            "expires_at": expires,
        }
    )


@action("uploads.status")
def upload_status(store, req) -> Answer:
    """An upload moves pending -> processing -> completed, one step per poll."""
    ident = str(req.path_params["upload"])
    doc = store.docs.get(UPLOAD, ident, req.tenant) or {"id": ident, "polls": 0}
    status = UPLOAD_STEPS[min(doc["polls"], len(UPLOAD_STEPS) - 1)]
    doc["polls"] += 1
    store.docs.put(UPLOAD, doc, req.tenant)
    answer = {"prefixed_id": ident, "status": status}
    if status == "completed":
        answer |= {"credits_used": 1, "media": {"prefixed_id": ident}}
    return Answer(answer)


# -- the connect flow -------------------------------------------------------------------------
def _login(store, email: str, password: str) -> dict | None:
    auth = store.world.fixtures.get("auth", {})
    return next((x for x in auth.get("logins", ()) if x["email"] == email and x["password"] == password), None)


def _account_for(email: str, name: str) -> dict:
    digest = hashlib.md5(email.encode()).hexdigest()  # noqa: S324 - an id, not a secret
    username = email.split("@")[0].replace(".", "_")
    return {
        "id": f"acct_{digest}",
        "display_name": name or email,
        "onlyfans_id": int(digest[:7], 16),
        "onlyfans_username": username,
        "onlyfans_email": email,
        "is_authenticated": True,
        "authentication_progress": "completed",
        "username": username,
        "name": name or username,
        "email": email,
    }


def _attempt(store, req) -> dict:
    doc = store.docs.get(ATTEMPT, req.path_params["attempt_id"], req.tenant)
    if doc is None:
        raise not_found("Authentication attempt")
    return doc


def _polling_url(req, attempt_id: str) -> str:
    base = f"{req.url.scheme}://{req.url.netloc}" if req.url is not None else ""
    return f"{base}/api/authenticate/{attempt_id}"


@action("auth.start")
def start(store, req) -> Answer:
    body = body_of(req)
    email = str(body.get("email") or body.get("auth_id") or "")
    login = (
        _login(store, email, str(body.get("password") or ""))
        if body.get("auth_type", "email_password") == "email_password"
        else {"needs_otp": False}
    )
    doc = {
        "id": new_id("att_"),
        "email": email,
        "name": body.get("name") or email,
        "state": "pending",
        "progress": "started",
        "outcome": "ok" if login else "wrong_password",
        "needs_otp": bool(login and login["needs_otp"]),
        "started_at": _iso(store.clock()),
        "completed_at": None,
        "error_code": None,
        "error_message": None,
    }
    store.docs.put(ATTEMPT, doc, req.tenant)
    answer = {
        "attempt_id": doc["id"],
        "message": "Authentication started.",
        "polling_url": _polling_url(req, doc["id"]),
    }
    if body.get("auth_type") == "mobile_app":
        answer["mobile_auth_session_deeplink"] = f"onlyfans://auth/{doc['id']}"
    return Answer(answer)


def _advance(store, doc: dict, tenant: str) -> None:
    """One step of the queued login job."""
    if doc["state"] != "pending":
        return
    now = _iso(store.clock())
    if doc["outcome"] == "wrong_password":
        doc |= {
            "state": "failed",
            "progress": "failed",
            "completed_at": now,
            "error_code": "wrong_credentials",
            "error_message": "The email or password is incorrect.",
        }
        store.emit("accounts.authentication_failed", None, _payload(doc), tenant)
    elif doc["needs_otp"]:
        doc |= {"state": "otp_required", "progress": "waiting_for_otp"}
        store.emit("accounts.otp_code_required", None, _payload(doc), tenant)
    else:
        account = doc.get("account_id") and next(
            (a for a in connected_accounts(store, tenant) if a["id"] == doc["account_id"]), None
        )
        account = account or store.docs.put(ACCOUNT, _account_for(doc["email"], doc["name"]), tenant)
        with store.db.tx() as db:
            db.execute("DELETE FROM disconnected WHERE tenant = ? AND account = ?", (tenant, account["id"]))
        doc |= {"state": "authenticated", "progress": "completed", "completed_at": now, "account_id": account["id"]}
        event = "accounts.reconnected" if doc.get("reconnect") else "accounts.connected"
        store.emit(event, account["id"], {**_payload(doc), "client_reference_id": None}, tenant)


def _payload(doc: dict) -> dict:
    return {"state": doc["state"], "progress": doc["progress"], "latestAuthAttempt": _last_attempt(doc)}


def _last_attempt(doc: dict) -> dict:
    return {
        "started_at": doc["started_at"],
        "completed_at": doc["completed_at"],
        "success": doc["state"] == "authenticated",
        "error_code": doc["error_code"],
        "error_message": doc["error_message"],
        "needs_otp": doc["state"] == "otp_required",
        "otp_phone_ending": "42" if doc["needs_otp"] else None,
    }


@action("auth.poll")
def poll(store, req) -> Answer:
    doc = _attempt(store, req)
    _advance(store, doc, req.tenant)
    store.docs.put(ATTEMPT, doc, req.tenant)
    answer = {"state": doc["state"], "progress": doc["progress"], "lastAttempt": _last_attempt(doc)}
    if doc.get("account_id"):
        account = next((a for a in connected_accounts(store, req.tenant) if a["id"] == doc["account_id"]), None)
        if account:
            answer["account"] = {
                "id": account["id"],
                "display_name": account["display_name"],
                "onlyfans_data": {"id": account["onlyfans_id"], "username": account["onlyfans_username"]},
            }
    return Answer(answer)


@action("auth.submit")
def submit(store, req) -> Answer:
    doc = _attempt(store, req)
    if doc["state"] != "otp_required":
        raise ApiError(409, f"This attempt is {doc['state']}; it is not waiting for a code.")
    body = body_of(req)
    code = str(body.get("code") or "")
    if code == str(store.world.fixtures.get("auth", {}).get("otp_code")) or body.get("selfie_verification_completed"):
        doc |= {"state": "pending", "progress": "started", "needs_otp": False}
        message = "OTP submitted successfully"
    else:
        doc |= {
            "state": "failed",
            "progress": "failed",
            "completed_at": _iso(store.clock()),
            "error_code": "invalid_otp",
            "error_message": "The code is incorrect.",
        }
        store.emit("accounts.authentication_failed", None, _payload(doc), req.tenant)
        message = "OTP submitted; the code was rejected"
    store.docs.put(ATTEMPT, doc, req.tenant)
    return Answer({"message": message})


@action("auth.send_email")
def send_email(store, req) -> Answer:
    doc = _attempt(store, req)
    return Answer(
        {"success": True, "message": f"We emailed {doc['email'] or 'the creator'} a link to approve the login."}
    )


@action("auth.reauthenticate")
def reauthenticate(store, req) -> Answer:
    account = req.path_params["account_id"]
    known = next((a for a in connected_accounts(store, req.tenant) if a["id"] == account), None)
    if known is None:
        raise InvalidInput({"account_id": ["The selected account id is invalid."]})
    doc = {
        "id": new_id("att_"),
        "email": known.get("onlyfans_email", ""),
        "name": known["display_name"],
        "state": "pending",
        "progress": "started",
        "outcome": "ok",
        "needs_otp": False,
        "reconnect": True,
        "account_id": account,
        "started_at": _iso(store.clock()),
        "completed_at": None,
        "error_code": None,
        "error_message": None,
    }
    store.docs.put(ATTEMPT, doc, req.tenant)
    return Answer(
        {"success": True, "message": "Re-authentication started.", "polling_url": _polling_url(req, doc["id"])}
    )

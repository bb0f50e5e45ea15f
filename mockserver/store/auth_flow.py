"""The flow that connects an OnlyFans account: OFAPI rows only (the real OnlyFans login runs in
OFAPI's queued job). A state machine driven by polling and by the credentials in
`fixtures/world.yaml`: each poll moves an attempt one step.

    pending --poll--> otp_required --PUT code--> pending --poll--> authenticated
       |                      `--PUT wrong code--> failed
       `--poll--> authenticated (no 2FA)  |  failed (wrong password)

Each step is read, changed and written in one transaction with the events it raises, so
concurrent polls move an attempt once and its events are queued once.
"""

from __future__ import annotations

import hashlib

from ..errors import ApiError, InvalidInput
from ..lenient import ensure, found, rule, stand_in
from .accounts import connected_accounts, iso
from .actions import Answer, action, body_of, not_found
from .ids import new_id

ATTEMPT = "auth_attempt"


def account_id(tenant: str, email: str) -> str:
    """The id an account connected with this login gets in this team (the same on a reconnect)."""
    return "acct_" + hashlib.sha256(f"{tenant}|{email.lower()}".encode()).hexdigest()[:32]


def _login(store, email: str, password: str) -> dict | None:
    auth = store.fixtures.get("auth", {})
    return next((x for x in auth.get("logins", ()) if x["email"] == email and x["password"] == password), None)


def _profile(email: str, name: str) -> dict:
    """The OnlyFans profile of a login: username from the address, display name as given."""
    username = email.split("@")[0].replace(".", "_").lower() or "creator"
    return {"username": username, "name": name or username, "display_name": name or username, "email": email}


def new_attempt(store, email: str, name: str, **extra) -> dict:
    """A connect attempt, as the poll (`auth.poll`) then drives it."""
    return {
        "id": new_id("att_"),
        "email": email,
        "name": name,
        "state": "pending",
        "progress": "started",
        "outcome": "ok",
        "needs_otp": False,
        "started_at": iso(store.clock()),
        "completed_at": None,
        "error_code": None,
        "error_message": None,
        **extra,
    }


def polling_url(req, attempt_id: str) -> str:
    return f"{req.base_url}/api/authenticate/{attempt_id}"


@stand_in(ATTEMPT)
def _stand_in(store, ident: str, tenant: str) -> dict:
    login = next(iter(store.fixtures.get("auth", {}).get("logins", ())), {"email": "creator@example.com"})
    return new_attempt(store, login["email"], "Creator", id=ident, needs_otp=bool(login.get("needs_otp")))


@action("auth.start")
def start(store, req) -> Answer:
    body = body_of(req)
    email = str(body.get("email") or body.get("auth_id") or "")
    login = (
        _login(store, email, str(body.get("password") or ""))
        if body.get("auth_type", "email_password") == "email_password"
        else {"needs_otp": False}
    )
    doc = new_attempt(
        store,
        email,
        str(body.get("name") or email),
        outcome="ok" if login else "wrong_password",
        needs_otp=bool(login and login["needs_otp"]),
    )
    store.docs.insert(ATTEMPT, doc, req.tenant)
    answer = {
        "attempt_id": doc["id"],
        "message": "Authentication started.",
        "polling_url": polling_url(req, doc["id"]),
    }
    if body.get("auth_type") == "mobile_app":
        answer["mobile_auth_session_deeplink"] = f"onlyfans://auth/{doc['id']}"
    return Answer(answer)


def _advance(store, doc: dict, tenant: str) -> None:
    """One step of the queued login job (inside the attempt's transaction)."""
    if doc["state"] != "pending":
        return
    now = iso(store.clock())
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
        account = doc.get("account_id") or account_id(tenant, doc["email"])
        if not doc.get("reconnect"):
            store.accounts.connect(tenant, account, "auth", _profile(doc["email"], doc["name"]))
        else:
            store.accounts.connect(tenant, account, "auth")
        doc |= {"state": "authenticated", "progress": "completed", "completed_at": now, "account_id": account}
        event = "accounts.reconnected" if doc.get("reconnect") else "accounts.connected"
        store.emit(event, account, {**_payload(doc), "client_reference_id": None}, tenant)


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


def _change(store, req, fn):
    ensure(store, ATTEMPT, req.path_params["attempt_id"], req.tenant)
    with store.db.tx():  # the step, its account and its events commit together
        changed = store.docs.change(ATTEMPT, req.path_params["attempt_id"], req.tenant, fn)
    if changed is None:
        raise not_found("Authentication attempt")
    return changed


@action("auth.poll")
def poll(store, req) -> Answer:
    doc, _ = _change(store, req, lambda doc: _advance(store, doc, req.tenant))
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
    body = body_of(req)
    code = str(body.get("code") or "")
    expected = str(store.fixtures.get("auth", {}).get("otp_code"))

    def step(doc: dict) -> str:
        waiting = doc["state"] == "otp_required"
        rule(store, waiting, ApiError(409, f"This attempt is {doc['state']}; it is not waiting for a code."))
        if code == expected or body.get("selfie_verification_completed"):
            doc |= {"state": "pending", "progress": "started", "needs_otp": False}
            return "OTP submitted successfully"
        doc |= {
            "state": "failed",
            "progress": "failed",
            "completed_at": iso(store.clock()),
            "error_code": "invalid_otp",
            "error_message": "The code is incorrect.",
        }
        store.emit("accounts.authentication_failed", None, _payload(doc), req.tenant)
        return "OTP submitted; the code was rejected"

    _, message = _change(store, req, step)
    return Answer({"message": message})


@action("auth.send_email")
def send_email(store, req) -> Answer:
    doc = found(store, ATTEMPT, req.path_params["attempt_id"], req.tenant)
    if doc is None:
        raise not_found("Authentication attempt")
    return Answer(
        {"success": True, "message": f"We emailed {doc['email'] or 'the creator'} a link to approve the login."}
    )


@action("auth.reauthenticate")
def reauthenticate(store, req) -> Answer:
    account = req.path_params["account_id"]
    known = next((a for a in connected_accounts(store, req.tenant) if a["id"] == account), None)
    rule(store, known is not None, InvalidInput({"account_id": ["The selected account id is invalid."]}))
    known = known or store.world.listing(account)
    doc = new_attempt(store, known.get("onlyfans_email", ""), known["display_name"], reconnect=True, account_id=account)
    store.docs.insert(ATTEMPT, doc, req.tenant)
    return Answer(
        {
            "success": True,
            "message": "Re-authentication started.",
            "polling_url": polling_url(req, doc["id"]),
        }
    )

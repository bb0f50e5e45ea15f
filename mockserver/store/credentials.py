"""Replacing a connected account's login (`PUT /api/authenticate/{account_id}/credentials`):
OFAPI keeps the new credentials (never shown again) and starts a re-authentication at once,
as an attempt the connect flow's poll (`GET /api/authenticate/{attempt_id}`) then drives.

The attempt follows the fixtures' credentials like a first connection: the fixture login with
its password connects (asking for the 2FA code when it has one), anything else fails."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from ..errors import InvalidInput
from .accounts import connected_accounts
from .actions import Answer, action, body_of
from .auth_flow import ATTEMPT, new_attempt, polling_url

KIND = "credentials"
REQUIRED = {
    "email_password": ("email", "password"),
    "raw_data": ("auth_id", "cookies", "xbc", "user_agent"),
    "mobile_app": (),
}
MESSAGE = "Authentication credentials updated. Re-authentication started. Query the polling_url to check the progress."


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).replace(microsecond=0).isoformat()


def _digest(value) -> str:
    return hashlib.sha256(str(value).encode()).hexdigest()


def _login(store, email: str, password: str) -> dict | None:
    logins = store.world.fixtures.get("auth", {}).get("logins", ())
    return next((x for x in logins if x["email"] == email and x["password"] == password), None)


@action("credentials.update")
def update(store, req) -> Answer:
    account_id = req.path_params["account_id"]
    account = next((a for a in connected_accounts(store, req.tenant) if a["id"] == account_id), None)
    body = body_of(req)
    auth_type = body.get("auth_type") or "email_password"
    errors = {
        field: [f"The {field.replace('_', ' ')} field is required when auth type is {auth_type}."]
        for field in REQUIRED[auth_type]
        if not str(body.get(field) or "").strip()
    }
    if account is None:
        errors = {"account_id": ["The selected account id is invalid."], **errors}
    if errors:
        raise InvalidInput(errors)
    login = _login(store, str(body.get("email")), str(body.get("password"))) if auth_type == "email_password" else None
    store.docs.save(
        KIND,
        {
            "id": account_id,
            "auth_type": auth_type,
            "secrets": {f: _digest(body[f]) for f in REQUIRED[auth_type]},  # kept, never shown again
            "updated_at": _iso(store.clock()),
        },
        req.tenant,
    )
    attempt = new_attempt(
        store,
        body.get("email") or account.get("onlyfans_email", ""),
        account["display_name"],
        outcome="ok" if auth_type != "email_password" or login else "wrong_password",
        needs_otp=bool(login and login["needs_otp"]),
        reconnect=True,
        account_id=account_id,
    )
    store.docs.insert(ATTEMPT, attempt, req.tenant)
    answer = {"attempt_id": attempt["id"], "message": MESSAGE, "polling_url": polling_url(req, attempt["id"])}
    if auth_type == "mobile_app":
        answer["mobile_auth_session_deeplink"] = f"fansapiauth://auth/{attempt['id']}"
    return Answer(answer)

"""The OnlyFans accounts each team uses: the fixtures' accounts (every team has them), accounts
connected through the auth flow, and, unless the server is strict, any account id a team uses,
connected to that team from its first use. A disconnected account answers 404 everywhere.

Also here: the rows OFAPI keeps about the key itself (whoami), client sessions and upload status.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta

from ..errors import ApiError
from ..lenient import rule
from ..lru import ByteLRU
from ..onlyfans.values import ofapi_time
from .actions import Answer, action, body_of, not_found

SESSION_LIFETIME = timedelta(minutes=30)
UPLOAD = "upload"
UPLOAD_STEPS = ("pending", "processing", "completed")


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).replace(microsecond=0).isoformat()


class Accounts:
    def __init__(self, store, fixtures: dict):
        self.store = store
        self.fixture_ids = tuple(a["id"] for a in fixtures.get("accounts", ()))
        self._memo = ByteLRU(4 * 1024 * 1024)  # (team, account) known to be usable; emptied by a disconnect
        self._epoch: int | None = None

    def sync(self, epoch: int) -> bool:
        """Empty the memo when the epoch moved on (a disconnect, a team's reset); True then."""
        if epoch != self._epoch:
            self._epoch = epoch
            self._memo.clear()
            return True
        return False

    def require(self, tenant: str, account: str) -> None:
        """The account may be used by the team: raises OFAPI's 404 when it is disconnected, or
        unknown on a strict server; otherwise a first use connects it."""
        if self._memo.get((tenant, account)):
            return
        rows = self.store.db.rows("SELECT connected FROM accounts WHERE tenant = ? AND account = ?", (tenant, account))
        if rows and not rows[0][0]:
            raise ApiError(404, f"Account {account} is not connected.")
        if not rows and account not in self.fixture_ids:
            if self.store.settings.strict_accounts:
                raise ApiError(404, f"Account {account} is not connected to this team.")
            self.connect(tenant, account, "first_use")
        self._memo.put((tenant, account), True, len(tenant) + len(account) + 96)

    def usable(self, tenant: str, account: str) -> bool:
        try:
            self.require(tenant, account)
        except ApiError:
            return False
        return True

    def connect(self, tenant: str, account: str, origin: str, profile: dict | None = None) -> None:
        with self.store.db.tx() as db:
            db.execute(
                "INSERT INTO accounts (tenant, account, origin, connected, body, created) VALUES (?, ?, ?, 1, ?, ?) "
                "ON CONFLICT (tenant, account) DO UPDATE SET connected = 1, "
                "body = COALESCE(excluded.body, accounts.body)",
                (tenant, account, origin, json.dumps(profile) if profile else None, self.store.clock()),
            )

    def disconnect(self, tenant: str, account: str) -> bool:
        if account not in self.ids(tenant):
            return False
        with self.store.db.tx() as db:
            db.execute(
                "INSERT INTO accounts (tenant, account, origin, connected, created) VALUES (?, ?, 'fixture', 0, ?) "
                "ON CONFLICT (tenant, account) DO UPDATE SET connected = 0",
                (tenant, account, self.store.clock()),
            )
            self.store.bump(db, "accounts_epoch")
        self.store.settled()
        return True

    def ids(self, tenant: str) -> list[str]:
        """The team's connected accounts, fixtures first, then in the order they were connected."""
        rows = self.store.db.rows(
            "SELECT account, connected FROM accounts WHERE tenant = ? ORDER BY created, account", (tenant,)
        )
        off = {r[0] for r in rows if not r[1]}
        own = [r[0] for r in rows if r[1] and r[0] not in self.fixture_ids]
        return [a for a in self.fixture_ids if a not in off] + own

    def profile(self, account: str) -> dict | None:
        """The login an account was connected with through the auth flow (any team's)."""
        rows = self.store.db.rows(
            "SELECT body FROM accounts WHERE account = ? AND body IS NOT NULL ORDER BY created LIMIT 1", (account,)
        )
        return json.loads(rows[0][0]) if rows else None


def connected_accounts(store, tenant: str) -> list[dict]:
    """The team's connected accounts as OFAPI lists them."""
    return [store.world.listing(account) for account in store.accounts.ids(tenant)]


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
    rule(store, store.accounts.disconnect(req.tenant, account), not_found("Account"))
    store.emit("accounts.disconnected", account, {"state": "disconnected"}, req.tenant)
    return Answer({"success": True, "message": "Account disconnected."})


@action("whoami.get")
def whoami(store, req) -> Answer:
    team = store.tenants.of(req.api_key)
    return Answer(
        {
            "api_key": {
                "name": team.key_name,
                "created_at": "2026-01-01T00:00:00.000000Z",  # as the spec writes OFAPI's moments
                "last_used_at": ofapi_time(datetime.fromtimestamp(store.clock(), UTC)),
            },
            "team": {"name": team.name, "slug": team.slug},
        }
    )


@action("client_sessions.create")
def client_session(store, req) -> Answer:
    body = body_of(req)
    return Answer(
        {
            "token": f"ofapi_cs_{secrets.token_hex(20)}",
            "display_name": body.get("display_name"),
            "client_reference_id": body.get("client_reference_id"),
            "expires_at": iso(store.clock() + SESSION_LIFETIME.total_seconds()),
        }
    )


@action("uploads.status")
def upload_status(store, req) -> Answer:
    """An upload of the team moves pending -> processing -> completed, one step per poll."""
    ident = str(req.path_params["upload"])
    if store.docs.get(UPLOAD, ident, req.tenant) is None:
        store.docs.save(UPLOAD, {"id": ident, "polls": 0}, req.tenant)

    def poll(doc: dict) -> str:
        doc["polls"] += 1
        return UPLOAD_STEPS[min(doc["polls"] - 1, len(UPLOAD_STEPS) - 1)]

    _, status = store.docs.change(UPLOAD, ident, req.tenant, poll)
    answer = {"prefixed_id": ident, "status": status}
    if status == "completed":
        answer |= {"credits_used": 1, "media": {"prefixed_id": ident}}
    return Answer(answer)

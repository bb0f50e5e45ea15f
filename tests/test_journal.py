"""Every /api request is journaled, rejected or not (the newcomer issue: 401s were missing):
a team sees its own, the admin (with `--admin-token`) sees those no team could be named for."""

from __future__ import annotations

from mockserver.app import create_app
from mockserver.settings import Settings

ADMIN = {"Authorization": "Bearer the-admin"}
TEAM = {"Authorization": "Bearer journal-team"}


def test_rejected_requests_are_journaled():
    with create_app(Settings(admin_token="the-admin")).test_client() as client:
        assert client.get("/api/whoami").status_code == 401  # no key: no team
        assert client.get("/api/no/such/path", headers=TEAM).status_code == 404
        assert client.post("/api/smart-links", headers=TEAM, json={"type": 1}).status_code == 422
        mine = client.get("/_mock/journal", params={"kind": "request"}, headers=TEAM).json()["data"]
        every = client.get("/_mock/journal", params={"kind": "request"}, headers=ADMIN).json()["data"]
    assert {(e["path"], e["status"]) for e in mine} >= {("/api/no/such/path", 404), ("/api/smart-links", 422)}
    assert ("/api/whoami", 401) not in {(e["path"], e["status"]) for e in mine}  # not the team's
    assert ("/api/whoami", 401) in {(e["path"], e["status"]) for e in every}

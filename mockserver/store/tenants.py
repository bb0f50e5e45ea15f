"""API keys and the teams they belong to. OFAPI's own resources (smart links, webhooks,
exports, tags …) belong to a team: another team's key neither lists nor reads them.

The fixtures name a few keys so docs and tests can show two tenants; any other non-empty key
is a team of its own, named by the full SHA-256 digest of the key (so no two keys share one)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Team:
    slug: str
    name: str
    key_name: str


class Tenants:
    def __init__(self, fixtures: dict):
        self._by_key = {
            key["key"]: Team(team["slug"], team["name"], key["name"])
            for team in fixtures.get("teams", ())
            for key in team.get("keys", ())
        }
        self.of = lru_cache(maxsize=4096)(self._of)

    def _of(self, api_key: str) -> Team:
        team = self._by_key.get(api_key)
        if team is None:
            digest = hashlib.sha256(api_key.encode()).hexdigest()
            team = Team(f"team-{digest}", f"Team {digest[:6]}", "API key")
        return team

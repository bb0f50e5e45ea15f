"""Settings of one mock server: the CLI fills them (through the environment, so every uvicorn
worker sees the same), tests build them directly. Every bound on memory, disk and time the
README promises is one of these, with its default here."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

from .spec.load import SPEC_PATH

ENV_PREFIX = "OFAPI_MOCK_"
MIB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    seed: int | None = None  # None: the fixtures' seed
    spec_path: Path = SPEC_PATH
    initial_credits: int = 10_000_000  # per team
    rate_limit_per_minute: int = 1_000_000  # per API key; high, so load tests are not throttled
    cache_ttl_seconds: float = 3600.0  # how long OFAPI keeps public answers (profiles)
    public_url: str | None = None  # base of absolute URLs (next_page, polling_url); None: the bound address
    store_path: str | None = None  # SQLite file or postgresql:// URL; None: a private temporary file
    strict_accounts: bool = False  # unknown account ids are 404 (default: connected to the team on first use)
    admin_token: str | None = None  # when set, /_mock/* needs it (Authorization: Bearer <token>)
    export_seconds: float = 2.0  # how long a data export takes to run
    webhook_backoff_seconds: float = 0.5  # first retry delay; doubles each attempt
    webhook_attempts: int = 5
    webhook_timeout_seconds: float = 5.0  # per delivery attempt
    delivery_concurrency: int = 16  # deliveries in flight per worker (one per webhook at a time)
    queue_per_webhook: int = 1000  # waiting deliveries a webhook may have; more are dropped (journaled)
    deliveries_kept: int = 100  # finished deliveries kept per webhook (its history)
    max_body_bytes: int = 16 * MIB  # larger request bodies get 413 (uploads)
    max_json_body_bytes: int = 1 * MIB  # larger JSON bodies get 413
    world_cache_bytes: int = 256 * MIB  # per worker: generated account worlds (least recently used dropped)
    render_cache_bytes: int = 64 * MIB  # per worker: rendered entities
    answer_cache_bytes: int = 32 * MIB  # per worker: encoded answers of repeated reads (ofapi/answers.py)
    media_memo_bytes: int = 16 * MIB  # per worker: CDN files known to be cached
    media_cache_rows: int = 1_000_000  # files OFAPI's CDN cache holds (oldest dropped first)
    public_cache_rows: int = 10_000  # public answers kept
    journal_rows: int = 10_000  # journal entries kept
    keep_alive_seconds: float = 5.0  # an idle connection (also one that never sends a request) is closed
    max_connections: int = 1000  # per worker; beyond it new requests get 503
    lenient: bool = False  # made-up ids and out-of-order moves accepted, OFAPI's own rules waived (`lenient.py`)
    cors: bool = True  # answer CORS preflights and add CORS headers (`cors.py`)
    latency_ms: float = 0.0  # added to every /api response (`faults.py`)
    jitter_ms: float = 0.0  # up to this much more, at random

    def to_env(self) -> dict[str, str]:
        return {
            ENV_PREFIX + f.name.upper(): str(getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) is not None
        }

    @classmethod
    def from_env(cls, environ=os.environ) -> Settings:
        convert = {"int": int, "float": float, "Path": Path, "str": str, "bool": lambda v: v == "True"}
        values = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = convert[f.type.split(" |")[0]](raw)
        return cls(**values)

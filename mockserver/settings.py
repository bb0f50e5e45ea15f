"""Settings of one mock server: the CLI fills them (through the environment, so every uvicorn
worker sees the same), tests build them directly."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

from .spec.load import SPEC_PATH

ENV_PREFIX = "OFAPI_MOCK_"


@dataclass(frozen=True)
class Settings:
    seed: int | None = None  # None: the fixtures' seed
    spec_path: Path = SPEC_PATH
    initial_credits: int = 10_000_000  # per API key
    rate_limit_per_minute: int = 1_000_000  # per API key; high, so load tests are not throttled
    cache_ttl_seconds: float = 3600.0  # how long OFAPI keeps public answers (profiles)
    public_url: str | None = None  # base of `_pagination.next_page`; None: the request's own host
    store_path: str | None = None  # SQLite file; None: in memory (one worker)
    export_seconds: float = 2.0  # how long a data export takes to run
    webhook_backoff_seconds: float = 0.5  # first retry delay; doubles each attempt
    webhook_attempts: int = 5
    max_body_bytes: int = 16 * 1024 * 1024  # larger request bodies get 413

    def to_env(self) -> dict[str, str]:
        return {
            ENV_PREFIX + f.name.upper(): str(getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) is not None
        }

    @classmethod
    def from_env(cls, environ=os.environ) -> Settings:
        convert = {"int": int, "float": float, "Path": Path, "str": str}
        values = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = convert[f.type.split(" |")[0]](raw)
        return cls(**values)

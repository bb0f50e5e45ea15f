"""Settings of one mock server: the CLI fills them, tests build them directly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .spec.load import SPEC_PATH


@dataclass(frozen=True)
class Settings:
    seed: int | None = None  # None: the fixtures' seed
    spec_path: Path = SPEC_PATH
    initial_credits: int = 10_000_000  # per API key
    rate_limit_per_minute: int = 1_000_000  # per API key; high, so load tests are not throttled
    public_url: str | None = None  # base of `_pagination.next_page`; None: the request's own host

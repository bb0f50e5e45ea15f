"""ASGI entry point for uvicorn workers: settings come from the environment the CLI set."""

from __future__ import annotations

import os

from .app import create_app
from .settings import Settings


def create():
    seed = os.environ.get("OFAPI_MOCK_SEED")
    return create_app(Settings(seed=int(seed) if seed else None))

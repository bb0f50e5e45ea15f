"""ASGI entry point for uvicorn workers: settings come from the environment the CLI set."""

from .app import create_app
from .settings import Settings


def create():
    return create_app(Settings.from_env())

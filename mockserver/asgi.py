"""ASGI entry point for uvicorn workers: settings come from the environment the CLI set."""

from .app import create_app
from .settings import Settings


def create():
    app = create_app(Settings.from_env())
    app.ofapi.freeze_world()
    return app

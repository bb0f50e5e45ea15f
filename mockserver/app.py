"""The app factory: spec -> operation table -> fake OnlyFans + store -> OFAPI -> Connexion."""

from __future__ import annotations

import logging

from connexion import AsyncApp
from connexion.middleware import MiddlewarePosition

from . import admin, compression
from .accesslog import AccessLog
from .bodylimit import BodyLimit
from .errors import HANDLERS, on_http
from .ofapi import media  # noqa: F401 - registers the media behaviours
from .ofapi.deliveries import Dispatcher
from .ofapi.handler import OperationResolver
from .ofapi.service import Ofapi
from .onlyfans.payloads import PayloadBuilder
from .onlyfans.render import Renderer
from .onlyfans.upstream import FakeOnlyFans
from .onlyfans.world import World
from .openapi_json import OpenApiJson
from .settings import Settings
from .spec.load import load_spec
from .spec.operations import build_table
from .store import exports
from .store.db import Database
from .store.store import Store


class Parts:
    """Everything one seed builds: the world, the fake OnlyFans and the store's renderer."""

    def __init__(self, spec: dict, table: dict, seed: int | None):
        self.world = World(seed)
        schemas = spec["components"]["schemas"]
        renderer = Renderer(schemas, self.world.pools, self.world.seed, self.world.now, ofapi_fields=False)
        self.upstream = FakeOnlyFans(PayloadBuilder(self.world, renderer, table, spec))
        self.store_renderer = Renderer(schemas, self.world.pools, self.world.seed, self.world.now, ofapi_fields=True)


def create_app(settings: Settings | None = None) -> AsyncApp:
    settings = settings or Settings()
    spec = load_spec(settings.spec_path)
    table = build_table(spec)

    def build(seed):
        return Parts(spec, table, seed)

    parts = build(settings.seed)
    store = Store(Database(settings.store_path), parts.store_renderer, parts.world, settings.initial_credits, settings)
    store.events = Dispatcher(
        store,
        settings.webhook_attempts,
        settings.webhook_backoff_seconds,
        on_tick=lambda: (exports.tick(store), store.flush_journal()),
    )
    ofapi = Ofapi(settings, parts.upstream, store, parts.world, spec["components"]["schemas"], rebuild=build)
    store.events.start()

    app = AsyncApp(__name__, validator_map=_validators())
    app.add_api(spec, resolver=OperationResolver(ofapi, table), validate_responses=False)
    outermost, before_swagger = MiddlewarePosition.BEFORE_EXCEPTION, MiddlewarePosition.BEFORE_SWAGGER
    app.add_middleware(AccessLog, position=outermost)
    app.add_middleware(compression.GZipMiddleware, position=outermost, **compression.OPTIONS)
    app.add_middleware(BodyLimit, position=before_swagger, max_bytes=settings.max_body_bytes)
    app.add_middleware(OpenApiJson, position=before_swagger, spec=spec, public_url=settings.public_url)
    for rule, view, methods in admin.routes(ofapi):
        app.add_url_rule(rule, view.__name__, view, methods=methods)
    for exc, handler in HANDLERS:
        app.add_error_handler(exc, handler)
    for status in (404, 405):
        app.add_error_handler(status, on_http)
    app.ofapi = ofapi  # for tests and admin tooling
    logging.getLogger("connexion").setLevel(logging.WARNING)
    # Connexion logs every query argument it does not pass on (e.g. unknown ones) as an error.
    logging.getLogger("connexion.decorators.parameter").setLevel(logging.CRITICAL)
    return app


def _validators():
    from .validation import VALIDATOR_MAP

    return VALIDATOR_MAP

"""The app factory: spec -> operation table -> store -> fake OnlyFans world -> OFAPI -> Connexion."""

from __future__ import annotations

import logging

from connexion import AsyncApp
from connexion.middleware import MiddlewarePosition

from . import admin, compression, connexion_tuning, cors
from .bodylimit import BodyLimit
from .cors import Cors
from .errors import HANDLERS, method_not_allowed, on_http, on_store_gone
from .faults import Faults
from .lenient import LenientScope
from .loopguard import LoopGuard
from .ofapi import media  # noqa: F401 - registers the media behaviours
from .ofapi.deliveries import LOOP_HEADER, Dispatcher
from .ofapi.handler import OperationResolver
from .ofapi.service import Ofapi
from .onlyfans.overlay import Writer
from .onlyfans.payloads import PayloadBuilder
from .onlyfans.render import Renderer
from .onlyfans.upstream import FakeOnlyFans
from .onlyfans.world import World, load_fixtures
from .openapi_json import OpenApiJson
from .prefer import Preferences
from .requestlog import RequestLog
from .routing import by_specificity
from .settings import Settings
from .spec import checked
from .spec.load import load_spec
from .spec.operations import build_table
from .store import exports  # noqa: F401 - registers the export timers
from .store.backend import StoreUnavailable
from .store.store import Store
from .validation import RawURIParser, middlewares


class Parts:
    """Everything one seed builds in a worker: the world, the fake OnlyFans and the store's renderer."""

    def __init__(self, spec: dict, table: dict, seed: int | None, settings: Settings, fixtures: dict, store: Store):
        self.world = World(seed, fixtures, settings.world_cache_bytes, store.accounts.profile, store.overlay)
        schemas, world = spec["components"]["schemas"], self.world
        cache = settings.render_cache_bytes // 2

        def renderer(ofapi_fields: bool) -> Renderer:
            return Renderer(schemas, world.pools, world.seed, world.now, ofapi_fields=ofapi_fields, cache_bytes=cache)

        writer = Writer(store.overlay, store.docs.next_number)
        self.upstream = FakeOnlyFans(PayloadBuilder(self.world, renderer(False), table, spec, writer, settings))
        self.store_renderer = renderer(True)


def create_app(settings: Settings | None = None) -> AsyncApp:
    checked.install()
    settings = settings or Settings()
    spec = load_spec(settings.spec_path)
    table = build_table(spec)
    fixtures = load_fixtures()
    store = Store(settings, fixtures)

    def build(seed):
        return Parts(spec, table, seed, settings, fixtures, store)

    ofapi = Ofapi(settings, store, build, spec["components"]["schemas"])
    store.dispatcher = Dispatcher(store, settings)
    store.dispatcher.start()

    app = AsyncApp(__name__, middlewares=connexion_tuning.middlewares(middlewares()))
    connexion_tuning.install(app)
    # Static path segments before templates, whatever order the spec lists its paths in.
    app.add_api(
        by_specificity(spec),
        resolver=OperationResolver(ofapi, table),
        validate_responses=False,
        uri_parser_class=RawURIParser,
    )
    outermost, before_swagger = MiddlewarePosition.BEFORE_EXCEPTION, MiddlewarePosition.BEFORE_SWAGGER
    app.add_middleware(RequestLog, position=outermost, ofapi=ofapi)
    if settings.cors:  # outside all but the request log, so every answer, errors included, carries CORS headers
        app.add_middleware(Cors, position=outermost, **cors.options(spec))
    app.add_middleware(compression.Compression, position=outermost, **compression.OPTIONS)
    app.add_middleware(LoopGuard, position=outermost, header=LOOP_HEADER)
    app.add_middleware(
        BodyLimit,
        position=before_swagger,
        max_bytes=settings.max_body_bytes,
        max_json_bytes=settings.max_json_body_bytes,
    )
    app.add_middleware(OpenApiJson, position=before_swagger, spec=spec, public_url=settings.public_url)
    # Injected faults and latency: after routing (the operation is known), before anything else.
    app.add_middleware(Faults, position=MiddlewarePosition.BEFORE_SECURITY, ofapi=ofapi, spec=spec)
    if settings.lenient:
        app.add_middleware(LenientScope, position=MiddlewarePosition.BEFORE_SECURITY)
    # `Prefer` answers after authentication and validation, instead of the operation.
    app.add_middleware(Preferences, position=MiddlewarePosition.BEFORE_CONTEXT, spec=spec, ofapi=ofapi)
    for rule, view, methods in admin.routes(ofapi, spec):
        app.add_url_rule(rule, view.__name__, view, methods=methods)
    for exc, handler in HANDLERS:
        app.add_error_handler(exc, handler)
    app.add_error_handler(StoreUnavailable, on_store_gone)
    app.add_error_handler(404, on_http)
    app.add_error_handler(405, method_not_allowed(spec["paths"]))
    app.ofapi = ofapi  # for tests and admin tooling
    logging.getLogger("connexion").setLevel(logging.WARNING)
    # Connexion logs every query argument it does not pass on (e.g. unknown ones) as an error.
    logging.getLogger("connexion.decorators.parameter").setLevel(logging.CRITICAL)
    return app

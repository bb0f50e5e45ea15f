"""The app factory: spec -> operation table -> fake OnlyFans + store -> OFAPI layer -> Connexion."""

from __future__ import annotations

import logging

from connexion import AsyncApp

from .errors import HANDLERS, on_http
from .ofapi import media  # noqa: F401 - registers the media behaviours
from .ofapi.handler import OperationResolver
from .ofapi.service import Ofapi
from .onlyfans.payloads import PayloadBuilder
from .onlyfans.render import Renderer
from .onlyfans.upstream import FakeOnlyFans
from .onlyfans.world import World
from .settings import Settings
from .spec.load import load_spec
from .spec.operations import build_table
from .store.memory import MemoryStore
from .validation import VALIDATOR_MAP


def create_app(settings: Settings | None = None) -> AsyncApp:
    settings = settings or Settings()
    spec = load_spec(settings.spec_path)
    table = build_table(spec)
    world = World(settings.seed)
    schemas = spec["components"]["schemas"]

    def builder(ofapi_fields: bool) -> PayloadBuilder:
        renderer = Renderer(schemas, world.pools, world.seed, world.now, ofapi_fields=ofapi_fields)
        return PayloadBuilder(world, renderer, table, spec)

    upstream = FakeOnlyFans(builder(ofapi_fields=False))
    store = MemoryStore(builder(ofapi_fields=True), settings.initial_credits)
    ofapi = Ofapi(settings, upstream, store, world, schemas)

    app = AsyncApp(__name__, validator_map=VALIDATOR_MAP)
    app.add_api(spec, resolver=OperationResolver(ofapi, table), validate_responses=False)
    for exc, handler in HANDLERS:
        app.add_error_handler(exc, handler)
    for status in (404, 405):
        app.add_error_handler(status, on_http)
    app.ofapi = ofapi  # for tests and admin tooling
    logging.getLogger("connexion").setLevel(logging.WARNING)
    # Connexion logs every query argument it does not pass on (e.g. unknown ones) as an error.
    logging.getLogger("connexion.decorators.parameter").setLevel(logging.CRITICAL)
    return app

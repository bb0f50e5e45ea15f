"""The app's Connexion tuning (mockserver/connexion_tuning.py) changes how fast, not what: the
indexed router picks the route Starlette's would, for any path and method."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.routing import Route, Router

from mockserver.connexion_tuning import IndexedRouter
from mockserver.routing import by_specificity
from mockserver.spec.load import load_spec

SPEC = by_specificity(load_spec())
TEMPLATES = [(path, m.upper()) for path, item in SPEC["paths"].items() for m in item if m != "parameters"]


def _router() -> Router:
    class Endpoint:  # an ASGI app (a plain function would be taken for a request handler)
        def __init__(self, name):
            self.name = name

        async def __call__(self, scope, receive, send):
            scope["picked"] = self.name

    endpoint, nothing = Endpoint, Endpoint("default")

    routes = [Route(path, endpoint(f"{method} {path}"), methods=[method]) for path, method in TEMPLATES]
    return Router(routes=routes, default=nothing, redirect_slashes=False)


PLAIN = _router()
INDEXED = IndexedRouter(_router())
SEGMENT = st.sampled_from(["123", "acct_1", "fans", "active", "chats", "messages", "x", "", "a%20b", "me"])


def _picked(router, method: str, path: str):
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        if message["type"] == "http.response.start":
            scope["picked"] = f"status {message['status']}"

    async def call():
        await router.app(scope, receive, send)

    asyncio.run(call())
    return scope.get("picked"), scope.get("route") and scope["route"].path


@settings(max_examples=300, deadline=None)
@given(
    template=st.sampled_from(TEMPLATES),
    values=st.lists(SEGMENT, min_size=6, max_size=6),
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    mangle=st.sampled_from(["as is", "extra segment", "one fewer"]),
)
def test_the_indexed_router_picks_what_starlettes_picks(template, values, method, mangle):
    path = template[0]
    for value in values:
        if "{" not in path:
            break
        start, end = path.index("{"), path.index("}")
        path = path[:start] + value + path[end + 1 :]
    if mangle == "extra segment":
        path += "/more"
    elif mangle == "one fewer":
        path = path.rsplit("/", 1)[0] or "/"
    assert _picked(INDEXED, method, path) == _picked(PLAIN, method, path)

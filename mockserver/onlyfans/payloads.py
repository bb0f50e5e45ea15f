"""Build an operation's payload from the world: a page of a collection, one entity, or an
object rendered from the schema, always echoing what the request named (ids, body fields).

How an operation draws on the world is decided once at start-up from the spec (`Plan`):
the component a list holds (its `x-world-collection`), an operation's own `x-world` when it
narrows the collection (active vs expired fans), and the path parameter naming an entity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import ApiError
from ..spec.operations import Operation
from .render import MISSING, Renderer
from .view import Gone
from .world import ID_PARAMS, AccountWorld, World

DEFAULT_LIMIT = 10
MAX_UNPAGED = 50
CURSOR_PARAMS = ("offset", "marker", "page")  # how an operation names where a page starts


@dataclass(frozen=True)
class Plan:
    list_prop: str | None = None  # where the page goes in `data` ("" = data is the array)
    collection: str | None = None  # world collection paged or looked up
    id_param: str | None = None  # path parameter naming the entity
    cursor: str | None = None  # query parameter that moves through pages


@dataclass
class Payload:
    data: object
    next_cursor: tuple[str, int] | None = None  # (parameter, value) of the next page
    cost: int | None = None  # credits, when the answer decides (computed actions that charge)
    paid: bool = False  # `cost` was already taken from the balance


@dataclass
class Request:
    """One call of an operation: what the client asked, as OFAPI passes it on."""

    op: Operation
    path_params: dict
    query: dict
    body: object = None
    headers: Mapping[str, str] = field(default_factory=dict)
    url: object = None  # the request URL (starlette.datastructures.URL)
    api_key: str = ""
    tenant: str = ""  # the team the API key belongs to (OFAPI's resources are per team)
    base_url: str = ""  # where this server is reached: `--public-url`, else the address the client connected to
    world_version: int | None = None  # the team's overlay version of the account, once read


class PayloadBuilder:
    def __init__(self, world: World, renderer: Renderer, table: dict[str, Operation], spec: dict, writer=None):
        self.world = world
        self.writer = writer  # applies `x-world-write` (onlyfans/overlay.py)
        self.renderer = renderer
        self.plans = {op_id: self._plan(op, spec) for op_id, op in table.items() if op.data_schema}

    # -- start-up ------------------------------------------------------------------
    def _collection_of(self, schema: dict) -> str | None:
        name = self.renderer.component_of(schema)
        return self.renderer.schemas.get(name, {}).get("x-world-collection") if name else None

    def _plan(self, op: Operation, spec: dict) -> Plan:
        raw = spec["paths"][op.path][op.method.lower()]
        narrowed = raw.get("x-world")
        query = {p.get("name") for p in raw.get("parameters", []) if p.get("in") == "query"}
        cursor = next((c for c in CURSOR_PARAMS if c in query), None)
        data = op.data_schema
        resolved = self.renderer.resolve(data)
        if op.method == "GET" and resolved.get("type") == "array" and self._collection_of(resolved.get("items", {})):
            return Plan("", narrowed or self._collection_of(resolved["items"]), cursor=cursor)
        entity = self._collection_of(data)
        if entity:  # one of a collection's objects (its own arrays, a post's media, are not the answer's list)
            collection = narrowed or entity
            id_param = next((p for p in ID_PARAMS.get(collection, ()) if p in op.path_params), None)
            return Plan(collection=collection, id_param=id_param)
        listed = resolved.get("properties", {}) if op.method == "GET" else {}  # only a read answers with a page
        for name, sub in listed.items():
            sub = self.renderer.resolve(sub)
            if sub.get("type") == "array" and self._collection_of(sub.get("items", {})):
                return Plan(name, narrowed or self._collection_of(sub["items"]), cursor=cursor)
        if narrowed:
            id_param = next((p for p in ID_PARAMS.get(narrowed, ()) if p in op.path_params), None)
            return Plan(collection=narrowed, id_param=id_param)
        return Plan()

    # -- request time ----------------------------------------------------------------
    def build(self, req: Request) -> Payload:
        if req.op.op_id not in self.plans:  # no JSON body: OnlyFans answers with an empty text
            return Payload(b"")
        op, plan = req.op, self.plans[req.op.op_id]
        account = req.path_params.get("account") or next(iter(self.world.accounts))
        world = self.world.view(account, req.tenant, req.world_version)
        key = "|".join((op.op_id, *(f"{k}={v}" for k, v in sorted(req.path_params.items()))))
        try:
            if op.world_write and self.writer is not None:
                written = self.writer.apply(world, req, op.world_write)
                if self.renderer.resolve(op.data_schema).get("type") == "array":  # answered as a list of one
                    written = [written]
                return Payload(self.renderer.render(op.data_schema, written, key))
            echo = self._echo(req)
            if plan.list_prop is not None:
                return self._page(req, plan, world, key, echo)
            source = {**echo, "_fresh": True} if op.fresh else echo  # x-fresh: made by this call
            if plan.collection and plan.id_param:
                source = {**world.entity(plan.collection, req.path_params[plan.id_param]), **echo}
            elif plan.collection and op.method == "GET":  # the account's own (its profile, its latest …)
                source = {**world.lists[plan.collection][0], **echo}
        except Gone:
            raise ApiError(404, "Not found: it was deleted.") from None
        return Payload(self.renderer.render(op.data_schema, source or MISSING, key))

    def _echo(self, req: Request) -> dict:
        """Fields the caller named: path ids and the body's own fields."""
        echo = {k: v for k, v in req.path_params.items() if k != "account"}
        if isinstance(req.body, dict):
            echo.update({k: v for k, v in req.body.items() if not k.startswith("_")})
        return echo

    def _page(self, req: Request, plan: Plan, world: AccountWorld, key: str, echo: dict) -> Payload:
        items = world.collection(plan.collection, req.path_params, req.query)
        query = {**req.op.query_defaults, **req.query}
        limit = _int(query.get("limit"), DEFAULT_LIMIT if plan.cursor else MAX_UNPAGED)
        start = _int(query.get(plan.cursor), 1 if plan.cursor == "page" else 0) if plan.cursor else 0
        offset = (start - 1) * limit if plan.cursor == "page" else start
        page = items[offset : offset + limit]
        more = offset + len(page) < len(items)
        following = (start + 1 if plan.cursor == "page" else offset + limit) if more else None
        data_schema = req.op.data_schema
        if plan.list_prop == "":
            data = [self.renderer.render(self.renderer.resolve(data_schema)["items"], item) for item in page]
        else:
            source = {
                **echo,
                plan.list_prop: page,
                "hasMore": more,
                "marker": offset,
                "nextMarker": following,
                "offset": offset,
                "nextOffset": following,
            }
            data = self.renderer.render(data_schema, source, key)
        return Payload(data, (plan.cursor, following) if plan.cursor and more else None)


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default

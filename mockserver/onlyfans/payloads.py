"""Build an operation's payload from the world: a page of a collection, one entity, or an
object rendered from the schema, always echoing what the request named (ids, body fields).

How an operation draws on the world is decided once at start-up from the spec (`Plan`):
the component a list holds (its `x-world-collection`), an operation's own `x-world` when it
narrows the collection (active vs expired fans), the path parameter naming an entity, and the
style its list pages in (`x-paging`, a pager of `paging`). A paged list the world does not keep
(search results, GIFs, release forms …) is a fixed, seeded list of items the schema completes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from ..errors import ApiError
from ..lenient import rule
from ..spec.operations import Operation
from . import paging
from .entities import iso, stable_int
from .render import MISSING, Renderer
from .view import Gone
from .world import ID_PARAMS, AccountWorld, World

MAX_UNPAGED = 50
LIST_NAMES = ("list", "items", "users", "rows", "data")  # where a paged payload keeps its items
FILLER_ITEMS = (5, 30)  # how many items a paged list the world does not keep has (seeded)


@dataclass(frozen=True)
class Plan:
    list_prop: str | None = None  # where the list goes in `data` ("" = data is the array)
    collection: str | None = None  # world collection listed or looked up (None with a list: seeded filler)
    id_param: str | None = None  # path parameter naming the entity
    paging: str | None = None  # the pager cutting the list (x-paging); None: not paged
    wrap: str | None = None  # the entity goes in this property of `data` ({success, queue: {...}})
    field: str | None = None  # the answer is this field of the entity (`x-world: {collection, field}`)


@dataclass
class Payload:
    data: object
    next_cursor: tuple[str, object] | None = None  # (parameter, value) of the next page
    cost: int | None = None  # credits, when the answer decides (computed actions that charge)
    paid: bool = False  # `cost` was already taken from the balance
    pagination: dict = field(default_factory=dict)  # `_pagination` members besides the next page's URL


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
    def __init__(
        self, world: World, renderer: Renderer, table: dict[str, Operation], spec: dict, writer=None, settings=None
    ):
        self.settings = settings  # the server's (lenient mode: a deleted entity still answers)
        self.world = world
        self.writer = writer  # applies `x-world-write` (onlyfans/overlay.py)
        self.renderer = renderer
        self.plans = {op_id: self._plan(op, spec) for op_id, op in table.items() if op.data_schema}

    # -- start-up ------------------------------------------------------------------
    def _collection_of(self, schema: dict) -> str | None:
        if "x-world-collection" in schema:  # an inline schema of a collection's objects
            return schema["x-world-collection"]
        name = self.renderer.component_of(schema)
        return self.renderer.schemas.get(name, {}).get("x-world-collection") if name else None

    def _plan(self, op: Operation, spec: dict) -> Plan:
        raw = spec["paths"][op.path][op.method.lower()]
        narrowed, field = raw.get("x-world"), None
        if isinstance(narrowed, dict):  # {collection, field}: the answer is one field of the object
            narrowed, field = narrowed["collection"], narrowed.get("field")
        resolved = self.renderer.resolve(op.data_schema)
        if op.paging:
            list_prop, items = self._paged_list(resolved)
            return Plan(list_prop, narrowed or self._collection_of(items), paging=op.paging)
        if resolved.get("type") == "array" and self._collection_of(resolved.get("items", {})):
            return Plan("", narrowed or self._collection_of(resolved["items"]))
        entity = self._collection_of(op.data_schema)
        if entity:  # one of a collection's objects (its own arrays, a post's media, are not the answer's list)
            collection = narrowed or entity
            id_param = next((p for p in ID_PARAMS.get(collection, ()) if p in op.path_params), None)
            return Plan(collection=collection, id_param=id_param)
        # only a read answers with a page; a write answers with what it made in its list
        listed = resolved.get("properties", {}) if op.method == "GET" or op.world_write else {}
        for name, sub in listed.items():
            sub = self.renderer.resolve(sub)
            if sub.get("type") == "array" and self._collection_of(sub.get("items", {})):
                return Plan(name, narrowed or self._collection_of(sub["items"]))
        for name, sub in resolved.get("properties", {}).items():
            if "x-world-collection" in sub:  # the object, wrapped: {success, queue: {...}}
                collection = sub["x-world-collection"]
                id_param = next((p for p in ID_PARAMS.get(collection, ()) if p in op.path_params), None)
                return Plan(collection=collection, id_param=id_param, wrap=name)
        if narrowed:
            id_param = next((p for p in ID_PARAMS.get(narrowed, ()) if p in op.path_params), None)
            return Plan(collection=narrowed, id_param=id_param, field=field)
        return Plan()

    def _paged_list(self, resolved: dict) -> tuple[str, dict]:
        """Where a paged payload keeps its items, and their schema: `data` itself when it is the
        array, else its first array property named like a list (`list`, `items`, `users` …)."""
        if resolved.get("type") == "array":
            return "", resolved.get("items", {})
        props = resolved.get("properties", {})
        for name in (*LIST_NAMES, *props):
            sub = self.renderer.resolve(props[name]) if name in props else {}
            if sub.get("type") == "array":
                return name, sub.get("items", {})
        raise ValueError("x-paging on an operation whose payload holds no list")

    # -- request time ----------------------------------------------------------------
    def build(self, req: Request) -> Payload:
        op, plan = req.op, self.plans.get(req.op.op_id)
        world, key = self._world(req), _key(req)
        try:
            if op.world_write and op.world_write["do"] != "none" and self.writer is not None:
                written = self.writer.apply(world, req, op.world_write)
                if plan is None:  # no JSON body: OnlyFans answers with an empty text
                    return Payload(b"")
                return Payload(self.renderer.render(op.data_schema, self._answer(plan, op, written), key))
            if plan is None:
                return Payload(b"")
            echo = self._echo(req)
            if plan.list_prop is not None:
                return self._page(req, plan, world, key, echo)
            source, entity = ({**echo, "_fresh": True} if op.fresh else echo), None  # x-fresh: made by this call
            if plan.collection and plan.id_param:
                entity = world.entity(plan.collection, req.path_params[plan.id_param])
            elif plan.collection and op.method == "GET":  # the account's own (its profile, its latest …)
                entity = world.lists[plan.collection][0]
            if entity is not None and plan.field:
                source = entity.get(plan.field, MISSING)
            elif entity is not None:
                source = {plan.wrap: entity, **echo} if plan.wrap else {**entity, **echo}
        except Gone:
            rule(self, False, ApiError(404, "Not found: it was deleted."))
            if plan is None:  # lenient, and OnlyFans answers this one with an empty text
                return Payload(b"")
            source = self._echo(req)  # lenient: what the caller named, the rest made up
        return Payload(self.renderer.render(op.data_schema, source or MISSING, key))

    def _answer(self, plan: Plan, op: Operation, written):
        """The written object (or list) in the shape the operation answers with."""
        many = written if isinstance(written, list) else [written]
        if self.renderer.resolve(op.data_schema).get("type") == "array":  # answered as a list
            return many
        if plan.collection == op.world_write["collection"] and plan.list_prop:
            return {plan.list_prop: many}
        if plan.wrap:
            return {plan.wrap: written, "success": True}
        return written

    def items(self, req: Request) -> list[dict]:
        """Everything a listing operation lists for this request, in its order: what its pager cuts."""
        return self._items(req, self.plans[req.op.op_id], self._world(req), _key(req))

    def _world(self, req: Request):
        """The account's world as the request's team sees it (the world with the team's writes)."""
        account = req.path_params.get("account") or next(iter(self.world.accounts))
        return self.world.view(account, req.tenant, req.world_version)

    def _echo(self, req: Request) -> dict:
        """Fields the caller named: path ids and the body's own fields."""
        echo = {k: v for k, v in req.path_params.items() if k != "account"}
        if isinstance(req.body, dict):
            echo.update({k: v for k, v in req.body.items() if not k.startswith("_")})
        return echo

    def _page(self, req: Request, plan: Plan, world: AccountWorld, key: str, echo: dict) -> Payload:
        query = {**req.op.query_defaults, **req.query}
        items = self._items(req, plan, world, key)
        if plan.paging:
            page = paging.cut(plan.paging, items, query)
        else:  # a list the operation does not page: the first items, as many as asked for
            shown = _int(query.get("limit"), MAX_UNPAGED)
            page = paging.Page(items[:shown], fields={"hasMore": len(items) > shown})
        data_schema = req.op.data_schema
        if plan.list_prop == "":
            item_schema = self.renderer.resolve(data_schema)["items"]
            data = [self.renderer.render(item_schema, item) for item in page.items]
        else:
            data = self.renderer.render(data_schema, {**echo, **page.fields, plan.list_prop: page.items}, key)
        return Payload(data, page.next, pagination=page.pagination)

    def _items(self, req: Request, plan: Plan, world: AccountWorld, key: str) -> list[dict]:
        if plan.collection:
            return world.collection(plan.collection, req.path_params, {**req.op.query_defaults, **req.query})
        return self._filler(req.op, plan, world, key)

    def _filler(self, op: Operation, plan: Plan, world: AccountWorld, key: str) -> list[dict]:
        """A paged list the world does not keep, the same on every call: seeded items, newest
        first, each with an id and a time where its schema has them (the renderer fills the rest)."""
        resolve = self.renderer.resolve
        array = resolve(op.data_schema)
        if plan.list_prop:
            array = resolve(array["properties"][plan.list_prop])
        props = resolve(array.get("items", {})).get("properties", {})
        when = next((name for name in paging.TIME_FIELDS if name in props), None)
        seed = stable_int(self.world.seed, world.account["id"], key)
        low, high = FILLER_ITEMS
        count = low + seed % (high - low + 1)
        items = []
        for i in range(count):
            item = {"_key": f"{world.account['id']}/{key}/{i}"}
            if "id" in props:
                item["id"] = 10**9 + seed % 10**9 + i
            if when:
                item[when] = iso(world.now - timedelta(hours=i * 7 + stable_int(seed, i) % 5))
            items.append(item)
        return items


def _key(req: Request) -> str:
    """What an answer's seeded randomness is keyed by: the operation and the entities it names."""
    return "|".join((req.op.op_id, *(f"{k}={v}" for k, v in sorted(req.path_params.items()))))


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default

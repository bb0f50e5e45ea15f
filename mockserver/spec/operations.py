"""The operation table: everything request-time code needs to know about an operation,
read from the spec once at start-up (operationId -> Operation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .fields import resolve, schema_at

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Enrichment:
    """One `x-enrichment` rule and where its fields go: `parent` is the path (inside `data`
    when enveloped) of the objects that receive `fields`."""

    rule: str
    parent: str
    fields: tuple[str, ...]
    schemas: dict = field(default_factory=dict, compare=False)  # field name -> its schema


@dataclass(frozen=True)
class Operation:
    op_id: str
    method: str
    path: str
    data_source: str  # live | hybrid | computed (x-data-source)
    status: int  # the success status code
    body_schema: dict | None  # the success JSON schema (None: binary or empty)
    enveloped: bool  # body is {data, _meta[, _pagination]}
    paginated: bool  # body carries _pagination
    binary: bool  # the success body is not JSON (a file, or text)
    enrichments: tuple[Enrichment, ...] = ()  # x-enrichment, applied in order
    behaviour: str | None = None  # x-behaviour: a registered special behaviour (media download …)
    credits: str | None = None  # x-credits: per-result | per-mb (default: by data source)
    cache: str | None = None  # x-cache: public (OFAPI caches the answer; ?fresh=true skips it)
    idempotent: bool = False  # x-idempotency: honours Idempotency-Key
    store: dict | None = None  # x-store: {action, collection?}: how a computed operation uses the store
    sync_links: str | None = None  # x-sync-links: OFAPI keeps the links this live list shows (stored inventory)
    fresh: bool = False  # x-fresh: the answer is a resource this call made, so it has no activity yet
    paging: str | None = None  # x-paging: the style its list pages in (a registered pager)
    pagination: tuple[str, ...] = ()  # the members of its `_pagination` (next_page; search: next_cursor …)
    world_write: dict | None = None  # x-world-write: what the call changes in the fake OnlyFans (onlyfans/overlay.py)
    query_defaults: dict = field(default_factory=dict)
    path_params: tuple[str, ...] = ()
    media_type: str | None = None  # the success body's content type

    @property
    def data_schema(self) -> dict | None:
        """The schema of what OnlyFans (or OFAPI's store) supplies: `data` when enveloped."""
        if self.enveloped:
            return self.body_schema["properties"]["data"]
        return self.body_schema


def _envelope_member(schema: dict | None, schemas: dict) -> dict | None:
    """The success schema, resolved; of a union, the member that carries the envelope (OFAPI
    envelopes every variant the same way)."""
    if schema is None:
        return None
    schema = resolve(schema, schemas)
    members = [resolve(m, schemas) for m in schema.get("anyOf", schema.get("oneOf", ()))]
    return next((m for m in members if "_meta" in m.get("properties", {})), members[0] if members else schema)


def _success(responses: dict) -> tuple[int, dict]:
    """The lowest 2xx; for an operation that only redirects (a download service), its 3xx."""
    codes = [int(c) for c in responses if str(c).startswith("2")] or [
        int(c) for c in responses if str(c).startswith("3")
    ]
    return min(codes), responses[str(min(codes))]


def _enrichments(op: dict, body_schema: dict | None, enveloped: bool, schemas: dict) -> tuple[Enrichment, ...]:
    out = []
    for entry in op.get("x-enrichment", []):
        groups: dict[str, dict[str, dict]] = {}
        for path in entry["fields"]:
            parent, _, name = path.rpartition(".")
            if enveloped:  # paths start at the body; the payload starts at `data`
                parent = parent.removeprefix("data").removeprefix(".")
            groups.setdefault(parent, {})[name] = schema_at(body_schema, path, schemas) or {}
        out += [Enrichment(entry["rule"], parent, tuple(named), named) for parent, named in groups.items()]
    return tuple(out)


def build_table(spec: dict) -> dict[str, Operation]:
    params = spec.get("components", {}).get("parameters", {})
    schemas = spec.get("components", {}).get("schemas", {})
    table: dict[str, Operation] = {}
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            status, resp = _success(op["responses"])
            content = resp.get("content", {})
            json_schema = _envelope_member(content.get("application/json", {}).get("schema"), schemas)
            props = (json_schema or {}).get("properties", {})
            enveloped = "data" in props and "_meta" in props
            resolved = [params[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in op.get("parameters", [])]
            table[op["operationId"]] = Operation(
                op_id=op["operationId"],
                method=method.upper(),
                path=path,
                data_source=op["x-data-source"],
                status=status,
                body_schema=json_schema,
                enveloped=enveloped,
                paginated="_pagination" in props,
                binary=json_schema is None and bool(content),
                enrichments=_enrichments(op, json_schema, enveloped, schemas),
                behaviour=op.get("x-behaviour"),
                credits=op.get("x-credits"),
                cache=op.get("x-cache"),
                idempotent=bool(op.get("x-idempotency")),
                store=op.get("x-store"),
                sync_links=op.get("x-sync-links"),
                fresh=bool(op.get("x-fresh")),
                paging=op.get("x-paging"),
                pagination=tuple(resolve(props.get("_pagination", {}), schemas).get("properties", {})),
                world_write=op.get("x-world-write"),
                query_defaults={
                    p["name"]: p["schema"]["default"]
                    for p in resolved
                    if p["in"] == "query" and "default" in p.get("schema", {})
                },
                path_params=tuple(p["name"] for p in resolved if p["in"] == "path"),
                media_type=next(iter(content), None),
            )
    return table

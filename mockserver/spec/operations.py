"""The operation table: everything request-time code needs to know about an operation,
read from the spec once at start-up (operationId -> Operation)."""

from __future__ import annotations

from dataclasses import dataclass, field

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    op_id: str
    method: str
    path: str
    data_source: str  # live | hybrid | computed (x-data-source)
    enrichments: tuple[str, ...]  # rule names from x-enrichment, applied in order
    status: int  # the success status code
    body_schema: dict | None  # the success JSON schema (None: binary or empty)
    enveloped: bool  # body is {data, _meta[, _pagination]}
    paginated: bool  # body carries _pagination
    binary: bool  # the success body is a file, not JSON
    query_defaults: dict = field(default_factory=dict)
    path_params: tuple[str, ...] = ()

    @property
    def data_schema(self) -> dict | None:
        """The schema of what OnlyFans (or OFAPI's store) supplies: `data` when enveloped."""
        if self.enveloped:
            return self.body_schema["properties"]["data"]
        return self.body_schema


def _success(responses: dict) -> tuple[int, dict]:
    code = min(int(c) for c in responses if str(c).startswith("2"))
    return code, responses[str(code)] if str(code) in responses else responses[code]


def build_table(spec: dict) -> dict[str, Operation]:
    params = spec.get("components", {}).get("parameters", {})
    table: dict[str, Operation] = {}
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            status, resp = _success(op["responses"])
            content = resp.get("content", {})
            json_schema = content.get("application/json", {}).get("schema")
            props = (json_schema or {}).get("properties", {})
            resolved = [params[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in op.get("parameters", [])]
            table[op["operationId"]] = Operation(
                op_id=op["operationId"],
                method=method.upper(),
                path=path,
                data_source=op["x-data-source"],
                enrichments=tuple(e["rule"] for e in op.get("x-enrichment", [])),
                status=status,
                body_schema=json_schema,
                enveloped="data" in props and "_meta" in props,
                paginated="_pagination" in props,
                binary=json_schema is None and bool(content),
                query_defaults={
                    p["name"]: p["schema"]["default"]
                    for p in resolved
                    if p["in"] == "query" and "default" in p.get("schema", {})
                },
                path_params=tuple(p["name"] for p in resolved if p["in"] == "path"),
            )
    return table

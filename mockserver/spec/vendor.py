"""Our spec against the vendor's OpenAPI file (as `openapi/vendor-facts.json`): which vendor
operations we serve, and which of its response field paths our success schemas have with the
same JSON type. What differs on purpose is listed, with why, in `openapi/deviations.yaml`.

Operations match by method and path with path parameter names ignored. Field paths are the
vendor's dotted paths (`data.list[].id`, `[]` for array items, `$` the body itself), looked up
in every 2xx JSON schema of our operation (through `$ref`, `allOf`, each `anyOf`/`oneOf`
member, and `additionalProperties` for map keys). A vendor field typed only by a `null`
example agrees with any type.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .load import SPEC_PATH
from .operations import METHODS

FACTS_PATH = SPEC_PATH.with_name("vendor-facts.json")
DEVIATIONS_PATH = SPEC_PATH.with_name("deviations.yaml")
_PARAM = re.compile(r"{[^}]+}")


def route_key(method: str, path: str) -> str:
    """`GET /api/{}/fans/active`: an operation whatever its path parameters are called."""
    return f"{method.upper()} {_PARAM.sub('{}', path)}"


@lru_cache(maxsize=2)
def load_facts(path: str | Path = FACTS_PATH) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def load_deviations(path: str | Path = DEVIATIONS_PATH) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


# -- our schemas ---------------------------------------------------------------------------
def _members(schema: dict, schemas: dict, depth: int = 0) -> list[dict]:
    """The concrete schemas `schema` may be: `$ref` followed, `allOf` merged, unions split."""
    if depth > 20 or not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        return _members(schemas[schema["$ref"].rsplit("/", 1)[1]], schemas, depth + 1)
    if "allOf" in schema:
        merged: dict = {"properties": {}}
        for part in schema["allOf"]:
            for member in _members(part, schemas, depth + 1):
                merged.update({k: v for k, v in member.items() if k != "properties"})
                merged["properties"].update(member.get("properties", {}))
        return [merged]
    union = schema.get("anyOf") or schema.get("oneOf")
    if union:
        return [m for part in union for m in _members(part, schemas, depth + 1)]
    return [schema]


def _type_of(schema: dict) -> str:
    if "type" in schema:
        return schema["type"]
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "any"


def _segments(path: str) -> list[tuple[str, int]]:
    """`data.list[].id` -> [('data', 0), ('list', 1), ('id', 0)]; `$` -> []."""
    if path == "$":
        return []
    out = []
    for part in path.split("."):
        name = part.rstrip("[]")
        out.append((name, (len(part) - len(name)) // 2))
    return out


def schemas_at(roots: list[dict], path: str, schemas: dict, ofapi_fields: bool = True) -> list[dict]:
    """Every schema of ours a value at the vendor `path` may have (empty: no such field).
    Without `ofapi_fields`, fields marked `x-ofapi-only` are not there (a live answer is what
    OnlyFans sends: OFAPI adds nothing to it)."""
    found = [m for root in roots for m in _members(root, schemas)]
    for name, arrays in _segments(path):
        nxt = []
        for schema in found:
            if name:
                props = schema.get("properties") or {}
                extra = schema.get("additionalProperties")
                sub = props.get(name)
                if sub is None and isinstance(extra, dict) and extra:
                    sub = extra
                if sub is None or (sub.get("x-ofapi-only") and not ofapi_fields):
                    continue
                nxt += _members(sub, schemas)
            else:
                nxt.append(schema)
        for _ in range(arrays):
            nxt = [m for s in nxt if "items" in s for m in _members(s["items"], schemas)]
        found = nxt
    return found


def success_schemas(op: dict) -> list[dict]:
    """The body schemas of an operation's 2xx responses (JSON's, or the one content type's)."""
    out = []
    for code, response in (op.get("responses") or {}).items():
        if str(code).startswith("2"):
            content = (response or {}).get("content") or {}
            for media in sorted(content, key=lambda m: m != "application/json")[:1]:  # JSON first
                if content[media].get("schema") is not None:
                    out.append(content[media]["schema"])
    return out


# -- the comparison ------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldDiff:
    operation: str  # route key of the vendor operation
    field: str
    differs: str  # missing | type
    vendor: str
    ours: str = ""


@dataclass
class Comparison:
    missing_operations: list[str] = field(default_factory=list)  # vendor operations we do not serve
    extra_operations: list[str] = field(default_factory=list)  # ours that the vendor file lacks
    fields_total: int = 0
    fields_agreeing: int = 0
    diffs: list[FieldDiff] = field(default_factory=list)

    @property
    def agreement(self) -> float:
        return self.fields_agreeing / self.fields_total if self.fields_total else 1.0


def our_operations(spec: dict) -> dict[str, tuple[str, dict]]:
    return {
        route_key(method, path): (path, item[method])
        for path, item in spec["paths"].items()
        for method in METHODS
        if method in item
    }


def _agrees(vendor_type: str, ours: set[str]) -> bool:
    kind = vendor_type.split("|")[0]
    return kind == "null" or "any" in ours or kind in ours


def compare(spec: dict, facts: dict) -> Comparison:
    schemas = spec.get("components", {}).get("schemas", {})
    ours = our_operations(spec)
    vendor = {route_key(op["method"], op["path"]): op for op in facts["operations"]}
    result = Comparison(
        missing_operations=sorted(set(vendor) - set(ours)), extra_operations=sorted(set(ours) - set(vendor))
    )
    for key, op in sorted(vendor.items()):
        roots = success_schemas(ours[key][1]) if key in ours else []
        ofapi_fields = key in ours and ours[key][1].get("x-data-source") != "live"
        fields: dict[str, str] = {}
        for status, rows in op["responses"].items():
            if status.startswith("2") and status != "204":  # a 204 has no body, whatever the file shows
                for path, vtype, _cls in rows:
                    fields.setdefault(path, vtype)
        for path, vtype in sorted(fields.items()):
            result.fields_total += 1
            if key not in ours:
                result.diffs.append(FieldDiff(key, path, "missing", vtype))
                continue
            types = {_type_of(s) for s in schemas_at(roots, path, schemas, ofapi_fields)}
            if not types:
                result.diffs.append(FieldDiff(key, path, "missing", vtype))
            elif not _agrees(vtype, types):
                result.diffs.append(FieldDiff(key, path, "type", vtype, "|".join(sorted(types))))
            else:
                result.fields_agreeing += 1
    return result


# -- the deviation table -------------------------------------------------------------------
OP_DIFFERENCES = ("not served", "not in the vendor file")


def _same_operation(row: dict, key: str) -> bool:
    return row["operation"] == "*" or route_key(*row["operation"].split(" ", 1)) == key


def covers(row: dict, diff: FieldDiff) -> bool:
    """Whether a field row explains a difference: same operation (`*`: any), and the field
    itself or one below it (a field that differs in shape differs in its own fields too)."""
    field = row["field"]
    return _same_operation(row, diff.operation) and (
        diff.field == field or diff.field.startswith((field + ".", field + "["))
    )


def audit(comparison: Comparison, deviations: dict) -> tuple[list[str], list[str]]:
    """(differences no row explains, rows that no longer describe a difference)."""
    op_rows, field_rows = deviations.get("operations") or [], deviations.get("fields") or []
    actual = {key: "not served" for key in comparison.missing_operations}
    actual |= {key: "not in the vendor file" for key in comparison.extra_operations}
    listed = {route_key(*row["operation"].split(" ", 1)): row["differs"] for row in op_rows}
    unexplained = [f"{key}: {kind}" for key, kind in sorted(actual.items()) if listed.get(key) != kind]
    stale = [
        f"{row['operation']}: {row['differs']}"
        for row in op_rows
        if actual.get(route_key(*row["operation"].split(" ", 1))) != row["differs"]
    ]
    used: set[int] = set()
    for diff in comparison.diffs:
        if diff.operation in comparison.missing_operations:
            continue  # explained with its operation
        hits = [i for i, row in enumerate(field_rows) if covers(row, diff)]
        if not hits:
            detail = f"vendor {diff.vendor}" + (f", ours {diff.ours}" if diff.ours else "")
            unexplained.append(f"{diff.operation} {diff.field}: {diff.differs} ({detail})")
        used.update(hits)
    stale += [f"{row['operation']} {row['field']}" for i, row in enumerate(field_rows) if i not in used]
    return unexplained, stale

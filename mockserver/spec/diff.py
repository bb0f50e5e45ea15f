"""`ofapi-mock diff OLD NEW`: what changed between two versions of the spec, breaking first.

Breaking: a removed operation, success status or response field (the success JSON schema is
walked through `$ref`/`allOf`); a removed parameter, a new required one or one that became
required; a narrowed type (changed, or no longer nullable) or enum (values removed); a changed
`x-data-source`. Everything else found is non-breaking: added operations, optional
parameters, response fields, widened types and enums. Request-body fields count as parameters.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .fields import resolve
from .load import load_spec

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_DEPTH = 16  # field nesting: a backstop for self-referencing schemas the $ref check misses


@dataclass(frozen=True)
class Change:
    breaking: bool
    kind: str  # operation-removed, response-field-removed, enum-narrowed …
    operation: str  # "GET /api/…"
    detail: str

    def __str__(self) -> str:
        return f"{'breaking' if self.breaking else 'non-breaking'} {self.kind} {self.operation}: {self.detail}"


def _operations(spec: dict) -> dict[str, dict]:
    return {
        f"{method.upper()} {path}": item[method]
        for path, item in (spec.get("paths") or {}).items()
        for method in METHODS
        if isinstance(item.get(method), dict)
    }


def _shapes(schema: dict | None, schemas: dict, path: str, seen: frozenset = frozenset()) -> dict[str, tuple]:
    """(type, nullable, enum) of the schema and of every field under it, by field path
    (`data.list[].id`); a `$ref` already on the way down is not entered again."""
    if not isinstance(schema, dict) or path.count(".") + path.count("[]") > MAX_DEPTH:
        return {}
    resolved = resolve(schema, schemas)
    kind = resolved.get("type") or ("object" if "properties" in resolved else None)
    enum = tuple(resolved["enum"]) if "enum" in resolved else None
    out = {path: (kind, bool(resolved.get("nullable") or schema.get("nullable")), enum)}
    refs = {s["$ref"] for s in [schema, *schema.get("allOf", [])] if isinstance(s, dict) and "$ref" in s}
    if refs & seen:  # a schema inside itself (Fan.friend: Fan): the field, not its fields again
        return out
    seen |= refs
    for name, prop in (resolved.get("properties") or {}).items():
        out.update(_shapes(prop, schemas, f"{path}.{name}" if path else name, seen))
    if kind == "array":
        out.update(_shapes(resolved.get("items"), schemas, f"{path}[]", seen))
    return out


def _compare_shape(where: str, old: tuple, new: tuple) -> list[tuple[bool, str, str]]:
    """(breaking, kind, detail) for each way one field or parameter changed."""
    (old_type, old_null, old_enum), (new_type, new_null, new_enum) = old, new
    found = []
    if old_type and new_type and old_type != new_type:
        found.append((True, "type-changed", f"{where}: {old_type} -> {new_type}"))
    if old_null and not new_null:
        found.append((True, "type-changed", f"{where} is no longer nullable"))
    elif new_null and not old_null:
        found.append((False, "type-widened", f"{where} is now nullable"))
    if old_enum is not None and new_enum is None:
        found.append((False, "enum-widened", f"{where}: any value now"))
    elif old_enum is None and new_enum is not None:
        found.append((True, "enum-narrowed", f"{where}: now one of {', '.join(map(str, new_enum))}"))
    elif old_enum != new_enum:
        removed = [str(v) for v in old_enum if v not in new_enum]
        added = [str(v) for v in new_enum if v not in old_enum]
        if removed:
            found.append((True, "enum-narrowed", f"{where}: removed {', '.join(removed)}"))
        if added:
            found.append((False, "enum-widened", f"{where}: added {', '.join(added)}"))
    return found


def _topmost(paths: set[str]) -> list[str]:
    """The paths not under another one of them (a removed object, not each of its fields)."""
    return sorted(p for p in paths if not any(p != q and p.startswith((q + ".", q + "[]")) for q in paths if q))


def _inputs(op: dict, spec: dict) -> dict[str, tuple[bool, dict]]:
    """Parameters (`query limit`) and top-level body fields (`body text`): (required, schema)."""
    components = spec.get("components") or {}
    found = {}
    for param in op.get("parameters") or []:
        if "$ref" in param:
            param = (components.get("parameters") or {}).get(param["$ref"].rsplit("/", 1)[1], {})
        found[f"{param.get('in')} {param.get('name')}"] = (bool(param.get("required")), param.get("schema") or {})
    content = (op.get("requestBody") or {}).get("content") or {}
    media = content.get("application/json") or next(iter(content.values()), {})
    body = resolve(media.get("schema") or {}, components.get("schemas") or {})
    required = set(body.get("required") or [])
    for name, schema in (body.get("properties") or {}).items():
        found[f"body {name}"] = (name in required, schema)
    return found


def _success(op: dict, spec: dict) -> tuple[str | None, dict | None]:
    responses = {str(c): r for c, r in (op.get("responses") or {}).items()}
    codes = sorted(c for c in responses if c.startswith("2"))
    if not codes:
        return None, None
    response = responses[codes[0]]
    if "$ref" in response:
        response = (spec.get("components") or {}).get("responses", {}).get(response["$ref"].rsplit("/", 1)[1], {})
    return codes[0], ((response.get("content") or {}).get("application/json") or {}).get("schema")


def _operation(name: str, old: dict, new: dict, old_spec: dict, new_spec: dict) -> list[Change]:
    found: list[tuple[bool, str, str]] = []
    if old.get("x-data-source") != new.get("x-data-source"):
        found.append((True, "data-source-changed", f"{old.get('x-data-source')} -> {new.get('x-data-source')}"))
    old_schemas = (old_spec.get("components") or {}).get("schemas") or {}
    new_schemas = (new_spec.get("components") or {}).get("schemas") or {}

    before, after = _inputs(old, old_spec), _inputs(new, new_spec)
    for key in sorted(before.keys() - after.keys()):
        found.append((True, "parameter-removed", key))
    for key in sorted(after.keys() - before.keys()):
        required = after[key][0]
        found.append((required, "parameter-added-required" if required else "parameter-added", key))
    for key in sorted(before.keys() & after.keys()):
        (was, old_schema), (now, new_schema) = before[key], after[key]
        if was != now:
            found.append((now, "parameter-became-required" if now else "parameter-became-optional", key))
        old_shapes = _shapes(old_schema, old_schemas, "")
        new_shapes = _shapes(new_schema, new_schemas, "")
        for path in sorted(old_shapes.keys() & new_shapes.keys()):
            found += _compare_shape(f"{key}{path and ' ' + path}", old_shapes[path], new_shapes[path])

    (old_code, old_body), (new_code, new_body) = _success(old, old_spec), _success(new, new_spec)
    if old_code != new_code:
        found.append((True, "status-changed", f"success status {old_code} -> {new_code}"))
    before, after = _shapes(old_body, old_schemas, ""), _shapes(new_body, new_schemas, "")
    for path in _topmost(before.keys() - after.keys()):
        found.append((True, "response-field-removed", path))
    for path in _topmost(after.keys() - before.keys()):
        found.append((False, "response-field-added", path))
    for path in sorted(before.keys() & after.keys()):
        found += _compare_shape(f"response {path or '(body)'}", before[path], after[path])
    return [Change(breaking, kind, name, detail) for breaking, kind, detail in found]


def compare(old: dict, new: dict) -> list[Change]:
    """The changes from spec `old` to spec `new`, breaking ones first."""
    a, b = _operations(old), _operations(new)
    changes = [Change(True, "operation-removed", k, a[k].get("operationId", "")) for k in a.keys() - b.keys()]
    changes += [Change(False, "operation-added", k, b[k].get("operationId", "")) for k in b.keys() - a.keys()]
    for key in a.keys() & b.keys():
        changes += _operation(key, a[key], b[key], old, new)
    return sorted(changes, key=lambda c: (not c.breaking, c.operation, c.kind, c.detail))


def diff(old_path: str | Path, new_path: str | Path) -> list[Change]:
    return compare(load_spec(old_path), load_spec(new_path))


def report(changes: list[Change], fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps([asdict(c) for c in changes], indent=2)
    breaking = sum(c.breaking for c in changes)
    total = f"{breaking} breaking, {len(changes) - breaking} non-breaking change(s)"
    return "\n".join([*(str(c) for c in changes), total])

"""`ofapi-mock diff OLD NEW`: what changed between two versions of the spec, breaking first.

Breaking: a removed operation, success status or response field (the success JSON schema is
walked through `$ref`/`allOf`); a removed parameter, a new required one or one that became
required; a narrowed type (changed, or no longer nullable) or enum (values removed); a changed
`x-data-source`. For inputs (parameters and request-body fields) also a narrowed bound (minimum
raised, maximum lowered, made exclusive; minLength/maxLength, minItems/maxItems likewise) and
an added or changed `pattern`: a request the old spec allowed may now be refused. Everything
else found is non-breaking: added operations, optional parameters, response fields, widened
types, enums and bounds, removed patterns.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .fields import resolve
from .load import load_spec

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_DEPTH = 16  # field nesting: a backstop for self-referencing schemas the $ref check misses
LENGTHS = ("Length", "Items")  # minLength/maxLength, minItems/maxItems


@dataclass(frozen=True)
class Change:
    breaking: bool
    kind: str  # operation-removed, response-field-removed, enum-narrowed, bound-narrowed …
    operation: str  # "GET /api/…"
    detail: str  # what happened, in plain words: "maximum lowered 20 → 10"
    subject: str = ""  # what it happened to: "parameter limit (query)"; "" for the operation itself

    def __str__(self) -> str:
        where = f"{self.subject} of {self.operation}" if self.subject else self.operation
        return f"{'breaking' if self.breaking else 'non-breaking'} {self.kind} {where}: {self.detail}"


def _operations(spec: dict) -> dict[str, dict]:
    return {
        f"{method.upper()} {path}": item[method]
        for path, item in (spec.get("paths") or {}).items()
        for method in METHODS
        if isinstance(item, dict) and isinstance(item.get(method), dict)
    }


def _shapes(schema: dict | None, schemas: dict, path: str, seen: frozenset = frozenset()) -> dict[str, dict]:
    """The resolved schema of the field at `path` and of every field under it, by field path
    (`data.list[].id`); a `$ref` already on the way down is not entered again."""
    if not isinstance(schema, dict) or path.count(".") + path.count("[]") > MAX_DEPTH:
        return {}
    resolved = resolve(schema, schemas)
    kind = resolved.get("type") or ("object" if "properties" in resolved else None)
    out = {path: {**resolved, "type": kind, "nullable": bool(resolved.get("nullable") or schema.get("nullable"))}}
    refs = {s["$ref"] for s in [schema, *schema.get("allOf", [])] if isinstance(s, dict) and "$ref" in s}
    if refs & seen:  # a schema inside itself (Fan.friend: Fan): the field, not its fields again
        return out
    seen |= refs
    for name, prop in (resolved.get("properties") or {}).items():
        out.update(_shapes(prop, schemas, f"{path}.{name}" if path else name, seen))
    if kind == "array":
        out.update(_shapes(resolved.get("items"), schemas, f"{path}[]", seen))
    return out


Found = tuple[bool, str, str]  # (breaking, kind, detail)


def _compare_shape(old: dict, new: dict, inputs: bool) -> list[Found]:
    """Each way one field or parameter changed; bounds and patterns only matter for `inputs`."""
    found: list[Found] = []
    if old["type"] and new["type"] and old["type"] != new["type"]:
        found.append((True, "type-changed", f"type changed {old['type']} → {new['type']}"))
    if old["nullable"] and not new["nullable"]:
        found.append((True, "type-changed", "no longer nullable"))
    elif new["nullable"] and not old["nullable"]:
        found.append((False, "type-widened", "now nullable"))
    found += _compare_enum(old.get("enum"), new.get("enum"))
    if inputs:
        found += _compare_bound("minimum", _lower(old), _lower(new), larger_is_narrower=True)
        found += _compare_bound("maximum", _upper(old), _upper(new), larger_is_narrower=False)
        for suffix in LENGTHS:
            low, high = f"min{suffix}", f"max{suffix}"
            found += _compare_bound(low, _plain(old.get(low)), _plain(new.get(low)), larger_is_narrower=True)
            found += _compare_bound(high, _plain(old.get(high)), _plain(new.get(high)), larger_is_narrower=False)
        found += _compare_pattern(old.get("pattern"), new.get("pattern"))
    return found


def _compare_enum(old: list | None, new: list | None) -> list[Found]:
    if old is not None and new is None:
        return [(False, "enum-widened", "any value now accepted")]
    if old is None and new is not None:
        return [(True, "enum-narrowed", f"now one of {', '.join(map(str, new))}")]
    if old is None or old == new:
        return []
    found: list[Found] = []
    if removed := [str(v) for v in old if v not in new]:
        found.append((True, "enum-narrowed", f"enum value(s) removed: {', '.join(removed)}"))
    if added := [str(v) for v in new if v not in old]:
        found.append((False, "enum-widened", f"enum value(s) added: {', '.join(added)}"))
    return found


# A bound is (value, exclusive) or None. OpenAPI 3.0 marks exclusiveness with a boolean beside
# minimum/maximum; 3.1 gives exclusiveMinimum/exclusiveMaximum their own number.
def _plain(value) -> tuple | None:
    return None if value is None else (value, False)


def _lower(schema: dict) -> tuple | None:
    return _bound(schema, "minimum", "exclusiveMinimum", max)


def _upper(schema: dict) -> tuple | None:
    return _bound(schema, "maximum", "exclusiveMaximum", min)


def _bound(schema: dict, name: str, exclusive: str, tightest) -> tuple | None:
    flag = schema.get(exclusive)
    candidates = []
    if schema.get(name) is not None:
        candidates.append((schema[name], flag is True))
    if isinstance(flag, int | float) and not isinstance(flag, bool):
        candidates.append((flag, True))
    if not candidates:
        return None
    value = tightest(v for v, _ in candidates)
    return value, any(ex for v, ex in candidates if v == value)


def _show(bound: tuple, name: str, both_plain: bool) -> str:
    value, exclusive = bound
    if both_plain:
        return str(value)
    sign = {"minimum": ("≥", ">"), "maximum": ("≤", "<")}[name][exclusive]
    return f"{sign} {value}"


def _compare_bound(name: str, old: tuple | None, new: tuple | None, larger_is_narrower: bool) -> list[Found]:
    if old == new:
        return []
    if old is None:
        return [(True, "bound-narrowed", f"{name} added {_show(new, name, not new[1])}")]
    if new is None:
        return [(False, "bound-widened", f"{name} removed (was {_show(old, name, not old[1])})")]
    # a lower bound narrows when it rises (or turns exclusive), an upper one when it falls
    if larger_is_narrower:
        inward, verb = (new[0], new[1]) > (old[0], old[1]), ("raised", "lowered")
    else:
        inward, verb = (new[0], not new[1]) < (old[0], not old[1]), ("lowered", "raised")
    plain = not old[1] and not new[1]
    detail = f"{name} {verb[0] if inward else verb[1]} {_show(old, name, plain)} → {_show(new, name, plain)}"
    return [(inward, "bound-narrowed" if inward else "bound-widened", detail)]


def _compare_pattern(old: str | None, new: str | None) -> list[Found]:
    if old == new:
        return []
    if old is None:
        return [(True, "pattern-added", f"pattern added {new}")]
    if new is None:
        return [(False, "pattern-removed", f"pattern removed {old}")]
    return [(True, "pattern-changed", f"pattern changed {old} → {new}")]  # cannot tell it is wider: assume not


def _topmost(paths: set[str]) -> list[str]:
    """The paths not under another one of them (a removed object, not each of its fields)."""
    return sorted(p for p in paths if not any(p != q and p.startswith((q + ".", q + "[]")) for q in paths if q))


def _inputs(op: dict, spec: dict) -> dict[str, tuple[bool, dict]]:
    """Parameters (`parameter limit (query)`) and top-level request-body fields (`request body
    field text`), by how a change report names them: (required, schema)."""
    components = spec.get("components") or {}
    found = {}
    for param in op.get("parameters") or []:
        if "$ref" in param:
            param = (components.get("parameters") or {}).get(param["$ref"].rsplit("/", 1)[1], {})
        subject = f"parameter {param.get('name')} ({param.get('in')})"
        found[subject] = (bool(param.get("required")), param.get("schema") or {})
    content = (op.get("requestBody") or {}).get("content") or {}
    media = content.get("application/json") or next(iter(content.values()), {})
    body = resolve(media.get("schema") or {}, components.get("schemas") or {})
    required = set(body.get("required") or [])
    for name, schema in (body.get("properties") or {}).items():
        found[f"request body field {name}"] = (name in required, schema)
    return found


def _nested(subject: str, path: str) -> str:
    """`request body field address` + `city` -> `request body field address.city`."""
    if not path:
        return subject
    if subject.startswith("parameter "):  # parameter ids (query) items, parameter filter (query) field a
        return f"{subject} {'items' + path[2:] if path.startswith('[]') else 'field ' + path}"
    return f"{subject}{'' if path.startswith('[]') else '.'}{path}"


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
    found: list[tuple[bool, str, str, str]] = []  # (breaking, kind, detail, subject)
    if old.get("x-data-source") != new.get("x-data-source"):
        detail = f"x-data-source changed {old.get('x-data-source')} → {new.get('x-data-source')}"
        found.append((True, "data-source-changed", detail, ""))
    old_schemas = (old_spec.get("components") or {}).get("schemas") or {}
    new_schemas = (new_spec.get("components") or {}).get("schemas") or {}

    before, after = _inputs(old, old_spec), _inputs(new, new_spec)
    for key in sorted(before.keys() - after.keys()):
        found.append((True, "parameter-removed", "removed", key))
    for key in sorted(after.keys() - before.keys()):
        required = after[key][0]
        kind = "parameter-added-required" if required else "parameter-added"
        found.append((required, kind, "added, required" if required else "added, optional", key))
    for key in sorted(before.keys() & after.keys()):
        (was, old_schema), (now, new_schema) = before[key], after[key]
        if was != now:
            kind = "parameter-became-required" if now else "parameter-became-optional"
            found.append((now, kind, "now required" if now else "now optional", key))
        old_shapes = _shapes(old_schema, old_schemas, "")
        new_shapes = _shapes(new_schema, new_schemas, "")
        for path in sorted(old_shapes.keys() & new_shapes.keys()):
            for breaking, kind, detail in _compare_shape(old_shapes[path], new_shapes[path], inputs=True):
                found.append((breaking, kind, detail, _nested(key, path)))

    (old_code, old_body), (new_code, new_body) = _success(old, old_spec), _success(new, new_spec)
    if old_code != new_code:
        found.append((True, "status-changed", f"success status {old_code} → {new_code}", ""))
    before, after = _shapes(old_body, old_schemas, ""), _shapes(new_body, new_schemas, "")
    for path in _topmost(before.keys() - after.keys()):
        found.append((True, "response-field-removed", "removed", f"response field {path}"))
    for path in _topmost(after.keys() - before.keys()):
        found.append((False, "response-field-added", "added", f"response field {path}"))
    for path in sorted(before.keys() & after.keys()):
        subject = f"response field {path}" if path else "response body"
        for breaking, kind, detail in _compare_shape(before[path], after[path], inputs=False):
            found.append((breaking, kind, detail, subject))
    return [Change(breaking, kind, name, detail, subject) for breaking, kind, detail, subject in found]


def compare(old: dict, new: dict) -> list[Change]:
    """The changes from spec `old` to spec `new`, breaking ones first."""
    a, b = _operations(old), _operations(new)
    changes = [
        Change(True, "operation-removed", k, f"removed ({a[k].get('operationId')})") for k in a.keys() - b.keys()
    ]
    changes += [Change(False, "operation-added", k, f"added ({b[k].get('operationId')})") for k in b.keys() - a.keys()]
    for key in a.keys() & b.keys():
        changes += _operation(key, a[key], b[key], old, new)
    return sorted(changes, key=lambda c: (not c.breaking, c.operation, c.kind, c.subject, c.detail))


def diff(old_path: str | Path, new_path: str | Path) -> list[Change]:
    return compare(load_spec(old_path), load_spec(new_path))


def report(changes: list[Change], fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps([asdict(c) for c in changes], indent=2)
    breaking = sum(c.breaking for c in changes)
    total = f"{breaking} breaking, {len(changes) - breaking} non-breaking change(s)"
    return "\n".join([*(str(c) for c in changes), total])

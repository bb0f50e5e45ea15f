"""What both documents read from the spec: operations, field tables and type names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..spec import lint
from ..spec.fields import resolve, schema_at

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Op:
    method: str  # GET, POST …
    path: str  # as the spec spells it (/api/…)
    op: dict
    tag: str

    @property
    def short_path(self) -> str:
        """The path as OFAPI's docs write it: without the `/api` prefix."""
        return self.path.removeprefix("/api") or "/"

    @property
    def source(self) -> str:
        return self.op.get("x-data-source", "live")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool
    description: str


def operations(spec: dict) -> list[Op]:
    ops = [
        Op(method.upper(), path, item[method], (item[method].get("tags") or ["Other"])[0])
        for path, item in spec.get("paths", {}).items()
        for method in METHODS
        if method in item
    ]
    return sorted(ops, key=lambda o: (o.path, METHODS.index(o.method.lower())))


def humanize(tag: str) -> str:
    """`SharedTrackingLinks` -> `Shared tracking links`."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", tag) or [tag]
    return " ".join([words[0]] + [w if w.isupper() and len(w) > 1 else w.lower() for w in words[1:]])


def type_name(schema: dict | None, schemas: dict) -> str:
    """A short human type: `User`, `array of Post`, `string (date-time)`, `integer | null`."""
    if not schema:
        return "any"
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    if "allOf" in schema:
        parts = [type_name(p, schemas) for p in schema["allOf"]]
        named = [p for p in parts if p != "object"]
        return " + ".join(named) if named else "object"
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " | ".join(type_name(p, schemas) for p in schema[key])
    kind = schema.get("type", "object" if "properties" in schema else "any")
    if kind == "array":
        text = f"array of {type_name(schema.get('items'), schemas)}"
    else:
        text = f"{kind} ({schema['format']})" if "format" in schema else kind
    if "enum" in schema:
        text += ": " + ", ".join(str(v) for v in schema["enum"])
    return text + (" | null" if schema.get("nullable") else "")


def fields(schema: dict | None, schemas: dict, prefix: str = "") -> list[Field]:
    """The top-level properties of an object schema (`$ref` and `allOf` resolved)."""
    if not schema:
        return []
    resolved = resolve(schema, schemas)
    required = set(resolved.get("required", []))
    return [
        Field(prefix + name, type_name(prop, schemas), name in required, describe(prop, schemas))
        for name, prop in resolved.get("properties", {}).items()
    ]


def describe(schema: dict, schemas: dict) -> str:
    text = schema.get("description") or resolve(schema, schemas).get("description") or ""
    return text.removeprefix("OFAPI enrichment: ")


def json_schema(content: dict) -> tuple[str, dict | None]:
    """The media type and schema of a content map, JSON first."""
    for media_type in ("application/json", *content):
        if media_type in content:
            return media_type, content[media_type].get("schema")
    return "", None


def success(op: dict) -> tuple[str, dict]:
    codes = sorted(str(c) for c in op.get("responses", {}) if str(c).startswith("2"))
    return (codes[0], op["responses"][codes[0]]) if codes else ("", {})


def enrichment_phrases(op: dict, schemas: dict) -> list[str]:
    """What each `x-enrichment` rule adds, in Markdown: "`lastReplyAt` on each `data.list[]` item …"."""
    body = json_schema(success(op)[1].get("content", {}))[1] or {}
    phrases = []
    for entry in op.get("x-enrichment", []):
        groups: dict[str, list[str]] = {}
        for path in entry["fields"]:
            parent, _, name = path.rpartition(".")
            groups.setdefault(parent, []).append(name)
        for parent, names in groups.items():
            where = f"each `{parent}` item" if parent.endswith("[]") else f"`{parent or 'the body'}`"
            text = f"{', '.join(f'`{n}`' for n in names)} on {where} (rule `{entry['rule']}`)"
            if len(names) == 1:
                note = describe(schema_at(body, f"{parent}.{names[0]}".lstrip("."), schemas) or {}, schemas)
                text += f": {note}" if note else ""
            phrases.append(text)
    return phrases


def read_table(path: str | Path | None) -> dict[tuple[str, str], dict]:
    """Endpoint-table rows by (METHOD, spec path); empty when there is no table."""
    if path is None or not Path(path).is_file():
        return {}
    return {(row["method"], row["path"]): row for _, row in lint.read_table(Path(path))}

"""Field paths such as `data.list[].lastReplyAt`, as `x-enrichment` names them."""

from __future__ import annotations

MISSING = object()  # "no value" (None is JSON null)


def resolve(schema: dict, schemas: dict) -> dict:
    """Follow `$ref`; flatten `allOf` into one object schema."""
    while "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema:
        props: dict = {}
        for part in schema["allOf"]:
            props.update(resolve(part, schemas).get("properties", {}))
        return {"type": "object", "properties": props}
    return schema


def schema_at(schema: dict, path: str, schemas: dict) -> dict | None:
    """The schema of the field at `path`, or None when the schema has no such field."""
    for part in path.split("."):
        name, is_list = part.removesuffix("[]"), part.endswith("[]")
        if name:
            schema = resolve(schema, schemas).get("properties", {}).get(name)
            if schema is None:
                return None
        if is_list:
            schema = resolve(schema, schemas).get("items")
            if schema is None:
                return None
    return resolve(schema, schemas)


def values_at(body, path: str) -> list:
    """Every value at `path` in a JSON body (lists fan out); missing fields yield nothing."""
    found = [body]
    for part in path.split("."):
        name, is_list = part.removesuffix("[]"), part.endswith("[]")
        nxt = []
        for value in found:
            if name:
                if not isinstance(value, dict) or name not in value:
                    continue
                value = value[name]
            if is_list:
                nxt.extend(value if isinstance(value, list) else [])
            else:
                nxt.append(value)
        found = nxt
    return found


def _decimal(value) -> float | None:
    """A number written as a string ("12.99", as clients send prices), or None."""
    if isinstance(value, str) and value.isascii() and value.replace(".", "", 1).isdigit():
        return float(value) if "." in value else int(value)
    return None


def coerce_scalar(value, kind: str):
    """`value` as a JSON value of `kind`, or MISSING when it cannot be one."""
    if value is MISSING or value is None:
        return MISSING
    if kind == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, dict) and isinstance(value.get("url"), str):
            return value["url"]
        return MISSING
    if isinstance(value, bool):
        return value if kind == "boolean" else MISSING
    if kind == "integer":
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return int(value)
        number = _decimal(value)
        return int(number) if number is not None else MISSING
    if kind == "number":
        return value if isinstance(value, (int, float)) else _decimal(value) if _decimal(value) is not None else MISSING
    if kind == "boolean":
        return bool(value) if isinstance(value, (int, str)) else MISSING
    return MISSING


def conform(value, schema: dict, schemas: dict):
    """`value` with its scalars turned into the types `schema` declares where they can be
    (2.0 for an integer field becomes 2); what cannot be converted is left as it is."""
    schema = resolve(schema, schemas)
    if value is None:
        return None
    kind = schema.get("type")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        return {k: conform(v, props[k], schemas) if k in props else v for k, v in value.items()}
    if isinstance(value, list):
        items = schema.get("items")
        return [conform(v, items, schemas) for v in value] if items else value
    if kind in ("string", "integer", "number", "boolean"):
        converted = coerce_scalar(value, kind)
        return value if converted is MISSING else converted
    return value

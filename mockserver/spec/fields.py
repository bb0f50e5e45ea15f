"""Field paths such as `data.list[].lastReplyAt`, as `x-enrichment` names them."""

from __future__ import annotations


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

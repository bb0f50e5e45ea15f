"""Schema-driven payloads: complete a partial entity into the object a schema describes.

Values come from the entity where it has them (coerced to the schema's type, and a string
brought into its field's value class: a stored moment in the notation its field declares, a
number as a money string), otherwise they are made: a string by its field's value class
(`values.py`, declared in the spec), never a filler word; numbers and booleans by name and
type. The randomness is keyed by (entity, field path), so a field not stored in the world still
has one value everywhere that entity appears, and the same seed gives byte-identical payloads
whatever order requests come in.
"""

from __future__ import annotations

import random
import re

import orjson

from ..lru import ByteLRU
from ..spec.fields import MISSING, coerce_scalar
from .entities import Pools, stable_int
from .relations import keep, related
from .values import ZERO_CLASSES, Declared, Gen, declared
from .world import PYTHON_OVERHEAD

_COUNT = re.compile(r"(Count|count|Counts|_total|Total|total|Summ|summ|Sum|sum|number|Number|views|clicks|subs)")


CHECKED = frozenset(("format", "pattern", "enum"))  # what a validator holds a string to


class Renderer:
    """`ofapi_fields=False` renders as OnlyFans sends: fields marked `x-ofapi-only` (what OFAPI
    adds itself) are left out. OFAPI's own store renders with them."""

    def __init__(
        self, schemas: dict, pools: Pools, seed: int, now, *, ofapi_fields: bool, cache_bytes: int = 64 * 2**20
    ):
        self.schemas = schemas
        self.ofapi_fields = ofapi_fields
        self.pools = pools
        self.seed = seed
        self.now = now
        self._resolved: dict[int, dict] = {}
        self._plans: dict[int, tuple] = {}
        self._cache = ByteLRU(cache_bytes)  # (schema, entity) -> rendered object

    # -- schemas -------------------------------------------------------------------
    def resolve(self, schema: dict) -> dict:
        """Follow `$ref` and flatten `allOf`, once per schema object."""
        done = self._resolved.get(id(schema))
        if done is not None:
            return done
        out = schema
        if "$ref" in schema:
            out = self.resolve(self.schemas[schema["$ref"].rsplit("/", 1)[1]])
        elif "allOf" in schema:
            props: dict = {}
            merged: dict = {"type": "object"}
            for part in schema["allOf"]:
                part = self.resolve(part)
                merged.update({k: v for k, v in part.items() if k != "properties"})
                props.update(part.get("properties", {}))
            merged["properties"] = props
            out = merged
        elif "anyOf" in schema or "oneOf" in schema:
            out = self.resolve((schema.get("anyOf") or schema["oneOf"])[0])
        self._resolved[id(schema)] = out
        return out

    def component_of(self, schema: dict) -> str | None:
        """The component a schema is (or extends via allOf), e.g. 'User'."""
        if "$ref" in schema:
            return schema["$ref"].rsplit("/", 1)[1]
        for part in schema.get("allOf", ()):
            if "$ref" in part:
                return part["$ref"].rsplit("/", 1)[1]
        return None

    # -- values --------------------------------------------------------------------
    def render(self, schema: dict, source=MISSING, key: str = "", path: str = ""):
        """The value `schema` describes, taking what it can from `source` (a field it lacks is
        its schema's `default`, where there is one)."""
        schema = self.resolve(schema)
        if source is None and schema.get("nullable"):
            return None
        if source is MISSING and "default" in schema:
            return schema["default"]
        if isinstance(source, dict) and "_key" in source:
            cache_key = (id(schema), source["_key"])
            hit = self._cache.get(cache_key)
            if hit is None:  # values it does not hold are keyed by its first key (`_seed`) across revisions
                hit = self._render(schema, source, source.get("_seed") or source["_key"], "")
                self._cache.put(cache_key, hit, len(orjson.dumps(hit, default=str)) * PYTHON_OVERHEAD)
            return hit
        return self._render(schema, source, key, path)

    def _render(self, schema: dict, source, key: str, path: str):
        kind = schema.get("type") or ("object" if "properties" in schema else None)
        if "enum" in schema:
            return source if source in schema["enum"] else self._rng(key, path).choice(schema["enum"])
        if kind == "object":
            return self._object(schema, source, key, path)
        if kind == "array":
            return self._array(schema, source, key, path)
        if kind is None:  # free-form: as the world holds it, without its own bookkeeping (`_…`)
            return _public(source) if source is not MISSING and source is not None else {}
        if kind == "string":
            return self._string(schema, source, key, path)
        value = coerce_scalar(source, kind)
        return value if value is not MISSING else self.fill(path.rsplit(".", 1)[-1], schema, key, path)

    def _object(self, schema: dict, source, key: str, path: str) -> dict:
        fields, related = self._fields(schema)
        if isinstance(source, str) and "url" in schema.get("properties", {}):
            source = {"url": source}
        src = source if isinstance(source, dict) else {}
        out, made, fresh = {}, set(), src.get("_fresh")
        for name, sub, text in fields:
            value = src.get(name, MISSING)
            if text is not None and value.__class__ is str and text.holds(value):
                out[name] = value  # what `_string` would answer, without the way there
                continue
            where = f"{path}.{name}" if path else name
            if value is MISSING:
                made.add(name)
                if fresh:  # created a moment ago: no activity yet
                    value = self.neutral(sub)
            out[name] = self.render(sub, value, key, where)
        extra = schema.get("additionalProperties")
        if not out and isinstance(extra, dict) and src:
            out = {k: self.render(extra, v, key, f"{path}.{k}") for k, v in src.items() if not k.startswith("_")}
        if related:
            keep(out, schema, made)
        return out

    def _fields(self, schema: dict) -> tuple[list[tuple[str, dict, Declared | None]], bool]:
        """An object schema's fields this renderer writes (with the class of those that are
        strings: a string the source has in its class is the answer as it is), and whether it
        declares relations. Once per schema object (they live as long as the spec)."""
        done = self._plans.get(id(schema))
        if done is None:
            fields = [
                (name, sub, self._text_class(sub))
                for name, sub in schema.get("properties", {}).items()
                if self.ofapi_fields or not sub.get("x-ofapi-only")
            ]
            done = self._plans[id(schema)] = (fields, related(schema))
        return done

    def _text_class(self, schema: dict) -> Declared | None:
        resolved = self.resolve(schema)
        return declared(resolved) if resolved.get("type") == "string" else None

    def neutral(self, schema: dict):
        """What a field of an object created a moment ago holds when the request did not set it:
        nothing (null where it may be), zero, false, an empty list; other values as usual."""
        schema = self.resolve(schema)
        if schema.get("nullable"):
            return None
        decl = declared(schema) if schema.get("type") == "string" else None
        if decl is not None and decl.name in ZERO_CLASSES:  # an amount or a count written as a string
            return decl.conform(0)
        return {"integer": 0, "number": 0, "boolean": False, "array": []}.get(schema.get("type"), MISSING)

    def _array(self, schema: dict, source, key: str, path: str) -> list:
        items = schema.get("items", {})
        if isinstance(source, list):
            return [self.render(items, item, key, f"{path}[{i}]") for i, item in enumerate(source)]
        shape = self.resolve(items)
        if shape.get("type", "object") == "object" and not shape.get("properties"):
            return []  # items the spec does not describe: nothing to make up
        count = 1 + self._rng(key, path).randrange(2)
        return [self.render(items, MISSING, key, f"{path}[{i}]") for i in range(count)]

    def _string(self, schema: dict, source, key: str, path: str):
        """The source's value, in its field's class where it is written another way (a value
        that cannot be is kept: the world's ids and the caller's words are the truth); a
        boolean or an object is not a string (OnlyFans sends another type there), so the class
        decides, as it does for a field the source lacks."""
        if isinstance(source, dict) and isinstance(source.get("url"), str):  # a file object where a URL is asked
            source = source["url"]
        if source is not MISSING and source is not None and not isinstance(source, (bool, dict, list)):
            decl = declared(schema)
            value = decl.conform(source) if decl is not None else MISSING
            if value is not MISSING:
                return value
            if not CHECKED.intersection(schema):  # free words: the caller's stay
                return coerce_scalar(source, "string")
            # a format, pattern or enum a client checks refuses it: an answer never breaks its own schema
        return self.fill(path.rsplit(".", 1)[-1], schema, key, path)

    def _rng(self, key: str, path: str) -> random.Random:
        return random.Random(stable_int(self.seed, key, path))

    def fill(self, name: str, schema: dict, key: str, path: str):
        """A value for a field the world does not store: a string of its declared class; a
        number or a boolean by name and type."""
        rng = self._rng(key, path)
        kind = schema.get("type")
        lo, hi = schema.get("minimum"), schema.get("maximum")
        lname = name.lower()
        if kind == "string":
            decl = declared(schema)
            return decl.make(Gen(rng, self.pools, self.now)) if decl is not None else ""
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "integer":
            if lname == "id" or lname.endswith("id"):
                return rng.randint(10**6, 10**9)
            if lo is not None or hi is not None:
                return rng.randint(int(lo if lo is not None else 0), int(hi if hi is not None else (lo or 0) + 100))
            return rng.randint(0, 500) if _COUNT.search(name) else rng.randint(0, 100)
        if "confidence" in lname or "rate" in lname or "percent" in lname:
            return round(rng.random(), 2)
        return round(rng.uniform(1, 500), 2)


def _public(value):
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value

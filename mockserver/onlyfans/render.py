"""Schema-driven payloads: complete a partial entity into the object a schema describes.

Values come from the entity where it has them (coerced to the schema's type), otherwise from a
filler chosen by field name and type. The filler's randomness is keyed by (entity, field path),
so a field not stored in the world still has one value everywhere that entity appears, and the
same seed gives byte-identical payloads whatever order requests come in.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

import orjson

from ..lru import ByteLRU
from ..spec.fields import MISSING, coerce_scalar
from .entities import Pools, cdn_url, iso, stable_int
from .world import PYTHON_OVERHEAD

_TIME = re.compile(r"(At|_at|Date|date|Time|_on|lastSeen|expire|Expire|since|until)$")
_URL = re.compile(r"(url|Url|URL|avatar|header|src|thumb|preview|Preview|full|c50|c144|w480|w760|^\d+$)")
_MEDIA_HINT = re.compile(
    r"(files|thumb|avatar|header|media|preview|Preview|source|Source|images|video|photo|c50|c144|w480|w760)"
)
_COUNT = re.compile(r"(Count|count|Counts|_total|Total|total|Summ|summ|Sum|sum|number|Number|views|clicks|subs)")
_MONEY = re.compile(
    r"(price|Price|amount|Amount|revenue|Revenue|earnings|Earnings|net|gross|fee|balance|spend|Spent|tips|Tips)"
)


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
        """The value `schema` describes, taking what it can from `source`."""
        schema = self.resolve(schema)
        if source is None and schema.get("nullable"):
            return None
        if isinstance(source, dict) and "_key" in source:
            cache_key = (id(schema), source["_key"])
            hit = self._cache.get(cache_key)
            if hit is None:
                hit = self._render(schema, source, source["_key"], "")
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
        if kind is None:  # free-form
            return source if source is not MISSING and source is not None else {}
        value = coerce_scalar(source, kind)
        return value if value is not MISSING else self.fill(path.rsplit(".", 1)[-1], schema, key, path)

    def _object(self, schema: dict, source, key: str, path: str) -> dict:
        if isinstance(source, str) and "url" in schema.get("properties", {}):
            source = {"url": source}
        src = source if isinstance(source, dict) else {}
        out = {}
        for name, sub in schema.get("properties", {}).items():
            if sub.get("x-ofapi-only") and not self.ofapi_fields:
                continue
            value = src.get(name, MISSING)
            if value is MISSING and src.get("_fresh"):  # created a moment ago: no activity yet
                value = self.neutral(sub)
            out[name] = self.render(sub, value, key, f"{path}.{name}" if path else name)
        extra = schema.get("additionalProperties")
        if not out and isinstance(extra, dict) and src:
            out = {k: self.render(extra, v, key, f"{path}.{k}") for k, v in src.items() if not k.startswith("_")}
        return out

    def neutral(self, schema: dict):
        """What a field of an object created a moment ago holds when the request did not set it:
        nothing (null where it may be), zero, false, an empty list; other values as usual."""
        schema = self.resolve(schema)
        if schema.get("nullable"):
            return None
        return {"integer": 0, "number": 0, "boolean": False, "array": []}.get(schema.get("type"), MISSING)

    def _array(self, schema: dict, source, key: str, path: str) -> list:
        items = schema.get("items", {})
        if isinstance(source, list):
            return [self.render(items, item, key, f"{path}[{i}]") for i, item in enumerate(source)]
        count = 1 + self._rng(key, path).randrange(2)
        return [self.render(items, MISSING, key, f"{path}[{i}]") for i in range(count)]

    def _rng(self, key: str, path: str) -> random.Random:
        return random.Random(stable_int(self.seed, key, path))

    def fill(self, name: str, schema: dict, key: str, path: str):
        """A plausible value for a field the world does not store, chosen by name and type."""
        rng, pools = self._rng(key, path), self.pools
        kind, fmt = schema.get("type"), schema.get("format")
        lo, hi = schema.get("minimum"), schema.get("maximum")
        lname = name.lower()
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "integer":
            if lname == "id" or lname.endswith("id"):
                return rng.randint(10**6, 10**9)
            if lo is not None or hi is not None:
                return rng.randint(int(lo if lo is not None else 0), int(hi if hi is not None else (lo or 0) + 100))
            return rng.randint(0, 500) if _COUNT.search(name) else rng.randint(0, 100)
        if kind == "number":
            if "confidence" in lname or "rate" in lname or "percent" in lname:
                return round(rng.random(), 2)
            return round(rng.uniform(1, 500), 2)
        # strings
        if fmt == "date-time" or _TIME.search(name):
            return iso(self.now - timedelta(seconds=rng.uniform(3600, 400 * 86400)))
        if fmt == "date":
            return (self.now - timedelta(days=rng.uniform(1, 400))).date().isoformat()
        if fmt == "email" or "email" in lname:
            return f"{rng.choice(pools.first_names).lower()}.{rng.randint(1, 999)}@example.com"
        if fmt in ("uri", "url") or _URL.search(name):
            if _MEDIA_HINT.search(path):
                return cdn_url(rng, rng.randint(10**8, 10**9), 960, 1280)
            return f"https://onlyfans.com/{rng.choice(pools.words)}{rng.randint(1, 99)}"
        if lname == "username":
            return f"{rng.choice(pools.first_names).lower()}{rng.randint(1, 9999)}"
        if lname in ("text", "rawtext", "about", "description", "message", "note", "lockedtext", "question", "title"):
            sentence = rng.choice(pools.sentences)
            return f"<p>{sentence}</p>" if lname == "text" else sentence
        if "name" in lname:
            return f"{rng.choice(pools.first_names)} {rng.choice(pools.last_names)}"
        if lname == "currency":
            return "USD"
        if "country" in lname:
            return rng.choice(pools.countries)
        if "ip" == lname or "ip_address" in lname:
            return rng.choice(pools.ips)
        if "user_agent" in lname or "useragent" in lname:
            return rng.choice(pools.user_agents)
        if lname == "id" or lname.endswith("id"):
            return str(rng.randint(10**6, 10**9))
        if _MONEY.search(name):
            return f"{rng.uniform(1, 500):.2f}"
        if _COUNT.search(name):
            return str(rng.randint(0, 500))
        if lname == "city" or "location" in lname:
            return rng.choice(pools.cities)
        return rng.choice(pools.words)

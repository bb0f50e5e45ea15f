"""The rules `ofapi-mock lint` runs, each a function registered by name (`@rule`), as
Schemathesis registers its checks: it gets the loaded `Spec` and yields `(where, message)`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from functools import lru_cache

from .lint import At, Spec, read_table, rule

DATA_SOURCES = ("live", "hybrid", "computed")
PATH_PARAM = re.compile(r"{([^}]+)}")
CAMEL_CASE = re.compile(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)*")  # fansListActive; not getURL or fans_list
VOCABULARIES = {
    "x-credits": ("per-result", "per-mb"),
    "x-cache": ("public",),
    "x-idempotency": (True,),
    "x-fresh": (True,),
}


@lru_cache(maxsize=1)
def registries() -> tuple[dict, dict]:
    """The mock's enrichment rules and behaviours, by name (importing media registers its behaviours)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the mock's web stack warns about its own imports
        from ..ofapi import media  # noqa: F401
        from ..ofapi.enrich import RULES as enrichments
        from ..ofapi.sources import BEHAVIOURS
    return enrichments, BEHAVIOURS


def _refs(node, at: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(pointer, target) of every `$ref` under `node`."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield at + ("$ref",), node["$ref"]
        for key, value in node.items():
            yield from _refs(value, at + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _refs(value, at + (i,))


# -- the rules ---------------------------------------------------------------------------
@rule("structure")
def structure(spec: Spec):
    """OpenAPI validity (openapi-spec-validator). Its duplicate-operationId and path-parameter
    checks are left to `operation-id` and `path-params`, which can say where."""
    from openapi_spec_validator.shortcuts import get_validator_cls
    from openapi_spec_validator.validation.exceptions import DuplicateOperationIDError, UnresolvableParameterError

    dangling = [(at, ref) for at, ref in _refs(spec.doc) if ref.startswith("#") and spec.node_at(ref) is None]
    for at, ref in dangling:
        yield at, f"$ref {ref!r} points at nothing"
    try:
        errors = [] if dangling else list(get_validator_cls(spec.doc)(spec.doc).iter_errors())
    except Exception as exc:  # an unknown OpenAPI version …
        yield (), f"not a valid OpenAPI document: {str(exc).splitlines()[0][:200]}"
        return
    causes = _causes(spec.doc) if errors else {}
    for error in errors:
        if isinstance(error, (DuplicateOperationIDError, UnresolvableParameterError)):
            continue
        at, message = tuple(error.absolute_path), error.message.split("\n")[0]
        if " is not valid under any of " in message:  # the message starts with the whole node
            message = "matches none of the shapes allowed here: " + causes.get(tuple(map(str, at)), "?")
        yield at, message[:200]


def _causes(doc: dict) -> dict[tuple, str]:
    """Why each node fails a oneOf of the meta-schema, by location: the validator's default
    backend (jsonschema_rs) only says that it failed; jsonschema's error context says why."""
    from jsonschema import validators
    from openapi_spec_validator.schemas import schema_v30, schema_v31

    schema = dict(schema_v31 if str(doc.get("openapi")).startswith("3.1") else schema_v30)
    return {
        tuple(map(str, error.absolute_path)): " or ".join(sorted({c.message for c in error.context}))
        for error in validators.validator_for(schema)(schema).iter_errors(doc)
    }


@rule("data-source")
def data_source(spec: Spec):
    for at, method, path, op in spec.operations():
        value = op.get("x-data-source")
        if value is None:
            yield at, f"{method} {path} declares no x-data-source"
        elif value not in DATA_SOURCES:
            yield at + ("x-data-source",), f"x-data-source {value!r} is not one of {', '.join(DATA_SOURCES)}"


@rule("tags")
def tags(spec: Spec):
    for at, method, path, op in spec.operations():
        if not op.get("tags"):
            yield at, f"{method} {path} has no tags (the reference groups operations by tag)"


@rule("enrichment-declared")
def enrichment_declared(spec: Spec):
    """Hybrid operations name their rules; the rules exist; their fields are in the response."""
    from .fields import schema_at

    enrichments = registries()[0]
    for at, method, path, op in spec.operations():
        entries, source = op.get("x-enrichment"), op.get("x-data-source")
        if source == "hybrid" and not entries:
            yield at, f"hybrid {method} {path} declares no x-enrichment"
        elif entries and source != "hybrid":
            yield at + ("x-enrichment",), f"x-enrichment on a {source} operation is never applied"
        code, response = (spec.successes(op) or [(None, {})])[0]
        schema = ((response.get("content") or {}).get("application/json") or {}).get("schema")
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            entry = entry if isinstance(entry, dict) else {}
            if entry.get("rule") not in enrichments:
                yield at + ("x-enrichment", i), f"enrichment rule {entry.get('rule')!r} is not registered in RULES"
            for j, field in enumerate(entry.get("fields") or []):
                if schema is None or schema_at(schema, field, spec.schemas) is None:
                    yield at + ("x-enrichment", i, "fields", j), f"field {field!r} is not in the {code} JSON response"


@rule("operation-id")
def operation_id(spec: Spec):
    seen: dict[str, str] = {}
    for at, method, path, op in spec.operations():
        oid = op.get("operationId")
        if not oid:
            yield at, f"{method} {path} has no operationId"
        elif not CAMEL_CASE.fullmatch(str(oid)):
            yield at + ("operationId",), f"operationId {oid!r} is not camelCase"
        elif oid in seen:
            yield at + ("operationId",), f"operationId {oid!r} is already used by {seen[oid]}"
        seen.setdefault(oid, f"{method} {path}")


@rule("path-params")
def path_params(spec: Spec):
    for at, method, path, op in spec.operations():
        item, declared = spec.doc["paths"][path], {}
        for where, params in ((("paths", path), item.get("parameters")), (at, op.get("parameters"))):
            for i, param in enumerate(params or []):
                param = spec.deref(param) or {}
                if param.get("in") == "path":
                    declared[param.get("name")] = where + ("parameters", i)
        named = PATH_PARAM.findall(path)
        for name in named:
            if name not in declared:
                yield at, f"{{{name}}} in {path} is not declared as a path parameter of {method}"
        for name, where in declared.items():
            if name not in named:
                yield where, f"path parameter {name!r} is not in {path}"


@rule("responses")
def responses(spec: Spec):
    """A 2xx with a schema (binary content counts), a 204 (no content), or only a redirect (a 3xx
    with a `Location` header), and OFAPI's 401 for a missing key."""
    for at, method, path, op in spec.operations():
        bodies = [m for _, r in spec.successes(op) for m in (r.get("content") or {}).values()]
        codes = {str(c): spec.deref(r) or {} for c, r in (op.get("responses") or {}).items()}
        redirect_only = not spec.successes(op) and any(
            c.startswith("3") and "Location" in (r.get("headers") or {}) for c, r in codes.items()
        )
        no_content = "204" in codes and not codes["204"].get("content")
        if not (any(isinstance(m, dict) and m.get("schema") for m in bodies) or redirect_only or no_content):
            yield at + ("responses",), f"{method} {path} has no 2xx response with a schema"
        if "401" not in {str(c) for c in op.get("responses") or {}}:
            yield at + ("responses",), f"{method} {path} declares no 401 response"


def _examples(spec: Spec, node, at: tuple) -> Iterator[tuple[tuple, object, dict]]:
    """(pointer, example value, its schema) for every `example`/`examples` in the document."""
    if isinstance(node, list):
        for i, value in enumerate(node):
            yield from _examples(spec, value, at + (i,))
    if not isinstance(node, dict):
        return
    keywords = at[-1:] != ("properties",)  # a properties map's keys are field names, not keywords
    if keywords:
        holder = node.get("schema")  # media type, parameter, header
        schema = holder if isinstance(holder, dict) else {k: v for k, v in node.items() if k != "example"}
        if "example" in node:
            yield at + ("example",), node["example"], schema
        if isinstance(holder, dict) and isinstance(node.get("examples"), dict):
            for name, example in node["examples"].items():
                value = (spec.deref(example) or {}).get("value")
                yield at + ("examples", name), value, schema
    for key, value in node.items():
        if not (keywords and key in ("example", "examples")) and not str(key).startswith("x-"):
            yield from _examples(spec, value, at + (key,))


@rule("examples")
def examples(spec: Spec):
    from jsonschema.exceptions import best_match
    from openapi_schema_validator import OAS30Validator

    components = spec.doc.get("components") or {}
    for where, value, schema in _examples(spec, spec.doc, ()):
        root = {**schema, "components": components}  # so `#/components/...` refs resolve
        error = best_match(OAS30Validator(root).iter_errors(value))
        if error is not None:
            yield where, f"example does not match its schema: {error.message[:160]}"


@rule("unused-components", "warning")
def unused_components(spec: Spec):
    """Components nothing reachable from the paths (or the rest of the document) refers to."""
    todo = [ref for _, ref in _refs({k: v for k, v in spec.doc.items() if k != "components"})]
    seen: set[str] = set()
    while todo:
        ref = todo.pop()
        if ref not in seen:
            seen.add(ref)
            todo += [target for _, target in _refs(spec.node_at(ref))]
    for section, entries in (spec.doc.get("components") or {}).items():
        if section != "securitySchemes" and isinstance(entries, dict):  # schemes are used by name
            for name in entries:
                if f"#/components/{section}/{name}" not in seen:
                    yield ("components", section, name), f"components/{section}/{name} is never referenced"


@rule("endpoint-table")
def endpoint_table(spec: Spec):
    """The operations are the table's rows (method, path, x-data-source); seed-listed rows keep
    the seed's data source (the seed page lists only hybrid and computed operations)."""
    try:
        rows = list(read_table(spec.table))
    except OSError as exc:
        yield (), f"cannot read the endpoint table {spec.table}: {exc.strerror}"
        return
    table: dict[tuple, tuple[int, dict]] = {}
    for line, row in rows:
        key = (row.get("method"), row.get("path"))
        if key in table:
            yield At(spec.table, line), f"{key[0]} {key[1]} is listed twice (line {table[key][0]})"
        table.setdefault(key, (line, row))
        if row.get("in_seed") == "yes" and row.get("x-data-source") not in ("hybrid", "computed"):
            yield At(spec.table, line), f"{key[0]} {key[1]} is seed-listed but marked {row.get('x-data-source')}"
    ops = {(method, path): (at, op) for at, method, path, op in spec.operations()}
    for (method, path), (at, op) in ops.items():
        if (method, path) not in table:
            yield at, f"{method} {path} is not in {spec.table.name}"
            continue
        line, row = table[(method, path)]
        ours, theirs = op.get("x-data-source"), row.get("x-data-source")
        if ours in DATA_SOURCES and ours != theirs:  # a missing/invalid one is `data-source`'s finding
            whose = "the seed lists it as" if row.get("in_seed") == "yes" else f"{spec.table.name}:{line} says"
            yield at + ("x-data-source",), f"x-data-source is {ours} but {whose} {theirs}"
    for key, (line, _) in table.items():
        if key not in ops:
            yield At(spec.table, line), f"{key[0]} {key[1]} is in the table but not in the spec"


def _allof_props(spec: Spec, part) -> dict:
    """The properties an allOf part declares (through `$ref` and nested allOf)."""
    part = spec.deref(part) or {}
    out: dict = {}
    for sub in part.get("allOf") or ():
        out.update(_allof_props(spec, sub))
    out.update(part.get("properties") or {})
    return out


def _kind(spec: Spec, schema) -> tuple[str | None, bool]:
    schema = spec.deref(schema) or {}
    kind = schema.get("type") or ("object" if "properties" in schema or "allOf" in schema else None)
    return kind, bool(schema.get("nullable"))


def _allofs(node, at: tuple = ()) -> Iterator[tuple[tuple, list]]:
    if isinstance(node, dict):
        if isinstance(node.get("allOf"), list):
            yield at, node["allOf"]
        for key, value in node.items():
            yield from _allofs(value, at + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _allofs(value, at + (i,))


@rule("allof-types")
def allof_types(spec: Spec):
    """allOf is a conjunction: a property two parts declare must accept the values of both (the
    mock renders the later part's, a validator checks every part): a later integer narrows an
    earlier number; anything else that differs fails one part."""
    for at, parts in _allofs(spec.doc):
        seen: dict = {}
        for i, part in enumerate(parts):
            for name, sub in _allof_props(spec, part).items():
                if name in seen:
                    (a, a_null), (b, b_null) = _kind(spec, seen[name]), _kind(spec, sub)
                    where = at + ("allOf", i, "properties", name)
                    if a and b and a != b and (a, b) != ("number", "integer"):
                        yield where, f"property {name!r} is {b} here but {a} in an earlier allOf part"
                    elif a and b and b_null and not a_null:
                        yield where, f"property {name!r} is nullable here but not in an earlier allOf part"
                seen[name] = sub


@rule("behaviours")
def behaviours(spec: Spec):
    known = registries()[1]
    for at, _, _, op in spec.operations():
        name = op.get("x-behaviour")
        if name is not None and name not in known:
            yield at + ("x-behaviour",), f"x-behaviour {name!r} is not registered (known: {', '.join(sorted(known))})"


CURSOR_PARAMS = ("offset", "marker", "page", "cursor")  # query parameters that only move through pages


@rule("paging")
def paging(spec: Spec):
    """Every operation that pages names how (`x-paging`, a registered pager): a GET whose answer
    carries `_pagination` or that takes a cursor parameter."""
    from ..onlyfans.paging import PAGERS

    for at, method, path, op in spec.operations():
        style = op.get("x-paging")
        if style is not None and style not in PAGERS:
            yield (
                at + ("x-paging",),
                f"x-paging {style!r} is not a registered pager (known: {', '.join(sorted(PAGERS))})",
            )
            continue
        if style is not None or method != "GET":
            continue
        query = {(spec.deref(p) or {}).get("name") for p in op.get("parameters") or [] if isinstance(p, dict)}
        bodies = [
            spec.deref(((r.get("content") or {}).get("application/json") or {}).get("schema")) or {}
            for _, r in spec.successes(op)
        ]
        if any("_pagination" in (b.get("properties") or {}) for b in bodies) or query & set(CURSOR_PARAMS):
            yield at, f"{method} {path} pages but declares no x-paging"


@rule("extensions")
def extensions(spec: Spec):
    for at, _, _, op in spec.operations():
        for key, allowed in VOCABULARIES.items():
            if key in op and op[key] not in allowed:
                yield at + (key,), f"{key} {op[key]!r} is not one of {', '.join(map(str, allowed))}"


def _json_media(media: str) -> bool:
    return media.split(";")[0].strip() == "application/json" or media.endswith("+json")


def response_strings(spec: Spec) -> Iterator[tuple[tuple, dict]]:
    """(pointer, schema) of every string schema a JSON response can carry (through `$ref`,
    `allOf`/`anyOf`/`oneOf`, properties, items and map values), each declaration once."""
    seen: set[tuple] = set()

    def walk(node, at: tuple):
        if not isinstance(node, dict) or at in seen:
            return
        seen.add(at)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target = tuple(k.replace("~1", "/").replace("~0", "~") for k in ref[2:].split("/"))
            yield from walk(spec.node_at(ref), target)
            return
        if node.get("type") == "string":
            yield at, node
        for key in ("allOf", "anyOf", "oneOf"):
            for i, part in enumerate(node.get(key) or ()):
                yield from walk(part, at + (key, i))
        for name, sub in (node.get("properties") or {}).items():
            yield from walk(sub, at + ("properties", name))
        for key in ("items", "additionalProperties"):
            yield from walk(node.get(key), at + (key,))

    for at, _, _, op in spec.operations():
        for code, response in (op.get("responses") or {}).items():
            where = at + ("responses", code)
            if isinstance(response, dict) and isinstance(response.get("$ref"), str):
                where = tuple(response["$ref"][2:].split("/"))
            for media, content in ((spec.deref(response) or {}).get("content") or {}).items():
                if _json_media(media) and isinstance(content, dict):
                    yield from walk(content.get("schema"), where + ("content", media, "schema"))


@rule("value-class")
def value_class(spec: Spec):
    """Every string a JSON response can carry says what it holds: an `enum`, a `format`, a
    `pattern` or an `x-faker` hint naming a value class (`mockserver/onlyfans/values.py`), so
    the mock never answers with filler and a test can check every value against its class."""
    from ..onlyfans.values import CLASSES, declared

    for where, schema in response_strings(spec):
        hint = schema.get("x-faker")
        if hint is not None and hint not in CLASSES:
            yield where + ("x-faker",), f"x-faker {hint!r} is not a value class (see mockserver/onlyfans/values.py)"
        elif hint == "none" and not schema.get("nullable"):
            yield where + ("x-faker",), "x-faker 'none' says the value is always null, but the string is not nullable"
        elif declared(schema) is None:
            yield where, "a response string with no value class (an enum, a format, a pattern or an x-faker hint)"


def _objects(node, at: tuple = ()) -> Iterator[tuple[tuple, dict]]:
    """(pointer, schema) of every mapping in the document that could be a schema."""
    if isinstance(node, dict):
        yield at, node
        for key, value in node.items():
            yield from _objects(value, at + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _objects(value, at + (i,))


@rule("relations")
def relations(spec: Spec):
    """`x-money` (gross, net, fee) and `x-counts` (count: list) name properties of the object
    that declares them, a count an integer and a counted field an array: the renderer keeps
    these relations, so a name that is not there would keep nothing."""
    roles = ("gross", "net", "fee")
    for at, schema in _objects(spec.doc):
        props = {}
        for part in [schema, *(spec.deref(p) or {} for p in schema.get("allOf") or ())]:
            props.update(part.get("properties") or {})
        money, counts = schema.get("x-money"), schema.get("x-counts")
        if money is not None:
            if not isinstance(money, dict) or not {"gross", "net"} <= set(money) or set(money) - set(roles):
                yield at + ("x-money",), "x-money names the gross and net fields (and the fee, if any)"
            else:
                for role, name in money.items():
                    if name not in props:
                        yield at + ("x-money", role), f"x-money {role} {name!r} is not a property of this object"
        for count, items in (counts or {}).items() if isinstance(counts, dict) else ():
            if (spec.deref(props.get(count)) or {}).get("type") != "integer":
                yield at + ("x-counts", count), f"x-counts: {count!r} is not an integer property of this object"
            elif (spec.deref(props.get(items)) or {}).get("type") != "array":
                yield at + ("x-counts", count), f"x-counts: {items!r} is not an array property of this object"

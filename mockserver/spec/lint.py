"""`ofapi-mock lint`: OpenAPI validity plus this project's own conventions.

Each rule is one function registered by name with a severity (`@rule("data-source")`). It
gets the loaded `Spec` and yields `(where, message)`: `where` is a pointer (the keys from the
document root down to the node at fault) or an `At` line of another file (the endpoint table).
Findings are located from the YAML node marks and printed `file:line:col severity rule message`.
"""

from __future__ import annotations

import csv
import json
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .load import SPEC_PATH

TABLE_PATH = SPEC_PATH.with_name("endpoints.tsv")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DATA_SOURCES = ("live", "hybrid", "computed")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class At:
    """A line of a file other than the spec (the endpoint table)."""

    file: Path
    line: int


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str  # error | warning
    check: Callable[[Spec], Iterator[tuple[tuple | At, str]]]


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    column: int
    severity: str
    rule: str
    message: str
    pointer: str = ""  # JSON pointer of the node in the spec ("" for other files)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column} {self.severity} {self.rule} {self.message}"


RULES: dict[str, Rule] = {}


def rule(name: str, severity: str = "error"):
    def register(fn):
        RULES[name] = Rule(name, severity, fn)
        return fn

    return register


class Spec:
    """A spec document with its YAML nodes (for locations) and the endpoint table it must match."""

    def __init__(self, path: str | Path, table: str | Path = TABLE_PATH):
        self.path, self.table = Path(path), Path(table)
        loader = _Loader(self.path.read_text(encoding="utf-8"))
        try:  # compose once: the nodes give locations, the document is built from them
            self.root = loader.get_single_node()
            self.doc = loader.construct_document(self.root) if self.root is not None else {}
        finally:
            loader.dispose()
        if not isinstance(self.doc, dict):
            raise ValueError("the document is not a mapping")
        self.schemas = (self.doc.get("components") or {}).get("schemas") or {}

    def operations(self) -> Iterator[tuple[tuple, str, str, dict]]:
        """(pointer, METHOD, path, operation) for every operation."""
        for path, item in (self.doc.get("paths") or {}).items():
            for method in HTTP_METHODS:
                if isinstance(item, dict) and isinstance(item.get(method), dict):
                    yield ("paths", path, method), method.upper(), path, item[method]

    def deref(self, obj):
        """`obj` with local `$ref`s followed (None when one dangles)."""
        seen = set()
        while isinstance(obj, dict) and isinstance(obj.get("$ref"), str) and obj["$ref"] not in seen:
            seen.add(obj["$ref"])
            obj = self.node_at(obj["$ref"])
        return obj

    def node_at(self, ref: str):
        value = self.doc
        for key in ref.removeprefix("#/").split("/"):
            key = key.replace("~1", "/").replace("~0", "~")
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def successes(self, op: dict) -> list[tuple[str, dict]]:
        """(status, dereferenced response) of each 2xx response, lowest first."""
        found = [(str(c), self.deref(r) or {}) for c, r in (op.get("responses") or {}).items()]
        return sorted(((c, r) for c, r in found if c.startswith("2")), key=lambda cr: cr[0])

    def locate(self, pointer: tuple) -> tuple[int, int]:
        """1-based line and column of the node at `pointer` (a mapping entry: its key), or of its
        deepest ancestor present in the YAML."""
        node, mark = self.root, self.root.start_mark if self.root is not None else None
        for key in pointer:
            if isinstance(node, yaml.MappingNode):
                entry = next(((k, v) for k, v in node.value if k.value == str(key)), None)
                if entry is None:
                    break
                mark, node = entry[0].start_mark, entry[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                mark = node.start_mark
            else:
                break
        return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def display(path: str | Path) -> str:
    """`path` relative to the working directory when it is under it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def pointer_str(pointer: tuple) -> str:
    return "".join("/" + str(k).replace("~", "~0").replace("/", "~1") for k in pointer)


def lint(path: str | Path = SPEC_PATH, table: str | Path = TABLE_PATH, rules: list[str] | None = None) -> list[Finding]:
    """Every finding of the selected rules (default: all), sorted by location. The structural
    rule runs first; the others assume a valid document, so they only run when it passes."""
    name = display(path)
    try:
        spec = Spec(path, table)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return [Finding(name, mark.line + 1, mark.column + 1, "error", "structure", f"invalid YAML: {exc.problem}")]
    except (OSError, ValueError, yaml.YAMLError) as exc:
        return [Finding(name, 1, 1, "error", "structure", f"cannot read the spec: {exc}")]
    found: set[Finding] = set()
    for r in RULES.values():
        if rules and r.name not in rules:
            continue
        for where, message in r.check(spec):
            if isinstance(where, At):
                found.add(Finding(display(where.file), where.line, 1, r.severity, r.name, message))
            else:
                line, col = spec.locate(where)
                found.add(Finding(name, line, col, r.severity, r.name, message, pointer_str(where)))
        if r.name == "structure" and found:
            break
    return sorted(found)


def report(findings: list[Finding], fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps([asdict(f) for f in findings], indent=2)
    return "\n".join(str(f) for f in findings)


def summary(findings: list[Finding]) -> str:
    errors = sum(f.severity == "error" for f in findings)
    return f"{errors} error(s), {len(findings) - errors} warning(s)"


def read_table(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, row) for each row of a TSV endpoint table."""
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        for row in reader:
            yield reader.line_num, row


PATH_PARAM = re.compile(r"{([^}]+)}")
CAMEL_CASE = re.compile(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)*")  # fansListActive; not getURL or fans_list
VOCABULARIES = {"x-credits": ("per-result", "per-mb"), "x-cache": ("public",), "x-idempotency": (True,)}


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

"""`ofapi-mock lint`: the runner and its output. The rules live in `lint_rules.py`.

Each rule is one function registered by name with a severity (`@rule("data-source")`). It
gets the loaded `Spec` and yields `(where, message)`: `where` is a pointer (the keys from the
document root down to the node at fault) or an `At` line of another file (the endpoint table).
Findings are located from the YAML node marks and printed `file:line:col severity rule message`.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from .load import SPEC_PATH

TABLE_PATH = SPEC_PATH.with_name("endpoints.tsv")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
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


from . import lint_rules, lint_world  # noqa: E402, F401  (they register the rules)

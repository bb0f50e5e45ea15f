"""Build `openapi/vendor-facts.json` from the tab-separated extraction of the vendor's OpenAPI
file (`reference/vendor/*.tsv`, see its README): every vendor operation with its parameters
and response field paths, each field with its JSON type and a value class.

    python -m mockserver.spec.vendor_facts /path/to/reference/vendor [--out openapi/vendor-facts.json]

The output is deterministic (sorted, one fact per line) so a rebuild diffs cleanly. Tests read
only the committed file, never the reference directory.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

from .load import SPEC_PATH

FACTS_PATH = SPEC_PATH.with_name("vendor-facts.json")
SOURCE = {
    "repo": "goslingmanagment/hub",
    "path": "reference/onlyfansapi/openapi.yaml",
    "commit": "f51b85ae19c27fc2b086132e04e577170b516ca9",
}
PARAM_PLACES = ("path", "query", "header", "body")

# Part 1 keeps only declared keywords; the limits its pages state in prose are listed in the
# reference README and added here: (operationId, in, name) -> constraints.
PART1_LIMITS = {
    ("listBlockedUsers", "query", "limit"): "min=1;max=50",
    ("listBlockedUsers", "query", "offset"): "min=0",
    ("listRestrictedUsers", "query", "limit"): "min=1;max=50",
    ("listRestrictedUsers", "query", "offset"): "min=0",
    ("listBannedWords", "query", "per_page"): "min=1;max=100;default=50",
    ("listBannedWords", "query", "category"): "maxLength=255",
    ("listBannedWords", "query", "search"): "maxLength=255",
    ("getProfitabilityHistory", "query", "months"): "min=1;max=60;default=12",
    ("listChargebacks", "query", "limit"): "min=1;max=100",
    ("listChats", "query", "limit"): "min=1;max=100",
    ("listDataExports", "query", "download_url_expires_in"): "min=1;max=60;default=5",
    ("getDataExportStatus", "query", "download_url_expires_in"): "min=1;max=60;default=5",
    ("listDataExports", "query", "per_page"): "max=100",
    ("getRevenueForecast", "body", "historical_days"): "min=30;max=730",
    ("getRevenueForecast", "body", "forecast_days"): "min=7;max=365",
    ("getProfitability", "body", "month"): "min=1;max=12",
    ("startAuthentication", "body", "customProxy.port"): "min=1;max=65535",
    ("createDataExport", "body", "options.maxMessages"): "max=10000000",
}

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URI = re.compile(r"^(https?|wss?)://", re.I)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)
_MONEY = re.compile(
    r"(price|amount|revenue|earning|gross|^net|net$|Net|balance|spent|spend|payout|fee|arps|arpu|ltv|commission|tips?$)",
    re.I,
)
_ID = re.compile(r"(^id$|_id$|Id$|^ulid$|_ulid$|Ulid$)")
_HTML = re.compile(r"^\s*<[a-z]+[ >/]", re.I)


def _example(raw: str):
    if raw == "":
        return None
    try:
        return json.loads(raw)
    except ValueError:  # cut at 80 characters
        return raw.strip('"') if raw.startswith('"') else raw


def _typed(kind: str, nullable: bool) -> str:
    return kind + ("|null" if nullable and kind != "null" else "")


def _base_type(vendor_type: str) -> tuple[str, bool]:
    """(JSON type, nullable) of a vendor type such as `string|null`, `integer?`, `null?`."""
    parts = [p.rstrip("?") for p in vendor_type.split("|")]
    nullable = "null" in parts
    kinds = [p for p in parts if p != "null"]
    if not kinds:
        return "null", True
    kind = kinds[0]
    if kind.startswith("oneOf"):
        kind = "object" if "object" in kind else "oneOf"
    return kind, nullable


def value_class(field: str, kind: str, constraints: dict, example) -> str:
    """What kind of value a field holds, beyond its JSON type: from its constraints, its
    name and its example value."""
    leaf = field.rsplit(".", 1)[-1].removesuffix("[]")
    if "enum" in constraints:
        return "enum"
    if kind in ("object", "array", "boolean", "null"):
        return kind
    fmt = constraints.get("format", "")
    if "marker" in leaf.lower() or "cursor" in leaf.lower() or leaf == "nextOffset":
        return "marker"
    text = example if isinstance(example, str) else ""
    if fmt == "date-time" or _DATE_TIME.match(text):
        return "date-time"
    if fmt in ("date", "Y-m-d") or _DATE.match(text):
        return "date"
    if fmt in ("uri", "url") or _URI.match(text):
        return "uri"
    if fmt == "email" or _EMAIL.match(text):
        return "email"
    if _ID.search(leaf):
        return "id"
    if _is_money(field) and (kind in ("number", "integer") or re.fullmatch(r"-?\d+(\.\d+)?", text)):
        return "money"
    if kind in ("integer", "number"):
        return kind
    if _HTML.match(text):
        return "html"
    return "text"


def _is_money(field: str) -> bool:
    """An amount of money, by its name (`price`, `revenuePerClick`), or a total of one
    (`revenue.total`); not a count (`spendersCount`) nor a credit balance (`_meta`)."""
    names = [n.removesuffix("[]") for n in field.split(".")]
    if field.startswith("_meta") or re.search(r"(count|counts|number|percent(age)?)$", names[-1], re.I):
        return False
    if _MONEY.search(names[-1]):
        return True
    return len(names) > 1 and names[-1] in ("total", "sum", "value", "amount") and bool(_MONEY.search(names[-2]))


def _constraints(text: str) -> dict:
    out = {}
    for token in filter(None, text.split(";")):
        key, _, value = token.partition("=")
        out[key] = value
    return out


def _field(raw: str) -> str:
    """Vendor field path in our notation: `$` the body itself, `[]` array items, part 1's
    `oneOf[N].` variant prefix dropped (variants merge)."""
    raw = re.sub(r"^oneOf\[\d+\]\.?", "", raw) or "$"
    if raw.startswith("$") and raw != "$":
        raw = raw[1:].lstrip(".")
    return raw


def read_rows(reference: Path) -> list[list[str]]:
    rows = []
    for part in sorted(reference.glob("part-*.tsv")):
        with part.open(encoding="utf-8", newline="") as fh:
            rows += [r + [""] * (10 - len(r)) for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    return rows


def build(reference: Path) -> dict:
    ops: dict[str, dict] = {}
    with (reference / "ops.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            ops[row["operationId"]] = {
                "operationId": row["operationId"],
                "method": row["method"],
                "path": row["path"],
                "tag": row["tag"],
                "auth": row["auth"] != "none",
                "params": {},
                "responses": {},
            }
    for op_id, _method, _path, _tag, where, field, vtype, required, constraints, example in read_rows(reference):
        op = ops[op_id]
        if where == "op":
            op["auth"] = op["auth"] and "no-auth" not in constraints
        elif where in PARAM_PLACES:
            constraints = PART1_LIMITS.get((op_id, where, field), constraints)
            kind, nullable = _base_type(vtype)
            op["params"][(where, field)] = [
                where,
                field,
                _typed(kind, nullable),
                required == "req",
                constraints,
            ]
        elif where == "body-type":
            op["body_type"] = constraints
        elif where.startswith("resp:"):
            status = where.split(":", 1)[1]
            path = _field(field)
            kind, nullable = _base_type(vtype)
            if kind == "oneOf":  # the `$ oneOf variants=N` marker row: the variants follow
                continue
            merged = op["responses"].setdefault(status, {})
            cls = value_class(path, kind, _constraints(constraints), _example(example))
            before = merged.get(path)
            if before is not None and before[0] != _typed(kind, nullable):
                kinds = sorted(set(before[0].split("|")) | {kind} | ({"null"} if nullable else set()))
                kinds = [k for k in kinds if k != "null"] + (["null"] if "null" in kinds else [])
                merged[path] = ["|".join(kinds), before[1]]
            elif before is None:
                merged[path] = [_typed(kind, nullable), cls]
    out = []
    for op in sorted(ops.values(), key=lambda o: (o["path"], o["method"])):
        op["params"] = [op["params"][k] for k in sorted(op["params"])]
        op["responses"] = {
            status: [[path, *fact] for path, fact in sorted(fields.items())]
            for status, fields in sorted(op["responses"].items())
        }
        out.append(op)
    return {"source": SOURCE, "operations": out}


def dumps(facts: dict) -> str:
    """JSON with one operation header, one parameter and one response field per line."""
    lines = ["{", f'"source": {json.dumps(facts["source"], sort_keys=True)},', '"operations": [']
    for i, op in enumerate(facts["operations"]):
        head = {k: v for k, v in op.items() if k not in ("params", "responses")}
        lines.append("{" + json.dumps(head, sort_keys=True)[1:-1] + ",")
        lines.append('"params": [')
        lines += [json.dumps(p) + ("," if j < len(op["params"]) - 1 else "") for j, p in enumerate(op["params"])]
        lines.append("],")
        lines.append('"responses": {')
        statuses = list(op["responses"].items())
        for j, (status, fields) in enumerate(statuses):
            lines.append(f'"{status}": [')
            lines += [json.dumps(f) + ("," if k < len(fields) - 1 else "") for k, f in enumerate(fields)]
            lines.append("]" + ("," if j < len(statuses) - 1 else ""))
        lines.append("}}" + ("," if i < len(facts["operations"]) - 1 else ""))
    lines += ["]", "}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mockserver.spec.vendor_facts", description=__doc__.split("\n")[0])
    parser.add_argument("reference", type=Path, help="the directory holding ops.tsv and part-*.tsv")
    parser.add_argument("--out", type=Path, default=FACTS_PATH)
    args = parser.parse_args(argv)
    text = dumps(build(args.reference))
    json.loads(text)  # well-formed
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

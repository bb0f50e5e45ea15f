"""`index.html`: one self-contained, offline API reference (inline CSS, no scripts, no links out)."""

from __future__ import annotations

import re
from collections import Counter
from html import escape
from string import Template

from ..spec.fields import resolve
from .model import Field, Op, enrichment_phrases, fields, humanize, json_schema, operations, success, type_name

CSS = """
:root { --fg: #1d2330; --muted: #5f6b7a; --line: #dde2ea; --bg: #f6f8fb; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; }
nav { position: fixed; top: 0; bottom: 0; left: 0; width: 250px; overflow-y: auto;
      padding: 16px; background: var(--bg); border-right: 1px solid var(--line); }
nav a { display: block; color: var(--fg); text-decoration: none; padding: 2px 0; }
nav a span { color: var(--muted); font-size: 12px; }
main { margin-left: 250px; padding: 24px 40px; max-width: 1100px; }
h1 { margin-top: 0; } h2 { border-bottom: 2px solid var(--line); padding-bottom: 4px; margin-top: 40px; }
.op { border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 16px 0; }
.op h3 { margin: 0 0 4px; font-size: 15px; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.method { font: bold 12px ui-monospace, monospace; padding: 2px 6px; border-radius: 4px; color: #fff; }
.GET { background: #2f7d4f; } .POST { background: #2d5fa8; } .PUT { background: #8a5a00; }
.PATCH { background: #6b4fa8; } .DELETE { background: #a83232; }
.badge { font-size: 12px; padding: 1px 8px; border-radius: 10px; border: 1px solid; }
.badge-live { color: #4a5563; border-color: #aab3c0; }
.badge-hybrid { color: #8a4b00; border-color: #e0a458; background: #fff6e8; }
.badge-computed { color: #1f5f8b; border-color: #7fb3d9; background: #eef6fc; }
.opid, .muted { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13px; }
th, td { text-align: left; border-bottom: 1px solid var(--line); padding: 4px 8px; vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
h4 { margin: 10px 0 2px; font-size: 13px; text-transform: uppercase; color: var(--muted); }
h4 code { text-transform: none; }
"""

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>$css</style>
</head>
<body>
<nav><strong>$title</strong>
$nav
</nav>
<main>
<h1>$title</h1>
<p>$description</p>
<p class="muted">Version $version · $counts</p>
$sections
</main>
</body>
</html>
""")


def _inline(text: str) -> str:
    """Escaped text with Markdown `code` spans as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


def _fields_table(rows: list[Field]) -> str:
    if not rows:
        return ""
    body = "".join(
        f"<tr><td><code>{escape(f.name)}</code></td><td>{escape(f.type)}</td>"
        f"<td>{'yes' if f.required else ''}</td><td>{_inline(f.description)}</td></tr>"
        for f in rows
    )
    return f"<table><tr><th>Field</th><th>Type</th><th>Required</th><th>Description</th></tr>{body}</table>"


def _parameters(op: dict, spec: dict) -> str:
    shared = spec.get("components", {}).get("parameters", {})
    params = [shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in op.get("parameters", [])]
    if not params:
        return ""
    schemas = spec.get("components", {}).get("schemas", {})
    body = "".join(
        f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
        f"<td>{escape(type_name(p.get('schema'), schemas))}</td><td>{'yes' if p.get('required') else ''}</td>"
        f"<td>{_inline(p.get('description', ''))}</td></tr>"
        for p in params
    )
    head = "<tr><th>Name</th><th>In</th><th>Type</th><th>Required</th><th>Description</th></tr>"
    return f"<h4>Parameters</h4><table>{head}{body}</table>"


def _request(op: dict, schemas: dict) -> str:
    media_type, schema = json_schema(op.get("requestBody", {}).get("content", {}))
    if not media_type:
        return ""
    rows = fields(schema, schemas)
    table = _fields_table(rows) if rows else f"<p>{escape(type_name(schema, schemas))}</p>"
    return f"<h4>Request body <code>{escape(media_type)}</code></h4>{table}"


def _body_fields(schema: dict | None, schemas: dict, prefix: str = "") -> list[Field]:
    """An object's fields, or its items' fields (`[].id`) when it is an array."""
    resolved = resolve(schema, schemas) if schema else {}
    if resolved.get("type") == "array":
        return fields(resolved.get("items"), schemas, prefix=f"{prefix.rstrip('.')}[].")
    return fields(schema, schemas, prefix=prefix)


def _response(op: dict, schemas: dict) -> str:
    status, response = success(op)
    media_type, schema = json_schema(response.get("content", {}))
    head = f"<h4>Response {escape(status)} <code>{escape(media_type)}</code></h4>"
    if schema is None:
        return head + f"<p>{escape(response.get('description', ''))}</p>"
    rows = _body_fields(schema, schemas)
    if any(r.name == "data" for r in rows):  # the envelope: show what `data` holds too
        rows += _body_fields(resolve(schema, schemas)["properties"]["data"], schemas, prefix="data.")
    kind = type_name(schema, schemas)
    return head + (f'<p class="muted">{escape(kind)}</p>' if kind != "object" else "") + _fields_table(rows)


def _operation(o: Op, spec: dict) -> str:
    schemas = spec.get("components", {}).get("schemas", {})
    oid = escape(o.op.get("operationId", ""))
    adds = enrichment_phrases(o.op, schemas)
    enriched = "".join(f"<li>{_inline(a)}</li>" for a in adds)
    return (
        f'<article class="op" id="{oid}">'
        f'<h3><span class="method {o.method}">{o.method}</span> <code>{escape(o.path)}</code> '
        f'<span class="badge badge-{escape(o.source)}" title="x-data-source">{escape(o.source)}</span></h3>'
        f'<div>{_inline(o.op.get("summary", ""))}</div><div class="opid">{oid}</div>'
        + (f"<p>{_inline(o.op['description'])}</p>" if o.op.get("description") else "")
        + (f"<h4>OFAPI adds</h4><ul>{enriched}</ul>" if adds else "")
        + _parameters(o.op, spec)
        + _request(o.op, schemas)
        + _response(o.op, schemas)
        + "</article>"
    )


def page(spec: dict) -> str:
    ops = operations(spec)
    groups: dict[str, list[Op]] = {}
    for o in ops:
        groups.setdefault(o.tag, []).append(o)
    order = sorted(groups, key=humanize)
    nav = "\n".join(
        f'<a href="#tag-{escape(t)}">{escape(humanize(t))} <span>{len(groups[t])}</span></a>' for t in order
    )
    sections = "\n".join(
        f'<section id="tag-{escape(t)}"><h2>{escape(humanize(t))}</h2>'
        + "".join(_operation(o, spec) for o in groups[t])
        + "</section>"
        for t in order
    )
    counts = Counter(o.source for o in ops)
    info = spec.get("info", {})
    return PAGE.substitute(
        title=escape(info.get("title", "API reference")),
        description=_inline(info.get("description", "")),
        version=escape(str(info.get("version", ""))),
        counts=f"{len(ops)} operations: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())),
        css=CSS,
        nav=nav,
        sections=sections,
    )

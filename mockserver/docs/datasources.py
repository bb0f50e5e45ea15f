"""`endpoint-data-sources.md`: which operations OFAPI enriches or answers itself, from the spec.

The endpoint table (when given) says which operations OFAPI's own page lists and how it
spells their paths; operations the page does not list but the spec classifies the same way
(the SDK's spellings of listed ones) get a note of their own instead of a table row.
"""

from __future__ import annotations

from collections import Counter

from .model import Op, enrichment_phrases, humanize, operations

INTRO = """\
# Endpoint Data Sources

Every operation in this API answers in one of three ways, recorded as `x-data-source` in
`openapi/ofapi.yaml`:

- **Hybrid**: the request goes to OnlyFans, and OFAPI adds fields of its own to the payload
  before returning it (each addition is a named rule in the spec's `x-enrichment`).
- **Computed**: OnlyFans is not contacted at all; OFAPI answers from what it has stored,
  synced or calculated itself. These operations cost no credits.
- **Live passthrough**: the OnlyFans payload is returned as it is (apart from CDN URLs,
  which every operation rewrites once OFAPI holds a copy of the file).
"""


def _row(*cells: str) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    return [_row(*header), _row(*("---",) * len(header)), *(_row(*r) for r in rows)]


def page(spec: dict, table: dict[tuple[str, str], dict] | None = None) -> str:
    """The Markdown page. `table`: endpoint-table rows by (METHOD, path), or None for the spec alone."""
    schemas = spec.get("components", {}).get("schemas", {})
    ops = operations(spec)

    def listed(op: Op) -> bool:
        return not table or table.get((op.method, op.path), {}).get("in_seed") == "yes"

    def path(op: Op) -> str:
        row = (table or {}).get((op.method, op.path), {})
        return row.get("seed_path") or op.short_path

    hybrid = [o for o in ops if o.source == "hybrid" and listed(o)]
    computed = [o for o in ops if o.source == "computed" and listed(o)]
    others = [o for o in ops if o.source in ("hybrid", "computed") and not listed(o)]
    live = [o for o in ops if o.source not in ("hybrid", "computed")]

    out = [INTRO, "## Hybrid endpoints", ""]
    out.append("OFAPI fetches these from OnlyFans, then adds the fields below (the rest of the payload is untouched).")
    rows = [
        (f"`{o.method}`", f"`{path(o)}`", o.op.get("summary", ""), "; ".join(enrichment_phrases(o.op, schemas)))
        for o in hybrid
    ]
    out += ["", *_table(("HTTP", "Path", "Operation", "What OFAPI adds"), rows), ""]

    out += ["## Computed endpoints", ""]
    out.append("Answered from OFAPI's own data; no OnlyFans request is made while serving them. Grouped by tag:")
    groups: dict[str, list[Op]] = {}
    for o in computed:
        groups.setdefault(o.tag, []).append(o)
    for tag in sorted(groups, key=humanize):
        rows = [(f"`{o.method}`", f"`{path(o)}`", o.op.get("summary", "")) for o in groups[tag]]
        out += ["", f"### {humanize(tag)}", "", *_table(("HTTP", "Path", "Operation"), rows)]
    out.append("")

    if others:
        out += ["## Other spellings", ""]
        out.append("The mock also serves these operations under a second path (the official SDK's), classified")
        out.append("like the listed operation they duplicate:")
        out.append("")
        for o in others:
            row = table.get((o.method, o.path), {})
            same = f" (same as `{row['seed_path']}`)" if row.get("seed_path") else ""
            out.append(f"- {o.source}: `{o.method} {o.short_path}`{same}")
        out.append("")

    counts = Counter(o.source for o in ops)
    out += ["## Live passthrough", ""]
    out.append(
        f"Everything else is live passthrough: {len(live)} of the spec's {len(ops)} operations "
        f"({counts['hybrid']} hybrid and {counts['computed']} computed in all). When an operation "
        "is not listed above, expect the OnlyFans payload unchanged."
    )
    return "\n".join(out) + "\n"

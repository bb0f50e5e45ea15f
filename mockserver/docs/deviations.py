"""`vendor-deviations.md`: where the mock deliberately differs from the vendor's OpenAPI file,
from `openapi/deviations.yaml`, with how closely the rest agrees (`spec/vendor.py`)."""

from __future__ import annotations

from ..spec.vendor import Comparison

INTRO = """\
# Where ofapi-mock differs from the vendor's file

OFAPI documents its API in an OpenAPI file of its own (`openapi/vendor-facts.json` holds its
operations, parameters and response field paths). The mock follows it, and the official SDK
where the two disagree and the SDK must keep parsing; every deliberate difference is below,
from `openapi/deviations.yaml`. `tests/test_vendor_facts.py` fails on a difference missing
here and on a row here that no longer differs.
"""


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def page(deviations: dict, comparison: Comparison, vendor_operations: int) -> str:
    missing = len(comparison.missing_operations)
    out = [
        INTRO,
        f"Vendor operations served: {vendor_operations - missing} of {vendor_operations}. "
        f"Vendor response field paths in the spec with the same JSON type: {comparison.fields_agreeing} "
        f"of {comparison.fields_total} ({comparison.agreement:.1%}).",
        "",
        "## Operations",
        "",
        "| Operation | Differs | Why |",
        "| --- | --- | --- |",
    ]
    out += [
        f"| `{_cell(r['operation'])}` | {_cell(r['differs'])} | {_cell(r['why'])} |"
        for r in deviations.get("operations") or []
    ]
    out += ["", "## Response fields", "", "| Operation | Field | Differs | Why |", "| --- | --- | --- | --- |"]
    out += [
        f"| `{_cell(r['operation'])}` | `{_cell(r['field'])}` | {_cell(r['differs'])} | {_cell(r['why'])} |"
        for r in deviations.get("fields") or []
    ]
    return "\n".join(out) + "\n"

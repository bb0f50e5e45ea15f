"""`ofapi-mock docs`: documents generated from the spec (and, for the seed's spellings, the
endpoint table beside it): the data-sources page in Markdown, an offline HTML reference, and
(when the vendor facts and the deviation table sit beside the spec) where the mock differs
from the vendor's file."""

from __future__ import annotations

from pathlib import Path

from ..spec import vendor
from ..spec.load import load_spec
from . import datasources, deviations, reference
from .model import read_table


def generate(spec_path: str | Path, out: str | Path, table: str | Path | None = None) -> list[Path]:
    """Write both documents into `out`; `table` defaults to `endpoints.tsv` beside the spec."""
    spec_path, out = Path(spec_path), Path(out)
    spec = load_spec(spec_path)
    rows = read_table(table if table is not None else spec_path.with_name("endpoints.tsv"))
    out.mkdir(parents=True, exist_ok=True)
    written = {
        out / "endpoint-data-sources.md": datasources.page(spec, rows or None),
        out / "index.html": reference.page(spec),
    }
    facts, table_of_deviations = spec_path.with_name("vendor-facts.json"), spec_path.with_name("deviations.yaml")
    if facts.exists() and table_of_deviations.exists():
        known = vendor.load_facts(facts)
        comparison = vendor.compare(spec, known)
        listed = vendor.load_deviations(table_of_deviations)
        written[out / "vendor-deviations.md"] = deviations.page(listed, comparison, len(known["operations"]))
    for path, text in written.items():
        path.write_text(text, encoding="utf-8")
    return list(written)

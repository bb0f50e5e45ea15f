"""`ofapi-mock docs`: the data-sources page lists exactly the seed's rows; the HTML reference is
complete and works offline."""

import csv
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from mockserver.cli import main
from mockserver.docs import generate
from mockserver.spec.load import SPEC_PATH, load_spec
from mockserver.spec.operations import METHODS

ROOT = Path(__file__).resolve().parents[1]
# The seed's pages are not part of the project; CI has them in shared/ beside the clone.
SEED_DIR = Path(os.environ.get("OFAPI_SEED_DIR") or ROOT.parent / "shared" / "seed")
ROWS = list(csv.DictReader((ROOT / "openapi" / "endpoints.tsv").open(encoding="utf-8"), delimiter="\t"))
CELL = re.compile(r"\|\s*`(GET|POST|PUT|PATCH|DELETE)`\s*\|\s*`([^`]+)`\s*\|")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    assert main(["docs", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def page(out):
    return (out / "endpoint-data-sources.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def html(out):
    return (out / "index.html").read_text(encoding="utf-8")


def section(markdown: str, title: str) -> str:
    """The text under `## <title>…` up to the next `## ` heading."""
    match = re.search(rf"^## {title}[^\n]*\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert match, f"no '## {title}' section"
    return match.group(1)


def rows(markdown: str, title: str) -> set[tuple[str, str]]:
    """(method, path) of every table row in a section."""
    return set(CELL.findall(section(markdown, title)))


def seeded(source: str) -> set[tuple[str, str]]:
    return {(r["method"], r["seed_path"]) for r in ROWS if r["in_seed"] == "yes" and r["x-data-source"] == source}


def test_tables_list_exactly_the_seed_rows_of_the_endpoint_table(page):
    assert rows(page, "Hybrid") == seeded("hybrid")
    assert rows(page, "Computed") == seeded("computed")
    assert len(seeded("hybrid")) == 12 and len(seeded("computed")) == 50


def test_tables_match_the_seed_page(page):
    pages = [p for p in sorted(SEED_DIR.glob("*.txt")) if "# Endpoint Data Sources" in p.read_text(encoding="utf-8")]
    if not pages:
        pytest.skip("the seed's Endpoint Data Sources page is not at hand: set OFAPI_SEED_DIR to compare with it")
    seed = pages[0].read_text(encoding="utf-8")
    assert rows(page, "Hybrid") == rows(seed, "Hybrid")
    assert rows(page, "Computed") == rows(seed, "Computed")
    prose = {line.strip() for line in seed.splitlines() if len(line.strip()) > 40 and not line.startswith("|")}
    assert not prose & {line.strip() for line in page.splitlines()}, "the page copies the seed's prose"


def test_hybrid_rows_say_what_ofapi_adds(page):
    hybrid = section(page, "Hybrid")
    for line in hybrid.splitlines():
        if CELL.match(line):
            assert "(rule `" in line, line
    assert "`lastReplyAt` on each `data.list[]` item" in hybrid
    assert "`type` on each `data.list[]` item (rule `transaction_type`)" in hybrid


def test_everything_else_is_live_and_counted(page):
    sources = Counter(r["x-data-source"] for r in ROWS)
    assert f"{sources['live']} of the spec's {len(ROWS)} operations" in section(page, "Live passthrough")
    others = section(page, "Other spellings")  # the SDK spellings of seed-listed operations
    assert len(re.findall(r"^- ", others, re.M)) == sum(
        r["in_seed"] == "no" and r["x-data-source"] != "live" for r in ROWS
    )


def test_without_a_table_the_page_comes_from_the_spec_alone(tmp_path):
    spec = ROOT / "tests" / "diff_specs" / "base.yaml"  # no endpoints.tsv beside it
    generate(spec, tmp_path)
    page = (tmp_path / "endpoint-data-sources.md").read_text()
    assert rows(page, "Hybrid") == {("GET", "/{account}/fans/active")}
    assert rows(page, "Computed") == {("GET", "/smart-links")}
    assert "0 of the spec's 2 operations" in page


def operations():
    spec = load_spec(SPEC_PATH)
    return [op for item in spec["paths"].values() for m in METHODS if (op := item.get(m))]


def test_html_has_every_operation_with_its_data_source_badge(html):
    badges = dict(re.findall(r'<article class="op" id="(\w+)">.*?class="badge badge-(\w+)"', html))
    assert badges == {op["operationId"]: op["x-data-source"] for op in operations()}
    assert html.count('class="badge badge-') == len(operations())


def test_html_is_self_contained(html):
    assert "<style>" in html
    assert not re.search(r"<script|<link|<iframe|<img|@import|url\(", html, re.I)
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?(?:https?:)?//""", html, re.I)
    for tag in ("article", "section", "table", "nav", "main"):
        assert html.count(f"<{tag}") == html.count(f"</{tag}>"), tag


def test_html_shows_parameters_body_and_response_fields(html):
    send = re.search(r'<article class="op" id="chatsMessagesSend">(.*?)</article>', html, re.S)
    assert send, "chatsMessagesSend missing"
    body = send.group(1)
    assert "<h4>Parameters</h4>" in body and "<code>chat_id</code>" in body
    assert "Request body <code>application/json</code>" in body and "<code>text</code>" in body
    assert "<h4>Response 200" in body and "<code>_meta</code>" in body


def test_vendor_deviations_page_lists_every_row_of_the_table(out):
    import yaml

    text = (out / "vendor-deviations.md").read_text(encoding="utf-8")
    table = yaml.safe_load((ROOT / "openapi" / "deviations.yaml").read_text(encoding="utf-8"))
    for row in table["operations"]:
        assert f"| `{row['operation']}` | {row['differs']} |" in text
    for row in table["fields"]:
        assert f"| `{row['operation']}` | `{row['field']}` |" in text
    assert re.search(r"Vendor operations served: \d+ of 294\.", text)

"""`ofapi-mock lint`: each rule catches its bad spec (and only that), at the right line."""

import json
import re
from pathlib import Path

import pytest

from mockserver.cli import main
from mockserver.spec.lint import RULES, lint

SPECS = Path(__file__).parent / "lint_specs"
TABLE = SPECS / "endpoints.tsv"
CLEAN = SPECS / "clean.yaml"
BAD = sorted(p.stem for p in SPECS.glob("*.yaml") if p != CLEAN)
LINE = re.compile(r"(?P<file>\S+):(?P<line>\d+):(?P<col>\d+) (?P<severity>error|warning) (?P<rule>[a-z-]+) (?P<msg>.+)")


def marked(path: Path) -> int:
    """The line the `# <- finding` comment marks."""
    lines = path.read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.endswith("# <- finding"))


def starts_a_node(path: Path, line: int, col: int) -> bool:
    """Whether `col` is where a key or value starts on `line` (not inside one or in the comment)."""
    text = path.read_text().splitlines()[line - 1]
    return text[col - 1] not in " #" and (col == 1 or text[col - 2] in " [{")


def run(capsys, *args) -> tuple[int, str]:
    code = main(["lint", *map(str, args)])
    return code, capsys.readouterr().out


def test_every_rule_has_a_bad_spec_named_after_it():
    assert BAD == sorted(RULES)


def test_the_baseline_fixture_is_clean():
    assert lint(CLEAN, TABLE) == []


@pytest.mark.parametrize("name", BAD)
def test_bad_spec_yields_exactly_its_rule_at_the_marked_line(name, capsys):
    path = SPECS / f"{name}.yaml"
    findings = lint(path, TABLE)
    assert [(f.rule, f.severity) for f in findings] == [(name, RULES[name].severity)]
    assert findings[0].line == marked(path)
    assert starts_a_node(path, findings[0].line, findings[0].column)

    code, out = run(capsys, path, "--table", TABLE)
    match = LINE.fullmatch(out.strip())
    assert match, out
    assert Path(match["file"]).resolve() == path.resolve()
    assert (int(match["line"]), int(match["col"])) == (findings[0].line, findings[0].column)
    assert (match["severity"], match["rule"]) == (RULES[name].severity, name)
    assert code == (1 if RULES[name].severity == "error" else 0)


def mutate(tmp_path, old: str, new: str, table: str | None = None):
    text = CLEAN.read_text()
    assert text.count(old) == 1, old
    spec = tmp_path / "spec.yaml"
    spec.write_text(text.replace(old, new))
    tsv = tmp_path / "endpoints.tsv"
    tsv.write_text(table if table is not None else TABLE.read_text())
    return lint(spec, tsv)


@pytest.mark.parametrize(
    ("old", "new", "rule", "message"),
    [
        ("operationId: smartLinksRetrieve", "operationId: smart_links_retrieve", "operation-id", "not camelCase"),
        ("operationId: smartLinksRetrieve", "operationId: getURL", "operation-id", "not camelCase"),
        ("rule: last_reply_at", "rule: last_replied_at", "enrichment-declared", "not registered"),
        (
            "      x-enrichment:\n        - rule: last_reply_at\n          fields: ['data.list[].lastReplyAt']\n",
            "",
            "enrichment-declared",
            "declares no x-enrichment",
        ),
        ("      x-cache: public\n", "      x-cache: private\n", "extensions", "x-cache 'private'"),
        (
            "          schema: {type: integer, minimum: 1, maximum: 20}\n          example: 10\n",
            "          schema: {type: integer, minimum: 1, maximum: 20}\n          example: 10\n"
            "        - {name: fan_id, in: path, required: true, schema: {type: string}}\n",
            "path-params",
            "'fan_id' is not in /api/{account}/fans/active",
        ),
        (
            "          schema: {type: integer, minimum: 1, maximum: 20}\n          example: 10\n",
            "          schema: {type: integer, minimum: 1, maximum: 20}\n          example: 10\n"
            "        - {name: offset, in: query, schema: {type: integer, minimum: 0}}\n",
            "paging",
            "GET /api/{account}/fans/active pages but declares no x-paging",
        ),
        ("      example: {error: Unauthorized.}", "      example: {error: 401}", "examples", "not of type 'string'"),
        ("      x-data-source: computed\n", "", "data-source", "declares no x-data-source"),
        ("error: {type: string, x-faker: sentence}", "error: {type: string}", "value-class", "no value class"),
        ("x-faker: ulid}", "x-faker: filler}", "value-class", "'filler' is not a value class"),
        ("x-faker: ofapi-time, nullable: true}", "x-faker: none}", "value-class", "is not nullable"),
        (
            "    Fan:\n      type: object\n",
            "    Fan:\n      type: object\n      x-money: {gross: amount, net: id}\n",
            "relations",
            "x-money gross 'amount' is not a property",
        ),
        (
            "    Fan:\n      type: object\n",
            "    Fan:\n      type: object\n      x-counts: {id: lastReplyAt}\n",
            "relations",
            "'lastReplyAt' is not an array property",
        ),
        (
            "properties: {id: {type: string, x-faker: ulid}}}",
            "properties: {id: {type: string, x-faker: ulid}, tags: {type: array, items: {type: string}}}}",
            "value-class",
            "no value class",
        ),
        (
            "items: {$ref: '#/components/schemas/Fan'}",
            "items: {$ref: '#/components/schemas/Nope'}",
            "structure",
            "'#/components/schemas/Nope' points at nothing",
        ),
    ],
)
def test_more_ways_to_break_a_rule(tmp_path, old, new, rule, message):
    findings = mutate(tmp_path, old, new)
    assert [f.rule for f in findings] == [rule]
    assert message in findings[0].message


def test_table_rows_missing_from_the_spec_are_located_in_the_table(tmp_path):
    extra = "GET\t/api/whoami\tcomputed\tyes\t/whoami\n"
    findings = mutate(tmp_path, "info:", "info:", table=TABLE.read_text() + extra)
    assert [(f.rule, Path(f.file).name, f.line) for f in findings] == [("endpoint-table", "endpoints.tsv", 5)]
    assert "in the table but not in the spec" in findings[0].message


def test_a_seed_listed_row_cannot_be_live(tmp_path):
    table = TABLE.read_text().replace("computed\tyes", "live\tyes")
    spec = "      x-data-source: computed\n"
    findings = mutate(tmp_path, spec, spec.replace("computed", "live"), table=table)
    assert [(f.rule, f.line) for f in findings] == [("endpoint-table", 3)]
    assert "seed-listed but marked live" in findings[0].message


def test_invalid_yaml_is_a_located_structure_error(tmp_path):
    findings = mutate(tmp_path, "      summary: Media download\n", "      summary: [Media download\n")
    assert [(f.rule, f.severity) for f in findings] == [("structure", "error")]
    assert findings[0].message.startswith("invalid YAML")


def test_the_real_spec_lints_without_errors(capsys):
    assert [str(f) for f in lint() if f.severity == "error"] == []
    code, _ = run(capsys)
    assert code == 0


def test_json_format(capsys):
    code, out = run(capsys, SPECS / "examples.yaml", "--table", TABLE, "--format", "json")
    (finding,) = json.loads(out)
    assert code == 1
    assert finding["rule"] == "examples" and finding["severity"] == "error"
    assert (finding["line"], finding["column"]) == (marked(SPECS / "examples.yaml"), 11)
    assert finding["pointer"] == "/paths/~1api~1{account}~1fans~1active/get/parameters/1/example"
    code, out = run(capsys, CLEAN, "--table", TABLE, "--format", "json")
    assert (code, json.loads(out)) == (0, [])

"""`ofapi-mock diff`: each known change between two spec versions, classified right."""

import json
from pathlib import Path

import pytest

from mockserver.cli import main
from mockserver.spec.diff import Change, diff
from mockserver.spec.load import SPEC_PATH

SPECS = Path(__file__).parent / "diff_specs"
BASE = SPECS / "base.yaml"
FANS, LINKS = "GET /api/{account}/fans/active", "GET /api/smart-links"

# each file is base.yaml with one change: (breaking, kind, operation, detail)
CASES = {
    "operation-removed": (True, "operation-removed", LINKS, "smartLinksList"),
    "response-field-removed": (True, "response-field-removed", FANS, "data.list[].name"),
    "parameter-became-required": (True, "parameter-became-required", FANS, "query limit"),
    "parameter-added-required": (True, "parameter-added-required", FANS, "query sort"),
    "enum-narrowed": (True, "enum-narrowed", FANS, "query type: removed all"),
    "type-changed": (True, "type-changed", FANS, "response data.list[].id: integer -> string"),
    "data-source-changed": (True, "data-source-changed", LINKS, "computed -> live"),
    "operation-added": (False, "operation-added", "GET /api/smart-links/{smart_link_id}", "smartLinksRetrieve"),
    "parameter-added": (False, "parameter-added", FANS, "query offset"),
    "response-field-added": (False, "response-field-added", LINKS, "data[].url"),
    "enum-widened": (False, "enum-widened", LINKS, "response data[].status: added archived"),
}

# the same pairs read backwards
REVERSED = {
    "operation-added": (True, "operation-removed", "GET /api/smart-links/{smart_link_id}", "smartLinksRetrieve"),
    "response-field-added": (True, "response-field-removed", LINKS, "data[].url"),
    "enum-widened": (True, "enum-narrowed", LINKS, "response data[].status: removed archived"),
    "parameter-added": (True, "parameter-removed", FANS, "query offset"),
    "parameter-became-required": (False, "parameter-became-optional", FANS, "query limit"),
    "response-field-removed": (False, "response-field-added", FANS, "data.list[].name"),
}


def test_every_fixture_is_a_case():
    assert sorted(p.stem for p in SPECS.glob("*.yaml") if p != BASE) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_change_is_detected_and_classified(name):
    assert diff(BASE, SPECS / f"{name}.yaml") == [Change(*CASES[name])]


@pytest.mark.parametrize("name", sorted(REVERSED))
def test_reversed_change_is_classified_too(name):
    assert diff(SPECS / f"{name}.yaml", BASE) == [Change(*REVERSED[name])]


def test_breaking_changes_come_first_and_decide_the_exit_status(tmp_path, capsys):
    new = tmp_path / "new.yaml"
    text = (SPECS / "enum-narrowed.yaml").read_text()
    new.write_text(text.replace("schema: {type: integer}", "schema: {type: integer}\n          required: true", 1))
    new.write_text(new.read_text().replace("enum: [active, paused]", "enum: [active, paused, archived]"))
    changes = diff(BASE, new)
    assert [c.kind for c in changes] == ["enum-narrowed", "parameter-became-required", "enum-widened"]
    assert main(["diff", str(BASE), str(new)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("breaking enum-narrowed GET /api/{account}/fans/active: ")
    assert lines[-1] == "2 breaking, 1 non-breaking change(s)"


@pytest.mark.parametrize(("name", "status"), [("enum-widened", 0), ("type-changed", 1), ("base", 0)])
def test_exit_status(name, status, capsys):
    assert main(["diff", str(BASE), str(SPECS / f"{name}.yaml")]) == status


def test_json_format(capsys):
    assert main(["diff", str(BASE), str(SPECS / "response-field-removed.yaml"), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out) == [
        {"breaking": True, "kind": "response-field-removed", "operation": FANS, "detail": "data.list[].name"}
    ]


def test_the_real_spec_against_itself_has_no_changes(capsys):
    assert main(["diff", str(SPEC_PATH), str(SPEC_PATH)]) == 0
    assert capsys.readouterr().out.strip() == "0 breaking, 0 non-breaking change(s)"

"""`ofapi-mock diff`: each known change between two spec versions, classified right."""

import copy
import json
from pathlib import Path

import pytest

from mockserver.cli import main
from mockserver.spec.diff import Change, compare, diff
from mockserver.spec.load import SPEC_PATH

SPECS = Path(__file__).parent / "diff_specs"
BASE = SPECS / "base.yaml"
FANS, LINKS = "GET /api/{account}/fans/active", "GET /api/smart-links"

# each file is base.yaml with one change: (breaking, kind, operation, detail, subject)
LIMIT, SORT, OFFSET, TYPE = (f"parameter {n} (query)" for n in ("limit", "sort", "offset", "type"))
CASES = {
    "operation-removed": (True, "operation-removed", LINKS, "removed (smartLinksList)"),
    "response-field-removed": (True, "response-field-removed", FANS, "removed", "response field data.list[].name"),
    "parameter-became-required": (True, "parameter-became-required", FANS, "now required", LIMIT),
    "parameter-added-required": (True, "parameter-added-required", FANS, "added, required", SORT),
    "enum-narrowed": (True, "enum-narrowed", FANS, "enum value(s) removed: all", TYPE),
    "type-changed": (True, "type-changed", FANS, "type changed integer → string", "response field data.list[].id"),
    "data-source-changed": (True, "data-source-changed", LINKS, "x-data-source changed computed → live"),
    "bound-narrowed": (True, "bound-narrowed", FANS, "maximum lowered 20 → 10", LIMIT),
    "operation-added": (False, "operation-added", "GET /api/smart-links/{smart_link_id}", "added (smartLinksRetrieve)"),
    "parameter-added": (False, "parameter-added", FANS, "added, optional", OFFSET),
    "response-field-added": (False, "response-field-added", LINKS, "added", "response field data[].url"),
    "enum-widened": (False, "enum-widened", LINKS, "enum value(s) added: archived", "response field data[].status"),
}

# the same pairs read backwards
REVERSED = {
    "operation-added": (
        True,
        "operation-removed",
        "GET /api/smart-links/{smart_link_id}",
        "removed (smartLinksRetrieve)",
    ),
    "response-field-added": (True, "response-field-removed", LINKS, "removed", "response field data[].url"),
    "enum-widened": (True, "enum-narrowed", LINKS, "enum value(s) removed: archived", "response field data[].status"),
    "parameter-added": (True, "parameter-removed", FANS, "removed", OFFSET),
    "parameter-became-required": (False, "parameter-became-optional", FANS, "now optional", LIMIT),
    "response-field-removed": (False, "response-field-added", FANS, "added", "response field data.list[].name"),
    "bound-narrowed": (False, "bound-widened", FANS, "maximum raised 10 → 20", LIMIT),
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
    new.write_text(
        text.replace(
            "          schema: {type: integer,", "          required: true\n          schema: {type: integer,", 1
        )
    )
    new.write_text(new.read_text().replace("enum: [active, paused]", "enum: [active, paused, archived]"))
    changes = diff(BASE, new)
    assert [c.kind for c in changes] == ["enum-narrowed", "parameter-became-required", "enum-widened"]
    assert main(["diff", str(BASE), str(new)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[0]
        == "breaking enum-narrowed parameter type (query) of GET /api/{account}/fans/active: enum value(s) removed: all"
    )
    assert lines[-1] == "2 breaking, 1 non-breaking change(s)"


@pytest.mark.parametrize(("name", "status"), [("enum-widened", 0), ("type-changed", 1), ("base", 0)])
def test_exit_status(name, status, capsys):
    assert main(["diff", str(BASE), str(SPECS / f"{name}.yaml")]) == status


def test_json_format(capsys):
    assert main(["diff", str(BASE), str(SPECS / "response-field-removed.yaml"), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out) == [
        {
            "breaking": True,
            "kind": "response-field-removed",
            "operation": FANS,
            "detail": "removed",
            "subject": "response field data.list[].name",
        }
    ]


def test_the_real_spec_against_itself_has_no_changes(capsys):
    assert main(["diff", str(SPEC_PATH), str(SPEC_PATH)]) == 0
    assert capsys.readouterr().out.strip() == "0 breaking, 0 non-breaking change(s)"


def test_narrowed_bound_is_reported_in_plain_words(capsys):
    assert main(["diff", str(BASE), str(SPECS / "bound-narrowed.yaml")]) == 1
    out = capsys.readouterr().out
    assert "parameter limit (query) of GET /api/{account}/fans/active: maximum lowered 20 → 10" in out


def _spec(param: dict, field: dict) -> dict:
    """One operation with a query parameter `query` and a request-body field `name`."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/api/smart-links": {
                "post": {
                    "operationId": "smartLinksCreate",
                    "x-data-source": "computed",
                    "parameters": [{"name": "query", "in": "query", "schema": param}],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "required": ["name"], "properties": {"name": field}}
                            }
                        }
                    },
                    "responses": {"200": {"description": "OK"}},
                }
            }
        },
    }


INT, STR, LIST = {"type": "integer"}, {"type": "string"}, {"type": "array", "items": {"type": "string"}}
BOUNDS = [  # old schema, new schema, breaking, kind, detail
    ({**INT, "minimum": 1}, {**INT, "minimum": 5}, True, "bound-narrowed", "minimum raised 1 → 5"),
    ({**INT, "minimum": 5}, {**INT, "minimum": 1}, False, "bound-widened", "minimum lowered 5 → 1"),
    (INT, {**INT, "maximum": 10}, True, "bound-narrowed", "maximum added 10"),
    ({**INT, "maximum": 10}, INT, False, "bound-widened", "maximum removed (was 10)"),
    (
        {**INT, "maximum": 10},
        {**INT, "maximum": 10, "exclusiveMaximum": True},
        True,
        "bound-narrowed",
        "maximum lowered ≤ 10 → < 10",
    ),
    ({**INT, "minimum": 0}, {**INT, "exclusiveMinimum": 0}, True, "bound-narrowed", "minimum raised ≥ 0 → > 0"),
    ({**STR, "maxLength": 255}, {**STR, "maxLength": 100}, True, "bound-narrowed", "maxLength lowered 255 → 100"),
    ({**STR, "minLength": 1}, {**STR, "minLength": 3}, True, "bound-narrowed", "minLength raised 1 → 3"),
    ({**STR, "maxLength": 100}, {**STR, "maxLength": 255}, False, "bound-widened", "maxLength raised 100 → 255"),
    ({**LIST, "maxItems": 50}, {**LIST, "maxItems": 10}, True, "bound-narrowed", "maxItems lowered 50 → 10"),
    ({**LIST, "minItems": 0}, {**LIST, "minItems": 1}, True, "bound-narrowed", "minItems raised 0 → 1"),
    (STR, {**STR, "pattern": "^[a-z]+$"}, True, "pattern-added", "pattern added ^[a-z]+$"),
    (
        {**STR, "pattern": "^[a-z]+$"},
        {**STR, "pattern": "^[a-f]+$"},
        True,
        "pattern-changed",
        "pattern changed ^[a-z]+$ → ^[a-f]+$",
    ),
    ({**STR, "pattern": "^[a-z]+$"}, STR, False, "pattern-removed", "pattern removed ^[a-z]+$"),
    ({**STR, "enum": ["a", "b"]}, {**STR, "enum": ["a"]}, True, "enum-narrowed", "enum value(s) removed: b"),
]


@pytest.mark.parametrize(("old", "new", "breaking", "kind", "detail"), BOUNDS)
def test_bounds_patterns_and_enums_of_parameters(old, new, breaking, kind, detail):
    changes = compare(_spec(old, STR), _spec(new, STR))
    assert changes == [Change(breaking, kind, "POST /api/smart-links", detail, "parameter query (query)")]


@pytest.mark.parametrize(("old", "new", "breaking", "kind", "detail"), BOUNDS)
def test_bounds_patterns_and_enums_of_request_body_fields(old, new, breaking, kind, detail):
    changes = compare(_spec(STR, old), _spec(STR, new))
    assert changes == [Change(breaking, kind, "POST /api/smart-links", detail, "request body field name")]


def test_a_new_required_parameter_named_query_reads_plainly():
    old = _spec(STR, STR)
    new = copy.deepcopy(old)
    new["paths"]["/api/smart-links"]["post"]["parameters"][0]["required"] = True
    [change] = compare(old, new)
    assert str(change) == (
        "breaking parameter-became-required parameter query (query) of POST /api/smart-links: now required"
    )

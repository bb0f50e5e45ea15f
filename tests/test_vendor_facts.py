"""Our spec against the vendor's OpenAPI file, as committed in openapi/vendor-facts.json: every
vendor operation is served, at least 98 % of its response field paths are in our success
schemas with the same JSON type, and every difference is a row of openapi/deviations.yaml
(with why), while no row there describes a difference that is gone."""

from __future__ import annotations

import json

import pytest

from mockserver.spec import vendor
from mockserver.spec.load import load_spec
from mockserver.spec.vendor_facts import FACTS_PATH, dumps

MIN_AGREEMENT = 0.98


@pytest.fixture(scope="module")
def facts():
    return vendor.load_facts()


@pytest.fixture(scope="module")
def comparison(facts):
    return vendor.compare(load_spec(), facts)


@pytest.fixture(scope="module")
def deviations():
    return vendor.load_deviations()


def test_the_facts_file_is_complete_and_canonical(facts):
    ops = facts["operations"]
    assert len(ops) == 294
    assert len({(o["method"], o["path"]) for o in ops}) == 294
    assert len({o["operationId"] for o in ops}) == 294
    kinds = {"string", "integer", "number", "boolean", "object", "array", "null"}
    for op in ops:
        for rows in op["responses"].values():
            assert [r[0] for r in rows] == sorted({r[0] for r in rows}), op["operationId"]
            assert all(r[1].split("|")[0] in kinds for r in rows), op["operationId"]
    assert FACTS_PATH.read_text(encoding="utf-8") == dumps(json.loads(FACTS_PATH.read_text(encoding="utf-8")))


def test_every_vendor_operation_is_served_or_listed(comparison, deviations):
    listed = {vendor.route_key(*r["operation"].split(" ", 1)) for r in deviations["operations"]}
    assert [key for key in comparison.missing_operations if key not in listed] == []


def test_response_fields_agree_with_the_vendor(comparison, record_property):
    share = comparison.agreement
    record_property("vendor_field_agreement", f"{comparison.fields_agreeing}/{comparison.fields_total}")
    print(
        f"\nvendor field paths in our spec with the same JSON type: {comparison.fields_agreeing}/"
        f"{comparison.fields_total} = {share:.2%}"
    )
    assert share >= MIN_AGREEMENT


def test_every_difference_is_listed_with_a_reason_and_no_listed_one_is_gone(comparison, deviations):
    assert all(row.get("why") and row.get("differs") for rows in deviations.values() for row in rows)
    unexplained, stale = vendor.audit(comparison, deviations)
    assert unexplained == []
    assert stale == []


def test_the_audit_catches_unlisted_and_stale_rows(comparison, deviations):
    trimmed = {"operations": deviations["operations"][1:], "fields": deviations["fields"][1:]}
    unexplained, _ = vendor.audit(comparison, trimmed)
    assert any(u.startswith("POST /api/webhooks/coingate") for u in unexplained)
    assert any("_meta._rate_limits.limit_day" in u for u in unexplained)
    extra = {
        "operations": [*deviations["operations"], {"operation": "GET /api/whoami", "differs": "not served"}],
        "fields": [*deviations["fields"], {"operation": "GET /api/{account}/fans/active", "field": "data.list"}],
    }
    _, stale = vendor.audit(comparison, extra)
    assert stale == ["GET /api/whoami: not served", "GET /api/{account}/fans/active data.list"]


def test_a_changed_type_is_a_difference():
    spec = {
        "paths": {
            "/api/x": {
                "get": {
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "a": {"type": "integer"},
                                            "b": {"$ref": "#/components/schemas/B"},
                                        },
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
        "components": {"schemas": {"B": {"allOf": [{"type": "object", "properties": {"c": {"type": "string"}}}]}}},
    }
    facts = {
        "operations": [
            {
                "method": "GET",
                "path": "/api/x",
                "responses": {
                    "200": [
                        ["a", "number", "number"],
                        ["b", "object", "object"],
                        ["b.c", "string", "text"],
                        ["b.d", "string", "text"],
                        ["e", "null", "null"],
                    ]
                },
            }
        ]
    }
    result = vendor.compare(spec, facts)
    assert [(d.field, d.differs) for d in result.diffs] == [("a", "type"), ("b.d", "missing"), ("e", "missing")]
    assert (result.fields_agreeing, result.fields_total) == (2, 5)

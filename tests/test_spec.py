"""The spec is valid OpenAPI and holds exactly the operations of openapi/endpoints.tsv."""

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from mockserver.spec.fields import schema_at
from mockserver.spec.load import load_spec
from mockserver.spec.operations import METHODS, build_table

ROOT = Path(__file__).resolve().parents[1]
ROWS = list(csv.DictReader((ROOT / "openapi" / "endpoints.tsv").open(encoding="utf-8"), delimiter="\t"))


@pytest.fixture(scope="module")
def spec():
    return load_spec()


def operations(spec):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def test_spec_is_valid_openapi(spec):
    validate(spec)


def test_spec_matches_endpoint_table_row_for_row(spec):
    ours = sorted((m, p, op["x-data-source"]) for m, p, op in operations(spec))
    table = sorted((r["method"], r["path"], r["x-data-source"]) for r in ROWS)
    assert len(table) == 301
    assert ours == table


def test_operation_ids_are_unique_camel_case(spec):
    ids = Counter(op["operationId"] for _, _, op in operations(spec))
    assert max(ids.values()) == 1
    assert all(re.fullmatch(r"[a-z][a-zA-Z0-9]*", i) for i in ids)


def test_every_operation_declares_success_and_ofapi_errors(spec):
    for method, path, op in operations(spec):
        codes = set(op["responses"])
        assert any(c.startswith("2") for c in codes) or "302" in codes, (method, path)  # a redirect-only download
        assert {"401", "404", "422", "429"} <= codes, (method, path)
        assert op.get("tags"), (method, path)


def test_hybrid_operations_name_their_enrichment_and_its_fields_exist(spec):
    table = build_table(spec)
    hybrid = [op for op in table.values() if op.data_source == "hybrid"]
    assert len(hybrid) == 12
    for op in hybrid:
        rules = spec["paths"][op.path]["get"]["x-enrichment"]
        assert rules, op.op_id
        for field in (f for rule in rules for f in rule["fields"]):
            assert schema_at(op.body_schema, field, spec["components"]["schemas"]) is not None, (op.op_id, field)


def test_seed_and_sdk_spellings_are_both_served(spec):
    paths = spec["paths"]
    for path in (
        "/api/webhooks",
        "/api/{account}/webhooks",
        "/api/{account}/media/uploads/{upload}/status",
        "/api/{account}/media/upload/{upload}/status",
    ):
        assert path in paths


def test_shared_objects_live_once_in_components(spec):
    schemas = spec["components"]["schemas"]
    for name in (
        "User",
        "Chat",
        "Message",
        "Media",
        "Post",
        "Story",
        "Transaction",
        "TrackingLink",
        "TrialLink",
        "SmartLink",
        "Webhook",
        "Meta",
        "Pagination",
        "Error",
        "ValidationError",
    ):
        assert name in schemas

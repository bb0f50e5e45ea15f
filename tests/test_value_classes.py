"""Every value of every answer belongs to the class its field declares (issue 9): each
operation is called once under three seeds, and every string in the JSON answer is checked
against its `enum`, `format`, `pattern` or `x-faker` class (`mockserver/onlyfans/values.py`).
The spec gives every response string a class (the `value-class` lint rule); this is the other
half: the mock keeps to them."""

from __future__ import annotations

import pytest

from mockserver.onlyfans.values import declared
from mockserver.spec.lint import Spec
from mockserver.spec.lint_rules import response_strings
from mockserver.spec.load import SPEC_PATH, load_spec

from .every_operation import answered

SEEDS = (4010, 7, 31337)
SHOWN = 40  # violations listed when the test fails


def _merge(parts: list[dict], schemas: dict) -> dict:
    merged: dict = {"type": "object", "properties": {}}
    for part in parts:
        part = _resolve(part, schemas)
        merged.update({k: v for k, v in part.items() if k.startswith("x-") or k == "additionalProperties"})
        merged["properties"].update(part.get("properties", {}))
    return merged


def _resolve(schema: dict, schemas: dict) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[1]]
    if isinstance(schema, dict) and "allOf" in schema:
        return _merge(schema["allOf"], schemas)
    return schema if isinstance(schema, dict) else {}


def violations(value, schema: dict, schemas: dict, at: str = "$") -> list[str]:
    """Where `value` leaves the classes `schema` declares: `path: value (class)` for each."""
    schema = _resolve(schema, schemas)
    union = schema.get("anyOf") or schema.get("oneOf")
    if union:
        tries = [violations(value, member, schemas, at) for member in union]
        return min(tries, key=len)
    if schema.get("type") == "string":
        decl = declared(schema)
        if decl is None:
            return [f"{at}: {value!r} (no class)"]
        return [] if decl.holds(value) else [f"{at}: {value!r} (not {decl.name})"]
    found: list[str] = []
    if isinstance(value, dict):
        props, extra = schema.get("properties", {}), schema.get("additionalProperties")
        for key, item in value.items():
            sub = props.get(key, extra if isinstance(extra, dict) else None)
            if sub is not None:
                found += violations(item, sub, schemas, f"{at}.{key}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            found += violations(item, schema["items"], schemas, f"{at}[{i}]")
    return found


@pytest.fixture(scope="module")
def spec():
    return load_spec()


@pytest.mark.slow  # every operation, three worlds: not in `make check`
@pytest.mark.parametrize("seed", SEEDS)
def test_every_value_of_every_operation_is_in_its_class(spec, seed):
    schemas = spec["components"]["schemas"]
    operations = {op["operationId"]: op for item in spec["paths"].values() for op in item.values() if "responses" in op}
    called, found = set(), []
    for answer in answered(seed):
        call = answer.call
        assert answer.status < 400, (call.op_id, call.url, answer.status, answer.body)
        called.add(call.op_id)
        if answer.body is None:
            continue
        schema = operations[call.op_id]["responses"][str(answer.status)]["content"]["application/json"]["schema"]
        found += [f"{call.op_id} {v}" for v in violations(answer.body, schema, schemas)]
    assert called == set(operations)
    print(f"\nseed {seed}: {len(called)} operations, {len(found)} values outside their class")
    assert found == [], "\n".join(found[:SHOWN]) + (f"\n… {len(found) - SHOWN} more" if len(found) > SHOWN else "")


def test_every_response_string_of_the_spec_has_a_class(record_property):
    strings = list(response_strings(Spec(SPEC_PATH)))
    classed = sum(declared(schema) is not None for _, schema in strings)
    record_property("response_strings_classed", f"{classed}/{len(strings)}")
    print(f"\nresponse string declarations with a value class: {classed}/{len(strings)}")
    assert classed == len(strings)


# -- what a client sends never breaks an answer's classes (found by Schemathesis) -------------
def _client():
    from mockserver.app import create_app
    from mockserver.settings import Settings

    return create_app(Settings()).test_client()


KEY = {"Authorization": "Bearer value-classes"}
ACCOUNT = "acct_0123456789abcdef0123456789abcdef"


def test_a_next_page_url_is_a_uri_whatever_the_path_held():
    with _client() as client:
        page = client.get("/api/%C2%A1%C3%80/fans/active", params={"limit": 1}, headers=KEY).json()
    url = page["_pagination"]["next_page"]
    assert url.isascii() and "/api/%C2%A1%C3%80/fans/active?" in url, url


def test_words_where_a_date_or_url_is_kept_are_refused_or_replaced():
    with _client() as client:
        export = client.post(
            "/api/data-exports",
            headers=KEY,
            json={"type": "media_vault", "file_type": "xlsx", "start_date": "soon", "end_date": "later"},
        )
        assert export.status_code == 422 and "start_date" in export.json()["errors"], export.text
        button = client.post(
            f"/api/{ACCOUNT}/settings/social-media-buttons",
            headers=KEY,
            json={"type": "bereal", "value": "https://bereal.com/\u0080 x", "label": "me"},
        )
        assert button.status_code == 200, button.text
        assert all(b["url"].isascii() and " " not in b["url"] for b in button.json()["data"])
        upload = client.get(f"/api/{ACCOUNT}/media/uploads/0/status", headers=KEY)
        assert upload.status_code == 422 and "upload" in upload.json()["errors"], upload.text
        body = {"text": "hi", "scheduledDate": "\u00ad"}
        scheduled = client.put(f"/api/{ACCOUNT}/mass-messaging/123", headers=KEY, json=body)
        assert scheduled.status_code == 200, scheduled.text
        assert declared({"type": "string", "format": "date-time"}).holds(scheduled.json()["data"]["date"])

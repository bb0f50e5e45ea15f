"""Requests read the way OFAPI's Laravel reads them: what real clients send is accepted (the SDK's
comma arrays, PHP's bracket arrays), query and body are one input bag, conditional `required_*`
rules hold, errors name the full field, and 405/415 answer in OFAPI's JSON."""

import re
from urllib.parse import parse_qsl, quote, urlencode

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from onlyfansapi import OnlyFansAPI

from mockserver.errors import InvalidInput
from mockserver.phpinput import parse_pairs, split_name
from mockserver.reading import shape
from mockserver.requirements import compile_rules
from mockserver.spec.load import SPEC_PATH
from mockserver.testing import running_server
from mockserver.validation import NO_BODY, OperationInput, display

from .conftest import ACCOUNT, AUTH

SPEC = yaml.safe_load(SPEC_PATH.read_text())
METHODS = ("get", "post", "put", "patch", "delete")
IDS = {"type": "array", "items": {"type": "integer"}}


def read(op: OperationInput, query: str = "", body=NO_BODY, kind=None):
    return op.read({"query_string": query.encode(), "path_params": {}, "headers": []}, body, kind)


def array_forms(name: str, values: list) -> list[str]:
    """The query strings clients send for one array: comma, brackets, indexed, repeated."""
    return [
        urlencode({name: ",".join(map(str, values))}),
        urlencode([(f"{name}[]", v) for v in values]),
        urlencode([(f"{name}[{i}]", v) for i, v in enumerate(values)]),
        urlencode([(name, v) for v in values]),
    ]


# -- what the official SDK sends --------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    ["filter[tags]=a,b", "filter[tags][]=a&filter[tags][]=b", "filter[tags][0]=a&filter[tags][1]=b"],
)
def test_deep_object_array_filters_are_accepted_in_comma_and_bracket_forms(client, query):
    r = client.get(f"/api/smart-links?{query}", headers=AUTH)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("query", array_forms("type", ["chat", "post"]))
def test_array_query_parameters_are_accepted_in_every_form(client, query):
    r = client.get(
        f"/api/{ACCOUNT}/queue?{query}&publishDateStart=2031-01-01&publishDateEnd=2031-02-01&timezone=UTC",
        headers=AUTH,
    )
    assert r.status_code == 200, r.text


@given(st.lists(st.integers(min_value=-(2**53), max_value=2**53), min_size=1, max_size=8))
def test_every_array_form_reads_as_the_same_list(values):
    op = OperationInput([{"in": "query", "name": "ids", "schema": IDS}], None, None)
    deep = OperationInput(
        [{"in": "query", "name": "filter", "schema": {"type": "object", "properties": {"ids": IDS}}}], None, None
    )
    for query in array_forms("ids", values):
        assert read(op, query).query["ids"] == values, query
    for query in array_forms("filter[ids]", values):
        assert read(deep, query).query["filter"] == {"ids": values}, query


def test_an_array_item_of_the_wrong_type_is_named_by_its_index():
    op = OperationInput([{"in": "query", "name": "ids", "schema": IDS}], None, None)
    with pytest.raises(InvalidInput) as caught:
        read(op, "ids=1,x")
    assert caught.value.errors == {"ids.1": ["The ids.1 field must be an integer."]}


def test_the_dot_form_of_a_filter_is_still_rejected_as_php_reads_it(client):
    r = client.get(f"/api/{ACCOUNT}/fans/active?filter.total_spent=100", headers=AUTH)
    assert r.status_code == 422
    assert list(r.json()["errors"]) == ["filter_total_spent"]
    assert "filter[total_spent]" in r.json()["message"]
    assert client.get(f"/api/{ACCOUNT}/fans/active?filter[total_spent]=100", headers=AUTH).status_code == 200


def test_a_repeated_scalar_parameter_is_still_rejected(client):
    r = client.get(f"/api/{ACCOUNT}/fans/active?limit=1&limit=2", headers=AUTH)
    assert r.status_code == 422 and r.json()["errors"] == {"limit": ["The limit field must be an integer."]}


# -- query and body are one bag --------------------------------------------------------------
def test_body_fields_can_come_from_the_query(client):
    url = f"/api/{ACCOUNT}/media/vault/delete-media"
    assert client.delete(f"{url}?mediaIds[]=123", headers=AUTH).status_code == 200
    assert client.delete(f"{url}?mediaIds=123,456", headers=AUTH).status_code == 200
    r = client.delete(url, headers=AUTH)
    assert r.status_code == 422 and r.json()["errors"] == {"mediaIds": ["The media ids field is required."]}


def test_query_parameters_can_come_from_a_json_body(client):
    r = client.request("GET", f"/api/{ACCOUNT}/fans/active", headers=AUTH, json={"limit": 500})
    assert r.status_code == 422 and list(r.json()["errors"]) == ["limit"]


def test_the_body_wins_over_the_query():
    op = OperationInput([], {"type": "object", "properties": {"name": {"type": "string"}}}, None)
    assert read(op, "name=query", {"name": "body"}, "json").body == {"name": "body"}


def test_json_is_accepted_where_form_data_is(client):
    r = client.post(f"/api/{ACCOUNT}/media/upload", headers=AUTH, json={"file_url": "https://example.com/a.jpg"})
    assert r.status_code == 200, r.text


def test_form_data_is_accepted_where_json_is(client):
    form = {"account_id": ACCOUNT, "link_type": "tracking_link", "name": "From a form"}
    r = client.post("/api/smart-links", headers=AUTH, data=form)
    assert r.status_code in (200, 201), r.text
    assert r.json()["data"]["name"] == "From a form"


def test_a_post_without_a_body_reads_as_an_empty_one(client):
    assert client.post("/api/analytics/summary/historical", headers=AUTH).status_code == 200
    r = client.post("/api/smart-links", headers=AUTH)
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"account_id", "link_type", "name"}


def test_a_json_body_that_is_not_an_object_is_refused(client):
    for body in (b"[]", b"null", b"5"):
        r = client.post("/api/smart-links", headers={**AUTH, "Content-Type": "application/json"}, content=body)
        assert r.status_code == 422 and list(r.json()["errors"]) == ["body"]


def test_a_blank_required_field_is_missing_as_in_laravel(client):
    r = client.post(
        "/api/smart-links", headers=AUTH, json={"account_id": ACCOUNT, "link_type": "tracking_link", "name": " "}
    )
    assert r.status_code == 422 and r.json()["errors"] == {"name": ["The name field is required."]}


# -- conditional required rules (x-required-when) -----------------------------------------
@pytest.mark.parametrize("path", ["media/upload", "media/vault"])
def test_an_upload_needs_a_file_or_a_file_url(client, path):
    url = f"/api/{ACCOUNT}/{path}"
    expected = {
        "file": ["The file field is required when file url is not present."],
        "file_url": ["The file url field is required when file is not present."],
    }
    for kwargs in ({}, {"data": {"async": "true"}}, {"files": {"type": (None, "default")}}, {"json": {}}):
        r = client.post(url, headers=AUTH, **kwargs)
        assert r.status_code == 422 and r.json()["errors"] == expected, (kwargs, r.text)
    assert client.post(url, headers=AUTH, files={"file": ("a.jpg", b"\xff\xd8\xff", "image/jpeg")}).status_code == 200
    assert client.post(url, headers=AUTH, data={"file_url": "https://example.com/a.jpg"}).status_code == 200


def test_a_file_field_needs_a_file_not_text(client):
    r = client.post(f"/api/{ACCOUNT}/media/upload", headers=AUTH, json={"file": "not a file"})
    assert r.status_code == 422 and r.json()["errors"] == {"file": ["The file field must be a file."]}


def test_required_if_unless_and_with(client):
    r = client.post(
        "/api/smart-links", headers=AUTH, json={"account_id": ACCOUNT, "link_type": "free_trial", "name": "x"}
    )
    assert r.json()["errors"] == {
        "free_trial_days": ["The free trial days field is required when link type is free_trial."]
    }
    hook = {"endpoint_url": "https://example.com/h", "events": ["posts.liked"], "account_scope": "inclusive"}
    r = client.post("/api/webhooks", headers=AUTH, json=hook)
    assert r.json()["errors"] == {
        "account_ids": ["The account ids field is required unless account scope is in global."]
    }
    r = client.get(f"/api/{ACCOUNT}/fans/latest?start_date=2024-01-01", headers=AUTH)
    assert r.json()["errors"] == {"end_date": ["The end date field is required when start date is present."]}
    postback = {"url": "https://example.com/p", "conversion_types": ["new_subscriber"], "smart_link_scope": "global"}
    r = client.post("/api/smart-link-postbacks", headers=AUTH, json={**postback, "headers": [{"value": "v"}]})
    assert r.json()["errors"] == {
        "headers.0.name": ["The headers.0.name field is required when headers.0.value is present."]
    }


def _inputs(op: dict) -> set[str]:
    names = {p.get("name") for p in op.get("parameters", [])}
    for content in (op.get("requestBody") or {}).get("content", {}).values():
        names |= set(content.get("schema", {}).get("properties", {}))
    return names


RULED = [(path, m, op) for path, item in SPEC["paths"].items() for m, op in item.items() if "x-required-when" in op]


@pytest.mark.parametrize("path,method,op", RULED, ids=[op["operationId"] for _, _, op in RULED])
def test_every_required_when_rule_names_fields_the_operation_takes(path, method, op):
    for rule in compile_rules(op["x-required-when"]):
        for name in (rule.field, *rule.others):
            assert name.split(".")[0] in _inputs(op), f"{op['operationId']}: {name}"


# -- errors name the full field -------------------------------------------------------------
def test_errors_name_the_full_dotted_field(client):
    r = client.get("/api/smart-links?filter[tags][x]=a", headers=AUTH)
    assert r.json()["errors"] == {"filter.tags": ["The filter.tags field must be an array."]}
    r = client.get(f"/api/{ACCOUNT}/fans/active?filter[online]=5", headers=AUTH)
    assert r.json()["errors"] == {"filter.online": ["The selected filter.online is invalid."]}
    postback = {"url": "https://example.com/p", "conversion_types": ["nope"], "smart_link_scope": "global"}
    r = client.post("/api/smart-link-postbacks", headers=AUTH, json=postback)
    assert r.json()["errors"] == {"conversion_types.0": ["The selected conversion_types.0 is invalid."]}


def test_an_item_of_an_array_body_field_is_named_by_its_index():
    op = OperationInput([], {"type": "object", "properties": {"mediaIds": IDS}}, None)
    with pytest.raises(InvalidInput) as caught:
        read(op, "", {"mediaIds": ["abc"]}, "json")
    assert caught.value.errors == {"mediaIds.0": ["The mediaIds.0 field must be an integer."]}


@pytest.mark.parametrize(
    "field,shown",
    [
        ("account_id", "account id"),
        ("mediaIds", "media ids"),
        ("filter.total_spent", "filter.total spent"),
        ("mediaIds.0", "mediaIds.0"),
        ("media_ids.0", "media_ids.0"),
        ("headers.1.name", "headers.1.name"),
    ],
)
def test_fields_are_displayed_as_laravel_displays_them(field, shown):
    assert display(field) == shown


# -- 405 and 415 ----------------------------------------------------------------------------
def _concrete(path: str) -> str:
    return re.sub(r"{[^}]+}", "123", path)


def _methods_at(url: str) -> set[str]:
    return {
        m.upper()
        for path, item in SPEC["paths"].items()
        if re.fullmatch(re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)), url)
        for m in item
        if m in METHODS
    }


def test_a_wrong_method_on_every_path_is_a_json_405_with_allow(client):
    checked = 0
    for path in SPEC["paths"]:
        url = _concrete(path)
        taken = _methods_at(url)
        for method in (m for m in ("PUT", "PATCH", "DELETE", "POST") if m not in taken):
            r = client.request(method, url, headers=AUTH)
            assert r.status_code == 405, (method, url, r.text)
            with_head = taken | ({"HEAD"} if "GET" in taken else set())
            allowed = [m for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE") if m in with_head]
            assert r.headers["allow"] == ", ".join(allowed)
            assert r.json() == {
                "error": f"The {method} method is not supported for route {url.lstrip('/')}. "
                f"Supported methods: {', '.join(allowed)}."
            }
            checked += 1
    assert checked > 300


BODIED = [
    (path, m, op)
    for path, item in SPEC["paths"].items()
    for m, op in item.items()
    if m in METHODS and "requestBody" in op
]


@pytest.mark.parametrize("path,method,op", BODIED, ids=[op["operationId"] for _, _, op in BODIED])
def test_a_body_of_a_type_ofapi_does_not_read_is_a_json_415(client, path, method, op):
    url = _concrete(path).replace("123", ACCOUNT, 1) if "{account}" in path else _concrete(path)
    r = client.request(method.upper(), url, headers={**AUTH, "Content-Type": "text/plain"}, content=b"x=1")
    assert r.status_code == 415
    assert r.json() == {
        "error": "Unsupported media type text/plain: send the body as application/json, "
        "application/x-www-form-urlencoded or multipart/form-data."
    }


# -- PHP's reading of names, as properties ----------------------------------------------------
def test_php_name_rules():
    assert split_name("filter.total_spent") == ("filter_total_spent", [])
    assert split_name(" a b[c][]") == ("a_b", ["c", ""])
    assert split_name("a[b") == ("a_b", [])
    assert split_name("a[b]x[c]") == ("a", ["b"])
    assert split_name("[a]") is None
    assert parse_pairs([("a[]", "1"), ("a[]", "2"), ("a[5]", "3"), ("a[]", "4")]) == {
        "a": {0: "1", 1: "2", 5: "3", 6: "4"}
    }


KEYS = st.text(alphabet="abcxyz_", min_size=1, max_size=6)
TREES = st.recursive(
    st.text(alphabet="ab1 ,-", max_size=5), lambda children: st.dictionaries(KEYS, children, min_size=1, max_size=3)
)


def _brackets(prefix: str, value) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _brackets(f"{prefix}[{k}]", v)]
    return [(prefix, value)]


@given(st.dictionaries(KEYS, TREES, min_size=1, max_size=4))
def test_bracket_names_read_back_as_the_tree_they_encode(tree):
    query = urlencode([pair for k, v in tree.items() for pair in _brackets(k, v)])
    assert parse_pairs(parse_qsl(query, keep_blank_values=True)) == tree


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_query_string_is_read_or_refused_as_json(client, text):
    r = client.get(f"/api/{ACCOUNT}/fans/active?{quote(text, safe='=&[]')}", headers=AUTH)
    assert r.status_code in (200, 422), r.text
    assert isinstance(r.json(), dict)


def test_shape_leaves_what_does_not_fit_for_the_validator_to_name():
    assert shape("abc", {"type": "integer"}) == "abc"
    assert shape({"x": "1"}, IDS) == {"x": "1"}
    assert shape("null", {"type": "string", "nullable": True}) is None
    assert shape({0: "3"}, {"type": "object"}) == ["3"]  # a PHP list is no object


# -- the official SDK, end to end ---------------------------------------------------------------
def test_the_official_sdk_filters_by_tags_and_uploads_by_url():
    with running_server() as base:
        sdk = OnlyFansAPI(api_key="test", base_url=base, _strict_response_validation=True, max_retries=0)
        sdk.smart_links.list(filter={"tags": ["a", "b"]})
        sdk.stored.list_trial_links(ACCOUNT, filter={"tags": ["a", "b"], "search": "x"})
        sdk.media.upload(ACCOUNT, file_url="https://example.com/a.jpg")

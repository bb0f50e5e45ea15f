"""Unit tests of tests/sdk_harness.py itself; no server needed (httpx.MockTransport)."""

from __future__ import annotations

import inspect
import re
import typing
from urllib.parse import unquote

import httpx
import pytest
from onlyfansapi import OnlyFansAPI
from pydantic import BaseModel, Field

pytestmark = pytest.mark.slow  # real servers, Schemathesis or the SDK: not in `make check`

try:
    from tests import sdk_harness as h
except ModuleNotFoundError:  # plain `pytest` without the repo root on sys.path
    import sdk_harness as h

OPS = h.sdk_operations()
BY_METHOD = {row["sdk_method"]: row for row in OPS}


@pytest.fixture(scope="module")
def recorder() -> tuple[OnlyFansAPI, list[httpx.Request]]:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        requests.append(request)
        return httpx.Response(200, json={})

    client = OnlyFansAPI(
        api_key="test",
        base_url="http://mock.test",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    return client, requests


def _send(recorder: tuple[OnlyFansAPI, list[httpx.Request]], row: dict[str, str]) -> tuple[httpx.Request, tuple]:
    client, requests = recorder
    requests.clear()
    result = h.call(client, row)
    assert len(requests) == 1, f"{row['sdk_method']} sent {len(requests)} requests"
    return requests[0], result


def _bound_arguments(row: dict[str, str]) -> dict[str, object]:
    args, kwargs = h.call_kwargs(row)
    method = h.resolve(h._introspection_client(), row["sdk_method"])
    return dict(inspect.signature(method).bind(*args, **kwargs).arguments)


def test_sdk_operations_are_the_265_sdk_rows() -> None:
    assert len(OPS) == 265
    assert len(BY_METHOD) == 265
    assert all(row["sdk_method"].startswith("client.") for row in OPS)


@pytest.mark.parametrize("row", OPS, ids=lambda row: row["sdk_method"])
def test_call_sends_the_tsv_request(recorder, row: dict[str, str]) -> None:
    request, (_parsed, raw_json, status) = _send(recorder, row)
    values = _bound_arguments(row)

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"path param {{{name}}} is not an argument of {row['sdk_method']}"
        return str(values[name])

    expected = re.sub(r"\{(\w+)\}", substitute, row["path"])
    # Split before decoding: an encoded path param may contain %3F (cdn_url does).
    actual = unquote(request.url.raw_path.split(b"?", 1)[0].decode())
    assert (request.method, actual) == (row["method"], expected)
    assert status == 200
    assert raw_json == (None if row["sdk_response_type"] in ("None", "str") else {})


@pytest.mark.parametrize("row", OPS, ids=lambda row: row["sdk_method"])
def test_response_type_matches_sdk_return_annotation(row: dict[str, str]) -> None:
    method = h.resolve(h._introspection_client(), row["sdk_method"])
    returned = typing.get_type_hints(method)["return"]
    expected = h.response_type(row)
    if expected is None:
        assert returned is type(None)
    else:
        assert returned in (expected, expected | None)


def test_call_kwargs_heuristics() -> None:
    args, kwargs = h.call_kwargs(BY_METHOD["client.media.download"])
    assert (args, kwargs) == ([h.CDN_URL], {"account": h.ACCOUNT})

    args, kwargs = h.call_kwargs(BY_METHOD["client.fans.list_active"])
    assert (args, kwargs) == ([h.ACCOUNT], {})  # optional params are left out

    _, kwargs = h.call_kwargs(BY_METHOD["client.webhooks.create"])
    assert kwargs["endpoint_url"] == "https://example.com/hook"
    assert isinstance(kwargs["events"], list) and len(kwargs["events"]) == 1

    _, kwargs = h.call_kwargs(BY_METHOD["client.analytics.summary.get_period_comparison"])
    assert kwargs["account_ids"] == [h.ACCOUNT]
    assert kwargs["period_a"] == {"start": h.DATE_START, "end": h.DATE_END}

    _, kwargs = h.call_kwargs(BY_METHOD["client.data_exports.create"])
    assert kwargs["file_type"] == "csv"  # Literal -> first value
    assert (kwargs["start_date"], kwargs["end_date"]) == (h.DATE_START, h.DATE_END)

    assert h.call_kwargs(BY_METHOD["client.posts.retrieve"])[0] == [123]  # int id
    assert h.call_kwargs(BY_METHOD["client.chats.delete"])[0] == ["123"]  # str id
    assert h.call_kwargs(BY_METHOD["client.profiles.retrieve"])[0] == ["fan_username"]
    assert h.call_kwargs(BY_METHOD["client.media.upload"])[1]["file"] == h.FILE


def test_upload_is_multipart_and_cdn_url_is_percent_encoded(recorder) -> None:
    request, _ = _send(recorder, BY_METHOD["client.media.upload"])
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b"\xff\xd8\xff" in request.content

    request, (_parsed, raw_json, _status) = _send(recorder, BY_METHOD["client.media.download"])
    assert b"/media/download/https:%2F%2Fcdn2.onlyfans.com%2F" in request.url.raw_path
    assert raw_json is None


# ----------------------------------------------------------------- field_share


class Tag(BaseModel):
    name: str | None = None
    color: str | None = None


class Owner(BaseModel):
    id: int | None = None
    avatar: str | None = None


class Item(BaseModel):
    id: int
    title: str | None = None
    owner: Owner | None = None
    tags: list[Tag] | None = None


class Meta(BaseModel):
    page: int | None = None
    cursor: str | None = None


class Page(BaseModel):
    data: list[Item] | None = None
    total: int | None = Field(None, alias="totalCount")
    meta: Meta | None = None


PAGE_JSON = {
    "data": [
        {"id": 1, "title": None, "owner": None, "tags": [{"name": "a"}], "extra": 1},
        {"id": 2, "title": "x", "tags": []},
    ],
    "totalCount": 5,
}


def test_field_share_counts_paths_once_across_list_items() -> None:
    # declared: data totalCount meta meta.page meta.cursor data[].id data[].title
    #   data[].owner data[].owner.id data[].owner.avatar data[].tags
    #   data[].tags[].name data[].tags[].color                              = 13
    # carried: data totalCount data[].id data[].title data[].tags data[].tags[].name = 6
    assert h.field_share(Page, PAGE_JSON) == (6, 13)
    assert h.missing_fields(Page, PAGE_JSON) == [
        "data[].owner",
        "data[].owner.avatar",
        "data[].owner.id",
        "data[].tags[].color",
        "meta",
        "meta.cursor",
        "meta.page",
    ]


def test_field_share_missing_body_and_root_aliases() -> None:
    assert h.field_share(Page, None) == (0, 13)
    assert h.field_share(list[Item], []) == (0, 8)
    assert h.field_share(list[Item], PAGE_JSON["data"]) == (4, 8)
    assert h.field_share(dict[str, Owner], {"a": {"id": 1}, "b": {"avatar": "x"}}) == (
        2,
        2,
    )
    assert h.field_share(Meta | None, {"page": 1}) == (1, 2)
    assert h.field_share(dict[str, object], {"a": 1}) == (0, 0)
    assert h.field_share(None, {"a": 1}) == (0, 0)


class Photo(BaseModel):
    kind: str | None = None
    url: str | None = None


class Video(BaseModel):
    kind: str | None = None
    duration: int | None = None
    preview: Photo | None = None


class Post(BaseModel):
    media: list[Photo | Video] | None = None


def test_field_share_union_picks_best_overlapping_member() -> None:
    # Video wins (kind+duration overlap 2 > Photo's 1): kind duration preview preview.kind preview.url
    assert h.field_share(Photo | Video, {"kind": "video", "duration": 3}) == (2, 5)
    assert h.field_share(Photo | Video, {"kind": "photo"}) == (1, 2)  # tie -> first
    assert h.field_share(Photo | Video, None) == (0, 2)
    # Per list item: media, media[].kind, media[].url (photo) + duration, preview, preview.*
    carried, declared = h.field_share(Post, {"media": [{"url": "u"}, {"duration": 1}]})
    assert (carried, declared) == (3, 7)


class Node(BaseModel):
    name: str | None = None
    children: list[Node] | None = None


def test_field_share_terminates_on_recursive_models() -> None:
    # name children children[].name children[].children; the empty grandchildren stop.
    assert h.field_share(Node, {"name": "r", "children": [{"name": "c"}]}) == (3, 4)
    assert h.field_share(Node, None) == (0, 2)
    deep: dict = {"name": "x"}
    for _ in range(50):
        deep = {"name": "x", "children": [deep]}
    assert h.field_share(Node, deep) == (2 * h.MAX_MODEL_DEPTH, 2 * h.MAX_MODEL_DEPTH)


@pytest.mark.parametrize("row", OPS, ids=lambda row: row["sdk_method"])
def test_field_share_on_every_sdk_response_type(row: dict[str, str]) -> None:
    carried, declared = h.field_share(h.response_type(row), None)
    assert carried == 0
    assert len(h.missing_fields(h.response_type(row), None)) == declared


def test_collapse_groups_children_under_missing_parent() -> None:
    missing = h.missing_fields(Page, PAGE_JSON)
    assert h._collapse(missing) == [
        ("data[].owner", 2),
        ("data[].tags[].color", 0),
        ("meta", 2),
    ]


def test_main_reports_failures_and_summary(capsys) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    assert h.main(["--base-url", "http://mock.test"], http_client=client) == 1
    lines = capsys.readouterr().out.splitlines()
    # Only the three list-rooted responses reject `{}` under strict validation.
    assert [line.split()[3] for line in lines if line.startswith("FAIL")] == [
        "client.accounts.list:",
        "client.analytics.financial.transactions.get_by_type:",
        "client.analytics.summary.get_historical_performance:",
    ]
    assert "SDK strict: 262/265 methods 2xx and parsed" in lines
    assert re.fullmatch(r"field share: 0/\d+ = 0\.0 %", lines[-1])

    only = ["--base-url", "http://mock.test", "--only", "fans/active", "--verbose"]
    assert h.main(only, http_client=client) == 0
    out = capsys.readouterr().out
    assert "SDK strict: 1/1 methods 2xx and parsed" in out
    assert "- data  (+" in out

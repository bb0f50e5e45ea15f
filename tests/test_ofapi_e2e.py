"""OFAPI's behaviour through the real HTTP server: CDN rewrite, media, credits, cache, rate
limits, idempotency, upstream accounting, enrichment."""

import re
from urllib.parse import quote

import httpx
import pytest

from mockserver.spec.load import load_spec
from mockserver.spec.operations import build_table
from mockserver.testing import running_server

from .conftest import ACCOUNT, AUTH

pytestmark = pytest.mark.slow  # real servers, Schemathesis or the SDK: not in `make check`

CDN_URL = "https://cdn2.onlyfans.com/files/e/e5/abc123/600x400_abc123.jpg?Tag=2&u=123&Signature=s"
OF_URL = re.compile(r"https://cdn\d*\.onlyfans\.com/[^\"]+")
OFAPI_URL = re.compile(r"https://cdn\.fansapi\.com/of/[^\"]+")


@pytest.fixture(scope="module")
def http(live_server):
    with httpx.Client(base_url=live_server, headers=AUTH, timeout=30) as client:
        yield client


def test_urls_move_to_ofapis_cdn_on_the_second_listing(http):
    first = http.get(f"/api/{ACCOUNT}/media/vault?limit=10&offset=38").text
    second = http.get(f"/api/{ACCOUNT}/media/vault?limit=10&offset=38").text
    assert OF_URL.findall(first) and not OFAPI_URL.findall(first)
    assert OFAPI_URL.findall(second) and not OF_URL.findall(second)
    # the same files, now on cdn.fansapi.com/of/<cdn host>/<path>, signed query dropped
    originals = [re.sub(r"https://(cdn\d*)\.onlyfans\.com(/[^?]*).*", r"\1\2", u) for u in OF_URL.findall(first)]
    assert [u.removeprefix("https://cdn.fansapi.com/of/") for u in OFAPI_URL.findall(second)] == originals


def test_one_response_mixes_cached_and_uncached_urls(http):
    http.get(f"/api/{ACCOUNT}/media/vault?limit=10&offset=20")  # caches ten files' URLs
    mixed = http.get(f"/api/{ACCOUNT}/media/vault?limit=20&offset=20").text
    assert OFAPI_URL.findall(mixed) and OF_URL.findall(mixed)


def test_download_streams_then_redirects_for_free(http):
    path = f"/api/{ACCOUNT}/media/download/{quote(CDN_URL, safe='')}"
    first = http.get(path)
    assert first.status_code == 200
    assert first.headers["content-type"] == "image/jpeg" and first.content[:3] == b"\xff\xd8\xff"
    assert first.headers["X-Mock-Upstream-Calls"] == "1" and int(first.headers["X-OFAPI-Credits-Used"]) >= 1
    second = http.get(path)
    assert second.status_code == 302
    assert second.headers["location"] == "https://cdn.fansapi.com/of/cdn2/files/e/e5/abc123/600x400_abc123.jpg"
    assert second.headers["X-OFAPI-Credits-Used"] == "0" and second.headers["X-Mock-Upstream-Calls"] == "0"


def test_a_raw_url_with_its_query_string_is_accepted(http):
    raw = "https://cdn3.onlyfans.com/files/f/f1/raw/1x1_raw.png?Tag=2&u=9"
    r = http.get(f"/api/{ACCOUNT}/media/download/{raw}")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"


def test_range_requests_get_206(http):
    url = "https://cdn2.onlyfans.com/files/r/ra/range/2x2_range.mp4"
    r = http.get(f"/api/{ACCOUNT}/media/download/{quote(url, safe='')}", headers={"Range": "bytes=0-9"})
    assert r.status_code == 206 and len(r.content) == 10
    assert re.fullmatch(r"bytes 0-9/\d+", r.headers["content-range"])


@pytest.mark.parametrize(
    "bad",
    [
        "https://example.com/x.jpg",
        "http://cdn2.onlyfans.com/x.jpg",
        "https://127.0.0.1/x.jpg",
        "https://cdn2.onlyfans.com/files/../../../etc/passwd",
        "https://localhost:4010/api/whoami",
    ],
)
def test_only_onlyfans_cdn_urls_are_downloaded(http, bad):
    r = http.get(f"/api/{ACCOUNT}/media/download/{quote(bad, safe='')}")
    assert r.status_code == 422
    assert list(r.json()["errors"]) == ["cdn_url"]


def test_scrape_returns_ofapis_url_and_is_free_once_cached(http):
    url = "https://cdn2.onlyfans.com/files/s/sc/scrape/3x3_scrape.jpg?Tag=2"
    first = http.post(f"/api/{ACCOUNT}/media/scrape", json={"url": url})
    again = http.post(f"/api/{ACCOUNT}/media/scrape", json={"url": url})
    assert (
        first.json()["temporary_url"]
        == again.json()["temporary_url"]
        == ("https://cdn.fansapi.com/of/cdn2/files/s/sc/scrape/3x3_scrape.jpg")
    )
    assert first.headers["X-Mock-Upstream-Calls"] == "1" and again.headers["X-Mock-Upstream-Calls"] == "0"
    assert again.headers["X-OFAPI-Credits-Used"] == "0"
    assert http.post(f"/api/{ACCOUNT}/media/scrape", json={"url": "https://example.com/a.jpg"}).status_code == 422


def test_every_computed_operation_makes_no_upstream_call(http):
    """Walk every computed operation the spec has, with ids and bodies that validate."""
    table = build_table(load_spec())
    computed = [op for op in table.values() if op.data_source == "computed"]
    assert len(computed) == 80  # 57 of the seed and SDK, 5 postbacks, 18 OFAPI-owned resources of the vendor file
    answered = 0
    for op in computed:
        path = op.path.replace("{account}", ACCOUNT)
        path = re.sub(r"\{[^}]+\}", "1", path)
        r = http.request(op.method, path, json={} if op.method in ("POST", "PUT", "PATCH") else None)
        if "X-Mock-Upstream-Calls" in r.headers:
            answered += 1
            assert r.headers["X-Mock-Upstream-Calls"] == "0", op.op_id
    assert answered >= 39  # the rest need a body to validate first (POST /api/authenticate: an email)


def test_live_and_hybrid_make_one_upstream_call(http):
    for path in ("/statistics/overview", "/fans/active", "/transactions"):
        assert http.get(f"/api/{ACCOUNT}{path}").headers["X-Mock-Upstream-Calls"] == "1"


def test_idempotent_send_replays_without_credits_or_upstream_calls(http):
    path = f"/api/{ACCOUNT}/chats/123/messages"
    headers = {"Idempotency-Key": "send-1"}
    first = http.post(path, json={"text": "hi"}, headers=headers)
    replay = http.post(path, json={"text": "hi"}, headers=headers)
    assert first.status_code == replay.status_code == 200
    assert "Idempotent-Replayed" not in first.headers and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["data"] == first.json()["data"]
    assert replay.json()["_meta"]["_credits"]["used"] == 0
    assert replay.headers["X-Mock-Upstream-Calls"] == "0"
    mismatch = http.post(path, json={"text": "other"}, headers=headers)
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "IDEMPOTENCY_KEY_MISMATCH"
    invalid = http.post(path, json={"text": "hi"}, headers={"Idempotency-Key": "x" * 256})
    assert invalid.status_code == 400 and invalid.json()["code"] == "IDEMPOTENCY_KEY_INVALID"


def test_public_profiles_are_cached_and_fresh_skips_the_cache(http):
    path = "/api/profiles/somecreator"
    first, second = http.get(path).json(), http.get(path)
    assert first["_meta"]["_cache"]["is_cached"] is False
    hit = second.json()["_meta"]
    assert hit["_cache"]["is_cached"] is True and hit["_cache"]["cached_at"]
    assert hit["_credits"]["used"] == 0 and second.headers["X-Mock-Upstream-Calls"] == "0"
    fresh = http.get(path, params={"fresh": "true"})
    assert fresh.json()["_meta"]["_cache"]["is_cached"] is False and fresh.headers["X-Mock-Upstream-Calls"] == "1"


def test_meta_and_headers_agree_with_the_balance(http):
    a = http.get(f"/api/{ACCOUNT}/statistics/overview")
    b = http.get(f"/api/{ACCOUNT}/statistics/overview")
    ma, mb = a.json()["_meta"]["_credits"], b.json()["_meta"]["_credits"]
    assert ma["used"] == mb["used"] == 1 and mb["balance"] == ma["balance"] - 1
    assert b.headers["X-OFAPI-Credits-Balance"] == str(mb["balance"])


def test_out_of_credits_is_a_402_and_free_calls_still_work():
    with running_server("--credits", "2") as base, httpx.Client(base_url=base, headers=AUTH) as http:
        assert http.get(f"/api/{ACCOUNT}/me").status_code == 200
        last = http.get(f"/api/{ACCOUNT}/me")
        assert last.json()["_meta"]["_credits"]["balance"] == 0
        broke = http.get(f"/api/{ACCOUNT}/me")
        assert broke.status_code == 402 and "credits" in broke.json()["error"].lower()
        assert http.get("/api/smart-links").status_code == 200  # computed: free
        other_key = http.get(f"/api/{ACCOUNT}/me", headers={"Authorization": "Bearer someone-else"})
        assert other_key.status_code == 200  # balances are per key


def test_rate_limit_answers_429_with_retry_after():
    with running_server("--rate-limit", "3") as base, httpx.Client(base_url=base, headers=AUTH) as http:
        statuses = [http.get("/api/whoami") for _ in range(4)]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429]
        assert 1 <= int(statuses[-1].headers["Retry-After"]) <= 60
        assert statuses[0].headers["X-Rate-Limit-Remaining-Minute"] == "2"
        assert statuses[-1].json() == {"error": "Too many requests."}


def test_live_payload_is_exactly_the_upstream_payload_after_cdn_rewrite(app):
    """Ask twice (so every URL is cached), then compare with what the fake OnlyFans returns."""
    from mockserver.jsonbody import dumps
    from mockserver.ofapi import cdn
    from mockserver.onlyfans.payloads import Request

    ofapi, table = app.ofapi, build_table(load_spec())
    with app.test_client() as client:
        path = f"/api/{ACCOUNT}/posts/555"
        client.get(path, headers=AUTH)
        served = client.get(path, headers=AUTH).json()["data"]
    upstream = ofapi.upstream.fetch(Request(table["postsRetrieve"], {"account": ACCOUNT, "post_id": "555"}, {}))
    expected = OF_URL.sub(lambda m: cdn.cached_url(cdn.file_key(m.group(0))), dumps(upstream.data).decode())
    assert dumps(served).decode() == expected

"""What the running mock adds around OFAPI's answers: `/_mock/info` (how the contract kit and
the CLI recognise the mock), gzip for large answers, a usable `servers` list for the UI, and
one log line per request."""

import logging

import pytest

from mockserver import __version__

from .conftest import ACCOUNT, AUTH

CDN_URL = (
    "https%3A%2F%2Fcdn2.onlyfans.com%2Ffiles%2Fg%2Fgz%2Fgzip%2F600x400_{name}.jpg%3FTag%3D2"  # seen by no other test
)


def test_mock_info_names_the_mock_its_version_and_seed(client, app):
    r = client.get("/_mock/info")
    assert r.status_code == 200
    assert r.json() == {"ofapi_mock": True, "version": __version__, "seed": app.ofapi.world.seed, "store": None}


def test_large_answers_are_gzipped_when_asked_for(client):
    plain = client.get(f"/api/{ACCOUNT}/fans/active", headers={**AUTH, "Accept-Encoding": "identity"})
    zipped = client.get(f"/api/{ACCOUNT}/fans/active", headers={**AUTH, "Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert all("Accept-Encoding" in r.headers["vary"] for r in (plain, zipped))  # either way, for caches
    assert int(zipped.headers["content-length"]) < int(plain.headers["content-length"])
    ids = [[fan["id"] for fan in r.json()["data"]["list"]] for r in (plain, zipped)]
    assert ids[0] == ids[1] and ids[0]  # the same page (URLs differ: the CDN rewrite caches on first sight)
    assert zipped.headers["x-mock-upstream-calls"] == "1" and zipped.headers["x-ofapi-credits-used"] == "1"


def test_small_answers_are_not_gzipped(client):
    r = client.get("/api/whoami", headers={**AUTH, "Accept-Encoding": "gzip"})
    assert "content-encoding" not in r.headers


def test_the_spec_is_gzipped_and_lists_the_server_the_ui_can_call(client):
    r = client.get("/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert int(r.headers["content-length"]) < 200_000
    servers = r.json()["servers"]
    assert servers[0]["url"] == "http://testserver"
    assert all(s["url"] for s in servers)


def test_the_spec_names_the_public_url_when_one_is_set():
    from mockserver.app import create_app
    from mockserver.settings import Settings

    with create_app(Settings(public_url="https://mock.example.com/")).test_client() as c:
        assert c.get("/openapi.json").json()["servers"][0]["url"] == "https://mock.example.com"


def test_media_bytes_ranges_and_redirects_are_not_gzipped(client):
    headers = {**AUTH, "Accept-Encoding": "gzip"}
    ranged_url = f"/api/{ACCOUNT}/media/download/{CDN_URL.format(name='ranged')}"
    ranged = client.get(ranged_url, headers={**headers, "Range": "bytes=0-99"}, follow_redirects=False)
    assert ranged.status_code == 206 and "content-encoding" not in ranged.headers
    assert len(ranged.content) == int(ranged.headers["content-length"]) == 100
    full_url = f"/api/{ACCOUNT}/media/download/{CDN_URL.format(name='full')}"
    full = client.get(full_url, headers=headers, follow_redirects=False)
    assert full.status_code == 200 and full.headers["content-type"] == "image/jpeg"
    assert "content-encoding" not in full.headers
    assert len(full.content) == int(full.headers["content-length"]) > 1024
    moved = client.get(full_url, headers=headers, follow_redirects=False)  # cached now
    assert moved.status_code == 302 and moved.headers["location"].startswith("https://cdn.fansapi.com/")


@pytest.fixture
def requests_log(caplog):
    caplog.set_level(logging.INFO, logger="mockserver.requestlog")
    return caplog


def test_one_log_line_per_request_with_status_credits_upstream_and_time(client, requests_log):
    client.get(f"/api/{ACCOUNT}/fans/active?limit=2", headers=AUTH)
    client.get("/api/whoami")
    lines = [r.getMessage() for r in requests_log.records if r.name == "mockserver.requestlog"]
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"GET /api/{ACCOUNT}/fans/active?limit=2 200 credits=1 upstream=1 ")
    assert lines[0].endswith("ms")
    assert lines[1].startswith("GET /api/whoami 401 credits=- upstream=- ")


def test_the_info_probe_is_not_logged(client, requests_log):
    client.get("/_mock/info")
    assert not [r for r in requests_log.records if r.name == "mockserver.requestlog"]

"""OFAPI's HTTP behaviour through the app: auth, errors, envelope, paging, upstream accounting."""

from urllib.parse import quote, urlsplit

from .conftest import ACCOUNT, AUTH


def test_missing_or_empty_key_gets_ofapis_401(client):
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}):
        r = client.get(f"/api/{ACCOUNT}/fans/active", headers=headers)
        assert r.status_code == 401
        assert r.json() == {"error": "Unauthorized. Go to https://app.onlyfansapi.com/api-keys to get your API key."}


def test_any_non_empty_key_is_accepted(client):
    assert client.get("/api/whoami", headers={"Authorization": "Bearer anything"}).status_code == 200


def test_bad_query_gets_laravel_422_naming_the_field(client):
    r = client.get(f"/api/{ACCOUNT}/fans/active?limit=500", headers=AUTH)
    assert r.status_code == 422
    assert r.json() == {
        "message": "The limit field must not be greater than 20.",
        "errors": {"limit": ["The limit field must not be greater than 20."]},
    }
    r = client.get(f"/api/{ACCOUNT}/chats?limit=abc", headers=AUTH)
    assert r.status_code == 422 and list(r.json()["errors"]) == ["limit"]


def test_bad_body_names_every_failing_field(client):
    r = client.post("/api/smart-links", headers=AUTH, json={"name": 5})
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert errors["name"] == ["The name field must be a string."]
    assert "The account id field is required." in errors["account_id"]


def test_malformed_json_is_a_400_json_error(client):
    r = client.post("/api/smart-links", headers={**AUTH, "Content-Type": "application/json"}, content=b"{nope")
    assert r.status_code == 400
    assert "not valid JSON" in r.json()["errors"]["body"][0]


def test_unknown_path_and_method_are_json(client):
    r = client.get("/api/no/such/thing/here", headers=AUTH)
    assert r.status_code == 404 and r.json() == {"error": "Not found."}
    r = client.put("/api/whoami", headers=AUTH)
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"
    assert r.json() == {"error": "The PUT method is not supported for route api/whoami. Supported methods: GET, HEAD."}


def test_live_operation_is_enveloped_with_meta(client):
    r = client.get(f"/api/{ACCOUNT}/statistics/overview", headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"data", "_meta"}
    assert set(body["_meta"]) == {"_credits", "_cache", "_rate_limits"}
    assert body["_meta"]["_credits"]["used"] == 1
    assert r.headers["X-Mock-Upstream-Calls"] == "1"
    assert r.headers["X-OFAPI-Credits-Balance"] == str(body["_meta"]["_credits"]["balance"])


def test_bare_operations_are_not_enveloped(client):
    body = client.get("/api/whoami", headers=AUTH).json()
    assert set(body) == {"api_key", "team"}
    assert isinstance(client.get("/api/accounts", headers=AUTH).json(), list)


def test_computed_operations_make_no_upstream_call_and_cost_nothing(client):
    r = client.get("/api/smart-links", headers=AUTH)
    assert r.headers["X-Mock-Upstream-Calls"] == "0"
    assert r.json()["_meta"]["_credits"]["used"] == 0


def test_pages_follow_next_page_until_null(client):
    seen, url, pages = [], f"/api/{ACCOUNT}/fans/active?limit=20", 0
    while url:
        body = client.get(url, headers=AUTH).json()
        seen += [fan["id"] for fan in body["data"]["list"]]
        next_page = body["_pagination"]["next_page"]
        assert body["data"]["hasMore"] == (next_page is not None)
        url = next_page and f"{urlsplit(next_page).path}?{urlsplit(next_page).query}"
        pages += 1
    assert pages == 3 and len(seen) == len(set(seen)) == 42


def test_percent_encoded_cdn_url_is_accepted(client):
    cdn = "https://cdn2.onlyfans.com/files/a/ab/abc/600x400_abc.jpg?Tag=2&u=1"
    r = client.get(f"/api/{ACCOUNT}/media/download/{quote(cdn, safe='')}", headers=AUTH)
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/jpeg"
    assert r.content[:3] == b"\xff\xd8\xff"

"""A valid call of every operation of the spec, made from the spec itself: path parameters
name resources that exist (made first, each in the state its operations need), required query
parameters and body fields get a value their schema accepts. Tests that must see every
operation answer (the value-class test) drive the mock with these calls."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from dataclasses import dataclass

from mockserver.onlyfans.values import from_pattern
from mockserver.spec.fields import resolve
from mockserver.spec.load import load_spec
from mockserver.spec.operations import METHODS

ACCOUNT = "acct_0123456789abcdef0123456789abcdef"
CDN_URL = "https://cdn2.onlyfans.com/files/a/ab/abc/600x400_abc.jpg?Tag=2&u=1"
EXPORT = {"type": "transactions", "file_type": "csv", "start_date": "2026-01-01", "end_date": "2026-02-01"}

# Values by parameter or field name, before the schema decides.
BY_NAME = {
    "account_id": ACCOUNT,
    "account_ids": [ACCOUNT],
    "account_prefixed_id": ACCOUNT,
    "cdn_url": CDN_URL,
    "url": "https://example.com/hook",
    "endpoint_url": "https://example.com/hook",
    "email": "fan@example.com",
    "password": "not-the-password",
    "code": "123456",
    "timezone": "UTC",
    "start_date": "2026-01-01",
    "end_date": "2026-02-01",
    "startDate": "2026-01-01",
    "endDate": "2026-02-01",
    "publishDateStart": "2026-01-01",
    "publishDateEnd": "2026-02-01",
    "events": ["messages.received"],
    "ids": "100000001",
    "pixel_id": "1234567890",
    "text": "hello",
    "query": "hello",
    "q": "hello",
}

# Fields one operation needs beyond its schema's `required` (the spec's x-required-when rules, met).
EXTRA = {
    "smartLinksCreate": {"name": "Every operation", "free_trial_days": 7},
    "authenticateStart": {"email": "fan@example.com", "password": "not-the-password"},
    "authenticateUpdateCredentials": {"email": "fan@example.com", "password": "not-the-password"},
    "fanSummaryCategoriesUpdate": {"label": "Renamed category"},
    "webhooksCreate": {"account_scope": "global"},
    "webhooksUpdate": {"account_scope": "global"},
    "accountWebhooksCreate": {"account_scope": "global"},
    "accountWebhooksUpdate": {"account_scope": "global"},
    "chatsMessagesSend": {"text": "hello"},
    "settingsWelcomeMessageUpdate": {"text": "hello"},
    "mediaScrape": {"url": CDN_URL},
    "authenticateSubmit2fa": {"code": "123456"},
}


LATER = 45 * 86400  # how far OFAPI's clock moves on once the resources are made
AUTH = {"Authorization": "Bearer every-operation"}


@dataclass
class Call:
    op_id: str
    method: str
    url: str
    body: dict | None
    files: dict | None = None


@dataclass
class Answer:
    call: Call
    status: int
    media_type: str
    body: object  # the JSON answer (None when not JSON)


def _value(name: str, schema: dict, schemas: dict, rng):
    """A value `schema` accepts for a field called `name`."""
    schema = resolve(schema, schemas)
    if name in BY_NAME:
        value = BY_NAME[name]
        return [value] if schema.get("type") == "array" and not isinstance(value, list) else value
    enum = [v for v in schema.get("enum", ()) if v is not None]
    if enum:
        return enum[0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    if kind == "integer" or kind == "number":
        low = schema.get("minimum", 1)
        return max(int(low), 1) if schema.get("maximum", 10**9) >= 1 else int(low)
    if kind == "boolean":
        return True
    if kind == "array":
        item = _value(name.removesuffix("s"), schema.get("items", {}), schemas, rng)
        return [item] * max(1, schema.get("minItems", 1))
    if kind == "object" or "properties" in schema:
        return _object(schema, schemas, rng)
    fmt = schema.get("format")
    if fmt == "date-time":
        return "2026-01-01T00:00:00Z"
    if fmt == "date":
        return "2026-01-01"
    if fmt == "email":
        return "fan@example.com"
    if fmt in ("uri", "url"):
        return "https://example.com/hook"
    if "pattern" in schema:
        return from_pattern(schema["pattern"], rng)
    return "hello"


def _object(schema: dict, schemas: dict, rng) -> dict:
    schema = resolve(schema, schemas)
    props = schema.get("properties", {})
    return {name: _value(name, props.get(name, {}), schemas, rng) for name in schema.get("required", ())}


def _resources(client) -> dict[str, object]:
    """Make one of each stored resource; {path parameter: id}, some per operation (`op:param`);
    a callable makes the resource when the operation is called (an export still running)."""

    def data(r):
        assert r.status_code < 300, r.text
        return r.json()["data"]

    def link(name):
        body = {"account_id": ACCOUNT, "link_type": "tracking_link", "name": name}
        return data(client.post("/api/smart-links", json=body))["id"]

    def hook(event):
        body = {"endpoint_url": "http://127.0.0.1:9/x", "events": [event], "account_scope": "global"}
        return data(client.post("/api/webhooks", json=body))["id"]

    def postback():
        body = {"url": "https://example.com/pb", "conversion_types": ["new_subscriber"], "smart_link_scope": "global"}
        return data(client.post("/api/smart-link-postbacks", json=body))["id"]

    def export(**extra):
        return data(client.post("/api/data-exports", json={**EXPORT, **extra}))["id"]

    def wait(export_id, statuses):
        deadline = time.monotonic() + 10
        while data(client.get(f"/api/data-exports/{export_id}"))["status"] not in statuses:
            assert time.monotonic() < deadline, f"export {export_id} never reached {statuses}"
            time.sleep(0.05)

    smart_link = link("Every operation")
    pixel_body = {"platform": "meta", "pixel_id": "123", "label": "P", "pixel_access_token": "t"}
    pixel = data(client.post(f"/api/smart-links/{smart_link}/pixels", json=pixel_body))["id"]
    client.patch(f"/api/smart-links/{smart_link}/pixels/{pixel}", json={"event_click": "ViewContent"})
    category = data(client.post("/api/fan-summary-categories", json={"label": "Gift ideas", "keywords": "gift"}))["id"]
    attempt = client.post("/api/authenticate", json={"email": "creator@example.com", "password": "correct-password"})
    other = client.post("/api/authenticate", json={"email": "no2fa@example.com", "password": "correct-password"})
    connected = client.get(f"/api/authenticate/{other.json()['attempt_id']}").json()["account"]["id"]
    client.post("/api/smart-links", json={"account_id": "acct_gone", "link_type": "tracking_link", "name": "x"})
    client.delete("/api/accounts/acct_gone")
    failing = export(account_ids=["acct_gone"], auto_start=True)
    wait(failing, ("failed",))

    def running():
        ident = export(account_ids=[ACCOUNT], auto_start=True)
        wait(ident, ("pending", "in_progress"))
        return ident

    def calculated():
        ident = export(account_ids=[ACCOUNT])
        wait(ident, ("calculating_credits_completed",))
        return ident

    webhook = hook("messages.received")
    client.post("/_mock/events", json={"event": "messages.received", "account_id": ACCOUNT})
    delivery = client.get(f"/api/webhooks/{webhook}/deliveries").json()["data"][0]["id"]
    fan = client.get(f"/api/{ACCOUNT}/fans/active?limit=1").json()["data"]["list"][0]
    chat = client.get(f"/api/{ACCOUNT}/chats?limit=1").json()["data"][0]
    vault = client.get(f"/api/{ACCOUNT}/media/vault?limit=50").json()["data"]["list"]
    upload = client.post(f"/api/{ACCOUNT}/media/upload", files={"file": ("a.jpg", b"\xff\xd8\xff", "image/jpeg")})
    return {
        "account": ACCOUNT,
        "smart_link_id": smart_link,
        "smartLinksDelete:smart_link_id": link("Doomed"),
        "pixel_id": pixel,
        "postback_id": postback(),
        "smartLinkPostbacksDelete:postback_id": postback(),
        "webhook_id": webhook,
        "webhooksDelete:webhook_id": hook("posts.liked"),
        "delivery_id": delivery,
        "category_id": category,
        "attempt_id": attempt.json()["attempt_id"],
        "account_id": ACCOUNT,
        "accountsDisconnect:id": connected,
        "data_export_id": export(account_ids=[ACCOUNT]),
        "dataExportsStart:data_export_id": calculated,
        "dataExportsCancel:data_export_id": running,
        "dataExportsRetry:data_export_id": failing,
        "username": fan["username"],
        "user_id": fan["id"],
        "fan_id": fan["id"],
        "chat_id": chat["fan"]["id"] if chat.get("fan") else fan["id"],
        "cdn_url": CDN_URL.replace(":", "%3A").replace("/", "%2F").replace("?", "%3F").replace("&", "%26"),
        "webhookEventType": "messages.received",
        "upload": upload.json()["prefixed_id"],
        "media_id": vault[0]["id"],
        "mediaDownloadDrm:media_id": next(m["id"] for m in vault if m["files"]["full"]["url"] is None),
    }


def operations(spec: dict | None = None) -> Iterator[tuple[str, str, dict]]:
    """(path, method, operation) in an order that leaves what later calls need: reads and
    writes first, then deletions of parts (`DELETE /chats/{id}/mute`), then deletions of things,
    the deepest first (a chat's message before the chat)."""
    spec = spec or load_spec()
    ops = [(path, method, item[method]) for path, item in spec["paths"].items() for method in METHODS if method in item]

    def order(op) -> tuple:
        path, method, _ = op
        if method != "delete":
            return (0, 0)
        return (2, -path.count("/")) if path.endswith("}") else (1, 0)

    yield from sorted(ops, key=order)


def calls(client, spec: dict | None = None, seed: int = 0, ready=lambda: None) -> Iterator[Call]:
    """A call of every operation of `spec`, against the mock `client` talks to; `ready()` runs
    once the resources the calls need are made."""
    import random

    spec = spec or load_spec()
    schemas = spec["components"]["schemas"]
    params = spec["components"]["parameters"]
    ids = _resources(client)
    ready()
    rng = random.Random(seed)
    for path, method, op in operations(spec):
        op_id = op["operationId"]
        declared = [params[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in op.get("parameters", [])]
        url, query = path, {}
        for p in declared:
            if p["in"] == "path":
                value = ids.get(f"{op_id}:{p['name']}", ids.get(p["name"], "1"))
                value = value() if callable(value) else value
                if value == "1" and p.get("schema", {}).get("pattern"):
                    value = from_pattern(p["schema"]["pattern"], rng)
                url = url.replace("{" + p["name"] + "}", str(value))
            elif p["in"] == "query" and p.get("required"):
                query[p["name"]] = _value(p["name"], p.get("schema", {}), schemas, rng)
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        body, files = None, None
        content = (op.get("requestBody") or {}).get("content", {})
        if "application/json" in content:
            body = {**_object(content["application/json"]["schema"], schemas, rng), **EXTRA.get(op_id, {})}
        elif "multipart/form-data" in content:
            files = {"file": ("a.jpg", b"\xff\xd8\xff", "image/jpeg")}
        yield Call(op_id, method.upper(), url, body, files)


@functools.lru_cache(maxsize=3)
def answered(seed: int) -> tuple[Answer, ...]:
    """Every operation called once on a mock with `seed` (made once per test session): the
    resources the calls use are made first, then OFAPI's clock moves on, so they have a
    history to show (a link made a moment ago has no clicks yet)."""
    from mockserver.app import create_app
    from mockserver.settings import Settings

    app = create_app(Settings(seed=seed))
    store = app.ofapi.store

    def later():
        store.clock = lambda: time.time() + LATER

    out = []
    with app.test_client() as client:
        client.headers.update(AUTH)
        for call in calls(client, ready=later):
            r = client.request(call.method, call.url, json=call.body, files=call.files, follow_redirects=False)
            media_type = r.headers.get("content-type", "").split(";")[0]
            body = r.json() if media_type == "application/json" else None
            out.append(Answer(call, r.status_code, media_type, body))
    return tuple(out)

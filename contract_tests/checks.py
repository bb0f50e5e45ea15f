"""OFAPI's own contract checks, registered by name with Schemathesis. Each reads the spec's
annotations for the operation under test (`x-data-source`, `x-enrichment`) and fails with a
message naming what is wrong."""

from __future__ import annotations

import re

import httpx
import schemathesis

from mockserver.spec.fields import values_at

ALLOWED_MEDIA_HOST = re.compile(r"^(cdn\d*\.onlyfans\.com|cdn\.fansapi\.com)$")
MEDIA_URL = re.compile(r"https?://([^/\s\"'?#]+)/[^\s\"']*?\.(?:jpe?g|png|gif|webp|mp4|mov|m4v|mp3|m4a)\b", re.I)


def _raw(case) -> dict:
    return case.operation.definition.raw


def _json(response):
    try:
        return response.json()
    except ValueError:
        return None


def _header(response, name: str) -> str | None:
    values = response.headers.get(name.lower()) or response.headers.get(name)
    return values[0] if isinstance(values, list) else values


def _ok(response) -> bool:
    return 200 <= response.status_code < 300


@schemathesis.check
def ofapi_envelope(ctx, response, case):
    """Where the spec envelopes, a 2xx body has `data` and `_meta` (with credits, cache, limits)."""
    schema = (
        _raw(case)
        .get("responses", {})
        .get(str(response.status_code), {})
        .get("content", {})
        .get("application/json", {})
        .get("schema", {})
    )
    if not _ok(response) or "_meta" not in schema.get("properties", {}):
        return
    body = _json(response)
    if not isinstance(body, dict) or "data" not in body or "_meta" not in body:
        raise AssertionError("The OFAPI envelope is missing: expected `data` and `_meta` at the top level")
    missing = {"_credits", "_cache", "_rate_limits"} - set(body["_meta"] or {})
    if missing:
        raise AssertionError(f"`_meta` lacks {sorted(missing)}")


@schemathesis.check
def ofapi_credits(ctx, response, case):
    """`_meta._credits` is consistent: never negative, the headers agree, and asking again costs
    what the second answer says it cost."""
    body = _json(response)
    if not _ok(response) or not isinstance(body, dict) or not isinstance(body.get("_meta"), dict):
        return
    credits = body["_meta"].get("_credits") or {}
    used, balance = credits.get("used"), credits.get("balance")
    if not isinstance(used, int) or not isinstance(balance, int) or used < 0 or balance < 0:
        raise AssertionError(f"`_meta._credits` must hold non-negative integers, got {credits}")
    header = _header(response, "X-OFAPI-Credits-Balance")
    if header is not None and int(header) != balance:
        raise AssertionError(f"X-OFAPI-Credits-Balance says {header} but `_meta._credits.balance` says {balance}")
    if case.method.upper() != "GET":
        return
    request = response.request
    again = httpx.request("GET", str(request.url), headers=dict(request.headers), timeout=30)
    second = (_json(again) or {}).get("_meta", {}).get("_credits", {}) if _ok(again) else {}
    if second and second.get("balance") != balance - second.get("used", 0):
        raise AssertionError(
            f"Credits do not add up across two calls: balance {balance}, then used "
            f"{second.get('used')} leaving {second.get('balance')}"
        )


@schemathesis.check
def ofapi_media_hosts(ctx, response, case):
    """Every media file URL is on the OnlyFans CDN (cdn*.onlyfans.com) or OFAPI's (cdn.fansapi.com)."""
    if not _ok(response) or "json" not in str(_header(response, "content-type")):
        return
    for host in MEDIA_URL.findall(response.text):
        if not ALLOWED_MEDIA_HOST.match(host.lower()):
            raise AssertionError(f"A media URL points at {host}, not at cdn*.onlyfans.com or cdn.fansapi.com")


@schemathesis.check
def ofapi_enrichment(ctx, response, case):
    """A hybrid operation's 2xx carries every field its `x-enrichment` names (on every object at
    that place), unless the rule is marked optional."""
    body = _json(response)
    if not _ok(response) or body is None:
        return
    for rule in _raw(case).get("x-enrichment", []):
        if rule.get("optional"):
            continue
        for path in rule["fields"]:
            parent, _, name = path.rpartition(".")
            missing = [obj for obj in values_at(body, parent) if isinstance(obj, dict) and name not in obj]
            if missing:
                raise AssertionError(f"`{path}` ({rule['rule']}) is missing on {len(missing)} object(s)")


@schemathesis.check
def ofapi_computed_upstream(ctx, response, case):
    """Where the server reports `X-Mock-Upstream-Calls`, a computed operation made none."""
    calls = _header(response, "X-Mock-Upstream-Calls")
    if calls is not None and _raw(case).get("x-data-source") == "computed" and calls != "0":
        raise AssertionError(f"A computed operation called OnlyFans {calls} time(s); computed answers never do")


@schemathesis.check
def ofapi_json_errors(ctx, response, case):
    """Every error is JSON naming the problem (`error`, or Laravel's `message` + `errors`)."""
    if response.status_code < 400:
        return
    body = _json(response)
    if not isinstance(body, dict) or not (isinstance(body.get("error"), str) or isinstance(body.get("message"), str)):
        raise AssertionError(f"A {response.status_code} answered without a JSON error body: {response.text[:200]!r}")


OFAPI_CHECKS = [
    ofapi_json_errors,
    ofapi_envelope,
    ofapi_credits,
    ofapi_media_hosts,
    ofapi_enrichment,
    ofapi_computed_upstream,
]

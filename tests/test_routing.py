"""Routing: where two path templates of the spec can match the same URL, the one with a static
segment at the first place they differ answers it (`/users/blocked` before `/users/{username}`),
whatever order the spec lists its paths in. Observed through the app: every response names the
operation that answered it in `X-Mock-Operation`."""

from __future__ import annotations

import itertools

import pytest
import yaml

from mockserver.app import create_app
from mockserver.spec.load import load_spec
from mockserver.spec.operations import METHODS

from .conftest import ACCOUNT, AUTH


def _params(spec: dict, op: dict) -> dict:
    named = {}
    for p in op.get("parameters", []):
        if "$ref" in p:
            p = spec["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]
        named[p["name"]] = p
    return named


def _segments(spec: dict, path: str, method: str) -> list[tuple[str, str]]:
    """(kind, text) per segment: static, template, number (a numeric template: the router
    matches digits only there) or rest (a `format: path` template, which spans the remaining
    segments)."""
    params = _params(spec, spec["paths"][path][method])
    out = []
    for seg in path.strip("/").split("/"):
        if seg.startswith("{"):
            schema = params.get(seg[1:-1], {}).get("schema", {})
            kind = {"path": "rest"}.get(schema.get("format"), "template")
            out.append(("number" if schema.get("type") in ("integer", "number") else kind, seg))
        else:
            out.append(("static", seg))
    return out


def _winner_url(a: list, b: list) -> tuple[int, str] | None:
    """One URL both templates match, and which must answer it (0: `a`, 1: `b`): the one with a
    static segment (or a one-segment template against a spanning one) at the first place they
    differ. None when no URL matches both."""
    url, winner = [], None
    for (ka, ta), (kb, tb) in zip(a, b, strict=False):
        if "rest" in (ka, kb):
            if ka == kb:
                break
            side, longer = (1, b) if ka == "rest" else (0, a)
            tail = [t if k == "static" else "1" for k, t in longer[len(url) :]]
            return (side if winner is None else winner), "/" + "/".join(url + tail)
        if ka == kb == "static" and ta != tb:
            return None
        if "number" in (ka, kb) and "static" in (ka, kb) and not (ta if ka == "static" else tb).isdigit():
            return None
        ka, kb = ("template" if k == "number" else k for k in (ka, kb))
        if ka == "static" or kb == "static":
            if winner is None and ka != kb:
                winner = 0 if ka == "static" else 1
            url.append(ta if ka == "static" else tb)
        else:
            url.append("1")
    if len(a) != len(b) or winner is None:
        return None
    return winner, "/" + "/".join(url)


def overlapping_pairs(spec: dict) -> list[tuple[str, str, str, str]]:
    """(METHOD, url, operationId that must answer, operationId that must not) for every pair of
    same-method operations whose templates can match one URL."""
    found = []
    for method in METHODS:
        paths = [p for p, item in spec["paths"].items() if method in item]
        for pa, pb in itertools.combinations(paths, 2):
            hit = _winner_url(_segments(spec, pa, method), _segments(spec, pb, method))
            if hit is None:
                continue
            side, url = hit
            win, lose = (pa, pb) if side == 0 else (pb, pa)
            url = url.replace("/api/1/", f"/api/{ACCOUNT}/", 1)
            found.append(
                (
                    method.upper(),
                    url,
                    spec["paths"][win][method]["operationId"],
                    spec["paths"][lose][method]["operationId"],
                )
            )
    return found


SPEC = load_spec()
PAIRS = overlapping_pairs(SPEC)


def test_the_spec_has_overlapping_templates_to_check():
    urls = {(m, u) for m, u, _, _ in PAIRS}
    assert ("GET", "/api/webhooks/events") in urls
    assert ("GET", f"/api/{ACCOUNT}/users/list") in urls
    assert ("GET", f"/api/{ACCOUNT}/users/blocked") in urls
    assert ("GET", f"/api/{ACCOUNT}/media/download/drm/1") in urls  # against a `format: path` template
    assert len(PAIRS) > 100


@pytest.fixture(scope="module")
def reversed_client(tmp_path_factory):
    """The app built from the same spec with its paths listed in reverse order."""
    from mockserver.settings import Settings

    spec = dict(SPEC, paths=dict(reversed(list(SPEC["paths"].items()))))
    path = tmp_path_factory.mktemp("spec") / "reversed.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    with create_app(Settings(spec_path=path)).test_client() as c:
        yield c


@pytest.mark.parametrize("which", ["client", "reversed_client"])
def test_a_static_segment_wins_over_a_template(which, request):
    client = request.getfixturevalue(which)
    wrong = []
    for method, url, winner, loser in PAIRS:
        answered = client.request(method, url, headers=AUTH).headers.get("X-Mock-Operation")
        if answered != winner:
            wrong.append(f"{method} {url}: {answered} answered, {winner} should (not {loser})")
    assert wrong == []


def test_every_response_names_its_operation_even_errors(client):
    op_id = SPEC["paths"]["/api/{account}/fans/active"]["get"]["operationId"]
    for url, headers, status in (
        (f"/api/{ACCOUNT}/fans/active", AUTH, 200),
        (f"/api/{ACCOUNT}/fans/active?limit=500", AUTH, 422),
        (f"/api/{ACCOUNT}/fans/active", {}, 401),
    ):
        r = client.get(url, headers=headers)
        assert (r.status_code, r.headers.get("X-Mock-Operation")) == (status, op_id)
    assert "X-Mock-Operation" not in client.get("/api/no/such/path/at/all", headers=AUTH).headers

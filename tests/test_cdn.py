"""CDN rewrite (per URL, first sighting never rewrites, idempotent) and what counts as an
OnlyFans CDN URL."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.jsonbody import dumps
from mockserver.ofapi import cdn
from mockserver.store.media_cache import MediaCache
from mockserver.store.schema import migrate
from mockserver.store.sqlite import SQLiteBackend

paths = st.lists(st.from_regex(r"/files/[a-f0-9]{2}/[a-z0-9]{1,12}\.(jpg|mp4)", fullmatch=True), min_size=1, max_size=8)


def new_cache() -> MediaCache:
    db = SQLiteBackend(None)
    migrate(db)
    return MediaCache(db, limit=10_000, memo_bytes=1 << 20)


def url(sub: str, path: str) -> str:
    return f"https://{sub}.onlyfans.com{path}?Tag=2&Signature=abc"


def urls_in(body: bytes) -> list[str]:
    return re.findall(r'https://[^"]+', body.decode())


@given(paths, st.sampled_from(["cdn", "cdn2", "cdn3"]))
def test_first_sighting_never_rewrites_and_the_next_one_does(ps, sub):
    cache = new_cache()
    body = dumps({"media": [url(sub, p) for p in ps]})
    assert cdn.rewrite(body, cache) == body
    again = cdn.rewrite(body, cache)
    assert urls_in(again) == [f"https://cdn.fansapi.com/of/{sub}{p}" for p in ps]


@given(paths, paths)
def test_rewriting_is_per_url(cached, fresh):
    cache = new_cache()
    cache.add(f"cdn2{p}" for p in cached)
    body = dumps([url("cdn2", p) for p in cached + fresh])
    out = urls_in(cdn.rewrite(body, cache))
    for p, got in zip(cached + fresh, out, strict=True):
        was_cached = p in cached
        assert got == (f"https://cdn.fansapi.com/of/cdn2{p}" if was_cached else url("cdn2", p))


@given(paths)
def test_rewriting_is_idempotent_once_cached(ps):
    cache = new_cache()
    body = dumps([url("cdn2", p) for p in ps])
    cdn.rewrite(body, cache)
    once = cdn.rewrite(body, cache)
    assert cdn.rewrite(once, cache) == once


def test_other_hosts_are_left_alone():
    cache = new_cache()
    body = dumps(["https://example.com/files/a.jpg", "https://cdn2.onlyfans.com.evil.com/x.jpg"])
    cdn.rewrite(body, cache)
    assert cdn.rewrite(body, cache) == body


@pytest.mark.parametrize(
    "good",
    [
        "https://cdn2.onlyfans.com/files/a/ab/abc/600x400_abc.jpg?Tag=2&u=1",
        "https://cdn.onlyfans.com/files/x.mp4",
        "https://cdn3.onlyfans.com:443/files/x.jpg",
    ],
)
def test_onlyfans_cdn_urls_are_accepted(good):
    assert cdn.validate(good) == good


@pytest.mark.parametrize(
    "bad",
    [
        "http://cdn2.onlyfans.com/files/x.jpg",  # not https
        "https://example.com/files/x.jpg",
        "https://cdn2.onlyfans.com.evil.com/x.jpg",
        "https://evil.com#@cdn2.onlyfans.com/x.jpg",
        "https://user@cdn2.onlyfans.com/x.jpg",
        "https://cdn2.onlyfans.com:8080/x.jpg",
        "https://127.0.0.1/files/x.jpg",
        "https://localhost/files/x.jpg",
        "https://[::1]/files/x.jpg",
        "https://169.254.169.254/latest/meta-data",
        "https://cdn2.onlyfans.com/files/../../etc/passwd",
        "https://cdn2.onlyfans.com/files/%2e%2e/%2e%2e/etc/passwd",
        "https://cdn2.onlyfans.com/",
        "file:///etc/passwd",
        "https://cdn2.onlyfans.com/files/x.jpg\r\nX-Injected: 1",
        "",
    ],
)
def test_anything_else_is_refused(bad):
    with pytest.raises(cdn.NotOnlyFansCdn):
        cdn.validate(bad)

"""The parsed spec is kept in the user's cache by the digest of its text (spec/load.py): the
same spec either way, never a stale one, and no cache is no problem."""

from __future__ import annotations

import pytest
import yaml

from mockserver.spec import load
from mockserver.spec.load import SPEC_PATH, load_spec


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    load_spec.cache_clear()
    yield tmp_path / "cache" / "ofapi-mock"
    load_spec.cache_clear()


def test_the_kept_spec_is_the_parsed_one(cache):
    parsed = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    first = load_spec(SPEC_PATH)
    assert len(list(cache.glob("spec-*.pickle"))) == 1
    load_spec.cache_clear()
    assert first == parsed == load_spec(SPEC_PATH)


def test_an_edited_spec_is_parsed_again(cache, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.0.3\ninfo: {title: a, version: '1'}\npaths: {}\n")
    assert load_spec(spec)["info"]["title"] == "a"
    spec.write_text("openapi: 3.0.3\ninfo: {title: b, version: '1'}\npaths: {}\n")
    load_spec.cache_clear()
    assert load_spec(spec)["info"]["title"] == "b"


def test_without_a_usable_cache_the_spec_still_loads(cache, monkeypatch):
    cache.parent.mkdir(parents=True)
    cache.write_text("a file where the directory would be")
    assert load_spec(SPEC_PATH)["openapi"].startswith("3.")


def test_only_the_newest_parsed_specs_are_kept(cache, tmp_path):
    for n in range(load.KEPT + 3):
        spec = tmp_path / f"spec{n}.yaml"
        spec.write_text(f"openapi: 3.0.3\ninfo: {{title: t{n}, version: '1'}}\npaths: {{}}\n")
        load_spec(spec)
    assert len(list(cache.glob("spec-*.pickle"))) == load.KEPT

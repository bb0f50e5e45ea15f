"""The world's word pools (names, sentences, addresses made by a seeded Faker) are kept in the
user's cache by seed, Faker's install and the code that makes them: a worker starts without
importing Faker, the pools are the ones Faker makes, and another seed gets its own."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mockserver.onlyfans.entities import Pools, pools


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "ofapi-mock"


def test_kept_pools_are_the_ones_faker_makes(cache):
    made = pools(4010)
    assert len(list(cache.glob("pools-*.pickle"))) == 1
    again = pools(4010)
    assert again is not made and vars(again) == vars(made) == vars(Pools(4010))
    assert vars(pools(7)) == vars(Pools(7)) != vars(made)
    assert len(list(cache.glob("pools-*.pickle"))) == 2


def test_a_worker_with_kept_pools_does_not_import_faker(cache, tmp_path):
    pools(4010)
    code = "import sys; from mockserver.onlyfans.entities import pools; pools(4010); print('faker' in sys.modules)"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"

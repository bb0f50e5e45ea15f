"""Load `openapi/ofapi.yaml` once (PyYAML's C loader when present: the spec is large).

Parsing the YAML takes 0.3 s, paid by every process and every worker at start. The parsed spec
is also kept as a pickle in the user's cache directory, named by the SHA-256 of the YAML text:
the next start reads that in 0.03 s. An edited spec has another digest, so a stale pickle is
never read; a cache that cannot be written is simply not used."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path

import yaml

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi" / "ofapi.yaml"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
KEPT = 8  # parsed specs kept in the cache


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ofapi-mock"


@lru_cache(maxsize=4)
def load_spec(path: str | Path = SPEC_PATH) -> dict:
    """The parsed spec. Cached: callers must not mutate it."""
    text = Path(path).read_bytes()
    kept = cache_dir() / f"spec-{hashlib.sha256(text).hexdigest()}.pickle"
    try:
        return pickle.loads(kept.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        pass
    spec = yaml.load(text.decode("utf-8"), Loader=_Loader)
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=kept.parent, delete=False) as tmp:  # whole or not at all
            tmp.write(pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp.name, kept)
        for old in sorted(kept.parent.glob("spec-*.pickle"), key=os.path.getmtime)[:-KEPT]:
            old.unlink(missing_ok=True)  # earlier versions of an edited spec
    except OSError:
        pass
    return spec

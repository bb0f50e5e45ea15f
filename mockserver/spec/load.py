"""Load `openapi/ofapi.yaml` once (PyYAML's C loader when present: the spec is large)."""

from functools import lru_cache
from pathlib import Path

import yaml

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi" / "ofapi.yaml"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=4)
def load_spec(path: str | Path = SPEC_PATH) -> dict:
    """The parsed spec. Cached: callers must not mutate it."""
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_Loader)

"""Load `openapi/ofapi.yaml` once (PyYAML's C loader when present: the spec is large).

Parsing the YAML takes 0.3 s, paid by every process and every worker at start. The parsed spec
is also kept in the user's cache (`diskcache`), named by the YAML text: the next start reads it
in 0.03 s, and an edited spec is parsed again."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from ..diskcache import KEPT, kept

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi" / "ofapi.yaml"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=4)
def load_spec(path: str | Path = SPEC_PATH) -> dict:
    """The parsed spec. Cached: callers must not mutate it."""
    text = Path(path).read_bytes()
    return kept("spec", text, lambda: yaml.load(text.decode("utf-8"), Loader=_Loader))


__all__ = ["KEPT", "SPEC_PATH", "load_spec"]

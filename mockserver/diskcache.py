"""What a process would make the same way at every start, kept as a pickle in the user's cache
directory and named by a digest of everything it is made from, so a stale one is never read
(the parsed spec, the world's word pools). Written whole or not at all; a cache that cannot
be read or written is simply not used; the newest few of each kind are kept."""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
KEPT = 8  # of each kind


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ofapi-mock"


def kept(kind: str, made_from: bytes, make: Callable[[], T]) -> T:
    """The `kind` made from `made_from`: read from the cache, or made (and kept)."""
    path = cache_dir() / f"{kind}-{hashlib.sha256(made_from).hexdigest()}.pickle"
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, ImportError):
        pass
    value = make()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp.name, path)
        for old in sorted(path.parent.glob(f"{kind}-*.pickle"), key=os.path.getmtime)[:-KEPT]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
    return value

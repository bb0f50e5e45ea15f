"""How PHP reads the names of a query string or a form body (`parse_str`, `$_GET`, `$_POST`), which
is what OFAPI's Laravel sees as input: `a[b][]=1&a[b][]=2` is `{"a": {"b": {0: "1", 1: "2"}}}`.

PHP's rules, as in `php_register_variable_ex`: leading spaces of a name are dropped; in the base
name (before the first `[`) spaces and dots become `_` (so `filter.total_spent` arrives as
`filter_total_spent`); `[]` appends, `[k]` sets key `k` (a canonical decimal integer is an integer
key); a first `[` without its `]` becomes `_` too, and anything after a closing `]` that does not
open another `[` is ignored. A name nested deeper than PHP's `max_input_nesting_level` is dropped,
and pairs beyond `max_input_vars` are ignored.

One departure: PHP keeps only the last of a plain name given twice (`ids=1&ids=2`); here the
values are kept together as `Repeated`, so an array-typed field can take them all and a scalar
field can refuse the repetition.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_DEPTH = 64  # PHP's max_input_nesting_level
MAX_VARS = 1000  # PHP's max_input_vars
CANONICAL_INT = re.compile(r"-?(0|[1-9][0-9]{0,17})")  # what PHP turns into an integer array key


class Repeated(list):
    """The values of a plain name given more than once, in order (PHP would keep the last)."""


def split_name(name: str) -> tuple[str, list[str]] | None:
    """`a.b[c][]` -> ("a_b", ["c", ""]); None when PHP drops the name (it is empty)."""
    name = name.lstrip(" ")
    cut = name.find("[")
    base = (name if cut < 0 else name[:cut]).replace(" ", "_").replace(".", "_")
    if not base:
        return None
    keys: list[str] = []
    rest = "" if cut < 0 else name[cut:]
    while rest.startswith("["):
        close = rest.find("]")
        if close < 0:
            if not keys:  # an unterminated first `[` is part of the name
                base += "_" + re.sub(r"[ .\[]", "_", rest[1:])
            break
        keys.append(rest[1:close])
        rest = rest[close + 1 :]
    return base, keys


def _key(raw: str) -> str | int:
    return int(raw) if CANONICAL_INT.fullmatch(raw) and raw != "-0" else raw


def _next_index(node: dict) -> int:
    return max((k for k in node if isinstance(k, int) and k >= 0), default=-1) + 1


def parse_pairs(pairs: Iterable[tuple[str, object]]) -> dict:
    """The input PHP builds from (name, value) pairs: nested dicts with str or int keys."""
    tree: dict = {}
    for count, (name, value) in enumerate(pairs):
        if count >= MAX_VARS:
            break
        split = split_name(name)
        if split is None or len(split[1]) >= MAX_DEPTH:
            continue
        base, keys = split
        node, key = tree, base
        for raw in keys:
            child = node.get(key)
            if not isinstance(child, dict):
                child = node[key] = {}
            node, key = child, _next_index(child) if raw == "" else _key(raw)
        old = node.get(key)
        if keys and keys[-1] == "" or old is None or isinstance(old, dict):
            node[key] = value
        else:
            node[key] = Repeated([*(old if isinstance(old, Repeated) else [old]), value])
    return tree

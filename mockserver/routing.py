"""Routing order.

Connexion registers routes in the order the spec lists its paths, and the first match wins.
`by_specificity` orders the paths so that, wherever two templates can match one URL, the one
with a static segment at the first place they differ comes first (`/users/blocked` before
`/users/{username}`; a one-segment template before a `format: path` one that spans segments).

(`requestlog.py` names the operation that answered each request in `X-Mock-Operation`.)
"""

from __future__ import annotations


def _rank(segment: str, spanning: set[str]) -> int:
    if not segment.startswith("{"):
        return 0
    return 2 if segment[1:-1] in spanning else 1


def _spanning(item: dict, parameters: dict) -> set[str]:
    """Path parameters of a path item declared `format: path` (they match across `/`)."""
    names = set()
    declared = [*item.get("parameters", [])]  # the path item's own, then each operation's
    declared += [p for op in item.values() if isinstance(op, dict) for p in op.get("parameters", [])]
    for param in declared:
        if "$ref" in param:
            param = parameters.get(param["$ref"].rsplit("/", 1)[1], {})
        if param.get("in") == "path" and param.get("schema", {}).get("format") == "path":
            names.add(param["name"])
    return names


def by_specificity(spec: dict) -> dict:
    """The spec with its paths ordered most specific first (a stable sort: otherwise as listed)."""
    parameters = spec.get("components", {}).get("parameters", {})

    def key(entry):
        path, item = entry
        spanning = _spanning(item, parameters)
        return tuple(_rank(s, spanning) for s in path.strip("/").split("/"))

    return {**spec, "paths": dict(sorted(spec["paths"].items(), key=key))}

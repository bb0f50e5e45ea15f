"""Connexion checks a spec against the OpenAPI meta-schema each time an app is made: about
0.9 s for ours, a third of a cold start, paid again by every worker and every app a test makes.

A spec is checked once: its digest (SHA-256 of its canonical JSON) is remembered in the process,
and the packaged spec's digest is recorded in `openapi/ofapi.checked` once it passed. `make test`
fails when that record is stale (tests/test_lint.py); `python -m mockserver.spec.checked`
checks the spec and records it. Any other spec (`--spec`, an edited file) is checked at start
as before, so an invalid one still fails with Connexion's message.
"""

from __future__ import annotations

import hashlib
import sys

import orjson
from connexion.spec import OpenAPISpecification

from .load import SPEC_PATH, load_spec

RECORD = SPEC_PATH.with_suffix(".checked")
_checked: set[str] = set()
_check = OpenAPISpecification._validate_spec.__func__  # Connexion's own check


def digest(spec: dict) -> str:
    return hashlib.sha256(orjson.dumps(spec, option=orjson.OPT_SORT_KEYS)).hexdigest()


def recorded() -> str | None:
    try:
        return RECORD.read_text(encoding="utf-8").strip()
    except OSError:
        return None


def _validate_once(cls, spec: dict) -> None:
    key = digest(spec)
    if key in _checked:
        return
    if key != recorded():
        _check(cls, spec)
    _checked.add(key)


def install() -> None:
    """From now on, Connexion checks each distinct spec once (the recorded one never)."""
    OpenAPISpecification._validate_spec = classmethod(_validate_once)


def main() -> int:
    """Check the packaged spec the way the app hands it to Connexion, and record its digest."""
    from ..routing import by_specificity

    seen: list[str] = []

    def check_and_note(cls, spec: dict) -> None:
        _check(cls, spec)  # raises with Connexion's message when it is not valid
        seen.append(digest(spec))

    OpenAPISpecification._validate_spec = classmethod(check_and_note)
    OpenAPISpecification.from_dict(by_specificity(load_spec(SPEC_PATH)))
    RECORD.write_text(seen[0] + "\n", encoding="utf-8")
    print(f"{SPEC_PATH.name}: valid; digest recorded in {RECORD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

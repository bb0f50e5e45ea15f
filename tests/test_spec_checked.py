"""Connexion's meta-schema check runs once per distinct spec, and never for the recorded,
packaged one (mockserver/spec/checked.py): the record must be current, and any other spec is
still checked."""

from __future__ import annotations

import copy

import pytest
import yaml
from connexion.exceptions import InvalidSpecification
from connexion.spec import OpenAPISpecification

from mockserver.routing import by_specificity
from mockserver.spec import checked
from mockserver.spec.load import SPEC_PATH, load_spec


def test_the_record_is_the_packaged_specs_digest():
    seen = []
    checked.install()
    original = checked._check
    try:
        checked._check = lambda cls, spec: seen.append(checked.digest(spec))
        checked._checked.clear()
        OpenAPISpecification.from_dict(by_specificity(load_spec(SPEC_PATH)))
    finally:
        checked._check = original
    assert seen == [], (
        "openapi/ofapi.checked is stale: run `.venv/bin/python -m mockserver.spec.checked` "
        "(it checks the spec, then records it)"
    )


def test_another_spec_is_still_checked(tmp_path):
    spec = copy.deepcopy(load_spec(SPEC_PATH))  # the loaded spec is shared: never change it
    spec["paths"]["/api/whoami"]["get"]["responses"] = "not a mapping"
    broken = tmp_path / "spec.yaml"
    broken.write_text(yaml.safe_dump(spec))
    checked.install()
    with pytest.raises(InvalidSpecification):
        OpenAPISpecification.from_dict(by_specificity(load_spec(broken)))

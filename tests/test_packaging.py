"""Installing the project prints no deprecation warnings: the license is an SPDX expression, which
needs setuptools 77 or later to build."""

import tomllib

from mockserver.testing import ROOT


def test_license_is_an_spdx_expression_and_the_backend_understands_it():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert isinstance(project["project"]["license"], str)
    assert "setuptools>=77" in project["build-system"]["requires"]

"""Schemathesis over every operation of the spec (or the selection the options make): no server
errors; status code, content type, headers and body conform to the spec; invalid input is
rejected; and OFAPI's own checks (contract_tests/checks.py) hold."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mockserver.spec.load import SPEC_PATH

from .checks import OFAPI_CHECKS
from .selection import configured, selected, team_of

pytestmark = pytest.mark.slow  # Schemathesis against a server: not in `make check`

MAX_EXAMPLES = int(os.environ.get("OFAPI_CONTRACT_MAX_EXAMPLES") or 5)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    *OFAPI_CHECKS,
]


schema = configured(schemathesis.openapi.from_path(SPEC_PATH).include(selected))


@schema.hook
def filter_query(ctx, query) -> bool:
    """OFAPI reads an array inside a deepObject from a comma-separated string, as the official SDK
    sends it (`filter[tags]=a,b`): a scalar there is a one-item list on the wire, not invalid input.
    Schemathesis already reasons so for top-level parameters; this extends it to deepObject members."""
    return not any(_scalar_for_array(param, query) for param in ctx.operation.query)


def _scalar_for_array(param, query) -> bool:
    if param.definition.get("style") != "deepObject" or not isinstance(query, dict):
        return False
    value = query.get(param.name)
    members = param.definition.get("schema", {}).get("properties", {})
    return isinstance(value, dict) and any(
        members.get(name, {}).get("type") == "array" and isinstance(member, (str, int, float, bool))
        for name, member in value.items()
    )


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("OFAPI_CONTRACT_SEED"),
    database=None,
    suppress_health_check=list(HealthCheck),
)
@seed(int(os.environ.get("OFAPI_CONTRACT_SEED") or 0))
def test_operation_conforms(case, base_url, auth_headers, session):
    headers = team_of(auth_headers, case.operation.definition.raw["operationId"])
    case.call_and_validate(base_url=base_url, session=session, headers=headers, checks=CHECKS)

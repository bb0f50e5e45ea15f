"""Schemathesis over every operation of the spec: no server errors, and every response
conforms to the spec (status code, content type, headers, body schema)."""

import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mockserver.spec.load import SPEC_PATH

MAX_EXAMPLES = int(os.environ.get("OFAPI_CONTRACT_MAX_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_path(SPEC_PATH)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_operation_conforms(case, base_url, auth_headers):
    case.call_and_validate(base_url=base_url, headers=auth_headers, checks=CHECKS)

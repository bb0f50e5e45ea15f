"""The official SDK (onlyfans 0.2.0), strict, against the real HTTP server: every one of its
265 methods gets a 2xx its models parse, and our responses carry the fields they declare."""

import pytest
from onlyfansapi import OnlyFansAPI

from mockserver.testing import running_server

from .sdk_harness import run, sdk_operations
from .sdk_state import prepare

pytestmark = pytest.mark.slow  # real servers, Schemathesis or the SDK: not in `make check`

# Measured 88.6 % (2026-11-27). It was above 90 % before values made sense: what a call just made
# has no activity yet (a new smart link's click charts are empty, a new postback has no
# latest_response, a pending login no account), and an empty or null field is not carried.
MIN_FIELD_SHARE = 0.88


@pytest.fixture(scope="module")
def report():
    with running_server("--export-seconds", "1") as base:
        client = OnlyFansAPI(api_key="test", base_url=base, _strict_response_validation=True, max_retries=0)
        return run(client, sdk_operations(), state=prepare(client))


def test_every_sdk_method_gets_a_2xx_that_parses_strictly(report):
    assert len(sdk_operations()) == 265
    assert [f"{row['sdk_method']}: {exc}" for row, exc in report.failures] == []
    assert report.ok == 265


def test_responses_carry_the_fields_the_sdk_models_declare(report, record_property):
    record_property("field_share", f"{report.carried}/{report.declared}")
    print(f"\nSDK field share: {report.carried}/{report.declared} = {report.share:.1%}")
    assert report.share >= MIN_FIELD_SHARE

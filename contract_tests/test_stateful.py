"""Stateful contract tests: Schemathesis follows the spec's OpenAPI links (create -> read ->
update -> delete) over OFAPI's stored resources, and over what clients create on OnlyFans
(messages, posts, lists, links … : the operations with `x-world-write`), and checks every step,
including that a deleted resource is gone and a created one can be read back."""

import os
import re

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.core.errors import NoLinksFound
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from mockserver.spec.load import SPEC_PATH

from .selection import configured, read_only, selected, team_of

pytestmark = pytest.mark.slow  # Schemathesis against a server: not in `make check`

MAX_EXAMPLES = int(os.environ.get("OFAPI_CONTRACT_STATEFUL_EXAMPLES", "15"))

CRUD = re.compile(r"^/api/(smart-links|smart-link-postbacks|webhooks|data-exports)")


def crud_selected(ctx) -> bool:
    return bool(CRUD.match(ctx.operation.path)) and selected(ctx)


crud = configured(schemathesis.openapi.from_path(SPEC_PATH).include(crud_selected))


def _world_linked() -> set[str]:
    """The operations that create something on OnlyFans, and those their links lead to."""
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    found = set()
    for item in spec["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and (op.get("x-world-write") or {}).get("do") == "create":
                found.add(op["operationId"])
                for response in op["responses"].values():
                    found |= {link["operationId"] for link in (response.get("links") or {}).values()}
    return found


WORLD_LINKED = _world_linked()
world = configured(
    schemathesis.openapi.from_path(SPEC_PATH).include(
        lambda ctx: ctx.operation.definition.raw.get("operationId") in WORLD_LINKED and selected(ctx)
    )
)


def test_crud_resources_follow_their_links(base_url, auth_headers, session):
    linked = [
        r.ok()
        for r in crud.get_all_operations()
        if any("links" in resp for resp in r.ok().definition.raw.get("responses", {}).values())
    ]
    if read_only() or not linked:
        pytest.skip("no creating operation selected, or a read-only run (writes need --allow-writes)")
    _run(_checked(crud.as_state_machine(), base_url, team_of(auth_headers, "stateful-crud"), session))


def test_world_writes_follow_their_links(base_url, auth_headers, session):
    """Create on the fake OnlyFans, then read, change and delete what was created, as the links say."""
    if read_only():
        pytest.skip("a read-only run (writes need --allow-writes)")
    machine = _checked(world.as_state_machine(), base_url, team_of(auth_headers, "stateful-world"), session)
    try:
        _run(machine)
    except NoLinksFound:  # the options selected no create whose links lead to a selected operation
        pytest.skip("no world-writing operation with links selected")


def _checked(machine, base_url: str, headers: dict, session):
    """The machine calling `base_url` with `headers`, each scenario from a clean team on the mock
    (so a failing scenario replays the same way while Hypothesis shrinks it)."""

    class Checked(machine):
        def setup(self):
            if os.environ.get("OFAPI_CONTRACT_MOCK"):
                session.post(f"{base_url}/_mock/reset", headers=headers, json={})

        def get_call_kwargs(self, case):
            return {"base_url": base_url, "headers": headers, "session": session}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # Any non-empty key is accepted by design (`ignored_auth` does not apply), and any id
            # names something on OnlyFans (`positive_data_acceptance`: a made-up chat answers like
            # a real one, one deleted a step earlier 404; a smart link that does not exist is a 422).
            case.validate_response(
                response, excluded_checks=[ignored_auth, positive_data_acceptance], transport_kwargs=kwargs
            )

    return Checked


def _run(machine) -> None:
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=MAX_EXAMPLES,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )

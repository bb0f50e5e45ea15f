"""Real resources for the SDK run: OFAPI's computed resources are stateful, so methods that act
on a smart link, a webhook, an export or an auth attempt get the id of one that exists, in the
state the method needs (an export to cancel is running, one to retry has failed …)."""

from __future__ import annotations

import time

from mockserver.spec.load import load_spec
from mockserver.spec.operations import build_table

from .sdk_harness import ACCOUNT, DATE_END, DATE_START

WORLD_WRITES = {
    (op.method, op.path): {"do": op.world_write["do"], "target": op.world_write.get("target")}
    for op in build_table(load_spec()).values()
    if op.world_write and op.world_write.get("target")
}
EXPORT = {"type": "transactions", "file_type": "csv", "start_date": DATE_START, "end_date": DATE_END}


def _wait_for(client, export_id: str, statuses: tuple[str, ...], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while client.data_exports.retrieve(export_id).data.status not in statuses:
        if time.monotonic() > deadline:
            raise TimeoutError(f"export {export_id} never reached {statuses}")
        time.sleep(0.05)


def _postback(client) -> int:
    return client.smart_link_postbacks.create(
        conversion_types=["new_subscriber"], smart_link_scope="global", url="https://example.com/postback"
    ).data.id


def _doomed(row: dict) -> dict:
    """Deletes stick in the world now: a method that deletes an OnlyFans object gets an id of its
    own (one nothing else reads), so the other methods still find the shared ones."""
    op = WORLD_WRITES.get((row["method"], row["path"]))
    if not op or op["do"] != "delete":
        return {}
    return {op["target"]: 800_000_000 + sorted(WORLD_WRITES).index((row["method"], row["path"]))}


def prepare(client):
    """Create the resources; returns `state(row) -> {parameter: value}` for sdk_harness.run."""
    link = client.smart_links.create(account_id=ACCOUNT, link_type="tracking_link", name="sdk run").data.id
    hook = client.webhooks.create(
        endpoint_url="http://127.0.0.1:9/unreachable", events=["messages.received"], account_scope="global"
    ).data.id
    doomed_link = client.smart_links.create(account_id=ACCOUNT, link_type="tracking_link", name="to delete").data.id
    doomed_hook = client.webhooks.create(
        endpoint_url="http://127.0.0.1:9/unreachable", events=["posts.liked"], account_scope="global"
    ).data.id
    postback = _postback(client)
    doomed_postback = _postback(client)
    attempt = client.authenticate.start(email="creator@example.com", password="correct-password").attempt_id
    other = client.authenticate.start(email="no2fa@example.com", password="correct-password").attempt_id
    connected = client.authenticate.poll_status(other).account.id  # a second account, for the disconnect
    ready = client.data_exports.create(**EXPORT, account_ids=[ACCOUNT]).data.id
    client.smart_links.create(account_id="acct_not_connected", link_type="tracking_link", name="first use")
    client.accounts.disconnect("acct_not_connected")  # an export of a disconnected account fails
    failing = client.data_exports.create(**EXPORT, account_ids=["acct_not_connected"], auto_start=True).data.id
    _wait_for(client, failing, ("failed",))
    running = client.data_exports.create(**EXPORT, account_ids=[ACCOUNT], auto_start=True).data.id
    _wait_for(client, running, ("pending", "in_progress"))
    by_name = {
        "smart_link_id": link,
        "webhook_id": hook,
        "attempt_id": attempt,
        "id": connected,
        "postback_id": postback,
    }
    per_method = {  # methods that end or change a resource get one of their own
        "client.data_exports.start": {"data_export_id": ready},
        "client.data_exports.retrieve": {"data_export_id": ready},
        "client.data_exports.cancel": {"data_export_id": running},
        "client.data_exports.retry": {"data_export_id": failing},
        "client.smart_links.delete": {"smart_link_id": doomed_link},
        "client.smart_link_postbacks.delete": {"postback_id": doomed_postback},
        "client.webhooks.delete": {"webhook_id": doomed_hook},
    }

    def state(row: dict) -> dict:
        return {**by_name, **_doomed(row), **per_method.get(row["sdk_method"], {})}

    return state

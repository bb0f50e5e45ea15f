"""Real resources for the SDK run: OFAPI's computed resources are stateful, so methods that act
on a smart link, a webhook, an export or an auth attempt get the id of one that exists, in the
state the method needs (an export to cancel is running, one to retry has failed …)."""

from __future__ import annotations

import re
import time

from mockserver.spec.load import load_spec
from mockserver.spec.operations import build_table

from .sdk_harness import ACCOUNT, DATE_END, DATE_START, call_kwargs, sdk_operations

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


def _doomed() -> dict:
    """Writes that take something away on the fake OnlyFans (a delete, a hide, emptying a list)
    get an object of their own: the world keeps the change (`x-world-write`), so the methods after
    them would meet a 404 or an empty list."""
    routes = {(op.method, op.path): op for op in build_table(load_spec()).values()}
    own = {}
    for n, row in enumerate(sdk_operations()):
        op = routes.get((row["method"], row["path"]))
        write = (op.world_write or {}) if op else {}
        takes_away = write.get("do") == "delete" or any(k.startswith("_") for k in write.get("set") or {})
        if not takes_away or not (write.get("target") or write.get("targets")):
            continue
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", write.get("target") or write["targets"]).lower()
        args, kwargs = call_kwargs(row)
        usual = kwargs.get(name, args[0] if args else None)
        ident = 900_000 + n
        value = [str(ident)] if isinstance(usual, list) else str(ident) if isinstance(usual, str) else ident
        own[row["sdk_method"]] = {name: value}
    return own


def prepare(client):
    """Create the resources; returns `state(row) -> {parameter: value}` for sdk_harness.run."""
    doomed = _doomed()  # first: the running export below must still run when its method comes
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
        **doomed,
    }

    def state(row: dict) -> dict:
        return {**by_name, **per_method.get(row["sdk_method"], {})}

    return state

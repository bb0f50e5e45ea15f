"""A team's view of an account, extended write by write (as workers keep it), is the view made
from all its rows at once: the same threads in the same order, the same chats."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.app import create_app
from mockserver.onlyfans.view import AccountView
from mockserver.settings import Settings

from .conftest import ACCOUNT

KEY = {"Authorization": "Bearer view-team"}
APP = create_app(Settings())
steps = st.lists(
    st.tuples(st.sampled_from(["send", "send", "send", "pin", "delete", "mute"]), st.sampled_from([4242, 4343])),
    min_size=1,
    max_size=12,
)


def _rows(data):
    return data if isinstance(data, list) else data["list"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_an_extended_view_is_the_view_of_all_rows(plan):
    with APP.test_client() as client:
        client.post("/_mock/reset", headers=KEY)
        ofapi = APP.app.ofapi if hasattr(APP, "app") else APP.ofapi
        tenant = ofapi.store.tenants.of(KEY["Authorization"][7:]).slug
        sent: list[tuple[int, int]] = []
        for action, chat in plan:
            base = f"/api/{ACCOUNT}/chats/{chat}"
            if action == "send" or not sent:
                m = client.post(f"{base}/messages", headers=KEY, json={"text": action}).json()["data"]
                sent.append((chat, m["id"]))
            elif action == "pin":
                client.post(f"/api/{ACCOUNT}/chats/{sent[-1][0]}/messages/{sent[-1][1]}/pin", headers=KEY)
            elif action == "delete":
                c, ident = sent.pop()
                client.delete(f"/api/{ACCOUNT}/chats/{c}/messages/{ident}", headers=KEY)
            else:
                client.post(f"{base}/mute", headers=KEY)
            client.get(f"/api/{ACCOUNT}/chats", params={"limit": 5}, headers=KEY)  # workers extend their view
            extended = ofapi.world.view(ACCOUNT, tenant)
            version, rows = ofapi.store.overlay.rows(tenant, ACCOUNT)
            whole = AccountView(ofapi.world.account(ACCOUNT), tenant, version, rows)
            for chat_id in (4242, 4343):
                assert [m["id"] for m in extended.thread(chat_id)] == [m["id"] for m in whole.thread(chat_id)]
            assert [(c["id"], c["lastMessage"]["id"]) for c in extended.chats] == [
                (c["id"], c["lastMessage"]["id"]) for c in whole.chats
            ]

"""The round trip a client developer tests first, over every create operation the spec has, driven
by the spec (no test per path): create; read back the fields sent; find it in the lists; update
it where the API can; delete it; then it answers 404 and is gone from the lists.

What to call comes from the spec: each create's OpenAPI links (to the reads, changes and deletes
of what it created), and `x-world-write` for the writes that name their object in the body
(`targets`). Requests are built from each operation's own request schema."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.spec.load import load_spec
from mockserver.spec.operations import build_table

from .conftest import ACCOUNT

SPEC = load_spec()
TABLE = build_table(SPEC)
CREATES = sorted(op_id for op_id, op in TABLE.items() if (op.world_write or {}).get("do") == "create")
# Counts of what others do with an object: a created one starts with none.
ACTIVITY = re.compile(r"(likes|comments|clicks|subscribers|subscribe|claim|claims|viewers|viewed|tips|users)Counts?$")
TIMES = ("createdAt", "postedAt", "date")
FILE = ("roundtrip.jpg", b"\xff\xd8\xff\xe0roundtrip", "image/jpeg")
# Request fields that name objects of the world, and where to find a real one.
REFS = {
    "mediaFiles": "media",
    "mediaIds": "media",
    "storyIds": "stories",
    "coverStoryId": "stories",
    "userIds": "fans",
    "ids": "fans",
    "button_ids": "social_buttons",
    "entityId": "release_forms",
}
DESCRIPTIVE = {"text", "name", "title", "label", "message", "price", "campaignName", "trialLinkName"}


@pytest.fixture(scope="module")
def app():
    return create_app(Settings())


@pytest.fixture(scope="module")
def client(app):
    with app.test_client() as c:
        yield c


def raw(op_id: str) -> dict:
    op = TABLE[op_id]
    return SPEC["paths"][op.path][op.method.lower()]


def resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def world_id(app, collection: str):
    return app.ofapi.world.account(ACCOUNT).lists[collection][0]["id"]


class Caller:
    """Builds a valid request for an operation from its spec, with real ids where it names objects."""

    def __init__(self, app, client, tag: str, team: str = "roundtrip-team"):
        self.app, self.client, self.tag = app, client, tag
        self.headers = {"Authorization": f"Bearer {team}"}

    def value(self, name: str, schema: dict):
        schema = resolve(schema)
        kind = schema.get("type")
        if name in REFS:
            ident = world_id(self.app, REFS[name])
            ident = str(ident) if resolve(schema.get("items", {})).get("type") == "string" else ident
            return [ident] if kind == "array" else ident
        if "enum" in schema:
            return schema["enum"][0]
        lo, hi = schema.get("minimum"), schema.get("maximum")
        if kind == "integer":
            return max(int(lo or 0), min(int(hi if hi is not None else 7), 7))
        if kind == "number":  # a whole number: OnlyFans keeps some prices as integers
            return max(int(lo or 0), min(int(hi if hi is not None else 12), 12))
        if kind == "boolean":
            return True
        if kind == "array":
            return [self.value(name, schema.get("items", {"type": "string"}))]
        if kind == "object":
            return {}
        if "price" in name.lower():  # a price sent as a string (whole: the profile types its price integer)
            return "12"
        text = f"{self.tag} {name}"
        return text[: schema["maxLength"]] if schema.get("maxLength") else text

    def inputs(self, op_id: str, skip=()) -> dict:
        """Query, JSON or multipart fields: the required ones and the descriptive ones."""
        spec = raw(op_id)
        query = {}
        for p in spec.get("parameters", []):
            p = p if "$ref" not in p else SPEC["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]
            if p["in"] == "query" and (p.get("required") or p["name"] in DESCRIPTIVE):
                query[p["name"]] = self.value(p["name"], p.get("schema", {}))
        out: dict = {"params": query}
        for media_type, content in (spec.get("requestBody") or {}).get("content", {}).items():
            schema = resolve(content.get("schema", {}))
            required = set(schema.get("required", ()))
            fields = {
                name: self.value(name, sub)
                for name, sub in schema.get("properties", {}).items()
                if (name in required or name in DESCRIPTIVE) and name not in skip
            }
            if media_type.startswith("multipart/"):
                out["files"] = {"file": FILE}
            else:
                out["json"] = fields
            break
        return out

    def call(self, op_id: str, path: dict, **kw):
        op = TABLE[op_id]
        url = op.path
        for name, value in path.items():
            url = url.replace("{" + name + "}", str(value))
        return self.client.request(op.method, url, headers=self.headers, **kw)


def pointer(doc, expression: str):
    """The value a link's `$response.body#/…` expression names."""
    for key in filter(None, expression.split("#", 1)[1].split("/")):
        doc = doc[int(key)] if isinstance(doc, list) else doc[key]
    return doc


def items_of(data) -> list[dict]:
    """The objects a list answer carries (the data itself, or its list property)."""
    if isinstance(data, list):
        return data
    for value in data.values():
        if isinstance(value, list) and (not value or isinstance(value[0], dict)):
            return value
    return []


def sent_fields(op_id: str, inputs: dict) -> dict:
    """What the request sent, under the names the object has (`x-world-write.fields`)."""
    names = (TABLE[op_id].world_write or {}).get("fields") or {}
    out = {}
    for name, value in {**inputs.get("params", {}), **inputs.get("json", {})}.items():
        scalars = isinstance(value, list) and all(isinstance(v, (str, int)) for v in value)
        if (scalars or isinstance(value, (str, int, float, bool))) and not name.startswith("_"):
            for to in names.get(name, name) if isinstance(names.get(name), list) else [names.get(name, name)]:
                out[to] = value
    return out


def agrees(sent, got) -> bool:
    if isinstance(sent, list):
        return isinstance(got, list) and [str(v) for v in sent] == [str(v) for v in got]
    if isinstance(got, str) and isinstance(sent, str):
        return sent == got or sent in got or sent in unquote(got)  # a post's text comes back as HTML, a URL encoded
    try:
        return float(sent) == float(got)
    except (TypeError, ValueError):
        return sent == got


def assert_carries(obj: dict, sent: dict, where: str):
    for name, value in sent.items():
        if name in obj:
            assert agrees(value, obj[name]), f"{where}: {name} is {obj[name]!r}, the request sent {value!r}"


def links(op_id: str) -> dict:
    return raw(op_id)["responses"]["200"].get("links", {})


def by_body(collection: str, verb: str) -> list[str]:
    """Writes on the collection that name their object in the request body (`targets`)."""
    return sorted(
        op_id
        for op_id, op in TABLE.items()
        if (op.world_write or {}).get("collection") == collection
        and op.world_write.get("do") == verb
        and op.world_write.get("targets")
    )


@pytest.mark.parametrize("create", CREATES)
def test_round_trip(app, client, create):
    caller = Caller(app, client, "rt", team=f"roundtrip-{create}")
    op = TABLE[create]
    collection = op.world_write["collection"]
    path = {"account": ACCOUNT}
    for name in op.path_params:
        if name != "account":  # the object it belongs to: a real one
            owner = next(c for c, params in _id_params().items() if name in params)
            path[name] = world_id(app, owner)
    lists = {k: v for k, v in links(create).items() if not any("$response" in e for e in v["parameters"].values())}
    reads = {k: v for k, v in links(create).items() if TABLE[v["operationId"]].method == "GET" and k not in lists}

    def listed() -> list[list[str]]:
        seen = []
        for link in lists.values():
            got = caller.call(link["operationId"], path, params=_widest(link["operationId"]))
            assert got.status_code == 200, got.text
            seen.append([str(i.get((names(i) or ["id"])[0])) for i in items_of(got.json()["data"])])
        return seen

    before = {i for ids in listed() for i in ids}

    inputs = caller.inputs(create)
    started = datetime.now(UTC)
    answer = caller.call(create, path, **inputs)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    found = (e for v in links(create).values() for e in v["parameters"].values() if "$response" in e)
    expression = next(found, None) or _where_created(body)
    key = expression.rsplit("/", 1)[1]
    created = pointer(body, expression.rsplit("/", 1)[0])
    ident = created.get(key)
    sent = sent_fields(create, inputs)
    assert_carries(created, sent, create)
    assert str(ident) not in before, f"{create}: the new id {ident} was already taken"
    for name, value in created.items():
        if ACTIVITY.search(name) and name not in sent and isinstance(value, int):
            assert value == 0, f"{create}: a new object has {name} = {value}"
        if name in TIMES and isinstance(value, str) and name not in sent:
            moment = datetime.fromisoformat(value)
            assert abs((moment - started).total_seconds()) < 30, f"{create}: {name} {value} is not the server's now"

    def read_back(expect: int = 200) -> dict | None:
        found = None
        for link in reads.values():
            got = caller.call(link["operationId"], _params(link, path, body))
            assert got.status_code == expect, f"{link['operationId']} after {create}: {got.status_code} {got.text}"
            if expect == 200:
                data = got.json()["data"]
                obj = data.get("queue", data) if isinstance(data, dict) else data
                assert_carries(obj, sent, link["operationId"])
                found = obj if "id" in obj else found
        return found

    read_back()
    number = ident
    if key in ("", "prefixed_id"):  # answered without its id (an upload: its prefixed id): the one new item
        (number,) = {i for ids in listed() for i in ids} - before
    for ids in listed():
        assert str(number) in ids, f"{create}: {number} is not in the list"

    # update where the API can, then every read shows the change
    for link in links(create).values():
        target = TABLE[link["operationId"]]
        if (target.world_write or {}).get("do") != "update":
            continue
        change = Caller(app, client, "changed", team=f"roundtrip-{create}").inputs(target.op_id)
        got = caller.call(target.op_id, _params(link, path, body), **change)
        assert got.status_code == 200, f"{target.op_id}: {got.text}"
        sent = {**sent, **sent_fields(target.op_id, change)}
        read_back()
    for update in by_body(collection, "update"):
        field = TABLE[update].world_write["targets"]
        change = Caller(app, client, "changed", team=f"roundtrip-{create}").inputs(update, skip={field})
        change["json"][field] = number
        got = caller.call(update, path, **change)
        assert got.status_code == 200, f"{update}: {got.text}"

    # delete: the API's success shape, then 404 and gone from every list
    deletes = [
        link for link in links(create).values() if (TABLE[link["operationId"]].world_write or {}).get("do") == "delete"
    ]
    for delete in by_body(collection, "delete"):
        deletes.append({"operationId": delete, "body": {TABLE[delete].world_write["targets"]: [str(number)]}})
    for link in deletes:
        params = _params(link, path, body) if "parameters" in link else path
        kw = {"json": link["body"]} if "body" in link else {}
        got = caller.call(link["operationId"], params, **kw)
        assert got.status_code == 200 and got.json()["data"].get("success", True) is True, got.text
        read_back(404)
        for ids in listed():
            assert str(number) not in ids, f"{create}: {number} is still listed after {link['operationId']}"
        assert caller.call(link["operationId"], params, **kw).status_code == 404  # it is gone
        break  # one delete is enough: the object is gone


def _where_created(body: dict) -> str:
    """Where a create no link reads by id answers with the object (`data`, or its list's first),
    and the field that tells it apart (`id`, else its own `…Id`)."""
    data, where = (body["data"], "$response.body#/data") if "data" in body else (body, "$response.body#")
    if isinstance(data, dict) and not names(data):
        key = next(k for k, v in data.items() if isinstance(v, list))
        data, where = data[key], f"{where}/{key}"
    if isinstance(data, list):
        data, where = data[0], f"{where}/0"
    return f"{where}/{(names(data) or [''])[0]}"


def names(obj: dict) -> list[str]:
    """The fields that tell an object apart: `id`, else its own `…Id`."""
    return [k for k in ("id", *obj) if k in obj and (k == "id" or k.endswith(("Id", "_id")))]


def _id_params() -> dict:
    from mockserver.onlyfans.world import ID_PARAMS

    return ID_PARAMS


def _params(link: dict, path: dict, body) -> dict:
    out = {}
    for name, expression in link["parameters"].items():
        out[name] = (
            pointer(body, expression) if expression.startswith("$response") else path[expression.rsplit(".", 1)[1]]
        )
    return out


def _widest(op_id: str) -> dict:
    """The largest page the list allows, so the new object is on it."""
    for p in raw(op_id).get("parameters", []):
        if "$ref" not in p and p["name"] == "limit":
            return {"limit": p.get("schema", {}).get("maximum", 10)}
    return {}


# -- every other write: what it changes, a later read shows ------------------------------------
CHANGES = sorted(
    op_id for op_id, op in TABLE.items() if op.world_write and op.world_write["do"] not in ("create", "none")
)


def plans(app) -> dict:
    return app.ofapi.upstream._builder.plans


def _pick(app, op, chosen: dict) -> dict:
    """Real ids for an operation's path parameters: parents first, members the container holds."""
    from mockserver.onlyfans.kinds import KINDS, container_fields
    from mockserver.onlyfans.world import ID_PARAMS

    world = app.ofapi.world.account(ACCOUNT)
    spec = op.world_write
    for name in op.path_params:
        if name in chosen:
            continue
        if name == spec.get("target") and spec["do"] == "remove":  # a container holding members
            chosen[name] = next(
                o["id"]
                for o in world.lists[spec["collection"]]
                if world.member_ids(spec["collection"], o, spec["members"])
            )
            continue
        if name == spec.get("member"):
            held = container_fields(spec["collection"])[spec["members"]]
            container = world.container(spec["collection"], chosen)
            ids = world.member_ids(spec["collection"], container, spec["members"])
            if spec["do"] == "remove" and ids:
                chosen[name] = ids[0]
            else:  # one it does not hold yet (any id names someone: a made-up one if it holds them all)
                chosen[name] = next((o["id"] for o in world.lists[held.collection] if o["id"] not in ids), 123456789)
            continue
        collection = next(c for c, params in ID_PARAMS.items() if name in params)
        if collection in KINDS and KINDS[collection].scope:
            chosen[name] = world.collection(collection, chosen)[0]["id"]
        else:
            chosen[name] = world.lists[collection][0]["id"]
    return chosen


def _object_id(app, op, chosen: dict, inputs: dict):
    from mockserver.onlyfans.world import SINGLE

    spec = op.world_write
    if spec.get("target"):
        return chosen[spec["target"]]
    if spec.get("all"):
        return app.ofapi.world.account(ACCOUNT).lists[spec["collection"]][0]["id"]
    if spec.get("targets"):
        value = inputs["json"][spec["targets"]]
        return value[0] if isinstance(value, list) else value
    if spec["collection"] in SINGLE or spec["do"] == "reorder":
        return None
    return chosen.get(next(iter(p for p in op.path_params if p != "account")), None)


def _reads(app, collection: str, chosen: dict):
    """(op id, path, plan) of every read of the collection this request's ids can make."""
    for op_id, plan in plans(app).items():
        op = TABLE[op_id]
        if op.method != "GET" or op.data_source == "computed" or plan.collection != collection:
            continue
        needed = [p for p in op.path_params if p != plan.id_param]
        if all(p in chosen for p in needed):
            yield op_id, {p: chosen[p] for p in needed}, plan


def _seen(caller: Caller, collection: str, chosen: dict, ident) -> list[tuple[str, object]]:
    """What each read shows of the object: (read, the object or None when it is gone)."""
    seen = []
    for op_id, path, plan in _reads(caller.app, collection, chosen):
        query = {**caller.inputs(op_id)["params"], **({"fresh": "true"} if TABLE[op_id].cache else {})}
        if plan.id_param:
            got = caller.call(op_id, {**path, plan.id_param: ident}, params=query)
            data = (got.json()["data"] if TABLE[op_id].enveloped else got.json()) if got.status_code == 200 else None
            seen.append((op_id, None if data is None else data.get(plan.wrap, data) if plan.wrap else data))
        elif plan.list_prop is not None:
            got = caller.call(op_id, path, params={**query, **_widest(op_id)})
            assert got.status_code == 200, f"{op_id}: {got.text}"
            items = items_of(got.json()["data"])
            match = [i for i in items if str(i.get("id", (i.get("fan") or {}).get("id"))) == str(ident)]
            seen.append((op_id, match[0] if match else None))
        else:  # the account's own object, or one of its fields
            got = caller.call(op_id, path, params=query)
            assert got.status_code == 200, f"{op_id}: {got.text}"
            seen.append((op_id, {plan.field: got.json()["data"]} if plan.field else got.json()["data"]))
    return seen


@pytest.mark.parametrize("write", CHANGES)
def test_a_change_sticks(app, client, write):
    op = TABLE[write]
    spec = op.world_write
    collection = spec["collection"]
    caller = Caller(app, client, "sticks", team=f"sticks-{write}")
    chosen = _pick(app, op, {"account": ACCOUNT})
    inputs = caller.inputs(write)
    if spec["do"] == "reorder":  # every object, in the reverse of the order they have
        inputs["json"][spec["ids"]] = [str(o["id"]) for o in app.ofapi.world.account(ACCOUNT).lists[collection]][::-1]
    ident = _object_id(app, op, chosen, inputs)
    before = dict(_seen(caller, collection, chosen, ident))

    got = caller.call(write, chosen, **inputs)
    assert got.status_code == 200, f"{write}: {got.status_code} {got.text}"
    after = _seen(caller, collection, chosen, ident)
    shown = 0
    if spec["do"] == "delete":
        for read, obj in after:
            assert obj is None, f"{read} still shows {collection} {ident} after {write}"
            shown += 1
    elif spec["do"] in ("add", "remove"):
        member = chosen.get(spec.get("member")) or inputs["json"][spec["ids"]][0]
        shown += _members_show(caller, op, chosen, ident, {spec["members"]: [member]}, spec["do"] == "add")
    elif any(k in _member_fields(collection) for k in spec.get("set") or ()):  # members set (emptied)
        shown += _members_show(caller, op, chosen, ident, spec["set"], None)
    elif spec["do"] == "reorder":
        order = [str(i) for i in inputs["json"][spec["ids"]]]
        for read, _ in after:
            listed = caller.call(read, {"account": ACCOUNT}).json()["data"]
            assert [str(i["id"]) for i in listed][: len(order)] == order, f"{read} after {write}"
            shown += 1
    else:
        expected = {k: v for k, v in (spec.get("set") or {}).items() if not k.startswith("_") and v != "$now"}
        if spec["do"] == "update":
            expected |= sent_fields(write, inputs)
        hidden = (spec.get("set") or {}).get("_hidden")
        for read, obj in after:
            if hidden is not None and plans(app)[read].list_prop is not None:  # hidden (archived) leaves the lists
                assert (obj is None) == hidden, f"{read} after {write}: listed is {obj is not None}"
                shown += 1
                continue
            assert obj is not None, f"{read} lost {collection} {ident} after {write}"
            if spec["do"] == "toggle":
                field = spec["field"][0] if isinstance(spec["field"], list) else spec["field"]
                if field in obj:
                    assert obj[field] != (before.get(read) or {}).get(field), f"{read}: {field} did not flip"
                    shown += 1
                continue
            for name, value in expected.items():
                if name in obj:
                    assert agrees(value, obj[name]), f"{read} after {write}: {name} is {obj[name]!r}, not {value!r}"
                    shown += 1
    assert shown, f"no read shows what {write} changed"


def _member_fields(collection: str) -> set:
    from mockserver.onlyfans.kinds import container_fields

    return set(container_fields(collection))


def _members_show(caller: Caller, op, chosen: dict, ident, fields: dict, held: bool | None) -> int:
    """How many reads show the container's members as written: each member present (`held`),
    absent, or (None) exactly the members listed: in the member lists and in the container's own
    member arrays (a highlight's `stories`, a vault list's `medias`)."""
    from mockserver.onlyfans.kinds import MEMBERS

    collection, shown = op.world_write["collection"], 0
    for field, members in fields.items():
        wanted = {str(m) for m in members}
        for name, kept in MEMBERS.items():
            if kept.container != collection or kept.field != field:
                continue
            lists = [(read, obj) for read, obj in _seen(caller, name, chosen, next(iter(wanted), None))]
            for op_id, path, plan in _reads(caller.app, kept.collection, chosen):  # narrowed by a query parameter
                if kept.query and plan.list_prop is not None:
                    got = caller.call(op_id, path, params={kept.query: ident, **_widest(op_id)}).json()["data"]
                    ids = {str(i["id"]) for i in items_of(got)}
                    lists.append((op_id, ids))
            for read, obj in lists:
                if isinstance(obj, set):
                    present = wanted <= obj if held is not False else not (wanted & obj)
                    present = present if held is not None else obj == wanted
                else:
                    present = (obj is not None) == (held is not False) if held is not None else obj is None
                assert present, f"{read}: members {wanted} of {collection} {ident} are not as written"
                shown += 1
        if lists:  # a read lists them; the container's own arrays are previews
            continue
        for read, obj in _seen(caller, collection, chosen, ident):
            for value in (obj or {}).values():
                if isinstance(value, list) and value and isinstance(value[0], dict) and "id" in value[0]:
                    ids = {str(i["id"]) for i in value}
                    if held is True:
                        assert wanted <= ids, f"{read}: {wanted} not among {ids}"
                    elif held is False:
                        assert not (wanted & ids), f"{read}: {wanted} still among {ids}"
                    shown += 1
    return shown

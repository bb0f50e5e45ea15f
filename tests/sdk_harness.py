"""Drive every OnlyFansAPI SDK method against a server and measure response coverage.

Usage: python -m tests.sdk_harness --base-url http://127.0.0.1:4010 [--verbose] [--only SUBSTR]

The operation list comes from openapi/endpoints.tsv (rows with an sdk_method).
Call arguments are synthesised from each method's signature (see call_kwargs), so a
new SDK method needs no table entry here.
"""

from __future__ import annotations

import argparse
import collections.abc
import csv
import dataclasses
import functools
import importlib
import inspect
import operator
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any

import httpx
import pydantic
from onlyfansapi import NotGiven, Omit, OnlyFansAPI

REPO_ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS_TSV = REPO_ROOT / "openapi" / "endpoints.tsv"

ACCOUNT = "acct_0123456789abcdef0123456789abcdef"
CDN_URL = "https://cdn2.onlyfans.com/files/a/ab/abc/600x400_abc.jpg?Tag=2&u=1"
FILE = ("a.jpg", b"\xff\xd8\xff", "image/jpeg")
WORD = "hello"
# Methods whose parameters are all optional in the SDK although the API needs one of them.
ONE_OF_REQUIRED: dict[str, dict[str, Any]] = {  # the spec's x-required-when rules, met
    "client.media.scrape": {"url": CDN_URL},
    "client.smart_links.create": {"free_trial_days": 7},  # required for the free_trial link type
    "client.authenticate.start": {"email": "fan@example.com", "password": "not-the-password"},
    "client.authenticate.submit_2fa": {"code": "123456"},  # or selfie_verification_completed
    "client.chats.messages.send": {"text": WORD},  # or mediaFiles
    "client.settings.welcome_message.update": {"text": WORD},  # or mediaFiles
}
DATE_START = "2024-01-01T00:00:00Z"
DATE_END = "2024-01-31T23:59:59Z"

# (regex fullmatched against the parameter/key name, value). The first entry whose
# value fits the annotated type wins; otherwise the type dispatch in _value decides.
# List parameters are looked up by their singular name (account_ids -> account_id).
NAME_VALUES: list[tuple[str, Any]] = [
    (r"account(_id|_prefixed_id)?", ACCOUNT),
    (r"cdn_url", CDN_URL),
    (r"upload(_id)?", "ofapi_media_01JR1234"),  # an upload's prefixed id
    (r"username", "fan_username"),
    (r"(.*_)?email", "fan@example.com"),
    (r"(.*_)?url", "https://example.com/hook"),
    (r"end|(.*_)?(end_date|date_end)(_.*)?", DATE_END),
    (r"start|(.*_)?date(_.*)?", DATE_START),
    (r"account_scope", "global"),
    (r"event", "messages.received"),
    (
        r"conversion_type",
        "new_subscriber",
    ),  # a smart-link conversion type  # a webhook event (lists are filled item by item)
    (r"code", "123456"),  # the 2FA code fixtures/world.yaml accepts
    (r"timezone", "UTC"),
    (r"(.*_)?countr(y|ie)", "US"),
    (r"price", "9.99"),
    (r"year", 2024),
    (r"month", 1),
    (r"offset", 0),
    (r"forecast_days", 30),  # OFAPI requires at least 7
    (r"historical_days", 90),  # OFAPI requires at least 30
    (r"(.*_)?ids?", "123"),
    (r"(.*_)?ids?", 123),
]

MAX_MODEL_DEPTH = 12
_OMITTED = (Omit, NotGiven)


# --------------------------------------------------------------------------- rows


def _read_rows() -> list[dict[str, str]]:
    with ENDPOINTS_TSV.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def sdk_operations() -> list[dict[str, str]]:
    """Rows of openapi/endpoints.tsv that have an sdk_method (one per SDK method)."""
    return [row for row in _read_rows() if row.get("sdk_method")]


def _split(sdk_method: str) -> tuple[list[str], str]:
    parts = sdk_method.split(".")
    if parts[0] != "client":
        raise ValueError(f"sdk_method must start with 'client.': {sdk_method!r}")
    return parts[1:-1], parts[-1]


def resolve(client: OnlyFansAPI, sdk_method: str, *, raw: bool = False) -> Any:
    """`client.fans.list_active` -> the bound method (or its .with_raw_response twin)."""
    resource_path, name = _split(sdk_method)
    obj: Any = client
    for attr in resource_path:
        obj = getattr(obj, attr)
    if raw:
        obj = obj.with_raw_response
    return getattr(obj, name)


@functools.lru_cache(maxsize=1)
def _introspection_client() -> OnlyFansAPI:
    # Never sends anything; only used to reach bound methods for inspect.signature.
    return OnlyFansAPI(api_key="introspection", base_url="http://127.0.0.1:9", max_retries=0)


def response_type(row: dict[str, str]) -> Any:
    """The SDK response annotation for a row (a model class, a typing alias, str or None)."""
    name = row["sdk_response_type"]
    if name == "None":
        return None
    if name == "str":
        return str
    module = "onlyfansapi." + row["sdk_types_module"].removesuffix(".py").replace("/", ".")
    return getattr(importlib.import_module(module), name)


# ----------------------------------------------------------------- call arguments


def _strip(tp: Any) -> Any:
    """Drop Annotated, None, Omit and NotGiven from an annotation; unwrap 1-member unions."""
    while typing.get_origin(tp) in (
        typing.Annotated,
        typing.Required,
        typing.NotRequired,
    ):
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(tp) if m is not type(None) and m not in _OMITTED]
        if len(members) <= 1:
            return _strip(members[0]) if members else type(None)
        return functools.reduce(operator.or_, members)
    return tp


def _is_file(tp: Any) -> bool:
    return typing.get_origin(tp) in (
        typing.Union,
        types.UnionType,
    ) and bytes in typing.get_args(tp)


def _by_name(name: str, tp: Any) -> Any:
    if not isinstance(tp, type):
        return None
    for pattern, value in NAME_VALUES:
        if type(value) is tp and re.fullmatch(pattern, name):
            return value
    return None


def _value(name: str, tp: Any) -> Any:
    """A plausible value for a parameter or TypedDict key called `name` annotated `tp`."""
    tp = _strip(tp)
    if _is_file(tp):
        return FILE
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Literal:
        return args[0]
    if origin in (typing.Union, types.UnionType):
        return _value(name, args[0])
    if origin in (list, tuple, set, collections.abc.Sequence, collections.abc.Iterable):
        element = name.removesuffix("s")
        return [_value(element, args[0] if args else str)]
    if origin in (dict, collections.abc.Mapping):
        return {"key": _value("key", args[1] if len(args) == 2 else str)}
    if isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__required_keys__"):  # TypedDict
        # Stainless params modules use `from __future__ import annotations`, so
        # Required[...] is only visible in the evaluated hints, not __required_keys__.
        hints = typing.get_type_hints(tp, include_extras=True)
        required = {k for k, h in hints.items() if typing.get_origin(h) is typing.Required}
        return {key: _value(key, hints[key]) for key in sorted(required | tp.__required_keys__)}
    named = _by_name(name, tp)
    if named is not None:
        return named
    defaults = {bool: True, int: 1, float: 1.0, str: WORD}
    return defaults.get(tp, WORD)


def call_kwargs(row: dict[str, str], state: dict[str, Any] | None = None) -> tuple[list[Any], dict[str, Any]]:
    """(args, kwargs) for the row's SDK method, synthesised from its signature.

    Required parameters get a value from _value; optional ones (`| Omit`, NotGiven,
    extra_*) are left out, except file parameters, which are always filled because
    the upload methods take `file` or `file_url` (both optional in the signature) and
    a file is what makes the request multipart.
    """
    method = resolve(_introspection_client(), row["sdk_method"])
    hints = typing.get_type_hints(method)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for name, param in inspect.signature(method).parameters.items():
        annotation = hints.get(name, str)
        required = param.default is inspect.Parameter.empty
        if not required and not _is_file(_strip(annotation)):
            continue
        value = state[name] if state and name in state else _value(name, annotation)
        if param.kind is inspect.Parameter.POSITIONAL_ONLY or (
            param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and required
        ):
            args.append(value)
        else:
            kwargs[name] = value
    kwargs.update(ONE_OF_REQUIRED.get(row["sdk_method"], {}))
    return args, kwargs


def call(client: OnlyFansAPI, row: dict[str, str], state: dict[str, Any] | None = None) -> tuple[Any, Any, int]:
    """Call the row's method; return (parsed_result, raw_json_or_None, status_code).

    Raises what the SDK raises (APIStatusError for non-2xx, APIResponseValidationError
    when a strict client cannot parse the body). raw_json is None for methods whose
    SDK return type is None or str (binary download, text/plain) or non-JSON bodies.
    """
    args, kwargs = call_kwargs(row, state)
    raw = resolve(client, row["sdk_method"], raw=True)(*args, **kwargs)
    parsed = raw.parse()
    response = raw.http_response
    body = None
    if row["sdk_response_type"] not in ("None", "str"):
        try:
            body = response.json()
        except ValueError:
            body = None
    return parsed, body, response.status_code


# ----------------------------------------------------------------- field share


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, pydantic.BaseModel)


def _json_keys(model: type[pydantic.BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def _is_structured(tp: Any) -> bool:
    origin = typing.get_origin(tp)
    return _is_model(tp) or origin in (
        list,
        dict,
        collections.abc.Sequence,
        collections.abc.Mapping,
    )


def _pick_member(members: tuple[Any, ...], value: Any) -> Any:
    """Union rule: the BaseModel member sharing most keys with the JSON object wins
    (ties -> declaration order); lists/dicts pick the first list/dict member; a
    missing value walks the first structured member."""
    structured = [m for m in members if _is_structured(m)]
    if isinstance(value, dict):
        models = [m for m in structured if _is_model(m)]
        if models:
            return max(models, key=lambda m: len(_json_keys(m) & value.keys()))
        structured = [m for m in structured if typing.get_origin(m) in (dict, collections.abc.Mapping)]
    elif isinstance(value, list):
        structured = [m for m in structured if typing.get_origin(m) in (list, collections.abc.Sequence)]
    return structured[0] if structured else None


def _walk(
    tp: Any,
    value: Any,
    path: str,
    declared: set[str],
    carried: set[str],
    stack: tuple[type, ...],
) -> None:
    tp = _strip(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        member = _pick_member(args, value)
        if member is not None:
            _walk(member, value, path, declared, carried, stack)
    elif origin in (list, collections.abc.Sequence) and args:
        items = value if isinstance(value, list) else []
        for item in items or [None]:
            _walk(args[0], item, f"{path}[]", declared, carried, stack)
    elif origin in (dict, collections.abc.Mapping) and len(args) == 2:
        items = list(value.values()) if isinstance(value, dict) else []
        for item in items or [None]:
            _walk(args[1], item, f"{path}{{}}", declared, carried, stack)
    elif _is_model(tp):
        # Recursive models: stop below a missing value once the class is an ancestor,
        # and always stop at MAX_MODEL_DEPTH nested models.
        if len(stack) >= MAX_MODEL_DEPTH or (value is None and tp in stack):
            return
        obj = value if isinstance(value, dict) else {}
        for name, field in tp.model_fields.items():
            key = field.alias or name
            child = f"{path}.{key}" if path else key
            declared.add(child)
            if obj.get(key) is not None:
                carried.add(child)
            _walk(field.annotation, obj.get(key), child, declared, carried, (*stack, tp))


def _field_paths(model_cls: Any, raw_json: Any) -> tuple[set[str], set[str]]:
    declared: set[str] = set()
    carried: set[str] = set()
    if model_cls is not None:
        _walk(model_cls, raw_json, "", declared, carried, ())
    return declared, carried


def field_share(model_cls: Any, raw_json: Any) -> tuple[int, int]:
    """(carried, declared) field paths of a response annotation vs. a raw JSON body.

    Every field path of the (recursively walked) model is declared once; it is carried
    if at least one JSON instance at that path has the key with a non-null value.
    `model_cls` may be a BaseModel subclass or an alias like List[X], Dict[str, X],
    Optional[X] or Union[...]. Paths look like `data.list[].avatarThumbs.c50`.
    """
    declared, carried = _field_paths(model_cls, raw_json)
    return len(carried), len(declared)


def missing_fields(model_cls: Any, raw_json: Any) -> list[str]:
    """Declared field paths that the raw JSON does not carry (sorted), for debugging."""
    declared, carried = _field_paths(model_cls, raw_json)
    return sorted(declared - carried)


# ----------------------------------------------------------------- main


def _collapse(missing: list[str]) -> list[tuple[str, int]]:
    """Group missing paths under their topmost missing ancestor: [(path, n_below)]."""
    gone = set(missing)
    groups: dict[str, int] = {}
    for path in missing:
        parts = path.split(".")
        prefixes = (".".join(parts[:i]).rstrip("[]{}") for i in range(1, len(parts)))
        top = next((p for p in prefixes if p in gone), None)
        if top is None:
            groups.setdefault(path, 0)
        else:
            groups[top] = groups.get(top, 0) + 1
    return sorted(groups.items())


def _operation_label(row: dict[str, str]) -> str:
    return f"{row['method']} {row['path']} {row['sdk_method']}"


@dataclasses.dataclass
class Report:
    ok: int = 0
    failures: list = dataclasses.field(default_factory=list)  # (row, exception)
    carried: int = 0
    declared: int = 0
    shares: list = dataclasses.field(default_factory=list)  # (share, row, missing paths)

    @property
    def share(self) -> float:
        return self.carried / self.declared if self.declared else 0.0


def run(client: OnlyFansAPI, rows: list[dict[str, str]], state=None) -> Report:
    """Call every row's SDK method; count strict successes and the field share. `state(row)`
    may name real resource ids for a row (see sdk_state.py): OFAPI's resources are stateful."""
    report = Report()
    for row in rows:
        body = None
        try:
            _parsed, body, status = call(client, row, state(row) if state else None)
            if not 200 <= status < 300:
                raise RuntimeError(f"status {status}")
            report.ok += 1
        except Exception as exc:  # noqa: BLE001 - report every failure, keep going
            report.failures.append((row, exc))
        # Failed calls still count their declared fields (carried 0) so the
        # denominator does not shrink when the server gets worse.
        tp = response_type(row)
        if tp is None or tp is str:
            continue
        carried, declared = field_share(tp, body)
        report.carried += carried
        report.declared += declared
        if declared:
            report.shares.append((carried / declared, row, missing_fields(tp, body)))
    return report


def main(argv: list[str] | None = None, http_client: httpx.Client | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:4010")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="show the 20 worst operations by field share",
    )
    parser.add_argument(
        "--only",
        default="",
        help="run only rows whose sdk_method or path contains this",
    )
    opts = parser.parse_args(argv)

    client = OnlyFansAPI(
        api_key="test",
        base_url=opts.base_url,
        _strict_response_validation=True,
        max_retries=0,
        http_client=http_client,
    )
    rows = [r for r in sdk_operations() if opts.only in r["sdk_method"] or opts.only in r["path"]]
    report = run(client, rows)
    for row, exc in report.failures:
        status_code = getattr(exc, "status_code", "")
        print(f"FAIL {_operation_label(row)}: {type(exc).__name__} {status_code} {exc}".rstrip())
    ok, total_carried, total_declared, shares = report.ok, report.carried, report.declared, report.shares
    print(f"SDK strict: {ok}/{len(rows)} methods 2xx and parsed")
    pct = 100.0 * total_carried / total_declared if total_declared else 0.0
    print(f"field share: {total_carried}/{total_declared} = {pct:.1f} %")
    if opts.verbose:
        for share, row, missing in sorted(shares, key=lambda s: s[0])[:20]:
            print(f"{share * 100:5.1f} % {_operation_label(row)}")
            for path, below in _collapse(missing):
                print(f"          - {path}" + (f"  (+{below} below)" if below else ""))
    return 0 if ok == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())

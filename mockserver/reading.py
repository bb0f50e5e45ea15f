"""How OFAPI's Laravel reads a request: one input bag (`$request->input()`), the query and the body
together on every method, the body's fields winning over the query's. The query and form bodies
are read with PHP's name rules (`phpinput`); JSON is read as JSON, wherever form data is accepted
and the other way round.

Values PHP read are strings; `shape` gives them the form the operation's schema describes, the
way the rules OFAPI's schema was generated from accept them: `"5"` for an integer, `"true"`/`"1"`
for a boolean, and an array in any of the forms clients send (`ids=1,2`, `ids[]=1&ids[]=2`,
`ids[0]=1&ids[1]=2`, `ids=1&ids=2`; the same under a deepObject, `filter[tags]=a,b`). JSON values
are left as they are.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartParser

from .errors import InvalidInput
from .phpinput import Repeated, parse_pairs

JSON, FORM, MULTIPART = "json", "form", "multipart"
ACCEPTED = "application/json, application/x-www-form-urlencoded or multipart/form-data"
INTEGER = re.compile(r"[+-]?(0|[1-9][0-9]*)")
NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
BOOLEANS = {"true": True, "false": False}  # as before; Laravel also takes 1 and 0, the spec says boolean


class Upload(str):
    """An uploaded file as the rest of the mock sees it: its file name (a string, so it encodes as
    JSON), with its size and media type."""

    size: int
    content_type: str

    def __new__(cls, filename: str, size: int, content_type: str):
        self = super().__new__(cls, filename)
        self.size, self.content_type = size, content_type
        return self


@dataclass
class Input:
    """What the handler gets: the request as OFAPI reads it, validated and shaped."""

    path: dict
    query: dict  # the operation's query parameters, wherever in the bag they came from (+ defaults)
    body: dict | None  # the body's fields, wherever they came from; None: the operation takes no body


def body_kind(content_type: str | None) -> str | None:
    """JSON, FORM or MULTIPART for a Content-Type; None for a type OFAPI does not read. No type at
    all is read as JSON, the API's own."""
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if not mime or mime.endswith("json"):
        return JSON
    return {"application/x-www-form-urlencoded": FORM, "multipart/form-data": MULTIPART}.get(mime)


def read_query(query_string: bytes) -> dict:
    return parse_pairs(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))


async def read_body(kind: str, raw: bytes, headers: Headers) -> object:
    """The body, parsed: JSON as JSON, forms as PHP reads them. A body that cannot be read is a 400."""
    if kind == JSON:
        try:
            return json.loads(raw)
        except UnicodeDecodeError:
            raise InvalidInput({"body": ["The body is not valid UTF-8."]}, status=400) from None
        except RecursionError:
            raise InvalidInput({"body": ["The body is nested too deeply."]}, status=400) from None
        except ValueError as exc:
            raise InvalidInput({"body": [f"The body is not valid JSON: {exc}"]}, status=400) from None
    try:
        if kind == FORM:
            return parse_pairs(parse_qsl(raw.decode(), keep_blank_values=True, errors="strict"))
        return parse_pairs(await _multipart(raw, headers))
    except Exception:  # noqa: BLE001 - whatever the form parser trips on is the client's body
        raise InvalidInput({"body": ["The body is not a valid form."]}, status=400) from None


async def _multipart(raw: bytes, headers: Headers) -> list[tuple[str, object]]:
    async def stream():
        yield raw

    pairs: list[tuple[str, object]] = []
    for name, value in (await MultiPartParser(headers, stream()).parse()).multi_items():
        if isinstance(value, UploadFile):
            upload = Upload(value.filename or "", value.size or 0, value.content_type or "")
            await value.close()
            value = upload
        pairs.append((name, value))
    return pairs


def plain(value):
    """A PHP value as JSON would carry it: an array with keys 0..n-1 is a list, Repeated a list."""
    if isinstance(value, dict):
        if list(value) == list(range(len(value))):
            return [plain(v) for v in value.values()]
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _items(value) -> list | None:
    """The items of an array given in any of the forms clients send; None when it is no array."""
    if isinstance(value, Upload):
        return [value]
    if isinstance(value, str):
        return value.split(",") if value else []
    if isinstance(value, Repeated):
        return [item for v in value for item in (_items(v) or [v])]
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and all(isinstance(k, int) for k in value):
        return [value[k] for k in sorted(value)]
    return None


def shape(value, schema: dict):
    """A value PHP read, in the form `schema` describes where the value allows it (else as is, for
    the validator to name)."""
    if not isinstance(schema, dict):
        return plain(value)
    kind = schema.get("type")
    if isinstance(value, str) and schema.get("nullable") and value.strip() == "null":
        return None
    if kind == "array":
        items = _items(value)
        return plain(value) if items is None else [shape(item, schema.get("items", {})) for item in items]
    if kind == "object" and isinstance(value, dict) and not isinstance(plain(value), list):
        props, extra = schema.get("properties", {}), schema.get("additionalProperties")
        extra = extra if isinstance(extra, dict) else {}
        return {str(k): shape(v, props.get(str(k), extra)) for k, v in value.items()}
    if isinstance(value, str) and not isinstance(value, Upload):
        return _scalar(value, kind)
    return plain(value)


def _scalar(value: str, kind: str | None):
    text = value.strip()
    if kind == "integer" and INTEGER.fullmatch(text):
        return int(text)
    if kind == "number" and NUMBER.fullmatch(text):
        number = float(text)
        if number == number and abs(number) != float("inf"):
            return int(text) if INTEGER.fullmatch(text) else number
    if kind == "boolean" and text.lower() in BOOLEANS:
        return BOOLEANS[text.lower()]
    return value


def shape_all(tree: dict, schemas: dict) -> dict:
    """Each top-level value of a PHP-read tree, shaped by the schema of its field (if any)."""
    return {str(k): shape(v, schemas.get(str(k), {})) for k, v in tree.items()}

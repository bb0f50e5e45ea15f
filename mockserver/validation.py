"""Validation as OFAPI's Laravel answers it: 422 with `{"message", "errors": {field: [messages]}}`,
each error keyed by the full dotted field (`filter.tags`, `mediaIds.0`) and worded as Laravel words
it. The request is read first as Laravel reads it (`reading`): query and body are one input bag,
validated in one pass against the operation's query parameters, its body schema and its
`x-required-when` rules (`requirements`).

`ReadingMiddleware` takes the place of Connexion's request validation: it reads, validates and
leaves the result (`reading.Input`) in the scope for the handler, so every request is read once
and the same way."""

from __future__ import annotations

import re
from datetime import date, datetime

from connexion.json_schema import Draft4RequestValidator
from connexion.middleware.main import ConnexionMiddleware
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.uri_parsing import OpenAPIURIParser
from jsonschema import Draft4Validator, FormatChecker, ValidationError
from jsonschema.validators import extend
from starlette.datastructures import Headers

from .errors import ApiError, InvalidInput
from .lenient import SCOPE_FLAG as LENIENT
from .reading import ACCEPTED, JSON, Input, Upload, body_kind, read_body, read_query, shape, shape_all
from .requirements import Failure, compile_rules, failures, filled

INPUT = "ofapi.input"  # the scope extension the handler reads the request from
NO_BODY = object()  # the request has no body (a JSON `null` is a body)

TYPE_NAMES = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "true or false",
    "array": "an array",
    "object": "an object",
}

RULES = {
    "required": "The {name} field is required.",
    "type": "The {name} field must be {type}.",
    "minimum": "The {name} field must be at least {value}.",
    "maximum": "The {name} field must not be greater than {value}.",
    "minLength": "The {name} field must be at least {value} characters.",
    "maxLength": "The {name} field must not be greater than {value} characters.",
    "minItems": "The {name} field must have at least {value} items.",
    "maxItems": "The {name} field must not have more than {value} items.",
    "enum": "The selected {name} is invalid.",
    "format": "The {name} field must be a valid {value}.",
    "pattern": "The {name} field format is invalid.",
    "nul": "The {name} field must not contain a NUL (0x00) character.",
}
FILE = "The {name} field must be a file."

REQUIRED_WHEN = {
    "with": "The {name} field is required when {values} is present.",
    "with_all": "The {name} field is required when {values} are present.",
    "without": "The {name} field is required when {values} is not present.",
    "without_all": "The {name} field is required when none of {values} are present.",
    "if": "The {name} field is required when {other} is {value}.",
    "unless": "The {name} field is required unless {other} is in {values}.",
}


def snake(value: str) -> str:
    """Laravel's `Str::snake`: `mediaIds` -> `media_ids`."""
    if value.isalpha() and value.islower():
        return value
    value = re.sub(r"\s+", "", " ".join(word[:1].upper() + word[1:] for word in value.split(" ")))
    return re.sub(r"(.)(?=[A-Z])", r"\1_", value).lower()


def display(field: str) -> str:
    """A field as Laravel names it in a message: an item of a list (`mediaIds.0`, checked by a `*`
    rule) exactly as sent; any other field in snake case with spaces (`account_id` -> `account id`,
    `filter.total_spent` -> `filter.total spent`)."""
    if any(part.isdigit() for part in field.split(".")):
        return field
    return snake(field).replace("_", " ")


def laravel_message(field: str, error: ValidationError) -> str:
    """Laravel's wording for a failed rule, e.g. 'The limit field must not be greater than 20.'"""
    value = error.validator_value
    if error.validator == "format" and value == "binary":
        return FILE.format(name=display(field))
    kind = " or ".join(TYPE_NAMES.get(v, str(v)) for v in (value if isinstance(value, list) else [value]))
    template = RULES.get(str(error.validator), "The {name} field is invalid: {message}")
    return template.format(name=display(field), value=value, type=kind, message=error.message)


def _shown(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def required_when_message(failure: Failure) -> str:
    rule = failure.rule
    return REQUIRED_WHEN[rule.kind].format(
        name=display(failure.field),
        values=", ".join(map(_shown, rule.values))
        if rule.kind == "unless"
        else " / ".join(map(display, failure.others)),
        other=display(failure.others[0]),
        value=_shown(failure.actual),
    )


def _required(validator, required, instance, schema):
    """Laravel's `required`: the field is there and not null, blank or empty."""
    if validator.is_type(instance, "object"):
        for name in required:
            if not filled(instance.get(name)):
                yield ValidationError(f"{name!r} is a required property", path=[name])


# Where the spec sets no bound, a field still has one (`--max-json-body` bounds the whole body).
DEFAULT_MAX_ITEMS = 1000
DEFAULT_MAX_LENGTH = 65_535
INT64 = (-(2**63), 2**63 - 1)
_ITEMS, _TYPE = Draft4RequestValidator.VALIDATORS["items"], Draft4RequestValidator.VALIDATORS["type"]


def _items(validator, items, instance, schema):
    """Items of an array, unless there are too many: then only that is said, and fast (checking each
    of a million items held a worker for seconds)."""
    limit = schema.get("maxItems", DEFAULT_MAX_ITEMS)
    if validator.is_type(instance, "array") and len(instance) > limit:
        if "maxItems" not in schema:  # a declared bound reports itself
            yield ValidationError("too many items", validator="maxItems", validator_value=limit)
        return
    yield from _ITEMS(validator, items, instance, schema)


def _type(validator, types, instance, schema):
    yield from _TYPE(validator, types, instance, schema)
    wants_integer = "integer" in (types if isinstance(types, list) else [types])
    if wants_integer and isinstance(instance, int) and not INT64[0] <= instance <= INT64[1]:
        yield ValidationError("beyond 64 bits", validator="type", validator_value="integer")  # PHP has no such int
    if isinstance(instance, str) and "maxLength" not in schema and len(instance) > DEFAULT_MAX_LENGTH:
        yield ValidationError("too long", validator="maxLength", validator_value=DEFAULT_MAX_LENGTH)
    if isinstance(instance, str) and "\x00" in instance:  # no text column of PostgreSQL's can hold it
        yield ValidationError("NUL character", validator="nul")


FORMATS = FormatChecker()
FORMATS.checkers = dict(Draft4Validator.FORMAT_CHECKER.checkers)
FORMATS.checks("binary")(lambda value: not isinstance(value, str) or isinstance(value, Upload))
FORMATS.checks("date", raises=ValueError)(lambda value: not isinstance(value, str) or bool(date.fromisoformat(value)))
FORMATS.checks("date-time", raises=ValueError)(
    lambda value: not isinstance(value, str) or bool(datetime.fromisoformat(value.replace("Z", "+00:00")))
)
Validator = extend(Draft4RequestValidator, {"required": _required, "items": _items, "type": _type})


def _validator(schema: dict):
    return Validator(schema, format_checker=FORMATS)


class OperationInput:
    """One operation's input, read from its spec once: what the bag may hold and how to check it."""

    def __init__(self, parameters: list[dict], body_schema: dict | None, required_when: dict | None):
        by_place: dict[str, list[dict]] = {}
        for param in parameters:
            by_place.setdefault(param["in"], []).append(param)
        self.path_params = by_place.get("path", [])
        self.header_params = by_place.get("header", [])
        query = {p["name"]: p.get("schema", {}) for p in by_place.get("query", [])}
        self.takes_body = body_schema is not None
        self.body_schema = body_schema or {}
        self.body_fields = tuple(self.body_schema.get("properties", {}))
        self.schemas = {**query, **self.body_schema.get("properties", {})}  # field -> schema, for shaping
        self.query_names = tuple(query)
        self.query_defaults = {name: s["default"] for name, s in query.items() if "default" in s}
        self.deep_objects = {n: tuple(s.get("properties", {})) for n, s in query.items() if s.get("type") == "object"}
        self.order = {name: i for i, name in enumerate([*(p["name"] for p in parameters), *self.body_fields])}
        required = [p["name"] for p in by_place.get("query", []) if p.get("required")]
        query_schema = {"type": "object", "properties": query, "required": required}
        self.validator = _validator({"allOf": [query_schema, self.body_schema]})
        self.param_validators = {id(p): _validator(p.get("schema", {})) for p in self.path_params + self.header_params}
        self.rules = compile_rules(required_when)

    def read(self, scope, body, kind: str | None) -> Input:
        """The bag (the body's fields over the query's), validated: an `Input`, or InvalidInput."""
        bag = shape_all(read_query(scope.get("query_string", b"")), self.schemas)
        given: dict = {}
        if kind == JSON and body is not NO_BODY and self.takes_body and not isinstance(body, dict):
            raise InvalidInput({"body": ["The body field must be an object."]})
        if isinstance(body, dict):
            given = body if kind == JSON else shape_all(body, self.schemas)
        bag = {**bag, **given}
        path = {
            p["name"]: shape(scope.get("path_params", {}).get(p["name"].replace("-", "_")), p.get("schema", {}))
            for p in self.path_params
        }
        lenient = scope.get("extensions", {}).get(LENIENT, False)  # OFAPI's own `x-required-when` waived
        errors = self.errors(path, Headers(scope=scope), bag, rules=not lenient)
        if errors:
            raise InvalidInput(errors)
        query = {**self.query_defaults, **{name: bag[name] for name in self.query_names if name in bag}}
        taken = {k: v for k, v in bag.items() if k in self.body_fields or k in given} if self.takes_body else None
        return Input(path, query, taken)

    def errors(self, path: dict, headers: Headers, bag: dict, rules: bool = True) -> dict[str, list[str]]:
        found: list[tuple[tuple, str, str, bool]] = []  # (sort key, field, message, is a `required`)

        def add(parts: list, message: str, required: bool = False):
            field = ".".join(map(str, parts))
            found.append(
                ((self.order.get(str(parts[0]), len(self.order)), [str(p) for p in parts]), field, message, required)
            )

        for param in self.path_params + self.header_params:
            name = param["name"]
            value = path.get(name) if param["in"] == "path" else headers.get(name)
            if value is None:
                if param.get("required") and param["in"] == "header":
                    add([name], RULES["required"].format(name=display(name)), True)
                continue
            for error in self.param_validators[id(param)].iter_errors(value):
                parts = [name, *error.absolute_path]
                add(parts, laravel_message(".".join(map(str, parts)), error))
        for error in self.validator.iter_errors(bag):
            parts = list(error.absolute_path) or ["body"]
            add(parts, laravel_message(".".join(map(str, parts)), error), error.validator == "required")
        for name, props in self.deep_objects.items():
            for prop in props:
                key = f"{name}_{prop}"
                if key in bag and key not in self.schemas:
                    add(
                        [key],
                        f"The {key} field is not a parameter: send {name}[{prop}] (PHP reads {name}.{prop} as {key}).",
                    )
        for failure in failures(self.rules if rules else (), bag):
            add(failure.field.split("."), required_when_message(failure), True)
        out: dict[str, list[str]] = {}
        required = {field for _, field, _, is_required in found if is_required}
        for _, field, message, is_required in sorted(found, key=lambda f: f[0]):
            if is_required or field not in required:  # a missing field gets no other message (Laravel)
                out.setdefault(field, []).append(message)
        return out


async def _drain(receive) -> tuple[list[dict], bytes]:
    messages, chunks = [], []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return messages, b"".join(chunks)


def _replay(receive, messages: list[dict]):
    pending = iter(messages)

    async def replayed():
        return next(pending, None) or await receive()

    return replayed


class ReadingOperation(RequestValidationOperation):
    """Connexion's per-operation validation step, replaced: read the request the way OFAPI does,
    validate it, and leave it in the scope for the handler."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        op = self._operation
        body = op.body_schema() if op.request_body else None
        raw = getattr(op, "_operation", {})  # the operation's spec object, for its extensions
        self.input = OperationInput(op.parameters, body, raw.get("x-required-when"))

    async def __call__(self, scope, receive, send):
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None and not (length.isascii() and length.isdigit()):
            raise InvalidInput({"body": ["The Content-Length header is invalid."]}, status=400)
        messages, raw = await _drain(receive)
        kind, body = body_kind(headers.get("content-type")), NO_BODY
        if raw and kind is None and self.input.takes_body:
            mime = headers.get("content-type", "").split(";", 1)[0].strip()
            raise ApiError(415, f"Unsupported media type {mime}: send the body as {ACCEPTED}.")
        if raw and kind is not None:
            body = await read_body(kind, raw, headers)
        scope.setdefault("extensions", {})[INPUT] = self.input.read(scope, body, kind)
        await self.next_app(scope, _replay(receive, messages), send)


class ReadingAPI(RequestValidationAPI):
    def make_operation(self, operation) -> ReadingOperation:
        return ReadingOperation(self.next_app, operation=operation, strict_validation=False)


class ReadingMiddleware(RequestValidationMiddleware):
    api_cls = ReadingAPI


class RawURIParser(OpenAPIURIParser):
    """Connexion's own parsing of query, form and path, turned off: the handler takes the request
    from the scope, as `ReadingMiddleware` read it, so nothing is read twice or differently."""

    def resolve_query(self, query_data):
        return query_data

    def resolve_form(self, form_data):
        return form_data

    def resolve_path(self, path_data):
        return path_data


def middlewares() -> list:
    """Connexion's middleware stack with OFAPI's reading in place of its request validation."""
    stack = list(ConnexionMiddleware.default_middlewares)
    stack[stack.index(RequestValidationMiddleware)] = ReadingMiddleware
    return stack

"""Connexion's request validators, answering as Laravel (OFAPI's framework) does: 422 with
`{"message", "errors": {field: [messages]}}`, each message naming its field."""

from __future__ import annotations

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.lifecycle import ConnexionRequest
from connexion.utils import is_null, is_nullable
from connexion.validators import (
    FormDataValidator,
    JSONRequestBodyValidator,
    MultiPartFormDataValidator,
    ParameterValidator,
)
from jsonschema import Draft4Validator, ValidationError
from starlette.datastructures import Headers

from .errors import InvalidInput

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
}


def laravel_message(field: str, error: ValidationError) -> str:
    """Laravel's wording for a failed rule, e.g. 'The limit field must not be greater than 20.'"""
    name = field.rsplit(".", 1)[-1].replace("_", " ")
    value = error.validator_value
    kind = " or ".join(TYPE_NAMES.get(v, str(v)) for v in (value if isinstance(value, list) else [value]))
    template = RULES.get(str(error.validator), "The {name} field is invalid: {message}")
    return template.format(name=name, value=value, type=kind, message=error.message)


def field_of(error: ValidationError, prefix: str = "") -> str:
    path = [prefix] if prefix else []
    path += [str(p) for p in error.absolute_path]
    if error.validator == "required" and error.message.startswith("'"):
        path.append(error.message.split("'")[1])
    return ".".join(path) or "body"


def raise_for(errors: list[ValidationError], prefix: str = ""):
    out: dict[str, list[str]] = {}
    for error in errors:
        field = field_of(error, prefix)
        out.setdefault(field, []).append(laravel_message(field, error))
    if out:
        raise InvalidInput(out)


class FieldParameterValidator(ParameterValidator):
    def validate(self, scope):
        request = ConnexionRequest(scope, uri_parser=self.uri_parser)
        raw_query = request._starlette_request.query_params  # before Connexion's parsing: repeats visible
        readers = {
            "query": lambda p: request.query_params.get(p["name"]),
            "path": lambda p: request.path_params.get(p["name"].replace("-", "_")),
            "header": lambda p: request.headers.get(p["name"]),
        }
        errors: list[tuple[str, ValidationError]] = []
        for where, read in readers.items():
            for param in self.parameters.get(where, []):
                schema = param.get("schema", {})
                try:
                    value = read(param)
                except Exception:  # noqa: BLE001 - any value the URI parser cannot read is the client's error
                    errors.append(
                        (
                            param["name"],
                            ValidationError("unreadable", validator="type", validator_value=schema.get("type")),
                        )
                    )
                    continue
                if (
                    where == "query"
                    and schema.get("type") not in ("array", "object")
                    and len(raw_query.getlist(param["name"])) > 1
                ):
                    errors.append(
                        (
                            param["name"],
                            ValidationError("repeated", validator="type", validator_value=schema.get("type")),
                        )
                    )
                    continue
                errors += [(param["name"], e) for e in self._check(value, param)]
        out: dict[str, list[str]] = {}
        for name, error in errors:
            field = ".".join([name, *map(str, error.absolute_path)])
            out.setdefault(field, []).append(laravel_message(field, error))
        if out:
            raise InvalidInput(out)

    @staticmethod
    def _check(value, param) -> list[ValidationError]:
        if is_nullable(param) and is_null(value):
            return []
        if value is None:
            return (
                [ValidationError("required", validator="required", validator_value=True)]
                if param.get("required")
                else []
            )
        validator = Draft4Validator(param.get("schema", param), format_checker=Draft4Validator.FORMAT_CHECKER)
        return list(validator.iter_errors(value))


class _FieldErrors:
    """Mixin for body validators: every failing field, named, Laravel style."""

    async def wrap_receive(self, receive, *, scope):
        length = Headers(scope=scope).get("content-length", "0")
        if not length.isdigit():
            raise InvalidInput({"body": ["The Content-Length header is invalid."]}, status=400)
        if int(length) == 0 and self._required:
            self._validate({})  # as Laravel: no body is an empty one, so each required field is named
            raise InvalidInput({"body": ["The request body is required."]})
        return await super().wrap_receive(receive, scope=scope)

    def _validate(self, body):
        if self._nullable and body is None:
            return body
        if body is None:
            raise InvalidInput({"body": ["The request body must not be empty."]})
        raise_for(sorted(self._validator.iter_errors(body), key=lambda e: list(e.absolute_path)))
        return body


class FieldJSONValidator(_FieldErrors, JSONRequestBodyValidator):
    async def _parse(self, stream, scope):
        try:
            return await super()._parse(stream, scope)
        except BadRequestProblem as exc:
            raise InvalidInput({"body": [f"The body is not valid JSON: {exc.detail}"]}, status=400) from None
        except UnicodeDecodeError:
            raise InvalidInput({"body": ["The body is not valid UTF-8."]}, status=400) from None
        except RecursionError:
            raise InvalidInput({"body": ["The body is nested too deeply."]}, status=400) from None


class _ReadableForm:
    """A form body that cannot even be parsed is a 400, not a crash."""

    async def _parse(self, stream, scope):
        try:
            return await super()._parse(stream, scope)
        except Exception:  # noqa: BLE001 - whatever the form parser trips on is the client's body
            raise InvalidInput({"body": ["The body is not a valid form."]}, status=400) from None


class FieldFormValidator(_FieldErrors, _ReadableForm, FormDataValidator):
    pass


class FieldMultiPartValidator(_FieldErrors, _ReadableForm, MultiPartFormDataValidator):
    pass


VALIDATOR_MAP = {
    "parameter": FieldParameterValidator,
    "body": MediaTypeDict(
        {
            "*/*json": FieldJSONValidator,
            "application/x-www-form-urlencoded": FieldFormValidator,
            "multipart/form-data": FieldMultiPartValidator,
        }
    ),
}

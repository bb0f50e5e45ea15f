"""JSON encoding of response bodies: orjson for speed, the standard library for what orjson
refuses (lone surrogates or integers beyond 64 bits echoed back from a request)."""

import json

import orjson


def dumps(body) -> bytes:
    try:
        return orjson.dumps(body)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode()

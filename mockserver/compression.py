"""Gzip for answers of 1 KiB and more when the client sends `Accept-Encoding: gzip` (the spec
at `/openapi.json`, lists of fans, chats …). Media bytes are left as they are: images, video
and audio are compressed already, and a `206` range must count the file's own bytes."""

from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

OPTIONS = {
    "minimum_size": 1024,
    "compresslevel": 6,  # zlib's default: most of level 9's gain at a fraction of the CPU
    "exclude_content_types": (*DEFAULT_EXCLUDED_CONTENT_TYPES, "application/octet-stream"),
}

__all__ = ["GZipMiddleware", "OPTIONS"]

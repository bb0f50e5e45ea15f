"""The fake OnlyFans CDN: deterministic bytes for a `cdn*.onlyfans.com` file URL."""

from __future__ import annotations

import random
from urllib.parse import urlsplit

from .entities import stable_int

CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
}
MAGIC = {
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/gif": b"GIF89a",
    "video/mp4": b"\x00\x00\x00\x18ftypmp42",
}


def file_for(url: str) -> tuple[bytes, str]:
    """The file behind `url`: its bytes (same URL path, same bytes) and content type."""
    path = urlsplit(url).path
    ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    content_type = CONTENT_TYPES.get(ext, "application/octet-stream")
    rng = random.Random(stable_int("file", path))
    size = 2048 + rng.randrange(30_000)
    head = MAGIC.get(content_type, b"")
    return head + rng.randbytes(size - len(head)), content_type

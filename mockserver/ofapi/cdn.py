"""OnlyFans CDN URLs and OFAPI's copy of them on `cdn.fansapi.com`.

The mapping (one rule, both ways documented here):

    https://cdn2.onlyfans.com/files/a/ab/<hash>/600x400_<hash>.jpg?Tag=2&u=…&Signature=…
    -> https://cdn.fansapi.com/of/cdn2/files/a/ab/<hash>/600x400_<hash>.jpg

A file is identified by its host and path (the signed query changes every time OnlyFans hands
the URL out). `rewrite` applies OFAPI's rule to a whole response body, per URL: cached files
point at cdn.fansapi.com; the others stay as they are and are queued, so the *next* response
that carries them is rewritten. The first sighting of a URL never rewrites it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

OFAPI_CDN = "https://cdn.fansapi.com/of/"
_URL = re.compile(rb'https://(cdn\d*)\.onlyfans\.com(/[^"\\\s?#]*)(\?[^"\\\s#]*)?')
_HOST = re.compile(r"^cdn\d*\.onlyfans\.com$")


def file_key(url: str) -> str:
    """The cache key of an OnlyFans CDN file: `cdn2/files/…/x.jpg`."""
    parts = urlsplit(url)
    return f"{parts.hostname.split('.')[0]}{parts.path}"


def cached_url(key: str) -> str:
    return OFAPI_CDN + key


def rewrite(body: bytes, media_cache) -> bytes:
    """`body` with every cached OnlyFans CDN URL pointing at cdn.fansapi.com; the uncached ones
    are queued in `media_cache` (cached from now on)."""
    return rewrite_stable(body, media_cache)[0]


def rewrite_stable(body: bytes, media_cache) -> tuple[bytes, bool]:
    """`rewrite`, and whether the same body would be rewritten the same way next time (True
    unless this was the first sighting of one of its files)."""
    if b"onlyfans.com" not in body:
        return body, True
    matches = list(_URL.finditer(body))
    if not matches:
        return body, True
    keys = [(m.group(1) + m.group(2)).decode() for m in matches]
    cached = media_cache.cached_among(keys)
    fresh = set(keys) - cached
    media_cache.add(fresh)
    if not cached:
        return body, not fresh
    out, last = bytearray(), 0
    for match, key in zip(matches, keys, strict=True):
        if key in cached:
            out += body[last : match.start()]
            out += (OFAPI_CDN + key).encode()
            last = match.end()
    out += body[last:]
    return bytes(out), not fresh


class NotOnlyFansCdn(ValueError):
    """The URL is not a file on the OnlyFans CDN (the only files OFAPI fetches)."""


def validate(url: str) -> str:
    """`url` if it is an https URL of a file on `cdn*.onlyfans.com`; raises NotOnlyFansCdn.
    Nothing is ever fetched from the network: this is about what the mock accepts."""
    if not isinstance(url, str) or len(url) > 4096 or any(not 0x21 <= ord(c) <= 0x7E or c == "\\" for c in url):
        raise NotOnlyFansCdn("The URL contains characters a CDN URL cannot have (only printable ASCII).")
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        raise NotOnlyFansCdn("The URL is malformed.") from None
    host = parts.hostname or ""
    if parts.scheme != "https" or parts.username is not None or parts.password is not None or not _default_port(parts):
        raise NotOnlyFansCdn("Only https URLs on cdn*.onlyfans.com are accepted.")
    if not _HOST.match(host):
        raise NotOnlyFansCdn(f"The host {host or '(none)'} is not an OnlyFans CDN host (cdn*.onlyfans.com).")
    segments = unquote(unquote(parts.path)).split("/")
    if ".." in segments or "." in segments or not parts.path.startswith("/") or parts.path == "/":
        raise NotOnlyFansCdn("The URL path must name a file, without '.' or '..' segments.")
    return url


def _default_port(parts) -> bool:
    try:
        return parts.port in (None, 443)
    except ValueError:  # a malformed port
        return False

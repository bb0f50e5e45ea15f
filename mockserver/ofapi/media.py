"""Media files, as OFAPI serves them: from its own CDN copy when it has one (free), otherwise
streamed from OnlyFans (credits per MB) while it keeps a copy for next time."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from urllib.parse import unquote

from ..errors import ApiError, InvalidInput
from ..lenient import rule
from ..onlyfans.payloads import Request
from ..onlyfans.values import ofapi_time, parse_moment
from . import cdn
from .credits import file_cost
from .sources import Outcome, behaviour

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_COLLAPSED_SCHEME = re.compile(r"^(https?):/(?!/)")
SCRAPE_LIFETIME = timedelta(minutes=5)
DRM_SERVICE = "https://dl.fansapi.com"
PLACEHOLDER_FILE = "https://cdn2.onlyfans.com/files/0/00/000/placeholder.jpg"  # scraped on a lenient server


def requested_url(req: Request) -> str:
    """The CDN URL a download names: percent-encoded in one segment (as the SDK sends it) or
    raw, its query string then arriving as the request's own."""
    url = str(req.path_params.get("cdn_url", ""))
    if "%" in url and "://" not in url:
        url = unquote(url)
    url = _COLLAPSED_SCHEME.sub(r"\1://", url)  # some proxies squash `//` in paths
    raw_query = getattr(req.url, "query", "") if req.url is not None else ""
    if "?" not in url and raw_query:
        url = f"{url}?{raw_query}"
    return url


def checked(url: str, field: str) -> str:
    try:
        return cdn.validate(url)
    except cdn.NotOnlyFansCdn as exc:
        raise InvalidInput(
            {field: [f"The {field.replace('_', ' ')} field must be an OnlyFans CDN URL: {exc}"]}
        ) from None


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end inclusive) of a `Range: bytes=a-b` header; None for the whole file."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        raise ApiError(416, "The Range header must look like bytes=0-1023.", {"Content-Range": f"bytes */{size}"})
    first, last = match.groups()
    if len(first) > 18 or len(last) > 18:  # beyond any file size (and Python's digit limit)
        raise ApiError(416, "The requested range is outside the file.", {"Content-Range": f"bytes */{size}"})
    if first == "":  # the last N bytes
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise ApiError(416, "The requested range is outside the file.", {"Content-Range": f"bytes */{size}"})
    return start, end


@behaviour("media-download")
def download(ofapi, req: Request) -> Outcome:
    url = checked(requested_url(req), "cdn_url")
    key = cdn.file_key(url)
    if ofapi.store.media.is_cached(key):
        return Outcome(b"", calls=0, cost=0, status=302, headers={"Location": cdn.cached_url(key)})
    size = ofapi.upstream.size_of(url)
    span = _byte_range(req.headers.get("range"), size)  # a bad range is refused before anything changes
    cost = ofapi.charge(req, file_cost(size))  # before contacting OnlyFans
    content, media_type = ofapi.upstream.file(url)
    ofapi.store.media.add([key])
    headers = {"Accept-Ranges": "bytes"}
    if span is None:
        return Outcome(content, calls=1, cost=cost, paid=True, headers=headers, media_type=media_type)
    start, end = span
    headers["Content-Range"] = f"bytes {start}-{end}/{len(content)}"
    return Outcome(
        content[start : end + 1], calls=1, cost=cost, paid=True, status=206, headers=headers, media_type=media_type
    )


@behaviour("drm-download")
def drm_download(ofapi, req: Request) -> Outcome:
    """A DRM-protected vault video: OFAPI obtains the license from OnlyFans and redirects to its
    download service, which streams the decrypted MP4 (charged per MB, like any download)."""
    account, media_id = req.path_params["account"], str(req.path_params["media_id"])
    media = ofapi.world.view(account, req.tenant).entity("media", media_id)
    if not media.get("files", {}).get("drm"):
        message = f"Media {media_id} is not DRM-protected. Use the regular media download endpoint instead."
        raise InvalidInput({"media_id": [message]})
    cost = ofapi.charge(req, file_cost(media["files"]["full"]["size"]))
    ticket = hashlib.sha256(f"{account}/{media_id}/{req.api_key}".encode()).hexdigest()[:32]
    location = f"{DRM_SERVICE}/drm/{account}/{media_id}.mp4?ticket={ticket}"
    return Outcome(b"", calls=1, cost=cost, paid=True, status=302, headers={"Location": location})


@behaviour("media-scrape")
def scrape(ofapi, req: Request) -> Outcome:
    """A temporary URL for a file on OFAPI's CDN: free when already cached."""
    body = req.body if isinstance(req.body, dict) else {}
    if body.get("url"):
        url = checked(body["url"], "url")
    elif body.get("media_id") is not None:
        files = ofapi.world.view(req.path_params["account"], req.tenant).entity("media", body["media_id"])["files"]
        url = files.get(body.get("file_type") or "full", files["full"])["url"]
        if url is None:  # a DRM-protected video has no plain file
            message = "This media is DRM-protected; download it with GET /{account}/media/download/drm/{media_id}."
            raise InvalidInput({"media_id": [message]})
    else:  # a lenient server scrapes a placeholder file
        rule(ofapi.store, False, InvalidInput({"url": ["The url field is required when media id is not present."]}))
        url = PLACEHOLDER_FILE
    key = cdn.file_key(url)
    calls = cost = 0
    if not ofapi.store.media.is_cached(key):
        cost = ofapi.charge(req, file_cost(ofapi.upstream.size_of(url)))
        ofapi.upstream.file(url)
        calls = 1
        ofapi.store.media.add([key])
    public = bool(body.get("public"))
    until = parse_moment(body.get("expiration_date")) or ofapi.world.now + SCRAPE_LIFETIME
    expires = None if public else ofapi_time(until)
    return Outcome(
        {"temporary_url": cdn.cached_url(key), "expiration_date": expires}, calls=calls, cost=cost, paid=True
    )

"""What the kit is pointed at, asked once before anything runs: can it be reached, does it take
the API key, is it the mock? A server that cannot be reached or refuses the key stops the run
with one line saying which URL, what it answered and what to pass: without it every call would
be a 401 or a connection error, and a kit whose checks only look at 2xx answers would pass
without testing anything."""

from __future__ import annotations

import httpx

INFO = "/_mock/info"  # answered only by ofapi-mock: {"ofapi_mock": true, "version", "seed", ...}
WHOAMI = "/api/whoami"
TIMEOUT = 10.0


class Unusable(Exception):
    """The target cannot be tested; the message says why and what to do, in one line."""


def is_mock(base_url: str) -> bool:
    try:
        r = httpx.get(base_url + INFO, timeout=TIMEOUT)
        return r.status_code == 200 and r.json().get("ofapi_mock") is True
    except (httpx.HTTPError, ValueError, AttributeError):
        return False


def check(base_url: str, api_key: str) -> bool:
    """Raise Unusable unless `base_url` answers and accepts `api_key`; True when it is the mock."""
    if not base_url.startswith(("http://", "https://")):
        raise Unusable(f"--base-url {base_url}: not an http:// or https:// URL (e.g. http://127.0.0.1:4010)")
    auth = f"Bearer {api_key}".strip()  # an empty key is sent as the kit sends it: a bare `Bearer`
    try:
        r = httpx.get(base_url + WHOAMI, headers={"Authorization": auth}, timeout=TIMEOUT)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise Unusable(
            f"cannot reach {base_url} ({_reason(exc)}): is the server running? Start one with `ofapi-mock serve`, "
            "or leave out --base-url and the kit starts a mock itself"
        ) from None
    mock = is_mock(base_url)
    if r.status_code in (401, 403):
        key = "an empty API key" if not api_key else f"the API key {_masked(api_key)}"
        hint = " (the mock takes any non-empty key, e.g. --api-key test)" if mock else ""
        raise Unusable(
            f"{base_url} answered {r.status_code} to GET {WHOAMI} with {key}: "
            f"pass a key it accepts with --api-key KEY or OFAPI_API_KEY{hint}"
        )
    return mock


def _masked(key: str) -> str:
    return repr(key) if len(key) <= 8 else repr(f"{key[:4]}…{key[-2:]}")


def _reason(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    return text.split("] ")[-1] if "] " in text else text

"""Per-request time of one endpoint in-process (raw ASGI calls, no network, no wrk): for
profiling the request path. `--profile` adds cProfile's top functions by own time; `--floor`
compares with the Connexion floor (bench/references.py) on the same request.

    .venv/bin/python bench/inprocess.py /api/whoami
    .venv/bin/python bench/inprocess.py /api/smart-links POST \
        '{"account_id": "acct_…", "link_type": "tracking_link", "name": "b"}'
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mockserver.app import create_app  # noqa: E402
from mockserver.settings import Settings  # noqa: E402


def scope(method: str, target: str, body: bytes) -> dict:
    path, _, query = target.partition("?")
    headers = [(b"host", b"127.0.0.1:4010"), (b"authorization", b"Bearer bench"), (b"accept", b"*/*")]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "", "headers": headers,
        "client": ("127.0.0.1", 5555), "server": ("127.0.0.1", 4010), "state": {},
    }  # fmt: skip


async def call(app, method: str, target: str, body: bytes) -> list[dict]:
    """The ASGI messages the app sent for one request."""
    sent, read = [], False

    async def receive():
        nonlocal read
        if not read:
            read = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # the client never disconnects

    async def send(message):
        sent.append(message)

    await app(scope(method, target, body), receive, send)
    return sent


async def measure(app, args, n: int) -> float:
    for _ in range(300):  # warm-up: worlds, caches, leases
        status = (await call(app, args.method, args.path, args.body.encode()))[0]["status"]
    if status >= 300:
        raise SystemExit(f"{args.method} {args.path} answered {status}")
    start = time.perf_counter()
    for _ in range(n):
        await call(app, args.method, args.path, args.body.encode())
    return (time.perf_counter() - start) / n


def floor_share(app, args) -> None:
    """The Connexion floor on the same request, answering what ofapi-mock answered."""
    import base64
    import json
    import os
    import tempfile

    sent = asyncio.run(call(app, args.method, args.path, args.body.encode()))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump({f"{args.method} {args.path.partition('?')[0]}": base64.b64encode(body).decode()}, fh)
    os.environ["OFAPI_BENCH_BODIES"] = fh.name
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import references

    floor = references.floor()
    os.unlink(fh.name)
    best = {}
    for name, server in (("ofapi-mock", app), ("floor", floor)) * 3:
        best[name] = min(best.get(name, 1.0), asyncio.run(measure(server, args, args.n)))
    mock, floor_s = best["ofapi-mock"], best["floor"]
    print(
        f"{args.method} {args.path}: ofapi-mock {mock * 1e6:.0f} us, Connexion floor {floor_s * 1e6:.0f} us, ", end=""
    )
    print(f"share of the floor {floor_s / mock:.0%}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path")
    ap.add_argument("method", nargs="?", default="GET")
    ap.add_argument("body", nargs="?", default="")
    ap.add_argument("-n", type=int, default=3000, help="requests measured (default 3000)")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--floor", action="store_true", help="and the Connexion floor on the same request")
    args = ap.parse_args()
    app = create_app(Settings())
    if args.floor:
        return floor_share(app, args)
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    seconds = asyncio.run(measure(app, args, args.n))
    print(f"{args.method} {args.path}: {seconds * 1e6:.0f} us per request ({1 / seconds:.0f}/s, one core)")
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()

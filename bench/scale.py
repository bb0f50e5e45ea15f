"""Scaling benchmark: 1 and 2 instances of ofapi-mock (2 workers each) on one PostgreSQL store,
the same load split across them, read-heavy and write-heavy; a single instance on SQLite beside
them for reference. Prints aggregate req/s, p99 and the scaling factor, all measured in one run.

Usage: python bench/scale.py [--duration 8] [--rounds 2] [--connections 32] [--json FILE].
See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mockserver.temporary_postgres import TemporaryPostgres, missing  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_run", Path(__file__).with_name("run.py"))
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)

ACCT = base.ACCT
MIXES = {"read-heavy": 0.1, "write-heavy": 0.8}  # name -> share of writes
SETUPS = (("SQLite", 1), ("PostgreSQL", 1), ("PostgreSQL", 2))  # (store, instances); 2 workers each
LUA = """
local reads = {"/api/%(acct)s/fans/active", "/api/%(acct)s/media/vault", "/api/webhooks", "/api/whoami"}
local link = '{"account_id": "%(acct)s", "link_type": "tracking_link", "name": "bench"}'
local writes = %(writes)s
init = function(args) math.randomseed(os.time()) end
request = function()
  if math.random() < writes then
    return wrk.format("POST", "/api/smart-links",
      {["Authorization"] = "Bearer bench", ["Content-Type"] = "application/json"}, link)
  end
  return wrk.format("GET", reads[math.random(#reads)], {["Authorization"] = "Bearer bench"})
end
"""


def log(msg: str) -> None:
    print(f"[bench-scale] {msg}", file=sys.stderr, flush=True)


def wrk_run(wrk: str, url: str, threads: int, connections: int, seconds: float, lua: str) -> dict:
    cmd = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        lua,
        url,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    out = done.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not rps:
        raise RuntimeError("wrk gave no result: " + " ".join((out + done.stderr).split())[-300:])
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(rps.group(1)),
        "p99_ms": base.to_ms(lat["99"]) if "99" in lat else None,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "errors": sum(map(int, errors.groups())) if errors else 0,
    }


def load(wrk: str, bases: list[str], connections: int, seconds: float, lua: str) -> dict:
    """The same load split across the instances (one wrk each, at once): aggregate req/s, the
    worse p99 of the parts."""
    share, threads = max(1, connections // len(bases)), max(1, 2 // len(bases))
    with ThreadPoolExecutor(len(bases)) as pool:
        parts = list(pool.map(lambda b: wrk_run(wrk, b, threads, share, seconds, lua), bases))
    p99s = [p["p99_ms"] for p in parts if p["p99_ms"] is not None]
    return {
        "rps": sum(p["rps"] for p in parts),
        "p99_ms": max(p99s) if p99s else None,
        "non2xx": sum(p["non2xx"] for p in parts),
        "errors": sum(p["errors"] for p in parts),
    }


def machine(pg: TemporaryPostgres) -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    version = pg.execute("SHOW server_version")[0][0]
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model.group(1) if model else platform.processor(),
        "python": platform.python_version(),
        "postgresql": version.split()[0],
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def report(m: dict, results: dict, args) -> None:
    print(f"# ofapi-mock on several instances — {m['date']}\n")
    print(f"Machine: {m['nproc']} CPUs ({m['cpu']}), Python {m['python']}, PostgreSQL {m['postgresql']} on the same")
    print(f"machine, load average {m['load']} at start; wrk, {args.connections} connections split across the")
    print(f"instances, {args.duration:g} s per run, median of {args.rounds} rounds\n")
    print("| store | instances × workers | mix | req/s | p99 ms | non-2xx | errors | scaling |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for mix in MIXES:
        one = results[("PostgreSQL", 1, mix)]["rps"]
        for store, n in SETUPS:
            r = results[(store, n, mix)]
            scale = f"{r['rps'] / one:.2f}×" if store == "PostgreSQL" and n > 1 and one else ""
            cells = [store, f"{n} × 2", mix, base.fmt(r["rps"], ".0f"), base.fmt(r["p99_ms"], ".1f"), r["non2xx"],
                     r["errors"], scale]  # fmt: skip
            print("| " + " | ".join(map(str, cells)) + " |")
    print(
        "\nWrites: POST /api/smart-links; reads, in equal parts: GET /api/{acct}/fans/active, /api/{acct}/media/vault,"
    )
    print("/api/webhooks, /api/whoami. Read-heavy: 10 % writes; write-heavy: 80 %.")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=8.0, help="seconds of load per run (default 8)")
    ap.add_argument("--rounds", type=int, default=2, help="rounds over every setup (default 2; the median is kept)")
    ap.add_argument("--warmup", type=float, default=2.0, help="unrecorded seconds of load before each run")
    ap.add_argument("--connections", type=int, default=32, help="connections in all, split across the instances")
    ap.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks below
    if missing():
        sys.exit(f"bench-scale: {missing()}")
    wrk = base.ensure_wrk()
    runs: dict[tuple, list[dict]] = {}
    with TemporaryPostgres(settings=()) as pg, tempfile.TemporaryDirectory() as tmp:
        m = machine(pg)
        luas = {}
        for mix, writes in MIXES.items():
            luas[mix] = Path(tmp, f"{mix}.lua")
            luas[mix].write_text(LUA % {"acct": ACCT, "writes": writes})
        for rnd in range(1, max(1, args.rounds) + 1):
            for store, n in SETUPS:  # interleaved: A B C A B C
                location = (
                    pg.create_database(f"bench_{rnd}_{n}") if store == "PostgreSQL" else str(Path(tmp, f"{rnd}.sqlite"))
                )
                servers = []
                try:
                    for i in range(n):
                        port = base.free_port()
                        cmd = [sys.executable, "-m", "mockserver", "serve", "--host", "127.0.0.1", "--workers", "2",
                               "--store", location, "--port", str(port)]  # fmt: skip
                        servers.append(base.Server(f"{store} {i + 1}/{n}", cmd, port))
                        servers[-1].start()
                    bases = [s.base + "/" for s in servers]
                    for mix in MIXES:
                        if args.warmup > 0:
                            load(wrk, bases, args.connections, args.warmup, str(luas[mix]))
                        r = load(wrk, bases, args.connections, args.duration, str(luas[mix]))
                        runs.setdefault((store, n, mix), []).append(r)
                        log(f"round {rnd}: {store} × {n}, {mix}: {r['rps']:.0f} req/s, p99 {base.fmt(r['p99_ms'])} ms")
                finally:
                    for s in servers:
                        s.stop()
    results = {}
    for key, rs in runs.items():
        p99s = [r["p99_ms"] for r in rs if r["p99_ms"] is not None]
        results[key] = {
            "rps": statistics.median(r["rps"] for r in rs),
            "p99_ms": statistics.median(p99s) if p99s else None,
            "non2xx": sum(r["non2xx"] for r in rs),
            "errors": sum(r["errors"] for r in rs),
        }
    report(m, results, args)
    if args.json:
        data = {"machine": m, "args": vars(args), "runs": [[*k, v] for k, v in runs.items()]}
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("bench-scale: interrupted")

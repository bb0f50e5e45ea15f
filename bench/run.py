"""One-command benchmark: ofapi-mock against Stoplight Prism (static and dynamic) on the same spec.

Usage: python bench/run.py [--duration 10] [--rounds 2] [--json FILE]. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = "openapi/ofapi.yaml"
ACCT = "acct_0123456789abcdef0123456789abcdef"
AUTH = "Authorization: Bearer bench"
SMART_LINK = json.dumps({"account_id": ACCT, "link_type": "tracking_link", "name": "bench"})
ENDPOINTS = {  # name -> (method, path)
    "fans/active": ("GET", f"/api/{ACCT}/fans/active"),
    "whoami": ("GET", "/api/whoami"),
    "smart-links": ("POST", "/api/smart-links"),
    "media/vault": ("GET", f"/api/{ACCT}/media/vault"),
}
SERVERS = ("ofapi-mock", "connexion floor", "raw ceiling", "prism static", "prism dynamic")
REFERENCES = {"connexion floor": "floor", "raw ceiling": "ceiling"}  # bench/references.py
START_TIMEOUT = 180.0  # seconds a server gets to answer its first /api/whoami


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def sh(cmd: list[str], timeout: float = 900) -> bool:
    log("$ " + " ".join(cmd))
    return subprocess.run(cmd, timeout=timeout, stdout=sys.stderr).returncode == 0


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        install = [*sudo, "apt-get", "install", "-y", "wrk"]
        if not sh(install) and not (sh([*sudo, "apt-get", "update"]) and sh(install)):
            sys.exit("bench: could not install wrk (apt-get install -y wrk)")
    return shutil.which("wrk") or sys.exit("bench: wrk not found after install")


def ensure_prism() -> str:
    local = ROOT / "bench/.prism/node_modules/.bin/prism"
    found = shutil.which("prism") or (str(local) if local.exists() else None)
    if found:
        return found
    if not shutil.which("npm"):
        sys.exit("bench: Prism needs Node.js and npm (e.g. apt-get install -y nodejs npm)")
    if not sh(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(ROOT / "bench/.prism"), "@stoplight/prism-cli"]
    ):
        sys.exit("bench: npm install @stoplight/prism-cli failed")
    return str(local)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes() -> list[tuple[int, int, int]]:
    """(pid, ppid, pgid) of every process, from /proc/<pid>/stat."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                out.append((int(entry), int(fields[1]), int(fields[2])))
            except (OSError, IndexError, ValueError):
                continue
    return out


def tree(root: int) -> list[int]:
    """`root` and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, ppid, _ in processes():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.append(pid)
            todo.extend(children.get(pid, []))
    return found


def tree_rss_kib(root: int) -> int:
    """VmRSS of `root` and all its descendants."""
    total = 0
    for pid in tree(root):
        try:
            m = re.search(r"^VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M)
            total += int(m.group(1)) if m else 0
        except OSError:
            continue
    return total


def tree_cpu_s(root: int) -> float:
    """CPU seconds (user + system) used so far by `root` and all its descendants."""
    ticks = 0
    for pid in tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


class Server:
    """One server process (in its own session), its cold start and its peak tree RSS."""

    def __init__(self, name: str, cmd: list[str], port: int):
        self.name, self.cmd, self.port = name, cmd, port
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.peak_kib = 0
        self._stop = threading.Event()
        self._err = tempfile.TemporaryFile()

    def start(self) -> float:
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            self.cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._err,
            start_new_session=True,
        )  # fmt: skip
        threading.Thread(target=self._sample, daemon=True).start()
        req = urllib.request.Request(self.base + "/api/whoami", headers={"Authorization": "Bearer bench"})
        while time.perf_counter() - t0 < START_TIMEOUT and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(req, timeout=2) as r:
                    if 200 <= r.status < 300:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.05)
        self._err.seek(0)
        tail = self._err.read()[-2000:].decode(errors="replace")
        raise RuntimeError(f"{self.name} did not answer /api/whoami within {START_TIMEOUT:.0f}s\n{tail}")

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            if self.proc:
                self.peak_kib = max(self.peak_kib, tree_rss_kib(self.proc.pid))

    def stop(self) -> None:
        self._stop.set()
        if self.proc and self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                    self.proc.wait(timeout=wait)
                    break
                except ProcessLookupError:
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self.proc and any(pgid == self.proc.pid for _, _, pgid in processes()):
            try:  # stray children that outlived the session leader
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def to_ms(value: str) -> float:
    num, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value).groups()
    return float(num) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4, "h": 3.6e6}[unit]


def run_wrk(wrk: str, url: str, method: str, seconds: float, lua: str) -> dict:
    cmd = [wrk, "-t2", "-c32", f"-d{seconds:g}s", "--timeout", "5s", "--latency", "-H", AUTH]
    done = subprocess.run(
        cmd + (["-s", lua] if method == "POST" else []) + [url], capture_output=True, text=True, timeout=seconds + 60
    )
    out = done.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not rps:
        raise RuntimeError("wrk gave no result: " + " ".join((out + done.stderr).split())[-300:])
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    done_n = re.search(r"^\s*(\d+) requests in", out, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (?P<connect>\d+), read (?P<read>\d+), write (?P<write>\d+), "
                     r"timeout (?P<timeout>\d+)", out)  # fmt: skip
    errors = {k: int(v) for k, v in sock.groupdict().items()} if sock else {}
    return {
        "rps": float(rps.group(1)),
        "requests": int(done_n.group(1)) if done_n else None,
        "p50_ms": to_ms(lat["50"]) if "50" in lat else None,
        "p99_ms": to_ms(lat["99"]) if "99" in lat else None,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "errors": sum(errors.values()),
        "socket_errors": errors,
    }


def capture_bodies(mock: list[str], path: str) -> None:
    """Each endpoint's answer from ofapi-mock, saved for the two references to answer as is."""
    import base64

    port = free_port()
    server = Server("ofapi-mock", mock + [str(port)], port)
    try:
        server.start()
        bodies = {}
        for method, url_path in ENDPOINTS.values():
            data = SMART_LINK.encode() if method == "POST" else None
            headers = {"Authorization": AUTH.split(": ", 1)[1], "Content-Type": "application/json"}
            req = urllib.request.Request(server.base + url_path, data=data, headers=headers, method=method)
            with urllib.request.urlopen(req, timeout=30) as r:
                bodies[f"{method} {url_path}"] = base64.b64encode(r.read()).decode()
        Path(path).write_text(json.dumps(bodies))
    finally:
        server.stop()


def machine(prism: str) -> dict:
    version = subprocess.run([prism, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model.group(1) if model else platform.processor(),
        "python": platform.python_version(),
        "prism": version or "?",
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def share(a: float | None, b: float | None) -> str:
    return f"{a / b:.0%}" if a and b else "n/a"


def fmt(x: float | None, spec: str = ".2f") -> str:
    return "n/a" if x is None else format(x, spec)


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "n/a"


def report(m: dict, res: dict, cold: dict, rss: dict, anomalies: list[str]) -> list[tuple[str, bool]]:
    agg = {ep: {s: summarize(res[ep][s]) for s in SERVERS} for ep in ENDPOINTS}
    print(f"# ofapi-mock vs Prism — {m['date']}\n")
    print(f"Machine: {m['nproc']} CPUs ({m['cpu']}), Python {m['python']}, Prism {m['prism']}, ", end="")
    print(f"load average {m['load']} at start; wrk -t2 -c32, median of rounds\n")
    for ep, (method, path) in ENDPOINTS.items():
        print(f"## {method} {path}\n\n| server | req/s | p50 ms | p99 ms | CPU us/req | non-2xx | socket errors |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for s in SERVERS:
            a = agg[ep][s]
            cells = [s, fmt(a["rps"], ".0f"), fmt(a["p50_ms"]), fmt(a["p99_ms"]), fmt(a["cpu_us"], ".0f")]
            print("| " + " | ".join(map(str, [*cells, a["non2xx"], a["errors"]])) + " |")
        mock = agg[ep]["ofapi-mock"]["rps"]
        st, dy = agg[ep]["prism static"]["rps"], agg[ep]["prism dynamic"]["rps"]
        fl, ce = agg[ep]["connexion floor"]["rps"], agg[ep]["raw ceiling"]["rps"]
        print(f"\nofapi-mock req/s: {share(mock, fl)} of the Connexion floor, {share(mock, ce)} of the raw ceiling, ")
        print(f"{ratio(mock, st)} Prism static, {ratio(mock, dy)} Prism dynamic; by server CPU per request, ", end="")
        print(f"{share(agg[ep]['connexion floor']['cpu_us'], agg[ep]['ofapi-mock']['cpu_us'])} of the floor\n")
    print("## Start-up and memory\n\n| server | cold start s | peak RSS MiB (process tree) |\n|---|---:|---:|")
    for s in SERVERS:
        print(f"| {s} | {fmt(cold.get(s), '.2f')} | {fmt(rss[s] / 1024 if rss.get(s) else None, '.1f')} |")
    for other in ("prism static", "prism dynamic"):
        print(f"\nofapi-mock / {other}: cold start {ratio(cold.get('ofapi-mock'), cold.get(other))}, ", end="")
        print(f"RSS {ratio(rss.get('ofapi-mock'), rss.get(other))}")

    def ge(ep: str, server: str, k: float = 1.0) -> bool:
        a, b = agg[ep]["ofapi-mock"]["rps"], agg[ep][server]["rps"]
        return bool(a and b and a >= k * b)

    def lt(d: dict, other: str) -> bool:
        return bool(d.get("ofapi-mock") and d.get(other) and d["ofapi-mock"] < d[other])

    fa = agg["fans/active"]
    p99_ok = None not in (fa["ofapi-mock"]["p99_ms"], fa["prism static"]["p99_ms"])
    p99 = fa["ofapi-mock"]["p99_ms"]
    targets = [
        ("fans/active req/s >= 75% of the Connexion floor", ge("fans/active", "connexion floor", 0.75)),
        ("fans/active p99 <= 15 ms", p99 is not None and p99 <= 15),
        ("whoami req/s >= 75% of the Connexion floor", ge("whoami", "connexion floor", 0.75)),
        ("media/vault req/s >= 75% of the Connexion floor", ge("media/vault", "connexion floor", 0.75)),
        ("smart-links req/s >= 50% of the Connexion floor", ge("smart-links", "connexion floor", 0.5)),
        ("cold start <= 1.5 s", bool(cold.get("ofapi-mock") and cold["ofapi-mock"] <= 1.5)),
        ("fans/active req/s >= 2x Prism static", ge("fans/active", "prism static", 2)),
        ("fans/active req/s >= 10x Prism dynamic", ge("fans/active", "prism dynamic", 10)),
        ("fans/active p99 <= Prism static p99", p99_ok and fa["ofapi-mock"]["p99_ms"] <= fa["prism static"]["p99_ms"]),
        ("whoami req/s >= Prism static", ge("whoami", "prism static")),
        ("smart-links req/s >= Prism static", ge("smart-links", "prism static")),
        ("cold start < Prism static", lt(cold, "prism static")),
        ("cold start < Prism dynamic", lt(cold, "prism dynamic")),
        ("peak RSS < Prism static", lt(rss, "prism static")),
        ("peak RSS < Prism dynamic", lt(rss, "prism dynamic")),
    ]
    print("\n## Anomalies\n")
    print("\n".join(f"- {a}" for a in anomalies) if anomalies else "none")
    print("\n## Targets\n")
    for name, ok in targets:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return targets


def summarize(runs: list[dict]) -> dict:
    def med(key: str) -> float | None:
        vals = [r[key] for r in runs if r.get(key) is not None]
        return statistics.median(vals) if vals else None

    return {
        "rps": med("rps") if runs else None,
        "p50_ms": med("p50_ms"),
        "p99_ms": med("p99_ms"),
        "cpu_us": med("cpu_us"),
        "non2xx": sum(r["non2xx"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of load per run (default 10)")
    ap.add_argument("--rounds", type=int, default=2, help="A B A B rounds per server and endpoint (default 2)")
    ap.add_argument("--warmup", type=float, default=1.0, help="unrecorded seconds of load before each run")
    ap.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    ap.add_argument("--servers", help="a quick look at some servers only, e.g. 'ofapi-mock,connexion floor'")
    ap.add_argument("--endpoints", help="and some endpoints only, e.g. 'smart-links,whoami'")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks below

    servers = [s.strip() for s in args.servers.split(",")] if args.servers else list(SERVERS)
    endpoints = [e.strip() for e in args.endpoints.split(",")] if args.endpoints else list(ENDPOINTS)
    unknown = set(servers) - set(SERVERS) | set(endpoints) - set(ENDPOINTS)
    if unknown:
        sys.exit(f"bench: unknown server or endpoint {sorted(unknown)}; known: {SERVERS}, {tuple(ENDPOINTS)}")
    wrk, prism = ensure_wrk(), ensure_prism()
    mock = [sys.executable, "-m", "mockserver", "serve", "--quiet", "--host", "127.0.0.1", "--workers", "2", "--port"]
    uvicorn = [sys.executable, "-m", "uvicorn", "--factory", "--host", "127.0.0.1", "--workers", "2"]
    uvicorn += ["--log-level", "warning", "--no-access-log"]
    commands = {
        "ofapi-mock": mock,
        **{name: [*uvicorn, f"bench.references:{app}", "--port"] for name, app in REFERENCES.items()},
        "prism static": [prism, "mock", SPEC, "-h", "127.0.0.1", "-p"],
        "prism dynamic": [prism, "mock", "-d", SPEC, "-h", "127.0.0.1", "-p"],
    }
    bodies = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    capture_bodies(mock, bodies.name)  # what the references answer: ofapi-mock's own bytes
    os.environ["OFAPI_BENCH_BODIES"] = bodies.name
    m = machine(prism)  # load average before any load
    res = {ep: {s: [] for s in SERVERS} for ep in ENDPOINTS}
    colds: dict[str, list[float]] = {s: [] for s in SERVERS}
    rss: dict[str, int] = {}
    anomalies: list[str] = []
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(SMART_LINK)}\n')
        lua.write('wrk.headers["Content-Type"] = "application/json"\n')
        lua.flush()
        for rnd in range(1, max(1, args.rounds) + 1):
            for name in servers:  # one server alive at a time, interleaved A B C A B C
                port = free_port()
                server = Server(name, commands[name] + [str(port)], port)
                try:
                    colds[name].append(server.start())
                    log(f"round {rnd}: {name} up in {colds[name][-1]:.2f}s on :{port}")
                    for ep in endpoints:
                        method, path = ENDPOINTS[ep]
                        try:
                            if args.warmup > 0:
                                run_wrk(wrk, server.base + path, method, args.warmup, lua.name)
                            cpu = tree_cpu_s(server.proc.pid)
                            r = run_wrk(wrk, server.base + path, method, args.duration, lua.name)
                            cpu = tree_cpu_s(server.proc.pid) - cpu
                            r["cpu_us"] = cpu * 1e6 / r["requests"] if r["requests"] else None
                        except (RuntimeError, subprocess.TimeoutExpired) as e:  # left out of the medians
                            anomalies.append(f"round {rnd}, {name}, {ep}: {e}")
                            log(anomalies[-1])
                        else:
                            res[ep][name].append(r)
                            errs = {k: v for k, v in r["socket_errors"].items() if v}
                            log(f"  {ep}: {r['rps']:.0f} req/s, p99 {fmt(r['p99_ms'])} ms, non-2xx {r['non2xx']}")
                            if errs or r["non2xx"]:
                                anomalies.append(
                                    f"round {rnd}, {name}, {ep}: socket errors {errs}, non-2xx {r['non2xx']}"
                                )
                        if server.proc.poll() is not None:
                            raise RuntimeError(f"{name} exited with {server.proc.returncode} during {ep}")
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    anomalies.append(f"round {rnd}, {name}: {e}")
                    log(anomalies[-1])
                finally:
                    server.stop()
                    if server.peak_kib:
                        rss[name] = max(rss.get(name, 0), server.peak_kib)
    os.unlink(bodies.name)
    cold = {s: statistics.median(v) for s, v in colds.items() if v}
    targets = report(m, res, cold, rss, anomalies)
    if args.json:
        data = {
            "machine": m,
            "duration_s": args.duration,
            "rounds": args.rounds,
            "cold_start_s": colds,
            "peak_rss_kib": rss,
            "endpoints": {ep: {s: {"runs": res[ep][s], **summarize(res[ep][s])} for s in SERVERS} for ep in ENDPOINTS},
            "anomalies": anomalies,
            "targets": {name: bool(ok) for name, ok in targets},
        }
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # servers are already stopped by the finally blocks
        sys.exit("bench: interrupted")

"""`ofapi-mock` command line.

Input a user gives wrong (a path, a port, a spec file) is a `CliError`: one line naming it on
stderr and exit status 2, never a traceback. Usage errors are two lines, not a page of usage.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import socket
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

from . import __version__, contract
from .settings import MIB, Settings
from .spec.load import SPEC_PATH

TABLE_PATH = SPEC_PATH.with_name("endpoints.tsv")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4010
READY_TIMEOUT = 120.0  # seconds the start line waits for the server to answer
STORE_ENV = "OFAPI_MOCK_STORE"  # --store from the environment: keeps a PostgreSQL password out of `ps`


class CliError(Exception):
    """Input the user gave is wrong: the message names it, in one line."""


# -- serve ---------------------------------------------------------------------------------
def serve(args: argparse.Namespace) -> int:
    import shutil

    import uvicorn

    from .onlyfans.world import load_fixtures
    from .server import HTTP_PROTOCOL, raise_file_limit
    from .store.backend import StoreError
    from .store.check import check_store
    from .store.store import Store

    if args.store and (problem := check_store(args.store)):
        raise CliError(f"--store {problem}")
    _check_port(args.host, args.port)
    store = kept = args.store
    folder = None
    if store is None:  # a private file every worker shares, gone when the server stops
        folder = tempfile.mkdtemp(prefix="ofapi-mock-")
        store = os.path.join(folder, "store.sqlite")
        kept = f"{store} (temporary)"
    settings = Settings(
        seed=args.seed,
        initial_credits=args.credits,
        rate_limit_per_minute=args.rate_limit,
        public_url=args.public_url,
        store_path=store,
        strict_accounts=args.strict_accounts,
        admin_token=args.admin_token or os.environ.get("OFAPI_MOCK_ADMIN_TOKEN") or None,
        export_seconds=args.export_seconds,
        max_body_bytes=args.max_body,
        keep_alive_seconds=args.keep_alive,
        max_connections=args.max_connections,
        world_cache_bytes=args.world_cache_mib * MIB,
        render_cache_bytes=args.render_cache_mib * MIB,
    )
    settings = replace(
        settings, lenient=args.lenient, cors=not args.no_cors, latency_ms=args.latency, jitter_ms=args.jitter
    )
    try:  # open (create or migrate, and check) the store once, before any worker starts
        opened = Store(settings, load_fixtures())
        opened.close()
        if args.store:
            kept = opened.db.location  # a URL's password hidden
    except StoreError as exc:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        raise CliError(f"--store {exc}") from None
    raise_file_limit()
    os.environ.update(settings.to_env())  # read by each worker's factory
    if not args.quiet:
        _announce_when_ready(args, kept)
    try:
        uvicorn.run(
            "mockserver.asgi:create",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
            log_config=_log_config(args.quiet),
            access_log=False,  # mockserver.requestlog writes the request lines
            http=HTTP_PROTOCOL,
            timeout_keep_alive=max(1, round(args.keep_alive)),
            limit_concurrency=args.max_connections,
        )
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def _check_port(host: str, port: int) -> None:
    """Fail before starting anything when the address cannot be listened on."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise CliError(f"--host {host}: {exc.strerror}") from None
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            hint = " (another server is there: stop it or pick another --port)" if exc.errno == 98 else ""
            raise CliError(f"cannot listen on {host}:{port}: {exc.strerror}{hint}") from None


def _url(host: str, port: int) -> str:
    """A URL a browser on this machine can open for the address the server listens on."""
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _announce_when_ready(args: argparse.Namespace, store: str | None) -> None:
    """Print the start line once the server answers `/_mock/info` (from a thread: uvicorn keeps
    the main one), with the seed the world was actually built from."""
    url = _url(args.host, args.port)
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy

    def wait_and_print() -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            try:
                with direct.open(f"{url}/_mock/info", timeout=2) as response:
                    info = json.load(response)
            except (OSError, ValueError):
                time.sleep(0.1)
                continue
            print(start_line(url, info, store, args.workers, args.public_url), flush=True)
            return

    threading.Thread(target=wait_and_print, name="start-line", daemon=True).start()


def start_line(url: str, info: dict, store: str | None, workers: int, public_url: str | None = None) -> str:
    where = f"{url} (public URL {public_url})" if public_url else url
    kept = f"store {store}"
    return (
        f"ofapi-mock {info.get('version', __version__)} ready on {where}: seed {info.get('seed')}, {kept}, "
        f"{workers} worker{'s' if workers > 1 else ''}; try {url}/ui/ (Ctrl+C stops it)"
    )


def _log_config(quiet: bool) -> dict:
    """uvicorn's logging, plus one plain line per request on stdout (unless `--quiet`)."""
    from uvicorn.config import LOGGING_CONFIG

    from .requestlog import LOG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["request"] = {"format": "%(message)s"}
    config["handlers"]["request"] = {
        "class": "logging.StreamHandler",
        "formatter": "request",
        "stream": "ext://sys.stdout",
    }
    level = "WARNING" if quiet else "INFO"
    config["loggers"][LOG.name] = {"handlers": ["request"], "level": level, "propagate": False}
    return config


# -- the store, the spec -------------------------------------------------------------------
def reset(args: argparse.Namespace) -> int:
    from .onlyfans.world import load_fixtures
    from .store.backend import StoreError
    from .store.check import check_store
    from .store.store import Store

    if problem := check_store(args.store, must_exist=True):
        raise CliError(f"--store {problem}")
    try:
        store = Store(Settings(store_path=args.store), load_fixtures())
    except StoreError as exc:
        raise CliError(f"--store {exc}") from None
    store.reset()
    store.close()
    print(f"reset {store.db.location}")
    return 0


def read_spec(path: str | Path) -> dict:
    """The spec at `path`, or a CliError naming the file and what is wrong with it."""
    import yaml

    from .spec.load import load_spec

    try:
        spec = load_spec(path)
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CliError(f"{path}: is a directory, not a spec file") from None
    except OSError as exc:
        raise CliError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise CliError(f"{where}: not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise CliError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("paths"), dict):
        raise CliError(f"{path}: not an OpenAPI document (it has no `paths` mapping)")
    return spec


def lint(args: argparse.Namespace) -> int:
    from .spec.lint import display, report, summary
    from .spec.lint import lint as run

    findings = run(args.spec, table=args.table)
    if output := report(findings, args.format):
        print(output)
    print(f"{display(args.spec)}: {summary(findings)}", file=sys.stderr)
    return 1 if any(f.severity == "error" for f in findings) else 0


def docs(args: argparse.Namespace) -> int:
    from .docs import generate

    read_spec(args.spec)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CliError(f"--out {out}: is a file, not a directory; give the directory to write the documents into")
    try:
        written = generate(args.spec, out, table=args.table)
    except OSError as exc:
        raise CliError(f"--out {exc.filename or out}: {exc.strerror}") from None
    for path in written:
        print(path)
    return 0


def diff(args: argparse.Namespace) -> int:
    from .spec.diff import compare, report

    changes = compare(read_spec(args.old), read_spec(args.new))
    print(report(changes, args.format))
    return 1 if any(c.breaking for c in changes) else 0


# -- the parser ----------------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        """Two lines (what is wrong, where to look), not a page of usage."""
        self.exit(2, f"{self.prog}: error: {message}\n(see `{self.prog} --help`)\n")


class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """`(default: X)` after each option's help, unless there is no default worth showing."""

    def _get_help_string(self, action):
        if action.default in (None, False, argparse.SUPPRESS) or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def _number(kind, low, high=None, what="a number"):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if value < low or (high is not None and value > high):
            limits = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{text} is out of range ({what} {limits})")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ofapi-mock", description="A local OnlyFansAPI.com that behaves like the real one.")
    parser.add_argument("--version", action="version", version=f"ofapi-mock {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, run) -> argparse.ArgumentParser:
        p = commands.add_parser(name, help=help, description=help, formatter_class=_Help)
        p.set_defaults(run=run)
        return p

    p = command("serve", "serve the mock API", serve)
    p.add_argument("--host", default=DEFAULT_HOST, help="interface to listen on (0.0.0.0: every interface)")
    p.add_argument("--port", type=_number(int, 1, 65535, "a port"), default=DEFAULT_PORT, help="port to listen on")
    p.add_argument("--seed", type=int, metavar="N", help="world seed (default: the one in fixtures/world.yaml)")
    p.add_argument(
        "--workers",
        type=_number(int, 1, what="a worker count"),
        default=1,
        metavar="N",
        help="worker processes; they share OFAPI's data through --store (or a temporary file)",
    )
    p.add_argument(
        "--credits",
        type=_number(int, 0),
        default=Settings.initial_credits,
        metavar="N",
        help="starting balance per API key",
    )
    p.add_argument(
        "--rate-limit",
        type=_number(int, 1),
        default=Settings.rate_limit_per_minute,
        metavar="N",
        help="requests per minute per key",
    )
    p.add_argument(
        "--public-url", metavar="URL", help="base URL for next_page links and the UI's server (default: the request's)"
    )
    p.add_argument(
        "--store",
        metavar="PATH|URL",
        default=os.environ.get(STORE_ENV) or None,
        help="where OFAPI's data is kept across restarts: a SQLite file, or postgresql://user:pass@host:port/db "
        f"that several instances share (also {STORE_ENV}; default: a temporary SQLite file)",
    )
    p.add_argument(
        "--strict-accounts", action="store_true", help="unknown account ids are 404 (default: connected on first use)"
    )
    p.add_argument(
        "--admin-token", metavar="TOKEN", help="token /_mock/* requires as a bearer token (also OFAPI_MOCK_ADMIN_TOKEN)"
    )
    p.add_argument(
        "--keep-alive",
        type=_number(float, 0.1),
        default=Settings.keep_alive_seconds,
        metavar="SECONDS",
        help="an idle connection (also one that never sends a request) is closed after this long",
    )
    p.add_argument(
        "--world-cache-mib",
        type=_number(int, 1),
        default=Settings.world_cache_bytes // MIB,
        metavar="MIB",
        help="memory per worker for generated account worlds (least recently used dropped)",
    )
    p.add_argument(
        "--render-cache-mib",
        type=_number(int, 1),
        default=Settings.render_cache_bytes // MIB,
        metavar="MIB",
        help="memory per worker for rendered entities",
    )
    p.add_argument(
        "--max-connections",
        type=_number(int, 1),
        default=Settings.max_connections,
        metavar="N",
        help="connections per worker; beyond it requests get 503",
    )
    p.add_argument(
        "--max-body",
        type=_number(int, 1),
        default=Settings.max_body_bytes,
        metavar="BYTES",
        help="largest request body; larger ones get 413",
    )
    p.add_argument(
        "--export-seconds",
        type=_number(float, 0),
        default=Settings.export_seconds,
        metavar="SECONDS",
        help="how long a data export runs",
    )
    # Test-time control: lenient mode, CORS, latency (faults at run time: /_mock/faults).
    p.add_argument("--lenient", action="store_true", help="accept made-up ids and out-of-order moves (SDK suites)")
    p.add_argument("--no-cors", action="store_true", help="no CORS headers, preflights unanswered")
    p.add_argument("--latency", type=_number(float, 0), default=0.0, metavar="MS", help="added to every /api response")
    p.add_argument(
        "--jitter", type=_number(float, 0), default=0.0, metavar="MS", help="up to this much more, at random"
    )
    p.add_argument(
        "--log-level",
        default="warning",
        choices=("critical", "error", "warning", "info", "debug"),
        help="level of the web server's own messages (start-up, errors)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print neither the start line nor a line per request")

    contract.add_parser(
        command("contract", "run the contract kit against a server (default: a mock it starts)", contract.run)
    )

    p = command("reset", "forget everything a store file holds", reset)
    p.add_argument(
        "--store",
        metavar="PATH|URL",
        default=os.environ.get(STORE_ENV) or None,
        required=not os.environ.get(STORE_ENV),
        help=f"the store `serve --store` used: an existing SQLite file or a postgresql:// URL (default: ${STORE_ENV})",
    )

    p = command("lint", "check the spec: OpenAPI validity and the project's rules", lint)
    p.add_argument("spec", nargs="?", default=str(SPEC_PATH), help="the spec to check")
    p.add_argument(
        "--table", default=str(TABLE_PATH), metavar="TSV", help="the endpoint table the operations must match"
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="findings as text lines or JSON")

    p = command("docs", "generate the data-sources page and an offline HTML reference", docs)
    p.add_argument("spec", nargs="?", default=str(SPEC_PATH), help="the spec to document")
    p.add_argument("--out", required=True, metavar="DIR", help="directory to write into (created if missing)")
    p.add_argument("--table", metavar="TSV", help="endpoint table for the seed's spellings (default: beside SPEC)")

    p = command("diff", "what changed between two spec versions; exit 1 on breaking changes", diff)
    p.add_argument("old", help="the older version of the spec (YAML or JSON)")
    p.add_argument("new", help="the newer version of the spec, compared with OLD")
    p.add_argument("--format", choices=("text", "json"), default="text", help="changes as text lines or JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CliError as exc:
        print(f"ofapi-mock {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

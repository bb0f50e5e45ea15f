"""`ofapi-mock` command line."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

from . import contract
from .settings import Settings
from .spec.load import SPEC_PATH

TABLE_PATH = SPEC_PATH.with_name("endpoints.tsv")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4010
STORE_ENV = "OFAPI_MOCK_STORE"  # --store from the environment: keeps a PostgreSQL password out of `ps`


def serve(args: argparse.Namespace) -> int:
    import shutil

    import uvicorn

    from .onlyfans.world import load_fixtures
    from .server import HTTP_PROTOCOL, raise_file_limit
    from .store.backend import StoreError
    from .store.store import Store

    store = args.store
    if store is None:  # a private file every worker shares, gone when the server stops
        folder = tempfile.mkdtemp(prefix="ofapi-mock-")
        store = os.path.join(folder, "store.sqlite")
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
    )
    try:  # check (and create or migrate) the store once, before any worker starts
        Store(settings, load_fixtures()).close()
    except StoreError as exc:
        print(f"ofapi-mock serve: {exc}", file=sys.stderr)
        return 2
    raise_file_limit()
    os.environ.update(settings.to_env())  # read by each worker's factory
    try:
        uvicorn.run(
            "mockserver.asgi:create",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
            access_log=args.access_log,
            http=HTTP_PROTOCOL,
            timeout_keep_alive=max(1, round(args.keep_alive)),
            limit_concurrency=args.max_connections,
        )
    finally:
        if args.store is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


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

    for path in generate(args.spec, args.out, table=args.table):
        print(path)
    return 0


def diff(args: argparse.Namespace) -> int:
    from .spec.diff import diff as run
    from .spec.diff import report

    changes = run(args.old, args.new)
    print(report(changes, args.format))
    return 1 if any(c.breaking for c in changes) else 0


def reset(args: argparse.Namespace) -> int:
    from .onlyfans.world import load_fixtures
    from .store.backend import StoreError
    from .store.store import Store

    if "://" not in args.store and not os.path.isfile(args.store):
        print(f"ofapi-mock reset: no store at {args.store}", file=sys.stderr)
        return 2
    try:
        store = Store(Settings(store_path=args.store), load_fixtures())
    except StoreError as exc:
        print(f"ofapi-mock reset: {exc}", file=sys.stderr)
        return 2
    store.reset()
    store.close()
    print(f"reset {store.db.location}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ofapi-mock", description="A local OnlyFansAPI.com that behaves like the real one."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("serve", help="serve the mock API")
    p.add_argument("--host", default=DEFAULT_HOST)
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument("--seed", type=int, default=None, help="world seed (default: the fixtures' seed)")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--credits", type=int, default=Settings.initial_credits, help="starting balance per API key")
    p.add_argument("--rate-limit", type=int, default=Settings.rate_limit_per_minute, help="requests per minute per key")
    p.add_argument("--public-url", default=None, help="base URL used in next_page links (default: the request's)")
    p.add_argument(
        "--store",
        default=os.environ.get(STORE_ENV) or None,
        help="where OFAPI's data is kept: a SQLite file, or postgresql://user:pass@host:port/db shared by several "
        f"instances (also {STORE_ENV}; default: a temporary SQLite file)",
    )
    p.add_argument(
        "--strict-accounts", action="store_true", help="unknown account ids are 404 (default: connected on first use)"
    )
    p.add_argument("--admin-token", default=None, help="token /_mock/* requires (also OFAPI_MOCK_ADMIN_TOKEN)")
    p.add_argument(
        "--keep-alive", type=float, default=Settings.keep_alive_seconds, help="seconds an idle connection stays open"
    )
    p.add_argument(
        "--max-connections", type=int, default=Settings.max_connections, help="per worker; beyond it answers 503"
    )
    p.add_argument("--max-body", type=int, default=Settings.max_body_bytes, help="largest request body, in bytes")
    p.add_argument("--export-seconds", type=float, default=Settings.export_seconds, help="how long a data export runs")
    p.add_argument("--log-level", default="warning")
    p.add_argument("--access-log", action="store_true")
    p.set_defaults(run=serve)
    contract.add_parser(commands)
    p = commands.add_parser("reset", help="forget everything a store file holds")
    p.add_argument(
        "--store",
        default=os.environ.get(STORE_ENV) or None,
        required=not os.environ.get(STORE_ENV),
        help=f"the store `serve --store` used: a SQLite file or a postgresql:// URL (also {STORE_ENV})",
    )
    p.set_defaults(run=reset)

    p = commands.add_parser("lint", help="check the spec: OpenAPI validity and the project's rules")
    p.add_argument("spec", nargs="?", default=str(SPEC_PATH))
    p.add_argument("--table", default=str(TABLE_PATH), help="the endpoint table the operations must match")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=lint)
    p = commands.add_parser("docs", help="generate the data-sources page and an offline HTML reference")
    p.add_argument("spec", nargs="?", default=str(SPEC_PATH))
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--table", default=None, help="endpoint table for the seed's spellings (default: beside SPEC)")
    p.set_defaults(run=docs)
    p = commands.add_parser("diff", help="what changed between two spec versions; exit 1 on breaking changes")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=diff)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())

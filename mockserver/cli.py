"""`ofapi-mock` command line."""

from __future__ import annotations

import argparse
import os
import sys

from .settings import Settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4010


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = Settings(
        seed=args.seed,
        initial_credits=args.credits,
        rate_limit_per_minute=args.rate_limit,
        public_url=args.public_url,
    )
    os.environ.update(settings.to_env())  # read by each worker's factory
    uvicorn.run(
        "mockserver.asgi:create",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=args.access_log,
    )
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
    p.add_argument("--log-level", default="warning")
    p.add_argument("--access-log", action="store_true")
    p.set_defaults(run=serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())

"""`ofapi-mock contract`: the contract kit (`contract_tests/`) against any base URL, through
pytest, with the kit's options."""

from __future__ import annotations

import argparse
from pathlib import Path

KIT = Path(__file__).resolve().parents[1] / "contract_tests"


def pytest_args(args: argparse.Namespace) -> list[str]:
    argv = [str(KIT), "-p", "no:cacheprovider", "-q", "--api-key", args.api_key]
    for option in ("base_url", "operation", "tag", "data_source", "max_examples", "junit_xml", "mode"):
        value = getattr(args, option)
        if value is not None:
            argv += [f"--{option.replace('_', '-')}", str(value)]
    if args.seed is not None:
        argv += ["--contract-seed", str(args.seed)]
    if args.allow_writes:
        argv.append("--allow-writes")
    if args.report:
        argv.append("--report")
    return argv


def run(args: argparse.Namespace) -> int:
    import pytest

    return int(pytest.main(pytest_args(args)))


def add_parser(commands) -> None:
    p = commands.add_parser("contract", help="run the contract kit against a server (default: a mock it starts)")
    p.add_argument("--base-url", help="the server to test (the mock, your proxy, or the real API)")
    p.add_argument("--api-key", default="test", help="bearer key sent with every request")
    p.add_argument("--operation", help="only these operationIds (comma-separated)")
    p.add_argument("--tag", help="only these tags (comma-separated)")
    p.add_argument("--data-source", help="only live, hybrid and/or computed operations (comma-separated)")
    p.add_argument("--max-examples", type=int, help="examples per operation (default 5)")
    p.add_argument("--seed", type=int, help="Hypothesis seed, for a reproducible run")
    p.add_argument("--mode", choices=("all", "positive", "negative"), help="valid input, invalid input, or both")
    p.add_argument("--junit-xml", help="write a JUnit XML report here")
    p.add_argument("--report", action="store_true", help="print a summary per check and per operation")
    p.add_argument("--allow-writes", action="store_true", help="also run writes against a server that is not the mock")
    p.set_defaults(run=run)

"""`ofapi-mock contract`: the contract kit (`contract_tests/`) against any base URL, through
pytest, with the kit's options."""

from __future__ import annotations

import argparse
from pathlib import Path

KIT = Path(__file__).resolve().parents[1] / "contract_tests"

# The kit's options, declared once: the CLI offers them and contract_tests/conftest.py registers
# them with pytest (where the seed is `--contract-seed`: pytest's option names are shared).
OPTIONS: dict[str, dict] = {
    "--base-url": {
        "metavar": "URL",
        "help": "the server to test: the mock, your proxy or the real API (default: start a mock)",
    },
    "--api-key": {"default": "test", "metavar": "KEY", "help": "bearer key sent with every request"},
    "--operation": {"metavar": "IDS", "help": "only these operationIds (comma-separated)"},
    "--tag": {"metavar": "TAGS", "help": "only operations with these tags (comma-separated)"},
    "--data-source": {"metavar": "SOURCES", "help": "only live, hybrid and/or computed operations (comma-separated)"},
    "--max-examples": {"type": int, "metavar": "N", "help": "examples per operation (default: 5)"},
    "--contract-seed": {"type": int, "metavar": "N", "help": "Hypothesis seed, for a reproducible run"},
    "--mode": {
        "choices": ("all", "positive", "negative"),
        "help": "valid input, invalid input, or both (default: all)",
    },
    "--report": {"action": "store_true", "help": "print a summary per check and per operation"},
    "--allow-writes": {"action": "store_true", "help": "also run writes against a server that is not the mock"},
}


def _dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def pytest_args(args: argparse.Namespace) -> list[str]:
    # progress by operation (contract_tests/progress.py) instead of pytest's dots and percentage
    argv = [
        str(KIT),
        "-p",
        "no:cacheprovider",
        "-q",
        "-p",
        "contract_tests.progress",
        "-o",
        "console_output_style=classic",
    ]
    for flag, spec in OPTIONS.items():
        value = getattr(args, _dest(flag))
        if spec.get("action") == "store_true":
            argv += [flag] if value else []
        elif value is not None:
            argv += [flag, str(value)]
    if args.junit_xml:
        argv += ["--junit-xml", args.junit_xml]
    return argv


def run(args: argparse.Namespace) -> int:
    import pytest

    return int(pytest.main(pytest_args(args)))


def add_parser(p: argparse.ArgumentParser) -> None:
    """The `contract` command's options (on the parser the CLI made for it)."""
    for flag, spec in OPTIONS.items():
        names = ("--seed", flag) if flag == "--contract-seed" else (flag,)
        p.add_argument(*names, dest=_dest(flag), **spec)
    p.add_argument("--junit-xml", metavar="FILE", help="write a JUnit XML report here")

"""What each operation's test saw: its outcome, the statuses its calls got and the checks that
failed; the per-operation report (`--report`) and the progress lines are written from these.

An operation whose calls never got a 2xx answer is *not exercised*: the checks on successful
answers (schema, envelope, credits, enrichment …) never ran for it, so it is not reported as
passed. It is a skip, not a failure; a run in which no operation got a 2xx fails.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest

from mockserver.spec.load import load_spec

STATUSES = pytest.StashKey[Counter]()  # on an item: status code -> calls that got it
RESULTS = pytest.StashKey[dict]()  # on the config: nodeid -> Result
NAMES = pytest.StashKey[dict]()  # on the config: operation_names()
NOT_EXERCISED = "not exercised"
OFAPI_CHECK_NAMES = (
    "ofapi_envelope",
    "ofapi_credits",
    "ofapi_media_hosts",
    "ofapi_enrichment",
    "ofapi_computed_upstream",
    "ofapi_json_errors",
)


@dataclass
class Result:
    name: str  # operationId (METHOD /path), or the test's name
    outcome: str = "passed"  # passed | failed | skipped | not exercised
    statuses: Counter = field(default_factory=Counter)
    checks: Counter = field(default_factory=Counter)  # failing check -> failures
    reason: str = ""

    @property
    def calls(self) -> str:
        if not self.statuses:
            return "no calls"
        total = sum(self.statuses.values())
        seen = ", ".join(f"{status}×{n}" for status, n in sorted(self.statuses.items()))
        return f"{total} call{'s' if total != 1 else ''}: {seen}"


def operation_names() -> dict[str, str]:
    """`GET /api/...` -> `operationId (GET /api/...)`."""
    names = {}
    for path, item in (load_spec().get("paths") or {}).items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                label = f"{method.upper()} {path}"
                names[label] = f"{op['operationId']} ({label})"
    return names


def expects_success(config) -> bool:
    """Positive cases are generated (mode all or positive), so 2xx answers are expected."""
    return (config.getoption("mode", default=None) or "all") != "negative"


def nothing_tested(results: dict[str, Result]) -> bool:
    """No operation passed or failed, and some were not exercised: the run tested nothing."""
    outcomes = {r.outcome for r in results.values()}
    return NOT_EXERCISED in outcomes and outcomes <= {NOT_EXERCISED, "skipped"}


def record(item, report, call) -> None:
    """Fold one phase's report into the item's Result (setup errors, the call, skips)."""
    results = item.config.stash.setdefault(RESULTS, {})
    result = results.get(item.nodeid)
    if result is None:
        label = getattr(item, "operation_label", None)
        if NAMES not in item.config.stash:
            item.config.stash[NAMES] = operation_names()
        names = item.config.stash[NAMES]
        result = results[item.nodeid] = Result(names.get(label, label) if label else item.name)
    result.statuses = item.stash.get(STATUSES, Counter())
    if report.skipped and result.outcome == "passed":
        result.outcome = NOT_EXERCISED if getattr(report, "not_exercised", False) else "skipped"
        result.reason = _reason(report)
    elif report.failed:
        result.outcome = "failed"
        if call.excinfo is not None:
            for failure in getattr(call.excinfo.value, "exceptions", [call.excinfo.value]):
                result.checks[check_name(failure)] += 1


def check_name(failure) -> str:
    title = getattr(failure, "title", None) or type(failure).__name__
    message = str(failure)
    return next((name for name in OFAPI_CHECK_NAMES if name in message or name in title), title)


def _reason(report) -> str:
    longrepr = report.longrepr
    return longrepr[2] if isinstance(longrepr, tuple) else str(longrepr or "")


def summary(write, results: dict[str, Result], full: bool) -> None:
    """The per-check and per-operation report; `full` lists every operation, else only those
    that failed or were not exercised."""
    counts = Counter(r.outcome for r in results.values())
    by_check: Counter = Counter()
    for r in results.values():
        by_check.update(r.checks)
    write("")
    write("OFAPI contract summary")
    write(
        f"  operations: {len(results)}  passed: {counts['passed']}  failed: {counts['failed']}  "
        f"not exercised: {counts[NOT_EXERCISED]}  skipped: {counts['skipped']}"
    )
    write("  failures by check:" + ("" if by_check else " none"))
    for check, n in by_check.most_common():
        write(f"    {check:<40} {n}")
    shown = [r for r in results.values() if full or r.outcome in ("failed", NOT_EXERCISED)]
    if shown:
        write("  per operation:" if full else "  operations to look at:")
    for r in sorted(shown, key=lambda r: (r.outcome == "passed", r.outcome, r.name)):
        failing = f"  failing: {', '.join(sorted(r.checks))}" if r.checks else ""
        write(f"    {r.outcome:<14} {r.name:<70} {r.calls}{failing}")
    if counts[NOT_EXERCISED]:
        write("  not exercised: no call got a 2xx answer, so the checks on successful answers never ran")

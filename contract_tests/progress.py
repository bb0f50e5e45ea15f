"""Progress by operation, one line each as it finishes (`ofapi-mock contract` loads this plugin
instead of pytest's row of dots):

    [  12/274   4%] passed          fansListActive (GET /api/{account}/fans/active)  12 calls: 200×5, 422×7
"""

from __future__ import annotations

import pytest

from . import results


class Progress:
    def __init__(self, reporter):
        self.reporter = reporter
        self.total = 0
        self.done = 0

    def pytest_collection_finish(self, session):
        self.total = len(session.items)

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(self, report, config):
        category, _letter, word = yield
        return category, "", word  # no dot: the line below says it

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        outcome = yield
        self.done += 1
        result = item.config.stash.get(results.RESULTS, {}).get(item.nodeid)
        if result is not None:
            width = len(str(self.total))
            percent = 100 * self.done // max(self.total, 1)
            colour = {"passed": "green", "failed": "red"}.get(result.outcome, "yellow")
            failing = f"  failing: {', '.join(sorted(result.checks))}" if result.checks else ""
            self.reporter.write_line(
                f"[{self.done:>{width}}/{self.total} {percent:>3}%] {result.outcome:<14} {result.name}  "
                f"{result.calls}{failing}",
                **{colour: True},
            )
        return outcome


@pytest.hookimpl(trylast=True)  # after pytest's terminal reporter exists
def pytest_configure(config):
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and not hasattr(config, "workerinput"):
        config.pluginmanager.register(Progress(reporter), "ofapi-contract-progress")

"""invoke bench runs every measurement on a scratch copy and ends with its one summary line."""

from __future__ import annotations

import re

from gitops.bench import run_bench
from tests.conftest import tree_snapshot


def test_bench_measures_everything_in_a_scratch_copy(repo_copy):
    before = tree_snapshot(repo_copy.root)
    report = run_bench(repo_copy, clusters=3)
    assert tree_snapshot(repo_copy.root) == before
    assert set(report.seconds) == {"full", "baseline", "noop", "one_changed", "bump_total", "bump", "validate"}
    assert all(v >= 0 for v in report.seconds.values())
    assert re.fullmatch(
        r"bench: clusters=3 full=\d+\.\d\d baseline=\d+\.\d\d ratio=\d+\.\d\d noop_ratio=\d+\.\d{3} "
        r"one_ratio=\d+\.\d{3} bump=-?\d+\.\d\d peak_rss=\d+",
        report.summary(),
    )

"""Fixtures for the end-to-end run: pinned binaries, one cluster per backend, a git server, timings.

The cluster fixture is parametrised over the backends: ``local`` (always) and ``kind`` (skipped with
one line when Docker is absent). A failing test gets events, object status and controller logs
appended to its report. The run ends with timings and one line ``e2e: N passed, N failed, N skipped``.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gitops.e2e import build
from gitops.e2e.build import Binaries
from gitops.e2e.dump import failure_report
from gitops.e2e.gitserver import GitServer
from gitops.e2e.kind import KindBackend, docker_unavailable
from gitops.e2e.kube import Kubectl
from gitops.e2e.local import LocalBackend
from gitops.paths import Repo


@dataclass
class Timings:
    steps: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, seconds: float) -> None:
        self.steps[name] = self.steps.get(name, 0.0) + seconds

    def line(self) -> str:
        return "e2e timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.steps.items())


TIMINGS = Timings()
SKIPPED_BACKENDS: list[tuple[str, int]] = []
DUMPED: set[str] = set()


def pytest_configure(config: pytest.Config) -> None:
    """A SIGTERM (CI timeout, `kill`) unwinds like Ctrl-C, so fixtures stop every process and remove temp dirs."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=["auto", "local", "kind"],
        default="auto",
        help="e2e cluster backend: local (no Docker), kind (Docker), auto = local, plus kind where Docker answers",
    )


def backend_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("cluster") if callspec is not None else None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test here `e2e`; keep the chosen backends; without Docker, drop kind with one line."""
    here = Path(__file__).parent
    mine = [item for item in items if here in Path(item.fspath).parents]
    for item in mine:
        item.add_marker(pytest.mark.e2e)
    choice = config.getoption("--backend")
    unwanted = [item for item in mine if backend_of(item) not in (None, choice) and choice != "auto"]
    kind = [item for item in mine if backend_of(item) == "kind" and item not in unwanted]
    if kind and (reason := docker_unavailable()):
        SKIPPED_BACKENDS.append((f"kind backend: {reason}", len(kind)))
        unwanted += kind
    if unwanted:
        config.hook.pytest_deselected(items=unwanted)
        items[:] = [item for item in items if item not in unwanted]


@pytest.fixture(scope="session")
def timings() -> Timings:
    return TIMINGS


@pytest.fixture(scope="session")
def binaries(repo: Repo) -> Binaries:
    bins = build.ensure_all(repo)
    label = "cold build" if bins.built else "build (all cached)"
    TIMINGS.add(label, bins.build_seconds)
    return bins


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="trigger-e2e-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session", params=["local", "kind"])
def cluster(request: pytest.FixtureRequest, binaries: Binaries, workdir: Path) -> Iterator[LocalBackend | KindBackend]:
    """A running cluster with Flux, as a backend object (``.kubeconfig``, ``.kubectl``, ``.logs()``)."""
    backend: LocalBackend | KindBackend
    if request.param == "kind":
        if reason := docker_unavailable():
            pytest.skip(f"kind backend: {reason}")
        backend = KindBackend(binaries, workdir / "kind")
    else:
        backend = LocalBackend(binaries, workdir / "local")
    started = time.monotonic()
    backend.create()
    TIMINGS.add(f"{request.param} cluster start", time.monotonic() - started)
    try:
        yield backend
    finally:
        backend.destroy()


@pytest.fixture(scope="session")
def kubectl(cluster: LocalBackend | KindBackend) -> Kubectl:
    return cluster.kubectl


@pytest.fixture(scope="session")
def git_server(cluster: LocalBackend | KindBackend, workdir: Path) -> Iterator[GitServer]:
    with GitServer(workdir / f"git-{cluster.name}", host=cluster.git_host) as server:
        yield server


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failing test (or fixture) gets events, object status and controller logs; a shared fixture's once."""
    report = yield
    backend = getattr(item, "funcargs", {}).get("cluster")
    if report.failed and call.when in ("setup", "call") and backend is not None:
        cause = str(call.excinfo.value) if call.excinfo else ""
        if call.when == "call" or cause not in DUMPED:
            DUMPED.add(cause)
            report.sections.append(("e2e diagnostics", failure_report(backend.kubectl, None, backend.logs())))
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TIMINGS.steps:  # only when an e2e test ran (not in a `-m "not e2e"` run)
        for reason, count in SKIPPED_BACKENDS:
            terminalreporter.write_line(f"SKIPPED {count} tests: {reason}")
        terminalreporter.write_line(TIMINGS.line())


def pytest_unconfigure(config: pytest.Config) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not TIMINGS.steps:
        return
    counts = {key: len(reporter.stats.get(key, [])) for key in ("passed", "failed", "skipped", "error")}
    failed = counts["failed"] + counts["error"]
    skipped = counts["skipped"] + sum(count for _, count in SKIPPED_BACKENDS)
    reporter.write_line(f"e2e: {counts['passed']} passed, {failed} failed, {skipped} skipped")

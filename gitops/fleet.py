"""Fleet-wide operations behind `invoke render` and `invoke status`.

    result = render(repo, names=["staging"])        # writes changed files, all or nothing
    render(repo, check=True)                        # writes nothing; StaleError lists every stale file
    rows = status(repo)                             # one typed row per cluster

Config errors and helm errors are raised before anything is written.
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict, dataclass
from typing import Any

from gitops import config, secrets
from gitops.errors import StaleError
from gitops.paths import Repo
from gitops.render import ClusterPlan, Inputs, cluster_is_fresh, plan_fleet, read_lock
from gitops.writer import Transaction


@dataclass(frozen=True)
class RenderResult:
    plans: list[ClusterPlan]
    written: list[str]
    removed: list[str]
    warnings: tuple[str, ...] = ()

    @property
    def changed(self) -> list[str]:
        return sorted(self.written + self.removed)


class Progress:
    """`rendering 12/300` on one rewritten line, only on an interactive terminal outside CI."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.enabled = total > 1 and sys.stderr.isatty() and not os.environ.get("CI")

    def __call__(self, plan: ClusterPlan) -> None:
        self.done += 1
        if self.enabled:
            print(f"\rrendering {self.done}/{self.total} ({plan.name})\033[K", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.enabled:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def stale_paths(plans: list[ClusterPlan]) -> list[str]:
    return sorted(p for plan in plans for p in [*plan.files, *plan.remove])


def render(
    repo: Repo,
    names: list[str] | None = None,
    *,
    check: bool = False,
    force: bool = False,
    dry_run: bool = False,
    jobs: int | None = None,
    fail_after: int | None = None,
) -> RenderResult:
    clusters = config.load_fleet(repo, names)
    warnings = tuple(
        f"secrets/{c.name}/ does not exist: the rendered kustomization includes it, so the controller cannot "
        f"build clusters/{c.name}/manifests until you run `invoke secrets.init --cluster {c.name}`"
        for c in clusters
        if not (repo.secrets_dir(c.name) / "kustomization.yaml").is_file()
    )
    progress = Progress(len(clusters))
    try:
        plans = plan_fleet(repo, clusters, force=force, jobs=jobs, on_done=progress)
    finally:
        progress.close()
    if check:
        stale = stale_paths(plans)
        if stale:
            raise StaleError(
                f"{len(stale)} generated file(s) are stale or missing: {', '.join(stale)}; run `invoke render`"
            )
        return RenderResult(plans, [], [], warnings)
    written = sorted(p for plan in plans for p in plan.files)
    removed = sorted(p for plan in plans for p in plan.remove)
    if not dry_run and (written or removed):
        with Transaction(repo.root, fail_after=fail_after) as tx:
            for plan in plans:
                for path, content in plan.files.items():
                    tx.write(path, content)
                for path in plan.remove:
                    tx.remove(path)
    return RenderResult(plans, written, removed, warnings)


@dataclass(frozen=True)
class StatusRow:
    cluster: str
    flavour: str
    ring: str
    version: str
    chart: str
    output: str  # "fresh" | "stale" | "never rendered"
    secrets: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def status(repo: Repo) -> list[StatusRow]:
    clusters = config.load_fleet(repo)
    inputs = Inputs.load(repo)
    rows = []
    for cluster in clusters:
        lock = read_lock(repo, cluster.name)
        if lock is None:
            output = "never rendered"
        else:
            output = "fresh" if cluster_is_fresh(inputs, cluster) else "stale"
        chart = str(lock.get("chart", {}).get("version", "-")) if lock else "-"
        health = secrets.health(repo, cluster)
        rows.append(StatusRow(cluster.name, cluster.flavour, cluster.ring, cluster.version, chart, output, health))
    return rows


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain aligned text table (no colour), header first."""
    cells = [columns] + [[str(row[c]) for c in columns] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells)

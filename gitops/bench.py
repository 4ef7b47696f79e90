"""`invoke bench`: render and bump a synthetic fleet in a scratch copy, against bare helm as the baseline.

    report = run_bench(repo, clusters=100)
    print(report.summary())   # bench: clusters=100 full=... baseline=... ratio=... ...

Measured in one run: a full render (forced), N bare `helm template` calls one after another (the
baseline), a no-op render, a render after one cluster changed, a bump of every cluster (render excluded),
and a validate. Nothing outside the scratch copy is touched.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gitops import config, fleet, validate
from gitops.bump import apply_versions
from gitops.helm import Helm
from gitops.paths import Repo
from gitops.render import RELEASE, RENDER_HELM, chart_values
from gitops.scratch import scratch_repo
from gitops.tools import tool_path
from gitops.versions import parse_version
from gitops.writer import Transaction

FLAVOURS = ("flux", "argocd")


@dataclass
class BenchReport:
    clusters: int
    seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float = 0.0

    def ratio(self, a: str, b: str) -> float:
        return self.seconds[a] / self.seconds[b] if self.seconds.get(b) else float("nan")

    def rows(self) -> list[dict[str, Any]]:
        return [{"measure": k, "seconds": f"{v:.3f}"} for k, v in self.seconds.items()]

    def summary(self) -> str:
        s = self.seconds
        return (
            f"bench: clusters={self.clusters} full={s['full']:.2f} baseline={s['baseline']:.2f} "
            f"ratio={self.ratio('full', 'baseline'):.2f} noop_ratio={self.ratio('noop', 'full'):.3f} "
            f"one_ratio={self.ratio('one_changed', 'full'):.3f} bump={s['bump']:.2f} peak_rss={self.peak_rss_mb:.0f}"
        )


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def synthetic_fleet(repo: Repo, count: int) -> None:
    """Replace the clusters of a scratch repo with ``count`` generated ones (alternating flavours and rings)."""
    template = repo.cluster_file("staging").read_text(encoding="utf-8")
    with Transaction(repo.root) as tx:
        for name in config.cluster_names(repo):
            for folder in (repo.cluster_dir(name), repo.secrets_dir(name)):
                for path in folder.rglob("*"):
                    if path.is_file():
                        tx.remove(repo.rel(path))
        for i in range(count):
            name = f"bench-{i:04d}"
            text = (
                template.replace("name: staging", f"name: {name}")
                .replace("trigger.staging.example.com", f"trigger.{name}.example.com")
                .replace("flavour: flux", f"flavour: {FLAVOURS[i % 2]}")
                .replace("ring: staging", f"ring: ring-{i % 3}")
            )
            tx.write(f"clusters/{name}/cluster.yaml", text)
            for path in sorted(repo.secrets_dir("staging").glob("*.yaml")):  # encrypted files, as a real fleet has
                tx.write(f"secrets/{name}/{path.name}", path.read_text(encoding="utf-8"))


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def run_bench(repo: Repo, clusters: int = 100, jobs: int | None = None) -> BenchReport:
    report = BenchReport(clusters)
    with scratch_repo(repo) as scratch:
        synthetic_fleet(scratch, clusters)
        fleet_clusters = config.load_fleet(scratch)
        helm = Helm(tool_path(scratch, RENDER_HELM))

        def baseline() -> None:
            for cluster in fleet_clusters:
                helm.template(
                    scratch.chart,
                    release=RELEASE,
                    namespace=cluster.namespace,
                    kube_version=cluster.kubernetes_version,
                    values=chart_values(cluster),
                )

        report.seconds["full"], _ = _timed(lambda: fleet.render(scratch, force=True, jobs=jobs))
        report.seconds["baseline"], _ = _timed(baseline)
        report.seconds["noop"], _ = _timed(lambda: fleet.render(scratch, jobs=jobs))
        one = scratch.cluster_file(fleet_clusters[0].name)
        one.write_text(one.read_text(encoding="utf-8").replace("replicas: 1", "replicas: 2"), encoding="utf-8")
        report.seconds["one_changed"], _ = _timed(lambda: fleet.render(scratch, jobs=jobs))
        current = parse_version(fleet_clusters[0].version)
        target = parse_version(f"{current.major}.{current.minor}.{current.patch + 1}")
        total, result = _timed(
            lambda: apply_versions(
                scratch,
                {c.name: target for c in fleet_clusters},
                title=f"bench {target}",
                message="bench",
                validate=False,
            )
        )
        report.seconds["bump_total"] = total
        report.seconds["bump"] = total - result.timings.get("render", 0.0)
        report.seconds["validate"], _ = _timed(lambda: validate.validate_repo(scratch))
    report.peak_rss_mb = _peak_rss_mb()
    return report

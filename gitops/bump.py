"""`invoke bump` and `invoke promote`: move clusters to a Trigger.dev release in one atomic, reviewable change.

    result = bump(repo, "3.3.19", ring="staging")          # edits, re-renders, validates, swaps in
    result = bump(repo, "3.3.19", dry_run=True)             # the same report, nothing written
    result = promote(repo, source="staging", target="production")

Only the `version:` scalar of each selected cluster.yaml changes (byte for byte everything else stays);
every image tag follows from it at render time. The chart's `appVersion`/`version` move when the whole
fleet ends up on one version (see "Chart version policy" in the README).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from gitops import config, fleet, git, registry, yamledit
from gitops.config import Cluster
from gitops.errors import ConfigError, GitopsError, VersionError
from gitops.paths import Repo
from gitops.render import ClusterPlan, Inputs, plan_fleet
from gitops.versions import Version, is_published, parse_version
from gitops.writer import Transaction

CHANGELOG = "CHANGELOG.md"
CHANGELOG_TITLE = "# Changelog\n\nOne entry per `invoke bump` / `invoke promote`; newest first.\n"
IMAGE_KEYS = ("image", "coordinatorImage", "kubernetesProviderImage", "supervisorImage")


@dataclass(frozen=True)
class Move:
    cluster: str
    before: str
    after: str


@dataclass
class BumpResult:
    target: Version
    moves: list[Move]
    unchanged: list[str]
    chart: Move | None = None
    changed_files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    commit: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def table(self) -> str:
        rows = [{"cluster": m.cluster, "before": m.before, "after": m.after} for m in self.moves]
        rows += [{"cluster": n, "before": str(self.target), "after": "(already there)"} for n in self.unchanged]
        return fleet.table(rows, ["cluster", "before", "after"])


def _check_pins(cluster: Cluster, repo: Repo) -> None:
    """A cluster's `values:` must not pin image tags: the version drives every tag."""
    for key in IMAGE_KEYS:
        block = cluster.values.get(key)
        if isinstance(block, dict) and block.get("tag"):
            raise ConfigError(
                f"{repo.rel(repo.cluster_file(cluster.name))}: values.{key}.tag pins an image tag; "
                "remove it so that `version:` sets every image"
            )


def _chart_policy(repo: Repo, fleet_versions: set[str]) -> tuple[Move | None, str | None]:
    """When every cluster runs one version V, the chart's appVersion and version become V: (move, new Chart.yaml)."""
    if len(fleet_versions) != 1:
        return None, None
    (target,) = fleet_versions
    path = repo.chart / "Chart.yaml"
    source = "apps/trigger-dev/Chart.yaml"
    text = path.read_text(encoding="utf-8")
    data = config.yaml_load(text, source)
    before = str(data.get("appVersion"))
    if before == target and str(data.get("version")) == target:
        return None, None
    text = yamledit.set_scalar(text, ("appVersion",), target, source=source)
    text = yamledit.set_scalar(text, ("version",), target, source=source)
    return Move("apps/trigger-dev", before, target), text


def _changelog(repo: Repo, title: str, moves: list[Move], chart: Move | None) -> str:
    """CHANGELOG.md with a new entry on top (newest first)."""
    path = repo.root / CHANGELOG
    old = path.read_text(encoding="utf-8") if path.exists() else CHANGELOG_TITLE
    head, sep, rest = old.partition("\n## ")
    lines = [f"## {title}", ""] + [f"- {m.cluster}: {m.before} → {m.after}" for m in moves]
    if chart:
        lines.append(f"- chart {chart.cluster}: version and appVersion {chart.before} → {chart.after}")
    entry = "\n".join(lines) + "\n"
    return f"{head.rstrip()}\n\n{entry}" + (f"\n## {rest}" if sep else "")


def _validate_staged(repo: Repo, plans: list[ClusterPlan], names: list[str]) -> None:
    """Schemas and policy on the re-rendered clusters, from the staged contents, before anything lands."""
    from gitops import validate

    staged = {path: text for plan in plans for path, text in plan.files.items()}
    removed = {path for plan in plans for path in plan.remove}
    texts: dict[str, str] = {}
    for name in names:
        for folder in ("manifests", "sync"):
            for path in sorted((repo.cluster_dir(name) / folder).glob("*.yaml")):
                rel = repo.rel(path)
                if rel not in removed:
                    texts[rel] = path.read_text(encoding="utf-8")
    texts.update({p: t for p, t in staged.items() if "/manifests/" in p or "/sync/" in p})
    findings = validate.validate_texts(dict(sorted(texts.items())))
    if findings:
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        raise GitopsError(f"validation failed after re-render, nothing written: {findings[0]}{more}")


def apply_versions(
    repo: Repo,
    targets: dict[str, Version],
    *,
    title: str,
    message: str,
    dry_run: bool = False,
    commit: bool = False,
    allow_downgrade: bool = False,
    validate: bool = True,
    fail_after: int | None = None,
    fleet_now: list[Cluster] | None = None,
) -> BumpResult:
    """The shared core of bump and promote: per-cluster target versions in, one atomic change out.

    Everything is computed in memory (edited cluster.yaml texts, the chart's Chart.yaml, the changelog,
    every re-rendered file), validated, and only then written by one Transaction.
    """
    clusters = {c.name: c for c in (fleet_now or config.load_fleet(repo))}
    moves, unchanged = [], []
    for name, target in targets.items():
        cluster = clusters[name]
        _check_pins(cluster, repo)
        current = parse_version(cluster.version)
        if target < current and not allow_downgrade:
            raise VersionError(
                f"{name}: {current} → {target} is a downgrade; pass --allow-downgrade if you mean it "
                "(database migrations are not reversed)"
            )
        if target == current:
            unchanged.append(name)
        else:
            moves.append(Move(name, str(current), str(target)))
    result = BumpResult(next(iter(targets.values())), moves, unchanged)
    if not moves:
        return result
    tx = Transaction(repo.root, fail_after=fail_after)
    edited: dict[str, bytes] = {}
    for move in moves:
        rel = repo.rel(repo.cluster_file(move.cluster))
        text = yamledit.set_scalar(
            repo.cluster_file(move.cluster).read_text(encoding="utf-8"), ("version",), move.after, source=rel
        )
        edited[move.cluster] = text.encode()
        clusters[move.cluster] = config.parse_cluster(config.yaml_load(text, rel), rel)
        tx.write(rel, text)
    result.chart, chart_text = _chart_policy(repo, {c.version for c in clusters.values()})
    tx.write(CHANGELOG, _changelog(repo, title, moves, result.chart))
    with tempfile.TemporaryDirectory(prefix="trigger-gitops-chart-") as tmp:
        chart_dir = repo.chart
        if chart_text is not None:
            chart_dir = Path(tmp) / repo.chart.name
            shutil.copytree(repo.chart, chart_dir)
            (chart_dir / "Chart.yaml").write_text(chart_text, encoding="utf-8")
            tx.write(repo.rel(repo.chart / "Chart.yaml"), chart_text)
        started = time.perf_counter()
        plans = plan_fleet(repo, list(clusters.values()), inputs=Inputs.load(repo, chart_dir), cluster_yamls=edited)
        result.timings["render"] = time.perf_counter() - started
    for plan in plans:
        for path, content in plan.files.items():
            tx.write(path, content)
        for path in plan.remove:
            tx.remove(path)
    if validate:
        _validate_staged(repo, plans, sorted(clusters) if result.chart else [m.cluster for m in moves])
    result.changed_files = [repo.rel(p) for p in tx.pending()]
    if dry_run:
        return result
    tx.commit()
    if commit:
        result.commit = git.commit_paths(repo, result.changed_files, message)
    return result


def bump(
    repo: Repo,
    version: str,
    *,
    names: list[str] | None = None,
    ring: str | None = None,
    strict: bool = False,
    verify: bool = False,
    registry_url: str = registry.DEFAULT_REGISTRY,
    **options: object,
) -> BumpResult:
    target = parse_version(version)
    if names:
        config.require_names(repo, names)
    fleet_now = config.load_fleet(repo)
    selected = config.select(fleet_now, names, ring)
    warnings = []
    if not is_published(target):
        text = (
            f"{target} is not in the catalogue of published Trigger.dev releases (gitops/versions.py); "
            "its images may not exist (use --verify to ask the registry)"
        )
        if strict:
            raise VersionError(text.replace(" (use --verify", "; refused by --strict (use --verify"))
        warnings.append(text)
    if verify:
        registry.verify_tags(registry_url, target.image_tag)
    where = ", ".join(c.name for c in selected)
    result = apply_versions(
        repo,
        {c.name: target for c in selected},
        title=f"Trigger.dev {target}",
        message=f"chore(trigger-dev): bump {where} to {target}",
        fleet_now=fleet_now,
        **options,  # type: ignore[arg-type]
    )
    result.warnings = warnings
    return result


def promote(repo: Repo, source: str, target: str, **options: object) -> BumpResult:
    """Give cluster (or ring) ``target`` exactly the version of cluster (or ring) ``source``."""
    clusters = config.load_fleet(repo)
    src = _cluster_or_ring(clusters, source, "--from")
    dst = _cluster_or_ring(clusters, target, "--to")
    versions = {c.version for c in src}
    if len(versions) != 1:
        detail = ", ".join(f"{c.name}={c.version}" for c in src)
        raise ConfigError(f"--from {source}: its clusters run different versions ({detail}); promote one cluster")
    version = parse_version(versions.pop())
    overlap = {c.name for c in src} & {c.name for c in dst}
    if overlap:
        raise ConfigError(f"--from and --to overlap ({', '.join(sorted(overlap))}); promote between different clusters")
    where = ", ".join(c.name for c in dst)
    return apply_versions(
        repo,
        {c.name: version for c in dst},
        title=f"Promote {source} → {target}: Trigger.dev {version}",
        message=f"chore(trigger-dev): promote {where} to {version} (from {source})",
        fleet_now=clusters,
        **options,  # type: ignore[arg-type]
    )


def _cluster_or_ring(clusters: list[Cluster], name: str, flag: str) -> list[Cluster]:
    by_name = [c for c in clusters if c.name == name]
    if by_name:
        return by_name
    by_ring = [c for c in clusters if c.ring == name]
    if by_ring:
        return by_ring
    raise ConfigError(
        f"{flag} {name}: no cluster or ring of that name (clusters: {', '.join(c.name for c in clusters)}; "
        f"rings: {', '.join(sorted({c.ring for c in clusters}))})"
    )

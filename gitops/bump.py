"""`invoke bump` and `invoke promote`: move clusters to a Trigger.dev release in one atomic, reviewable change.

    result = bump(repo, "3.3.19", ring="staging")          # edits, re-renders, validates, swaps in
    result = bump(repo, "3.3.19", dry_run=True)             # the same report, nothing written
    result = promote(repo, source="staging", target="production")

Only the `version:` scalar of each selected cluster.yaml changes (byte for byte everything else stays);
every image tag follows from it at render time. The chart's `appVersion`/`version` move when the whole
fleet ends up on one version (see "Chart version policy" in the README).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from gitops import command, config, fleet, registry, yamledit
from gitops.config import Cluster
from gitops.errors import ConfigError, GitopsError, VersionError
from gitops.paths import Repo
from gitops.staging import Staging
from gitops.versions import Version, is_published, parse_version

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


def _chart_policy(stage_repo: Repo, fleet_versions: set[str]) -> Move | None:
    """Move the chart's appVersion and version to V when every cluster runs V."""
    if len(fleet_versions) != 1:
        return None
    (target,) = fleet_versions
    path = stage_repo.chart / "Chart.yaml"
    text = path.read_text(encoding="utf-8")
    data = config.read_yaml(path, "apps/trigger-dev/Chart.yaml")
    before = str(data.get("appVersion"))
    if before == target and str(data.get("version")) == target:
        return None
    text = yamledit.set_scalar(text, ("appVersion",), target, source="apps/trigger-dev/Chart.yaml")
    text = yamledit.set_scalar(text, ("version",), target, source="apps/trigger-dev/Chart.yaml")
    path.write_text(text, encoding="utf-8")
    return Move("apps/trigger-dev", before, target)


def _changelog(stage_repo: Repo, title: str, moves: list[Move], chart: Move | None) -> None:
    path = stage_repo.root / CHANGELOG
    old = path.read_text(encoding="utf-8") if path.exists() else CHANGELOG_TITLE
    head, sep, rest = old.partition("\n## ")
    lines = [f"## {title}", ""] + [f"- {m.cluster}: {m.before} → {m.after}" for m in moves]
    if chart:
        lines.append(f"- chart {chart.cluster}: version and appVersion {chart.before} → {chart.after}")
    entry = "\n".join(lines) + "\n"
    path.write_text(f"{head.rstrip()}\n\n{entry}" + (f"\n## {rest}" if sep else ""), encoding="utf-8")


def _validate_staged(stage_repo: Repo, names: list[str] | None) -> None:
    """Schemas and policy on the re-rendered clusters (all of them when the chart moved), before anything lands."""
    from gitops import validate

    chosen = names or config.cluster_names(stage_repo)
    paths = [
        path
        for name in chosen
        for folder in ("manifests", "sync")
        for path in sorted((stage_repo.cluster_dir(name) / folder).glob("*.yaml"))
    ]
    findings = validate.validate_files(paths, root=stage_repo.root)
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
) -> BumpResult:
    """The shared core of bump and promote: per-cluster target versions in, one atomic change out."""
    clusters = {c.name: c for c in config.load_fleet(repo)}
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
    with Staging(repo) as stage:
        for move in moves:
            path = stage.repo.cluster_file(move.cluster)
            rel = repo.rel(repo.cluster_file(move.cluster))
            path.write_text(yamledit.set_scalar(path.read_text(encoding="utf-8"), ("version",), move.after, source=rel))
        staged_fleet = config.load_fleet(stage.repo)
        result.chart = _chart_policy(stage.repo, {c.version for c in staged_fleet})
        _changelog(stage.repo, title, moves, result.chart)
        started = time.perf_counter()
        fleet.render(stage.repo)
        result.timings["render"] = time.perf_counter() - started
        if validate:
            _validate_staged(stage.repo, None if result.chart else [m.cluster for m in moves])
        writes, removes = stage.changes()
        result.changed_files = sorted([*writes, *removes])
        if dry_run:
            return result
        stage.apply(fail_after=fail_after)
    if commit:
        result.commit = _git_commit(repo, result.changed_files, message)
    return result


def _git_commit(repo: Repo, paths: list[str], message: str) -> str:
    command.run(["git", "add", "--all", "--", *paths], cwd=repo.root, what="git add")
    command.run(["git", "commit", "--quiet", "-m", message, "--", *paths], cwd=repo.root, what="git commit")
    return command.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo.root).stdout.strip()


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
    selected = config.select(config.load_fleet(repo, names), names, ring)
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

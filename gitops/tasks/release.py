"""`invoke bump` and `invoke promote`: version moves, one atomic reviewable change each."""

from __future__ import annotations

from gitops import bump as bumping
from gitops import registry
from gitops.bump import BumpResult
from gitops.cli import require, say, task, warn
from gitops.paths import Repo


def _report(result: BumpResult, dry_run: bool) -> None:
    for line in result.warnings:
        warn(line)
    say(result.table())
    if result.chart:
        say(f"chart {result.chart.cluster}: {result.chart.before} → {result.chart.after}")
    if not result.moves:
        say(f"bump: every selected cluster already runs {result.target}; nothing to do")
        return
    say(("would change" if dry_run else "changed") + f" {len(result.changed_files)} file(s):")
    for path in result.changed_files:
        say(f"  {path}")
    if result.commit:
        say(f"committed {result.commit}")
    elif dry_run:
        say("dry run: nothing written")


@task(
    iterable=["cluster"],
    help={
        "version": "Trigger.dev release, e.g. 3.3.18 (v3.3.18 is the same)",
        "cluster": "only this cluster (repeatable); default: every cluster",
        "ring": "only the clusters of this ring",
        "dry-run": "print the plan and the files that would change; write nothing",
        "commit": "make one git commit with the change",
        "allow-downgrade": "allow moving a cluster to an older release",
        "strict": "refuse a version that is not in the catalogue of published releases",
        "verify": "ask the registry that every image tag exists",
        "registry": f"registry base URL for --verify (default {registry.DEFAULT_REGISTRY})",
    },
)
def bump(
    c,
    version=None,
    cluster=None,
    ring=None,
    dry_run=False,
    commit=False,
    allow_downgrade=False,
    strict=False,
    verify=False,
    registry=registry.DEFAULT_REGISTRY,
):
    """Move clusters to a Trigger.dev release: version pins, image tags, chart, changelog, render, validate."""
    require(version, "--version", "invoke bump --version 3.3.18")
    result = bumping.bump(
        Repo.find(),
        version,
        names=list(cluster) or None,
        ring=ring,
        strict=strict,
        verify=verify,
        registry_url=registry,
        dry_run=dry_run,
        commit=commit,
        allow_downgrade=allow_downgrade,
    )
    _report(result, dry_run)


@task(
    help={
        "from": "cluster or ring whose version is copied",
        "to": "cluster or ring that receives it",
        "dry-run": "print the plan; write nothing",
        "commit": "make one git commit with the change",
        "allow-downgrade": "allow the target to move to an older release",
    },
)
def promote(c, from_=None, to=None, dry_run=False, commit=False, allow_downgrade=False):
    """Give cluster (or ring) TO exactly the Trigger.dev version of cluster (or ring) FROM."""
    require(from_, "--from", "invoke promote --from staging --to production")
    require(to, "--to", "invoke promote --from staging --to production")
    result = bumping.promote(Repo.find(), from_, to, dry_run=dry_run, commit=commit, allow_downgrade=allow_downgrade)
    _report(result, dry_run)

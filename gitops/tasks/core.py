"""Top-level tasks: render, status, doctor (bump, promote and bench live in their own modules)."""

from __future__ import annotations

import json

from gitops import fleet, tools
from gitops.cli import say, task, warn
from gitops.paths import Repo


def _names(cluster: list[str] | None) -> list[str] | None:
    return list(cluster) if cluster else None


@task(
    iterable=["cluster"],
    help={
        "cluster": "render only this cluster (repeatable); default: every cluster",
        "check": "write nothing; fail listing every stale or missing generated file",
        "force": "render even clusters whose inputs are unchanged",
        "dry-run": "show what would change, write nothing",
        "jobs": "parallel helm processes (default: the number of cores)",
    },
)
def render(c, cluster=None, check=False, force=False, dry_run=False, jobs=0):
    """Generate every cluster's manifests, sync objects and lock file from its cluster.yaml and the chart."""
    repo = Repo.find()
    result = fleet.render(repo, _names(cluster), check=check, force=force, dry_run=dry_run, jobs=jobs or None)
    for line in result.warnings:
        warn(line)
    rendered = [p.name for p in result.plans if not p.fresh]
    if check:
        say(f"render --check: {len(result.plans)} cluster(s) up to date")
        return
    verb = "would change" if dry_run else "changed"
    for path in result.written:
        say(f"  {'write' if not dry_run else 'would write'}  {path}")
    for path in result.removed:
        say(f"  {'remove' if not dry_run else 'would remove'} {path}")
    say(
        f"render: {len(result.plans)} cluster(s), {len(rendered)} rendered, "
        f"{len(result.plans) - len(rendered)} unchanged inputs skipped, {len(result.changed)} file(s) {verb}"
    )


@task(help={"json": "print JSON instead of a table"})
def status(c, json_=False):
    """A table of the fleet: flavour, ring, Trigger.dev version, chart version, output fresh or stale, secrets."""
    repo = Repo.find()
    rows = [r.as_dict() for r in fleet.status(repo)]
    if json_:
        say(json.dumps(rows, indent=2))
        return
    say(fleet.table(rows, ["cluster", "flavour", "ring", "version", "chart", "output", "secrets"]))


@task
def doctor(c):
    """Which pinned tools are present at which version, and the exact command that fixes each gap."""
    repo = Repo.find()
    rows = []
    missing = 0
    for pin in tools.load_pins(repo).values():
        found = tools.inspect(repo, pin)
        ok = found.ok
        missing += not ok
        rows.append(
            {
                "tool": pin.name,
                "wanted": pin.version,
                "found": found.output if found.path else "not installed",
                "status": "ok" if ok else "MISSING" if found.path is None else "WRONG VERSION",
                "fix": "" if ok else pin.install_hint(),
            }
        )
    say(fleet.table(rows, ["tool", "wanted", "found", "status", "fix"]))
    if missing:
        from invoke import Exit

        raise Exit(f"doctor: {missing} tool(s) need attention; run the fix commands above", code=1)
    say(f"doctor: all {len(rows)} pinned tools present")


@task(help={"clusters": "size of the synthetic fleet (default 100)", "jobs": "parallel helm processes"})
def bench(c, clusters=100, jobs=0):
    """Render and bump a synthetic fleet of N clusters in a scratch copy; compare with N bare helm calls."""
    from gitops.bench import run_bench

    report = run_bench(Repo.find(), clusters=int(clusters), jobs=jobs or None)
    say(fleet.table(report.rows(), ["measure", "seconds"]))
    say(report.summary())

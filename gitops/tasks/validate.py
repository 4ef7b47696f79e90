"""`invoke validate` and `invoke validate.prefetch`: thin wrappers over :mod:`gitops.validate`.

invoke validate                       # every cluster, the chart, hand-written YAML, workflows
invoke validate --cluster staging     # one cluster's files (chart, YAML and workflow lints still run)
invoke validate --since origin/main   # only the clusters a change touches (all if it touches shared files)
"""

from __future__ import annotations

import invoke

from gitops import git, schemas
from gitops import validate as core
from gitops.cli import say, task
from gitops.paths import Repo


@task(
    default=True,
    name="all",
    iterable=["cluster"],
    help={
        "cluster": "validate only this cluster (repeat for more)",
        "since": "validate only the clusters changed since this git ref (e.g. origin/main)",
    },
)
def all_(c: invoke.Context, cluster: list[str] | None = None, since: str | None = None) -> None:
    """Lint, schema-check and policy-check every generated file, offline; one line per finding."""
    repo = Repo.find()
    names: list[str] | None = list(cluster or []) or None
    if since:
        names = core.changed_clusters(repo, git.changed_since(repo, since))
        if names == []:
            say(f"validate: no cluster changed since {since}; checking the chart, YAML and workflows only")
    stats = core.Stats()
    findings = core.validate_repo(repo, clusters=names, stats=stats)
    for finding in findings:
        say(str(finding))
    scope = f"{len(stats.clusters)} cluster(s) ({', '.join(stats.clusters) or 'none'})"
    checked = f"{stats.objects} object(s) in {stats.files} file(s); {'; '.join(stats.checks)}"
    if findings:
        raise invoke.Exit(f"validate: {len(findings)} finding(s) in {scope}: {checked}", code=1)
    say(f"validate: ok, {scope}: {checked}")


@task
def prefetch(c: invoke.Context) -> None:
    """Download the pinned Flux and Argo CD CRDs (Go module proxy) into the schema cache; idempotent."""
    for path in schemas.prefetch():
        say(f"prefetch: {path}")
    say(f"prefetch: ok, Kubernetes schemas {schemas.k8s_versions()[0]}-{schemas.k8s_versions()[-1]} ship offline")

"""`invoke cluster.new`: a valid cluster.yaml, its secrets and its first render, written together.

    files = new_cluster(repo, "eu-1", flavour="flux", public_url="https://trigger.eu-1.example.com")

The config text is produced from a commented template so a person can read and edit it at once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from gitops import config, fleet, secrets
from gitops.errors import ConfigError
from gitops.paths import Repo
from gitops.versions import latest_published
from gitops.writer import Transaction

TEMPLATE = """\
# Cluster {name}: edit this file, then run `invoke render --cluster {name}`.
name: {name}
flavour: {flavour}               # flux | argocd
ring: {ring}                     # `invoke bump --ring {ring}` moves every cluster of this ring
namespace: {namespace}
version: "{version}"             # Trigger.dev release; changed by `invoke bump` / `invoke promote`
kubernetesVersion: "{kube}"      # the cluster's Kubernetes minor, for rendering and validation
publicUrl: {public_url}{url_todo}
git:
  url: {git_url}
  branch: {branch}
database:
  secret: trigger-database       # secrets/{name}/trigger-database.sops.yaml: DATABASE_URL, DIRECT_URL
redis:
  secret: trigger-redis          # secrets/{name}/trigger-redis.sops.yaml: REDIS_HOST, REDIS_PORT, REDIS_PASSWORD
  tls: false                     # true for rediss:// (managed Redis)
components:
  worker:
    enabled: true
  electric:
    enabled: false
values: {{}}                     # extra apps/trigger-dev values, merged last
"""


def config_text(
    repo: Repo,
    name: str,
    *,
    flavour: str,
    ring: str = "default",
    namespace: str = "trigger",
    version: str | None = None,
    public_url: str | None = None,
    git_url: str | None = None,
    branch: str = "main",
) -> str:
    """The scaffolded cluster.yaml text; validated before it is returned."""
    existing = config.load_fleet(repo)
    if any(c.name == name for c in existing) or repo.cluster_dir(name).exists():
        raise ConfigError(f"cluster {name!r} already exists ({repo.rel(repo.cluster_dir(name))}); pick another name")
    if git_url is None:
        git_url = existing[0].git.url if existing else None
    if git_url is None:
        raise ConfigError("no cluster to copy the git URL from; pass --git-url https://host/path/repo.git")
    text = TEMPLATE.format(
        name=name,
        flavour=flavour,
        ring=ring,
        namespace=namespace,
        version=version or str(latest_published()),
        kube="1.33",
        public_url=public_url or f"https://trigger-{name}.example.com",
        url_todo="" if public_url else "   # TODO: the real public URL of this cluster's dashboard",
        git_url=git_url,
        branch=branch,
    )
    cluster = config.parse_cluster(
        config.yaml_load(text, f"clusters/{name}/cluster.yaml"), f"clusters/{name}/cluster.yaml"
    )
    config.check_fleet([*existing, cluster], {c.name: repo.rel(repo.cluster_file(c.name)) for c in existing})
    return text


def cluster_path(name: str) -> Path:
    return Path("clusters") / name / "cluster.yaml"


def create(repo: Repo, name: str, text: str, *, with_secrets: bool = True) -> list[str]:
    """Write the config, run secrets.init and the first render; on any failure put the repository back."""
    sops_file = repo.root / ".sops.yaml"
    sops_before = sops_file.read_bytes() if sops_file.exists() else None
    new_dirs = [d for d in (repo.cluster_dir(name), repo.secrets_dir(name)) if not d.exists()]
    try:
        with Transaction(repo.root) as tx:
            tx.write(str(cluster_path(name)), text)
        if with_secrets:
            secrets.init_cluster(repo, config.load_cluster(repo, name), inputs={})
        fleet.render(repo, [name])
    except BaseException:
        for folder in new_dirs:
            shutil.rmtree(folder, ignore_errors=True)
        if sops_before is None:
            sops_file.unlink(missing_ok=True)
        else:
            sops_file.write_bytes(sops_before)
        raise
    return sorted(repo.rel(p) for d in new_dirs for p in d.rglob("*") if p.is_file()) + (
        [".sops.yaml"] if with_secrets and sops_file.read_bytes() != sops_before else []
    )

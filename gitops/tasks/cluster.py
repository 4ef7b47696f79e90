"""`invoke cluster.new NAME`: scaffold a cluster (config, secrets, first render)."""

from __future__ import annotations

from gitops import scaffold
from gitops.cli import require, say, task
from gitops.paths import Repo


@task(
    help={
        "name": "the new cluster's name (a DNS label, also its folder name)",
        "flavour": "flux or argocd",
        "ring": "promotion ring (default: default)",
        "namespace": "namespace Trigger.dev runs in (default: trigger)",
        "version": "Trigger.dev version (default: the newest published release)",
        "public-url": "public URL of the dashboard, e.g. https://trigger.eu-1.example.com",
        "git-url": "git URL the controller pulls (default: the other clusters')",
        "branch": "git branch (default: main)",
        "dry-run": "print the config, write nothing",
        "no-secrets": "do not run secrets.init (the cluster will not deploy until you do)",
    },
)
def new(
    c,
    name=None,
    flavour="flux",
    ring="default",
    namespace="trigger",
    version=None,
    public_url=None,
    git_url=None,
    branch="main",
    dry_run=False,
    no_secrets=False,
):
    """Scaffold clusters/NAME/cluster.yaml, its secrets and its first render."""
    require(name, "--name", "invoke cluster.new --name eu-1 --flavour flux")
    repo = Repo.find()
    text = scaffold.config_text(
        repo,
        name,
        flavour=flavour,
        ring=ring,
        namespace=namespace,
        version=version,
        public_url=public_url,
        git_url=git_url,
        branch=branch,
    )
    if dry_run:
        say(text.rstrip())
        return
    files = scaffold.create(repo, name, text, with_secrets=not no_secrets)
    for path in files:
        say(f"  write  {path}")
    load = (
        f"invoke secrets.flux-key --cluster {name} | kubectl apply -f -"
        if flavour == "flux"
        else f"invoke secrets.argocd-setup --cluster {name}"
    )
    say(
        f"cluster.new: clusters/{name}/ created; next: review cluster.yaml, "
        f"give the cluster its key ({load}), commit, push"
    )

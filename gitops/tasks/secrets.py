"""`invoke secrets.*`: init, edit, rotate, recipients, check, flux-key, argocd-setup, argocd-key.

    invoke secrets.init --cluster staging          # every Secret the cluster needs, encrypted at once
    invoke secrets.check                           # non-zero exit listing each finding
    invoke secrets.flux-key --cluster staging | kubectl apply -f -

Thin: each task parses options and calls :mod:`gitops.secrets`.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from gitops import secrets
from gitops.age import KeyRing
from gitops.cli import require, say, task, warn
from gitops.config import load_cluster
from gitops.errors import SecretsError
from gitops.paths import Repo
from gitops.secret_values import SecretInputs
from gitops.sops import edit_command
from gitops.sops_config import load

SOPS_UNCHANGED = 200  # sops edit: the file was not modified


def _show(repo: Repo, paths: list[Path]) -> None:
    for path in paths:
        say(f"  {repo.rel(path)}")


@task(
    help={
        "cluster": "the cluster (clusters/NAME/cluster.yaml)",
        "database-url": "DATABASE_URL (else $TRIGGER_DATABASE_URL, else a no-echo prompt)",
        "direct-url": "DIRECT_URL for migrations (else $TRIGGER_DIRECT_URL; default: DATABASE_URL)",
        "redis-url": "redis://[user:password@]host:port or rediss://... (else $TRIGGER_REDIS_URL, else a prompt)",
        "registry-username": "registry user, only if cluster.yaml has registry: (else $TRIGGER_REGISTRY_USERNAME)",
        "registry-password": "registry password/token (else $TRIGGER_REGISTRY_PASSWORD, else a prompt)",
        "dry-run": "list what would be created; ask nothing, write nothing",
    }
)
def init(
    c,
    cluster=None,
    database_url=None,
    direct_url=None,
    redis_url=None,
    registry_username=None,
    registry_password=None,
    dry_run=False,
):
    """Create the cluster's age key and every Secret it needs (encrypted at once); existing ones are kept."""
    require(cluster, "--cluster", "invoke secrets.init --cluster staging")
    repo = Repo.find()
    inputs = SecretInputs.from_sources(
        {
            "database_url": database_url,
            "direct_url": direct_url,
            "redis_url": redis_url,
            "registry_username": registry_username,
            "registry_password": registry_password,
        }
    )
    changed = secrets.init_cluster(repo, cluster, inputs=inputs, dry_run=dry_run)
    if not changed:
        say(f"secrets.init: {cluster}: nothing to do, every secret exists")
        return
    say(f"secrets.init: {cluster}: {'would write' if dry_run else 'wrote'} {len(changed)} file(s):")
    _show(repo, changed)


@task(
    positional=["file"],
    help={"file": "secrets/<cluster>/<secret>.sops.yaml to open in $EDITOR through sops (a new name creates it)"},
)
def edit(c, file=None):
    """Open one encrypted file in sops' editor (plaintext only in sops' 0600 temp file outside the repo)."""
    require(file, "FILE", "invoke secrets.edit secrets/staging/trigger-redis.sops.yaml")
    repo = Repo.find()
    path = (repo.root / file).resolve()
    if not path.is_file():
        for created in secrets.create_secret_file(repo, path):
            say(f"secrets.edit: created {repo.rel(created)}")
    argv, env = edit_command(repo, path, KeyRing.discover(repo))
    result = c.run(shlex.join(argv), env=env, pty=sys.stdin.isatty(), echo=False, warn=True)
    if result.exited == SOPS_UNCHANGED:
        say(f"secrets.edit: {repo.rel(path)} unchanged")
        return
    if result.exited != 0:
        raise SecretsError(f"{repo.rel(path)}: sops edit failed (exit {result.exited}); the file is unchanged")
    findings = secrets.check_repo(repo, verify=False).findings
    mine = [f for f in findings if f.startswith(repo.rel(path))]
    for finding in mine:
        warn(finding)
    say(f"secrets.edit: {repo.rel(path)} saved encrypted")


@task(
    iterable=["key"],
    help={
        "cluster": "the cluster",
        "key": "rotate only this key (repeatable); ENCRYPTION_KEY is rotated only when named",
        "dry-run": "say what would rotate, write nothing",
    },
)
def rotate(c, cluster=None, key=None, dry_run=False):
    """New random values (same formats) in trigger-secrets, re-encrypted; prints which workloads roll."""
    require(cluster, "--cluster", "invoke secrets.rotate --cluster staging")
    repo = Repo.find()
    result = secrets.rotate(repo, cluster, list(key) if key else None, dry_run=dry_run)
    verb = "would rotate" if dry_run else "rotated"
    say(f"secrets.rotate: {verb} {', '.join(result.keys)} in {repo.rel(result.path)}")
    for note in result.notes:
        say(f"  note: {note}")
    say(f"  workloads that read them and will roll: {', '.join(result.readers)}")
    say(
        "  they roll when the rendered pod annotation with the secrets fingerprint changes: "
        f"run `invoke render --cluster {cluster}`, commit, push"
    )


@task(
    help={
        "add": "an admin's age public key (age1...) to add to every cluster's files",
        "name": "the admin's name for --add (e.g. alice)",
        "remove": "an admin (name or age1... key) to remove; files are re-keyed so it can no longer open them",
        "cluster": "with --new-cluster-key: the cluster whose key pair is replaced",
        "new-cluster-key": "generate a new key pair for --cluster (e.g. to replace the TEST key) and re-key",
    }
)
def recipients(c, add=None, name=None, remove=None, cluster=None, new_cluster_key=False):
    """Add/remove an admin key or replace a cluster key; rewrites .sops.yaml and re-keys the files."""
    repo = Repo.find()
    if add:
        require(name, "--name", "invoke secrets.recipients --add age1... --name alice")
        changed = secrets.add_recipient(repo, add, name)
    elif remove:
        changed = secrets.remove_recipient(repo, remove)
    elif new_cluster_key:
        require(cluster, "--cluster", "invoke secrets.recipients --cluster staging --new-cluster-key")
        changed = secrets.new_cluster_key(repo, cluster)
        verb = "flux-key" if load_cluster(repo, cluster).flavour == "flux" else "argocd-key"
        say(f"secrets.recipients: new key for {cluster}; load it into the cluster before pushing:")
        say(f"  invoke secrets.{verb} --cluster {cluster} | kubectl apply -f -")
    else:
        changed = secrets.rekey(repo, load(repo), only_stale=True)
    config = load(repo)
    for admin, public in sorted(config.admins.items()):
        say(f"admin   {admin:<16} {public}")
    for name_, public in sorted(config.clusters.items()):
        say(f"cluster {name_:<16} {public}")
    say(f"secrets.recipients: {len(changed)} file(s) changed")
    _show(repo, changed)


@task
def check(c):
    """Fail listing every finding: plaintext or unsigned files in secrets/, plaintext Secrets, credentials, MACs."""
    repo = Repo.find()
    report = secrets.check_repo(repo)
    for note in report.notes:
        warn(note)
    if report.findings:
        for finding in report.findings:
            print(finding, file=sys.stderr)
        raise SecretsError(f"secrets.check: {len(report.findings)} finding(s) above; fix each as it says")
    say("secrets.check: ok")


def _stdout_only(what: str, cluster: str, show: bool) -> None:
    if sys.stdout.isatty() and not show:
        raise SecretsError(
            f"{what} prints a private key: pipe it, e.g. "
            f"`invoke secrets.{what} --cluster {cluster} | kubectl apply -f -`"
            " (or pass --show to print it on this terminal)"
        )


@task(help={"cluster": "a flux cluster", "show": "allow printing to a terminal"})
def flux_key(c, cluster=None, show=False):
    """Print the flux-system/sops-age Secret (key <cluster>.agekey) to stdout, for `kubectl apply -f -`."""
    require(cluster, "--cluster", "invoke secrets.flux-key --cluster staging | kubectl apply -f -")
    _stdout_only("flux-key", cluster, show)
    sys.stdout.write(secrets.flux_key_manifest(Repo.find(), cluster))


@task(help={"cluster": "an argocd cluster", "show": "allow printing to a terminal"})
def argocd_key(c, cluster=None, show=False):
    """Print the argocd/sops-age Secret (key keys.txt) the repo-server mounts for KSOPS, to stdout."""
    require(cluster, "--cluster", "invoke secrets.argocd-key --cluster production | kubectl apply -f -")
    _stdout_only("argocd-key", cluster, show)
    sys.stdout.write(secrets.argocd_key_manifest(Repo.find(), cluster))


@task(help={"cluster": "an argocd cluster"})
def argocd_setup(c, cluster=None):
    """Print the shell steps that give Argo CD's repo-server KSOPS and the cluster's age key (no secret inside)."""
    require(cluster, "--cluster", "invoke secrets.argocd-setup --cluster production")
    sys.stdout.write(secrets.argocd_setup(Repo.find(), cluster))

"""The git wrapper: the few git operations the tasks need.

commit_paths(repo, ["clusters/staging/cluster.yaml"], "chore(trigger-dev): bump staging to 3.3.18")
changed_since(repo, "origin/main")      # ["clusters/staging/cluster.yaml", ...]
"""

from __future__ import annotations

from gitops import command
from gitops.paths import Repo


def commit_paths(repo: Repo, paths: list[str], message: str) -> str:
    """Stage exactly ``paths`` (new, changed or deleted) and commit only them; returns the short commit id."""
    command.run(["git", "add", "--all", "--", *paths], cwd=repo.root, what="git add")
    command.run(["git", "commit", "--quiet", "-m", message, "--", *paths], cwd=repo.root, what="git commit")
    return command.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo.root, what="git rev-parse").stdout.strip()


def changed_since(repo: Repo, ref: str) -> list[str]:
    """Repository-relative paths that differ between ``ref`` and the working tree."""
    return command.run(["git", "diff", "--name-only", ref], cwd=repo.root, what=f"git diff {ref}").stdout.split()

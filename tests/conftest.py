"""Shared fixtures: the repository, pinned tool paths, and a throwaway copy of the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gitops.paths import Repo

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo() -> Repo:
    return Repo(ROOT)


@pytest.fixture(scope="session")
def helm3(repo: Repo) -> Path:
    return repo.tools_bin / "helm3"


@pytest.fixture(scope="session")
def helm4(repo: Repo) -> Path:
    return repo.tools_bin / "helm4"


def copy_repo(dest: Path) -> Repo:
    """The tracked and untracked (not ignored) files of the repository, copied to ``dest``, as a git repo."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for raw in filter(None, files):
        rel = raw.decode()
        src = ROOT / rel
        if not src.is_file():
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    (dest / ".tools").symlink_to(ROOT / ".tools")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-qm", "copy"],
        cwd=dest,
        check=True,
    )
    return Repo(dest)


@pytest.fixture
def repo_copy(tmp_path: Path) -> Repo:
    """A private copy of the repository (tools shared by symlink) that a test may change freely."""
    return copy_repo(tmp_path / "repo")


def tree_snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (except .git and the .tools link) with its bytes: compare before/after."""
    snapshot = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in {".git", ".tools", "__pycache__", ".pytest_cache"}]
        for name in files:
            path = Path(folder) / name
            snapshot[str(path.relative_to(root))] = path.read_bytes()
    return dict(sorted(snapshot.items()))

"""The local git HTTP server accepts a push and serves the same commit to a clone (no cluster needed)."""

from __future__ import annotations

from pathlib import Path

from gitops.command import run
from gitops.e2e.gitserver import GitServer
from gitops.e2e.workspace import GIT_CLIENT, GIT_IDENTITY


def git(cwd: Path, *args: str) -> str:
    return run(["git", *GIT_CLIENT, *args], cwd=cwd, env=GIT_IDENTITY).stdout.strip()


def test_git_server_round_trips_a_push(tmp_path: Path) -> None:
    work, clone = tmp_path / "work", tmp_path / "clone"
    work.mkdir()
    (work / "file.txt").write_text("hello\n")
    git(work, "init", "--quiet")
    git(work, "add", "--all")
    git(work, "commit", "--quiet", "-m", "one")
    with GitServer(tmp_path / "served") as server:
        url = server.create_repo("fleet")
        assert url.startswith("http://127.0.0.1:")
        git(work, "push", "--quiet", url, "HEAD:refs/heads/main")
        git(tmp_path, "clone", "--quiet", "--branch", "main", url, str(clone))
    assert git(clone, "rev-parse", "HEAD") == git(work, "rev-parse", "HEAD")
    assert (clone / "file.txt").read_text() == "hello\n"

"""A throwaway copy of the repository that the e2e edits, commits and pushes; the working tree is never touched.

    ws = Workspace.copy_of(repo, tmp / "work", tmp / "home")         # tracked + untracked-but-not-ignored files
    ws.invoke("render", "--cluster", "e2e")
    sha = ws.commit_and_push("e2e: render", git_url)     # pushes HEAD to branch main

Copying the files (rather than cloning HEAD) lets a developer run the e2e on uncommitted work; in CI,
a fresh clone, the two are the same.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from gitops.command import Result, run
from gitops.paths import Repo

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "e2e",
    "GIT_AUTHOR_EMAIL": "e2e@example.invalid",
    "GIT_COMMITTER_NAME": "e2e",
    "GIT_COMMITTER_EMAIL": "e2e@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}
# Large post buffer: git then sends a push in one request with a Content-Length (no chunking).
GIT_CLIENT = ["-c", "http.postBuffer=524288000", "-c", "protocol.version=2", "-c", "init.defaultBranch=main"]


@dataclass(frozen=True)
class Workspace:
    root: Path
    home: Path  # private age keys and sops config of this run (never the user's ~/.config)

    @classmethod
    def copy_of(cls, repo: Repo, dest: Path, home: Path) -> Workspace:
        listed = run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=repo.root,
            what="git ls-files (copying the repository for the e2e)",
        ).stdout
        for rel in sorted(set(filter(None, listed.split("\0")))):
            source = repo.root / rel
            if source.is_file():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest / rel, follow_symlinks=False)
        tools = repo.root / ".tools"
        if tools.is_dir():  # pinned helm/age binaries: link, never copy or rebuild
            (dest / ".tools").symlink_to(tools)
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        ws = cls(dest, home)
        ws.git("init", "--quiet")
        return ws

    @property
    def repo(self) -> Repo:
        return Repo(self.root)

    @property
    def env(self) -> dict[str, str]:
        return {"XDG_CONFIG_HOME": str(self.home / "config"), "TRIGGER_AGE_KEY_DIR": str(self.home / "age")}

    def git(self, *args: str) -> Result:
        return run(["git", *GIT_CLIENT, *args], cwd=self.root, env=GIT_IDENTITY, what=f"git {args[0]} (e2e copy)")

    def invoke(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """Run one of the repository's own invoke tasks inside the copy, as a person would."""
        return run(
            [sys.executable, "-m", "invoke", *args],
            cwd=self.root,
            env={**self.env, **(env or {})},
            input_text="",  # never wait on a prompt
            timeout=600,
            what=f"invoke {' '.join(args)}",
        )

    def commit_and_push(self, message: str, url: str, branch: str = "main") -> str:
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        self.git("push", "--quiet", "--force", url, f"HEAD:refs/heads/{branch}")
        return self.git("rev-parse", "HEAD").stdout.strip()

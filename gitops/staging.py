"""A scratch copy of the repository's inputs and outputs, for changes that must be checked before they land.

    with Staging(repo) as stage:              # copies chart, clusters/, secrets/, tools.toml, CHANGELOG.md
        edit(stage.repo)                      # change files, render, validate: all inside the copy
        stage.apply(fail_after=None)          # swap every difference into the real tree, all or nothing

Nothing in the real tree changes until :meth:`apply`, and :meth:`apply` is one
:class:`~gitops.writer.Transaction`.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

from gitops.paths import CHART_DIR, CLUSTERS_DIR, SECRETS_DIR, Repo
from gitops.writer import Transaction

COPIED = (CHART_DIR, CLUSTERS_DIR, SECRETS_DIR, Path("tools.toml"), Path("CHANGELOG.md"), Path("tasks.py"))


class Staging:
    def __init__(self, repo: Repo) -> None:
        self.real = repo
        self._tmp: Path | None = None

    def __enter__(self) -> Staging:
        self._tmp = Path(tempfile.mkdtemp(prefix="trigger-gitops-stage-"))
        root = self._tmp / "repo"
        root.mkdir()
        for rel in COPIED:
            src = self.real.root / rel
            if src.is_dir():
                shutil.copytree(src, root / rel, ignore=shutil.ignore_patterns("__pycache__"))
            elif src.is_file():
                shutil.copy2(src, root / rel)
        tools = self.real.root / ".tools"
        if tools.exists():
            (root / ".tools").symlink_to(tools)
        self.repo = Repo(root)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def changes(self) -> tuple[dict[str, str], list[str]]:
        """(files to write with their new text, files to remove), repository-relative, sorted."""
        writes: dict[str, str] = {}
        removes: list[str] = []
        staged = _files(self.repo.root)
        real = _files(self.real.root)
        for rel in sorted(staged):
            if rel not in real or not filecmp.cmp(self.repo.root / rel, self.real.root / rel, shallow=False):
                writes[rel] = (self.repo.root / rel).read_text(encoding="utf-8")
        for rel in sorted(real - staged):
            removes.append(rel)
        return writes, removes

    def apply(self, *, fail_after: int | None = None) -> list[str]:
        writes, removes = self.changes()
        with Transaction(self.real.root, fail_after=fail_after) as tx:
            for rel, text in writes.items():
                tx.write(rel, text)
            for rel in removes:
                tx.remove(rel)
        return sorted([*writes, *removes])


def _files(root: Path) -> set[str]:
    found = set()
    for rel in COPIED:
        base = root / rel
        if base.is_file():
            found.add(str(rel))
        elif base.is_dir():
            for folder, dirs, names in os.walk(base):
                dirs[:] = [d for d in dirs if d != "__pycache__"]
                found.update(str((Path(folder) / n).relative_to(root)) for n in names)
    return found

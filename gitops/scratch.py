"""A throwaway copy of the repository's inputs and outputs, for measuring without touching the real tree.

with scratch_repo(repo) as scratch:      # chart, clusters/, secrets/, tools.toml, CHANGELOG.md; tools linked
    fleet.render(scratch, force=True)
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gitops.paths import CHART_DIR, CLUSTERS_DIR, SECRETS_DIR, Repo

COPIED = (CHART_DIR, CLUSTERS_DIR, SECRETS_DIR, Path("tools.toml"), Path("CHANGELOG.md"))


@contextmanager
def scratch_repo(repo: Repo) -> Iterator[Repo]:
    with tempfile.TemporaryDirectory(prefix="trigger-gitops-scratch-") as tmp:
        root = Path(tmp)
        for rel in COPIED:
            src = repo.root / rel
            if src.is_dir():
                shutil.copytree(src, root / rel, ignore=shutil.ignore_patterns("__pycache__"))
            elif src.is_file():
                shutil.copy2(src, root / rel)
        if (repo.root / ".tools").exists():
            (root / ".tools").symlink_to(repo.root / ".tools")
        yield Repo(root)

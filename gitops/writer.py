"""All-or-nothing writes: stage every change, then swap them in; any failure restores what was there.

    with Transaction(repo.root) as tx:
        tx.write("clusters/staging/lock.yaml", text)
        tx.remove("clusters/staging/manifests/old.yaml")
    # leaving the block commits; an exception inside it (or during the swap) leaves the tree as it was

Every new file is first written in full beside its target (a hidden temporary name), so the swap itself
is a series of renames; the previous bytes of every touched file are kept in memory until the end.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType


class Transaction:
    def __init__(self, root: Path, *, fail_after: int | None = None) -> None:
        self.root = root
        self._writes: dict[str, str] = {}
        self._removes: set[str] = set()
        self._fail_after = fail_after  # test hook: raise after this many renames

    def write(self, rel: str, content: str) -> None:
        self._removes.discard(rel)
        self._writes[rel] = content

    def remove(self, rel: str) -> None:
        self._writes.pop(rel, None)
        self._removes.add(rel)

    @property
    def paths(self) -> list[str]:
        return sorted(set(self._writes) | self._removes)

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commit()

    def commit(self) -> None:
        staged: dict[Path, Path] = {}
        before: dict[Path, bytes | None] = {}
        created_dirs: list[Path] = []
        try:
            for rel, content in sorted(self._writes.items()):
                target = self.root / rel
                created_dirs += _make_parents(target.parent)
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(content)
                os.chmod(tmp, 0o644)
                staged[target] = Path(tmp)
            for target in [*staged, *(self.root / rel for rel in sorted(self._removes))]:
                before[target] = target.read_bytes() if target.exists() else None
            done = 0
            for target, tmp in staged.items():
                self._maybe_fail(done)
                os.replace(tmp, target)
                done += 1
            for rel in sorted(self._removes):
                self._maybe_fail(done)
                (self.root / rel).unlink(missing_ok=True)
                done += 1
        except BaseException:
            for target, content in before.items():
                if content is None:
                    target.unlink(missing_ok=True)
                else:
                    target.write_bytes(content)
            for tmp in staged.values():
                tmp.unlink(missing_ok=True)
            for directory in reversed(created_dirs):
                _rmdir_if_empty(directory)
            raise
        for rel in sorted(self._removes):
            _prune_empty(self.root, (self.root / rel).parent)

    def _maybe_fail(self, done: int) -> None:
        if self._fail_after is not None and done >= self._fail_after:
            raise OSError(f"injected failure after {done} renames")


def _make_parents(directory: Path) -> list[Path]:
    missing = []
    for parent in [directory, *directory.parents]:
        if parent.exists():
            break
        missing.append(parent)
    directory.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def _rmdir_if_empty(directory: Path) -> None:
    try:
        directory.rmdir()
    except OSError:
        pass


def _prune_empty(root: Path, directory: Path) -> None:
    while directory != root and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent

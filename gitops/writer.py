"""All-or-nothing writes: stage every change, then swap them in; any failure restores what was there.

    with Transaction(repo.root) as tx:
        tx.write("clusters/staging/lock.yaml", text)
        tx.remove("clusters/staging/manifests/old.yaml")
        tx.write(Path.home() / ".config/trigger-gitops/age/eu-1.agekey", key, mode=0o600)
    # leaving the block commits; an exception inside it (or during the swap) leaves the tree as it was

Only files whose content differs are touched. Every new file is first written in full beside its
target (a hidden temporary name), so the swap itself is a series of renames; the previous bytes and
mode of every touched file are kept in memory until the end.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType


class Transaction:
    def __init__(self, root: Path, *, fail_after: int | None = None) -> None:
        self.root = root
        self._writes: dict[Path, tuple[str, int]] = {}
        self._removes: set[Path] = set()
        self._fail_after = fail_after  # test hook: raise after this many renames

    def _target(self, path: str | Path) -> Path:
        return self.root / path  # an absolute path stays absolute (a key file outside the repository)

    def write(self, path: str | Path, content: str, mode: int = 0o644) -> None:
        target = self._target(path)
        self._removes.discard(target)
        self._writes[target] = (content, mode)

    def remove(self, path: str | Path) -> None:
        target = self._target(path)
        self._writes.pop(target, None)
        self._removes.add(target)

    def pending(self) -> list[Path]:
        """Targets whose content would change (new files included) and existing files to remove, sorted."""
        changed = [t for t, (content, _) in self._writes.items() if _read(t) != content]
        return sorted([*changed, *(t for t in self._removes if t.exists())])

    def __enter__(self) -> Transaction:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.commit()

    def commit(self) -> list[Path]:
        """Swap every pending change in; on any failure restore every touched file. Returns what changed."""
        targets = self.pending()
        writes = [t for t in targets if t in self._writes]
        removes = [t for t in targets if t in self._removes]
        staged: dict[Path, Path] = {}
        before: dict[Path, tuple[bytes, int] | None] = {}
        created_dirs: list[Path] = []
        try:
            for target in writes:
                content, mode = self._writes[target]
                created_dirs += _make_parents(target.parent, 0o700 if mode == 0o600 else 0o755)
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
                os.fchmod(fd, mode)
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(content)
                staged[target] = Path(tmp)
            for target in targets:
                before[target] = (target.read_bytes(), target.stat().st_mode & 0o777) if target.exists() else None
            done = 0
            for target in writes:
                self._maybe_fail(done)
                os.replace(staged.pop(target), target)
                done += 1
            for target in removes:
                self._maybe_fail(done)
                target.unlink(missing_ok=True)
                done += 1
        except BaseException:
            for target, saved in before.items():
                if saved is None:
                    target.unlink(missing_ok=True)
                else:
                    target.write_bytes(saved[0])
                    target.chmod(saved[1])
            for tmp in staged.values():
                tmp.unlink(missing_ok=True)
            for directory in reversed(created_dirs):
                _rmdir_if_empty(directory)
            raise
        for target in removes:
            _prune_empty(self.root, target.parent)
        return targets

    def _maybe_fail(self, done: int) -> None:
        if self._fail_after is not None and done >= self._fail_after:
            raise OSError(f"injected failure after {done} renames")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _make_parents(directory: Path, mode: int = 0o755) -> list[Path]:
    missing = []
    for parent in [directory, *directory.parents]:
        if parent.exists():
            break
        missing.append(parent)
    for folder in reversed(missing):
        folder.mkdir(mode=mode)
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

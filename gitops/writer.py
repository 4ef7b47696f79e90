"""All-or-nothing writes: collect every change, then write them; any failure restores what was there.

    with Transaction(repo.root) as tx:
        tx.write("clusters/staging/lock.yaml", text)
        tx.remove("clusters/staging/manifests/old.yaml")
        tx.write(Path.home() / ".config/trigger-gitops/age/eu-1.agekey", key, mode=0o600)
    # leaving the block commits; an exception inside it (or during the swap) leaves the tree as it was

Only files whose content differs are touched. The previous bytes and mode of every touched file are
read into memory first; if anything fails or the run is interrupted (an exception, Ctrl-C) while
writing, every touched file is put back and every file and folder it created is removed. Files are
written in place: creating a file costs far more than rewriting one on common filesystems, and a
fleet-wide bump rewrites thousands.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType


class Transaction:
    def __init__(self, root: Path, *, fail_after: int | None = None) -> None:
        self.root = root
        self._writes: dict[Path, tuple[str, int]] = {}
        self._removes: set[Path] = set()
        self._fail_after = fail_after  # test hook: raise after this many writes

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
        """Write every pending change; on any failure or interrupt restore every touched file. Returns what changed."""
        targets = self.pending()
        before: dict[Path, tuple[bytes, int] | None] = {
            t: (t.read_bytes(), t.stat().st_mode & 0o777) if t.exists() else None for t in targets
        }
        created_dirs: list[Path] = []
        try:
            for done, target in enumerate(targets):
                self._maybe_fail(done)
                if target in self._removes:
                    target.unlink(missing_ok=True)
                    continue
                content, mode = self._writes[target]
                created_dirs += _make_parents(target.parent, 0o700 if mode == 0o600 else 0o755)
                _write(target, content, mode)
        except BaseException:
            for target, saved in before.items():
                if saved is None:
                    target.unlink(missing_ok=True)
                else:
                    _write(target, saved[0], saved[1])
            for directory in reversed(created_dirs):
                _rmdir_if_empty(directory)
            raise
        for target in targets:
            if target in self._removes:
                _prune_empty(self.root, target.parent)
        return targets

    def _maybe_fail(self, done: int) -> None:
        if self._fail_after is not None and done >= self._fail_after:
            raise OSError(f"injected failure after {done} writes")


def _write(path: Path, content: str | bytes, mode: int) -> None:
    """Write in place (an existing file is truncated: far cheaper than creating one on most filesystems)."""
    data = content.encode() if isinstance(content, str) else content
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


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

"""All-or-nothing writes for the secrets tasks: stage every file, then swap them all in, or change nothing.

    changes = Changes()
    changes.write(repo.root / ".sops.yaml", text)
    written = changes.commit()          # only files whose content differs; rolls back on any failure

Each file is staged as a hidden temporary file beside its target (so the final rename is atomic on
the same filesystem), including a new cluster key file in the key folder (mode 0600). If anything
fails or the run is interrupted, originals are restored and staged files removed.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Changes:
    files: dict[Path, tuple[str, int]] = field(default_factory=dict)

    def write(self, path: Path, text: str, mode: int = 0o644) -> None:
        self.files[path] = (text, mode)

    def pending(self) -> list[Path]:
        """Targets whose content would change (missing files included), in a stable order."""
        out = []
        for path, (text, _mode) in sorted(self.files.items()):
            try:
                if path.read_text(encoding="utf-8") == text:
                    continue
            except FileNotFoundError:
                pass
            out.append(path)
        return out

    def commit(self) -> list[Path]:
        targets = self.pending()
        created_dirs: list[Path] = []
        staged: dict[Path, Path] = {}
        backups: dict[Path, Path] = {}
        swapped: list[Path] = []
        try:
            for target in targets:
                text, mode = self.files[target]
                created_dirs += _make_parents(target.parent, 0o700 if mode == 0o600 else 0o755)
                fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".staged")
                staged[target] = Path(tmp)
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(tmp, mode)
            for target in targets:
                if target.exists():
                    fd, backup = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".backup")
                    os.close(fd)
                    os.replace(target, backup)
                    backups[target] = Path(backup)
                os.replace(staged.pop(target), target)
                swapped.append(target)
        except BaseException:
            for target in reversed(swapped):
                if target in backups:
                    os.replace(backups.pop(target), target)
                else:
                    target.unlink(missing_ok=True)
            for target, backup in backups.items():  # moved aside but not yet replaced
                if not target.exists():
                    os.replace(backup, target)
            for tmp in staged.values():
                tmp.unlink(missing_ok=True)
            for directory in reversed(created_dirs):
                try:
                    directory.rmdir()
                except OSError:
                    pass
            raise
        for backup in backups.values():
            backup.unlink(missing_ok=True)
        return targets


def _make_parents(directory: Path, mode: int) -> list[Path]:
    missing = []
    here = directory
    while not here.exists():
        missing.append(here)
        here = here.parent
    for path in reversed(missing):
        path.mkdir(mode=mode)
    return list(reversed(missing))

"""Where things live in the repository.

repo = Repo.find()            # walks up from the working directory to tasks.py
repo.cluster_file("staging")  # clusters/staging/cluster.yaml
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gitops.errors import ConfigError

CHART_DIR = Path("apps/trigger-dev")
CLUSTERS_DIR = Path("clusters")
SECRETS_DIR = Path("secrets")
TOOLS_DIR = Path(".tools")


@dataclass(frozen=True)
class Repo:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Repo:
        here = (start or Path.cwd()).resolve()
        for candidate in (here, *here.parents):
            if (candidate / "tasks.py").is_file() and (candidate / CHART_DIR).is_dir():
                return cls(candidate)
        raise ConfigError(f"{here}: not inside the repository (no tasks.py with {CHART_DIR}/ above); cd into it")

    @property
    def chart(self) -> Path:
        return self.root / CHART_DIR

    @property
    def clusters(self) -> Path:
        return self.root / CLUSTERS_DIR

    @property
    def secrets(self) -> Path:
        return self.root / SECRETS_DIR

    @property
    def tools_bin(self) -> Path:
        return self.root / TOOLS_DIR / "bin"

    def cluster_dir(self, name: str) -> Path:
        return self.clusters / name

    def cluster_file(self, name: str) -> Path:
        return self.clusters / name / "cluster.yaml"

    def secrets_dir(self, name: str) -> Path:
        return self.secrets / name

    def rel(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)

"""What every e2e backend shares: a context manager around create()/destroy() and a kubectl for its cluster.

with LocalBackend(binaries, workdir) as cluster:      # or KindBackend
    cluster.kubectl.get("nodes")
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

from gitops.e2e.kube import Kubectl


class Backend:
    """Mixed into the backend dataclasses, which provide ``bins``, ``kubeconfig``, ``create`` and ``destroy``."""

    bins: Any
    kubeconfig: Path

    def create(self) -> Path:
        raise NotImplementedError

    def destroy(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Any:
        self.create()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.destroy()

    @property
    def kubectl(self) -> Kubectl:
        return Kubectl(self.bins.path("kubectl"), self.kubeconfig)

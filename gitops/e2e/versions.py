"""What the e2e builds, and at which version: the wrapper modules' go.mod files are the pins.

    for comp in COMPONENTS:
        print(comp.name, comp.version(repo))   # etcd v3.6.17, kubernetes v1.36.3, ...
    ldflags = KUBERNETES.ldflags(repo)

Each component is a wrapper module under ``e2e/modules/<name>/`` whose ``require`` line is the one
place its version is set; ``go.sum`` pins the checksums. Bumping is ``go get <module>@<version>``
in that folder (plus its ``replace`` lines), nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from gitops.errors import ConfigError
from gitops.paths import Repo

MODULES_DIR = Path("e2e/modules")


@dataclass(frozen=True)
class Component:
    """One wrapper module and the binaries (``name -> Go package``) it builds."""

    name: str
    module: str
    binaries: dict[str, str] = field(default_factory=dict)
    kube_version_ldflags: bool = False

    def dir(self, repo: Repo) -> Path:
        return repo.root / MODULES_DIR / self.name

    def version(self, repo: Repo) -> str:
        gomod = self.dir(repo) / "go.mod"
        try:
            text = gomod.read_text()
        except OSError:
            raise ConfigError(f"{repo.rel(gomod)}: missing; restore the e2e wrapper module from git") from None
        found = re.search(rf"^\s*(?:require\s+)?{re.escape(self.module)}\s+(v\S+)", text, re.MULTILINE)
        if not found:
            raise ConfigError(
                f"{repo.rel(gomod)}:require: no `{self.module}` line; run `go get {self.module}@<v>` there"
            )
        return found.group(1)

    def ldflags(self, repo: Repo) -> str:
        """``-s -w`` plus, for Kubernetes, the version stamps so servers report their real version."""
        flags = ["-s", "-w"]
        if self.kube_version_ldflags:
            version = self.version(repo)
            major, minor = version.lstrip("v").split(".")[:2]
            for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
                flags += [
                    f"-X {pkg}.gitVersion={version}",
                    f"-X {pkg}.gitMajor={major}",
                    f"-X {pkg}.gitMinor={minor}",
                    f"-X {pkg}.gitTreeState=clean",
                    f"-X {pkg}.buildDate=1970-01-01T00:00:00Z",
                ]
        return " ".join(flags)


KUBERNETES = Component(
    "kubernetes",
    "k8s.io/kubernetes",
    {
        "kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver",
        "kube-controller-manager": "k8s.io/kubernetes/cmd/kube-controller-manager",
        "kube-scheduler": "k8s.io/kubernetes/cmd/kube-scheduler",
        "kubectl": "k8s.io/kubernetes/cmd/kubectl",
    },
    kube_version_ldflags=True,
)
ETCD = Component("etcd", "go.etcd.io/etcd/server/v3", {"etcd": "go.etcd.io/etcd/server/v3"})
KWOK = Component("kwok", "sigs.k8s.io/kwok", {"kwok": "sigs.k8s.io/kwok/cmd/kwok"})
SOURCE_CONTROLLER = Component(
    "source-controller",
    "github.com/fluxcd/source-controller",
    {"source-controller": "github.com/fluxcd/source-controller"},
)
KUSTOMIZE_CONTROLLER = Component(
    "kustomize-controller",
    "github.com/fluxcd/kustomize-controller",
    {"kustomize-controller": "github.com/fluxcd/kustomize-controller"},
)

COMPONENTS = (ETCD, KUBERNETES, KWOK, SOURCE_CONTROLLER, KUSTOMIZE_CONTROLLER)
FLUX_CONTROLLERS = (SOURCE_CONTROLLER, KUSTOMIZE_CONTROLLER)

"""The Docker backend (nightly CI): a kind cluster with Flux installed from the pinned controller modules.

    if not docker_unavailable():
        with KindBackend(bins, tmp / "kind") as cluster:
            cluster.kubectl.get("nodes")

kind is the version pinned in tools.toml ([tools.kind]); Flux's manifests are the pinned
controllers' own ``config/default`` (same versions as the local backend), into ``flux-system``.
The git server must be reachable from the kind node, so it binds to the kind network's gateway.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from gitops.command import run
from gitops.e2e.backend import Backend
from gitops.e2e.build import Binaries, module_dir
from gitops.e2e.versions import FLUX_CONTROLLERS
from gitops.errors import GitopsError, ToolError
from gitops.paths import Repo
from gitops.tools import install, load_pins


def docker_unavailable() -> str:
    """Empty when Docker answers; otherwise the one-line reason the kind backend is skipped."""
    if not shutil.which("docker"):
        return "docker is not installed"
    try:
        run(["docker", "info"], timeout=30, what="docker info")
    except GitopsError as err:
        return f"docker is not usable here ({err})"
    return ""


def kind_binary(repo: Repo) -> Path:
    """The pinned kind (tools.toml), installed by the same installer as every other tool if it is missing."""
    path, _how = install(repo, load_pins(repo)["kind"])
    return path


@dataclass
class KindBackend(Backend):
    bins: Binaries
    workdir: Path
    name: str = "kind"
    cluster_name: str = field(default_factory=lambda: f"trigger-e2e-{uuid.uuid4().hex[:6]}")
    git_host: str = "127.0.0.1"
    kubeconfig: Path = field(init=False)
    created: bool = False

    def __post_init__(self) -> None:
        self.kubeconfig = self.workdir / "kubeconfig"
        self.repo = Repo.find(Path(__file__))

    def create(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        kind = kind_binary(self.repo)
        try:
            self.created = True
            run([kind, "create", "cluster", "--name", self.cluster_name, "--kubeconfig", self.kubeconfig,
                 "--wait", "180s"], timeout=600, what="kind create cluster")  # fmt: skip
            self.kubectl.run("label", "node", "--all", "nodetype=worker")
            self.install_flux()
            self.git_host = self.network_gateway()
        except BaseException:
            self.destroy()
            raise
        return self.kubeconfig

    def install_flux(self) -> None:
        folder = self.workdir / "flux"
        resources = []
        for comp in FLUX_CONTROLLERS:
            shutil.copytree(module_dir(comp, self.repo) / "config", folder / comp.name, dirs_exist_ok=True)
            resources.append(f"- {comp.name}/default")
        for path in folder.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        (folder / "kustomization.yaml").write_text(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: flux-system\n"
            "resources:\n" + "\n".join(resources) + "\n"
        )
        self.kubectl.run("apply", "--server-side", "-k", str(folder))
        self.kubectl.run(
            "wait", "-n", "flux-system", "--for=condition=Available", "deployment", "--all", "--timeout=300s"
        )

    def network_gateway(self) -> str:
        out = run(["docker", "network", "inspect", "kind", "-f", "{{range .IPAM.Config}}{{.Gateway}} {{end}}"],
                  what="docker network inspect kind").stdout.split()  # fmt: skip
        ipv4 = [ip for ip in out if "." in ip]
        if not ipv4:
            raise ToolError("docker network `kind` has no IPv4 gateway; the kind node cannot reach the git server")
        return ipv4[0]

    def destroy(self) -> None:
        if self.created:
            self.created = False
            run([kind_binary(self.repo), "delete", "cluster", "--name", self.cluster_name], ok_codes=(0, 1),
                timeout=300, what="kind delete cluster")  # fmt: skip

    def logs(self) -> dict[str, Path]:
        """Controller logs, fetched into files (the dump reads files for both backends)."""
        found: dict[str, Path] = {}
        for comp in FLUX_CONTROLLERS:
            path = self.workdir / f"{comp.name}.log"
            try:
                path.write_text(self.kubectl.text("logs", "-n", "flux-system", f"deploy/{comp.name}", "--tail=200"))
                found[comp.name] = path
            except GitopsError:
                continue
        return found

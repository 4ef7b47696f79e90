"""The Docker-free backend: a real control plane from pinned local binaries, kwok nodes, Flux as processes.

    with LocalBackend(bins, workdir=tmp) as cluster:
        Kubectl(bins.path("kubectl"), cluster.kubeconfig).get("nodes")
        cluster.processes.procs          # etcd, kube-apiserver, ..., kustomize-controller

Everything listens on 127.0.0.1 (free ports picked at start), keeps its state in ``workdir`` and is
stopped on exit, also when start-up fails half way.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from gitops.e2e.backend import Backend
from gitops.e2e.build import Binaries
from gitops.e2e.kube import Kubectl
from gitops.e2e.pki import SERVICE_CIDR, Pki, make_pki, write_kubeconfig
from gitops.e2e.procs import Proc, Processes
from gitops.e2e.wait import E2EError, NotYet, until

NODE_NAME = "kwok-worker-0"
FLUX_NAMESPACE = "flux-system"
FAKE_NODE = f"""\
apiVersion: v1
kind: Node
metadata:
  name: {NODE_NAME}
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: {NODE_NAME}
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    nodetype: worker
    type: kwok
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_ok(url: str, context: ssl.SSLContext | None = None) -> str:
    """The body of a 200 answer, else NotYet with what came back."""
    try:
        with urllib.request.urlopen(url, timeout=5, context=context) as answer:  # noqa: S310 - 127.0.0.1 only
            return answer.read().decode() or "ok"
    except urllib.error.HTTPError as err:
        raise NotYet(f"HTTP {err.code} from {url}") from None
    except (urllib.error.URLError, OSError) as err:
        raise NotYet(f"{url}: {getattr(err, 'reason', err)}") from None


@dataclass
class LocalBackend(Backend):
    bins: Binaries
    workdir: Path
    name: str = "local"
    git_host: str = "127.0.0.1"
    pki: Pki | None = field(init=False, default=None)
    processes: Processes = field(init=False)
    kubeconfig: Path = field(init=False)
    start_seconds: float = 0.0

    def __post_init__(self) -> None:
        self.processes = Processes(self.workdir / "logs")
        self.kubeconfig = self.workdir / "kubeconfig"

    def create(self) -> Path:
        started = time.monotonic()
        try:
            pki = make_pki(self.workdir / "pki")
            api_url = self.start_control_plane(pki)
            write_kubeconfig(self.kubeconfig, api_url, pki)
            self.start_node_and_controllers()
            self.start_flux()
        except BaseException:
            self.destroy()
            raise
        self.start_seconds = time.monotonic() - started
        return self.kubeconfig

    def destroy(self) -> None:
        self.processes.stop_all()

    def logs(self) -> dict[str, Path]:
        return {p.name: p.log for p in self.processes.procs}

    # -- control plane -------------------------------------------------------------------------------

    def start_control_plane(self, pki: Pki) -> str:
        bins, procs = self.bins, self.processes
        client, peer = free_port(), free_port()
        etcd = procs.start(
            "etcd",
            [
                bins.path("etcd"),
                "--name=e2e",
                f"--data-dir={self.workdir / 'etcd'}",
                f"--listen-client-urls=http://127.0.0.1:{client}",
                f"--advertise-client-urls=http://127.0.0.1:{client}",
                f"--listen-peer-urls=http://127.0.0.1:{peer}",
                f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
                f"--initial-cluster=e2e=http://127.0.0.1:{peer}",
                "--unsafe-no-fsync=true",
                "--log-level=warn",
            ],
        )
        until(lambda: '"true"' in http_ok(f"http://127.0.0.1:{client}/health"), what="etcd /health",
              timeout=60, check=etcd.check_alive)  # fmt: skip

        port = free_port()
        api = procs.start(
            "kube-apiserver",
            [
                bins.path("kube-apiserver"),
                f"--etcd-servers=http://127.0.0.1:{client}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--endpoint-reconciler-type=none",  # a loopback address cannot back the `kubernetes` Service
                f"--secure-port={port}",
                f"--cert-dir={self.workdir / 'apiserver-certs'}",
                f"--tls-cert-file={pki.server_cert}",
                f"--tls-private-key-file={pki.server_key}",
                f"--client-ca-file={pki.ca_cert}",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-key-file={pki.sa_pub}",
                f"--service-account-signing-key-file={pki.sa_key}",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                "--authorization-mode=Node,RBAC",
                "--allow-privileged=false",
                "--profiling=false",
                "--v=1",
            ],
        )
        context = ssl.create_default_context(cafile=str(pki.ca_cert))
        context.load_cert_chain(str(pki.admin_cert), str(pki.admin_key))
        url = f"https://127.0.0.1:{port}"
        until(lambda: http_ok(f"{url}/readyz", context) == "ok", what="kube-apiserver /readyz",
              timeout=120, check=api.check_alive)  # fmt: skip
        self.pki = pki
        return url

    def start_node_and_controllers(self) -> None:
        bins, procs, kubeconfig, pki = self.bins, self.processes, self.kubeconfig, self.pki
        assert pki is not None, "start_control_plane first"
        delegated = [f"--authentication-kubeconfig={kubeconfig}", f"--authorization-kubeconfig={kubeconfig}"]
        procs.start(
            "kube-controller-manager",
            [
                bins.path("kube-controller-manager"),
                f"--kubeconfig={kubeconfig}",
                *delegated,
                "--bind-address=127.0.0.1",
                f"--secure-port={free_port()}",
                "--leader-elect=false",
                "--controllers=*",
                f"--service-account-private-key-file={pki.sa_key}",
                f"--root-ca-file={pki.ca_cert}",
                f"--cluster-signing-cert-file={pki.ca_cert}",
                f"--cluster-signing-key-file={pki.ca_key}",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                "--v=1",
            ],
        )
        procs.start(
            "kube-scheduler",
            [
                bins.path("kube-scheduler"),
                f"--kubeconfig={kubeconfig}",
                *delegated,
                "--bind-address=127.0.0.1",
                f"--secure-port={free_port()}",
                "--leader-elect=false",
                "--v=1",
            ],
        )
        procs.start(
            "kwok",
            [
                bins.path("kwok"),
                f"--kubeconfig={kubeconfig}",
                f"--config={bins.path('kwok-stages')}",
                "--manage-all-nodes=false",
                "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                "--node-ip=10.244.0.1",
                "--cidr=10.244.1.0/24",
            ],
        )
        kubectl = self.kubectl
        kubectl.apply_text(FAKE_NODE)
        until(lambda: node_ready(kubectl), what=f"fake node {NODE_NAME} Ready (kwok)", timeout=60,
              check=self.check_alive)  # fmt: skip
        until(lambda: kubectl.get_optional("serviceaccount", "default", namespace="default"),
              what="default ServiceAccount (kube-controller-manager)", timeout=60, check=self.check_alive)  # fmt: skip

    def start_flux(self) -> None:
        kubectl = self.kubectl
        kubectl.apply_files(*self.bins.flux_crds)
        kubectl.apply_text(f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {FLUX_NAMESPACE}\n")
        kubectl.run("wait", "--for=condition=Established", "--timeout=60s", *[f"-f={c}" for c in self.bins.flux_crds])
        storage = free_port()
        (self.workdir / "flux-storage").mkdir(parents=True, exist_ok=True)
        env = {"KUBECONFIG": str(self.kubeconfig), "RUNTIME_NAMESPACE": FLUX_NAMESPACE}
        common = ["--enable-leader-election=false", "--watch-all-namespaces=true", "--log-level=info"]
        source = self.processes.start(
            "source-controller",
            [
                self.bins.path("source-controller"),
                *common,
                f"--storage-path={self.workdir / 'flux-storage'}",
                f"--storage-addr=127.0.0.1:{storage}",
                f"--storage-adv-addr=127.0.0.1:{storage}",
                f"--metrics-addr=127.0.0.1:{free_port()}",
                f"--health-addr=127.0.0.1:{(source_health := free_port())}",
            ],
            env=env,
        )
        kustomize = self.processes.start(
            "kustomize-controller",
            [
                self.bins.path("kustomize-controller"),
                *common,
                f"--metrics-addr=127.0.0.1:{free_port()}",
                f"--health-addr=127.0.0.1:{(kustomize_health := free_port())}",
            ],
            env={**env, "SOURCE_CONTROLLER_LOCALHOST": f"127.0.0.1:{storage}"},
        )
        for proc, health in ((source, source_health), (kustomize, kustomize_health)):
            until(lambda health=health: http_ok(f"http://127.0.0.1:{health}/readyz"), what=f"{proc.name} /readyz",
                  timeout=60, check=proc.check_alive)  # fmt: skip

    def check_alive(self) -> None:
        for proc in self.processes.procs:
            proc.check_alive()

    def process(self, name: str) -> Proc:
        return next(p for p in self.processes.procs if p.name == name)


def node_ready(kubectl: Kubectl) -> bool:
    node = kubectl.get_optional("node", NODE_NAME)
    if not node:
        raise NotYet("node not created")
    conditions = {c["type"]: c["status"] for c in node.get("status", {}).get("conditions", [])}
    if conditions.get("Ready") != "True":
        raise NotYet(f"conditions {json.dumps(conditions)}")
    return True


__all__ = ["E2EError", "LocalBackend", "NODE_NAME", "FLUX_NAMESPACE"]

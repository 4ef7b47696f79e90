"""Stage 2: the backend alone — a real API server, a kwok node, Flux pulling from the local git server."""

from __future__ import annotations

import json
from pathlib import Path

from gitops.command import run
from gitops.e2e.build import Binaries
from gitops.e2e.flux import sync_manifest, wait_applied
from gitops.e2e.gitserver import GitServer
from gitops.e2e.kind import KindBackend
from gitops.e2e.kube import Kubectl
from gitops.e2e.local import LocalBackend
from gitops.e2e.workspace import GIT_CLIENT, GIT_IDENTITY

SMOKE_NS = "e2e-smoke"


def test_api_server_reports_pinned_version(cluster: LocalBackend | KindBackend, binaries: Binaries) -> None:
    version = json.loads(cluster.kubectl.run("version", "-o", "json").stdout)
    assert version["clientVersion"]["gitVersion"] == binaries.versions["kubernetes"]
    if cluster.name == "local":  # kind's server is its node image's version
        assert version["serverVersion"]["gitVersion"] == binaries.versions["kubernetes"]


def test_worker_node_is_ready_and_labelled(kubectl: Kubectl) -> None:
    nodes = kubectl.get("nodes", namespace=None)["items"]
    workers = [n for n in nodes if n["metadata"].get("labels", {}).get("nodetype") == "worker"]
    assert workers, "no node labelled nodetype=worker"
    ready = {c["type"]: c["status"] for c in workers[0]["status"]["conditions"]}
    assert ready.get("Ready") == "True"


def test_flux_applies_a_pushed_configmap(kubectl: Kubectl, git_server: GitServer, tmp_path: Path) -> None:
    url = git_server.create_repo("smoke")
    work = tmp_path / "smoke"
    (work / "deploy").mkdir(parents=True)
    (work / "deploy" / "configmap.yaml").write_text(
        f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {SMOKE_NS}\n---\n"
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: smoke\n  namespace: {SMOKE_NS}\ndata:\n  pushed: 'yes'\n"
    )

    def git(*args: str) -> str:
        return run(["git", *GIT_CLIENT, *args], cwd=work, env=GIT_IDENTITY).stdout.strip()

    git("init", "--quiet")
    git("add", "--all")
    git("commit", "--quiet", "-m", "smoke")
    git("push", "--quiet", url, "HEAD:refs/heads/main")
    sha = git("rev-parse", "HEAD")

    kubectl.apply_text(sync_manifest("smoke", url, path="./deploy"))
    wait_applied(kubectl, "smoke", sha, timeout=120)

    configmap = kubectl.get("configmap", "smoke", namespace=SMOKE_NS)
    assert configmap["data"] == {"pushed": "yes"}

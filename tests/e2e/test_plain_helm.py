"""The chart alone, with the pinned helm 3 and helm 4: install, upgrade to another version, roll back."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from gitops.command import run
from gitops.e2e import scenario
from gitops.e2e.kind import KindBackend
from gitops.e2e.kube import Kubectl
from gitops.e2e.local import LocalBackend
from gitops.paths import Repo

VALUES = Path(__file__).with_name("helm-values.TEST.yaml")
OLD, NEW = "3.3.17", "3.3.18"
TAG_KEYS = ("image.tag", "coordinatorImage.tag", "kubernetesProviderImage.tag")


def tags(version: str) -> list[str]:
    return ["--set", ",".join(f"{key}={version}" for key in TAG_KEYS)]


@pytest.mark.parametrize("helm_name", ["helm3", "helm4"])
def test_helm_install_upgrade_rollback(
    helm_name: str, repo: Repo, cluster: LocalBackend | KindBackend, kubectl: Kubectl, timings
) -> None:
    started = time.monotonic()
    helm_bin = repo.tools_bin / helm_name
    namespace, release = f"e2e-{helm_name}", "trigger"

    def helm(*args: str) -> str:
        argv = [helm_bin, "--kubeconfig", cluster.kubeconfig, "--namespace", namespace, *args]
        return run(argv, timeout=600, what=f"{helm_name} {args[0]}").stdout

    def rolled_to(version: str) -> None:
        deployments = scenario.deployments_available(kubectl, namespace)
        for name, refs in scenario.images(deployments).items():
            assert all(ref.endswith(f":v{version}") for ref in refs), f"{name} runs {refs}, want v{version}"
        scenario.pods_run_only(kubectl, namespace, f"v{version}")
        scenario.jobs_complete(kubectl, namespace)

    common = ["--values", str(VALUES), "--wait", "--timeout", "5m"]
    helm("install", release, str(repo.chart), "--create-namespace", *common, *tags(OLD))
    rolled_to(OLD)
    helm("upgrade", release, str(repo.chart), *common, *tags(NEW))  # fails on any immutable-field change
    rolled_to(NEW)
    helm("rollback", release, "1", "--wait", "--timeout", "5m")
    rolled_to(OLD)
    history = json.loads(helm("history", release, "--output", "json"))
    assert [h["revision"] for h in history] == [1, 2, 3]
    assert history[-1]["status"] == "deployed"
    helm("uninstall", release, "--wait", "--timeout", "2m")
    timings.add(f"plain {helm_name}", time.monotonic() - started)

"""The Postgres and Redis that backends with running pods (kind) get: valid objects that become Available."""

from __future__ import annotations

from gitops.e2e.deps import NAMESPACE, Dependencies
from gitops.e2e.kube import Kubectl


def test_dependencies_apply_and_become_available(kubectl: Kubectl) -> None:
    deps = Dependencies(kubectl, timeout=120)
    deps.start()
    names = sorted(d["metadata"]["name"] for d in kubectl.get("deployments", namespace=NAMESPACE)["items"])
    assert names == ["postgres", "redis"]
    postgres = kubectl.get("deployments", "postgres", namespace=NAMESPACE)
    assert postgres["spec"]["template"]["spec"]["containers"][0]["args"] == ["-c", "wal_level=logical"]
    assert deps.inputs["TRIGGER_DATABASE_URL"].startswith(f"postgresql://trigger:TEST-e2e-only@postgres.{NAMESPACE}.")
    kubectl.run("delete", "namespace", NAMESPACE, "--wait=false")

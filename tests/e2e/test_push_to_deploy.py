"""The scenario of issue 7: a rendered cluster pushed to git becomes a running Trigger.dev through Flux.

One module-scoped deployment (render -> commit -> push -> Flux fetch, SOPS-decrypt, apply) is checked
by the tests below in file order; the bump test then moves it to another version, and the last tests
break it on purpose (wrong age key, a Role without pods/log) to prove the harness names the cause.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from gitops.command import run
from gitops.e2e import flux, scenario
from gitops.e2e.deps import Dependencies, webapp_healthy
from gitops.e2e.gitserver import GitServer
from gitops.e2e.kind import KindBackend
from gitops.e2e.kube import Kubectl
from gitops.e2e.wait import E2EError
from gitops.e2e.workspace import Workspace
from gitops.paths import Repo
from gitops.sops import sops_bin

CLUSTER = "e2e"
OLD, NEW = "3.3.17", "3.3.18"
# TEST-only connection strings for the local backend: nothing listens there (kwok pods run no containers).
# On kind, where pods really run, the e2e starts Postgres and Redis in the cluster instead (gitops/e2e/deps.py).
TEST_INPUTS = {
    "TRIGGER_DATABASE_URL": "postgresql://trigger:TEST-e2e-only@postgres.e2e.invalid:5432/trigger",
    "TRIGGER_REDIS_URL": "redis://:TEST-e2e-only@redis.e2e.invalid:6379",
}


@dataclass
class Deployed:
    ws: Workspace
    url: str
    sha: str
    namespace: str
    sync_name: str
    runs_pods: bool  # kind: containers really start (image pulls, migrations), so waits are longer
    timeout: float


def load_docs(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def decrypted_secrets(ws: Workspace) -> dict[str, dict[str, str]]:
    """Secret name -> key -> digest, from sops-decrypting the copy's secrets/<cluster>/*.sops.yaml."""
    keys = sorted((ws.home / "age").glob("*.agekey"))
    assert keys, f"secrets.init left no age key in {ws.home / 'age'}"
    found: dict[str, dict[str, str]] = {}
    for path in sorted((ws.root / "secrets" / CLUSTER).glob("*.sops.yaml")):
        plain = run([sops_bin(ws.repo), "--decrypt", path], env={"SOPS_AGE_KEY_FILE": str(keys[0])}).stdout
        for doc in yaml.safe_load_all(plain):
            if doc and doc.get("kind") == "Secret":
                found[doc["metadata"]["name"]] = scenario.secret_digests(doc)
    return found


@pytest.fixture(scope="module")
def deployed(
    repo: Repo, kubectl: Kubectl, git_server: GitServer, workdir: Path, timings, cluster
) -> Iterator[Deployed]:
    started = time.monotonic()
    runs_pods = isinstance(cluster, KindBackend)
    timeout = 900.0 if runs_pods else 180.0
    inputs = TEST_INPUTS
    if runs_pods:
        dependencies = Dependencies(kubectl, timeout=timeout)
        dependencies.start()
        inputs = dependencies.inputs
    ws = Workspace.copy_of(repo, workdir / "work", workdir / "home")
    url = git_server.create_repo("fleet")
    ws.invoke("cluster.new", "--name", CLUSTER, "--flavour", "flux", "--version", OLD, "--git-url", url,
              "--branch", "main", "--no-secrets")  # fmt: skip
    ws.invoke("secrets.init", "--cluster", CLUSTER, env=inputs)
    ws.invoke("render", "--cluster", CLUSTER)
    sha = ws.commit_and_push(f"e2e: cluster {CLUSTER} at {OLD}", url)

    kubectl.apply_text(ws.invoke("secrets.flux-key", "--cluster", CLUSTER).stdout)
    sync = [d for f in sorted((ws.root / "clusters" / CLUSTER / "sync").glob("*.yaml")) for d in load_docs(f)]
    kustomization = next(d for d in sync if d["kind"] == "Kustomization")
    kubectl.apply_text(yaml.safe_dump_all(sync))
    flux.wait_applied(kubectl, kustomization["metadata"]["name"], sha, timeout=timeout + 60)
    namespace = yaml.safe_load((ws.root / "clusters" / CLUSTER / "cluster.yaml").read_text()).get(
        "namespace", "trigger"
    )
    timings.add("scenario: first deploy", time.monotonic() - started)
    yield Deployed(ws, url, sha, namespace, kustomization["metadata"]["name"], runs_pods, timeout)


def push_and_apply(kubectl: Kubectl, d: Deployed, message: str) -> str:
    sha = d.ws.commit_and_push(message, d.url)
    flux.reconcile_now(kubectl, d.sync_name)
    flux.wait_applied(kubectl, d.sync_name, sha, timeout=d.timeout + 60)
    return sha


def test_every_deployment_becomes_available(kubectl: Kubectl, deployed: Deployed) -> None:
    deployments = scenario.deployments_available(kubectl, deployed.namespace, timeout=deployed.timeout)
    for name, refs in scenario.images(deployments).items():
        assert all(ref.endswith(f":v{OLD}") for ref in refs), f"{name} runs {refs}, want tag v{OLD}"


def test_webapp_answers_healthcheck_through_its_service(kubectl: Kubectl, deployed: Deployed) -> None:
    if not deployed.runs_pods:
        pytest.skip("kwok runs no containers: /healthcheck is checked on the kind backend")
    assert webapp_healthy(kubectl, deployed.namespace, timeout=deployed.timeout) == "OK"


def test_migration_job_completes(kubectl: Kubectl, deployed: Deployed) -> None:
    jobs = scenario.jobs_complete(kubectl, deployed.namespace, timeout=deployed.timeout)
    assert any("migrat" in j["metadata"]["name"] for j in jobs), [j["metadata"]["name"] for j in jobs]


def test_decrypted_secrets_hold_what_secrets_init_generated(kubectl: Kubectl, deployed: Deployed) -> None:
    scenario.secrets_match(kubectl, deployed.namespace, decrypted_secrets(deployed.ws))


def test_provider_service_account_can_do_exactly_what_the_provider_needs(kubectl: Kubectl, deployed: Deployed) -> None:
    deployments = kubectl.get("deployments", namespace=deployed.namespace)["items"]
    scenario.provider_rbac_exact(kubectl, scenario.provider_identity(deployments))


def test_namespace_enforces_restricted_and_admits_every_pod(kubectl: Kubectl, deployed: Deployed) -> None:
    scenario.pod_security_restricted(kubectl, deployed.namespace)


def test_bump_rolls_every_deployment_to_the_new_image(kubectl: Kubectl, deployed: Deployed, timings) -> None:
    started = time.monotonic()
    deployed.ws.invoke("bump", "--version", NEW, "--cluster", CLUSTER)
    deployed.sha = push_and_apply(kubectl, deployed, f"e2e: bump {CLUSTER} to {NEW}")
    deployments = scenario.deployments_available(kubectl, deployed.namespace, timeout=deployed.timeout)
    for name, refs in scenario.images(deployments).items():
        assert all(ref.endswith(f":v{NEW}") for ref in refs), f"{name} runs {refs}, want tag v{NEW}"
    scenario.pods_run_only(kubectl, deployed.namespace, f"v{NEW}")
    scenario.jobs_complete(kubectl, deployed.namespace, timeout=deployed.timeout)
    timings.add("scenario: bump", time.monotonic() - started)


def test_role_without_pods_log_is_named_as_the_cause(kubectl: Kubectl, deployed: Deployed) -> None:
    manifests = deployed.ws.root / "clusters" / CLUSTER / "manifests"
    role_file = next(p for p in manifests.glob("*.yaml") if any(d.get("kind") == "Role" for d in load_docs(p)))
    original = role_file.read_text()
    docs = load_docs(role_file)
    for doc in docs:
        if doc.get("kind") == "Role":
            doc["rules"] = [r for r in doc["rules"] if "pods/log" not in r.get("resources", [])]
    role_file.write_text(yaml.safe_dump_all(docs))
    push_and_apply(kubectl, deployed, "e2e: break the provider Role (no pods/log)")
    deployments = kubectl.get("deployments", namespace=deployed.namespace)["items"]
    with pytest.raises(E2EError, match=r"cannot get pods/log") as failure:
        scenario.provider_rbac_exact(kubectl, scenario.provider_identity(deployments))
    print(f"error: {failure.value}")  # shown with -rP: the message a broken chart produces
    role_file.write_text(original)
    push_and_apply(kubectl, deployed, "e2e: restore the provider Role")


def sops_age_secret(key_name: str, **payload: dict[str, str]) -> str:
    meta = {"name": "sops-age", "namespace": flux.NAMESPACE}
    return yaml.safe_dump({"apiVersion": "v1", "kind": "Secret", "metadata": meta, **payload})


def test_wrong_age_key_fails_with_a_decryption_message(kubectl: Kubectl, deployed: Deployed) -> None:
    good = kubectl.get("secret", "sops-age", namespace=flux.NAMESPACE)
    key_name = next(iter(good["data"]))
    wrong = run([str(deployed.ws.repo.tools_bin / "age-keygen")]).stdout  # a fresh TEST key nobody encrypted to
    kubectl.apply_text(sops_age_secret(key_name, stringData={key_name: wrong}))
    try:
        sha = deployed.ws.commit_and_push("e2e: a commit Flux must fail to decrypt", deployed.url)
        flux.reconcile_now(kubectl, deployed.sync_name)
        with pytest.raises(E2EError, match=r"(?i)decrypt") as failure:
            flux.wait_applied(kubectl, deployed.sync_name, sha, timeout=120)
        assert "sops" in str(failure.value).lower() or "age" in str(failure.value).lower()
        print(f"error: {failure.value}")  # shown with -rP: the message a wrong key produces
    finally:
        kubectl.apply_text(sops_age_secret(key_name, data=good["data"]))

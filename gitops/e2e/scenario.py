"""The push-to-deploy checks: what must be true of a Trigger.dev install that Flux (or helm) applied.

    deployments_available(kubectl, "trigger")               # every Deployment rolled out and Available
    secrets_match(kubectl, "trigger", expected)              # in-cluster Secrets == decrypted SOPS files
    provider_rbac_exact(kubectl, provider_identity(deployments))  # can-i: exactly the provider's needs

Each check raises :class:`~gitops.e2e.wait.E2EError` with one line naming the object and the cause;
waiting checks poll until a deadline. Secret values are compared by digest and never printed.
"""

from __future__ import annotations

import base64
import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from gitops.e2e.kube import Kubectl
from gitops.e2e.wait import E2EError, NotYet, until

# The Kubernetes API access the provider needs (shared/reference/trigger-dev-runtime.md), as can-i resources.
PROVIDER_NEEDS: dict[str, set[str]] = {
    "pods": {"create", "get", "list", "watch", "delete", "deletecollection"},
    "pods/log": {"get"},
    "jobs.batch": {"create"},
    "daemonsets.apps": {"create", "deletecollection"},
}
VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")
# Broader access it must not have: checked for every verb above.
PROBED_RESOURCES = (
    *PROVIDER_NEEDS,
    "pods/exec",
    "pods/attach",
    "pods/portforward",
    "pods/ephemeralcontainers",
    "pods/status",
    "secrets",
    "configmaps",
    "serviceaccounts",
    "serviceaccounts/token",
    "services",
    "deployments.apps",
    "statefulsets.apps",
    "cronjobs.batch",
    "roles.rbac.authorization.k8s.io",
    "rolebindings.rbac.authorization.k8s.io",
    "networkpolicies.networking.k8s.io",
)
REQUIRED_SECRET_KEYS = {
    "trigger-secrets": {
        "SESSION_SECRET",
        "MAGIC_LINK_SECRET",
        "ENCRYPTION_KEY",
        "PROVIDER_SECRET",
        "COORDINATOR_SECRET",
    },
    "trigger-database": {"DATABASE_URL", "DIRECT_URL"},
    "trigger-redis": {"REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD"},
}


def condition(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    return next((c for c in obj.get("status", {}).get("conditions", []) if c.get("type") == kind), {})


def rollout_state(deploy: dict[str, Any]) -> str:
    """'' when fully rolled out and Available, else what is missing."""
    spec, status = deploy["spec"], deploy.get("status", {})
    want = spec.get("replicas", 1)
    if status.get("observedGeneration", 0) < deploy["metadata"]["generation"]:
        return "controller has not seen the latest spec"
    for field in ("updatedReplicas", "readyReplicas", "availableReplicas"):
        if status.get(field, 0) < want:
            return f"{field} {status.get(field, 0)}/{want}"
    if status.get("replicas", 0) > want:
        return f"{status['replicas'] - want} old pod(s) still terminating"
    available = condition(deploy, "Available")
    if available.get("status") != "True":
        return f"Available={available.get('status')}: {available.get('message', '')}"
    return ""


def deployments_available(kubectl: Kubectl, namespace: str, timeout: float = 180) -> list[dict[str, Any]]:
    def probe() -> list[dict[str, Any]]:
        items = kubectl.get("deployments", namespace=namespace)["items"]
        if not items:
            raise NotYet(f"no Deployments in namespace {namespace}")
        waiting = {d["metadata"]["name"]: state for d in items if (state := rollout_state(d))}
        if waiting:
            raise NotYet("; ".join(f"{name}: {state}" for name, state in sorted(waiting.items())))
        return items

    return until(probe, what=f"every Deployment in {namespace} Available", timeout=timeout)


def jobs_complete(kubectl: Kubectl, namespace: str, timeout: float = 180) -> list[dict[str, Any]]:
    def probe() -> list[dict[str, Any]]:
        items = kubectl.get("jobs", namespace=namespace)["items"]
        if not items:
            raise NotYet(f"no Jobs in namespace {namespace}")
        for job in items:
            failed = condition(job, "Failed")
            if failed.get("status") == "True":
                raise E2EError(f"Job {namespace}/{job['metadata']['name']} failed: {failed.get('message', '')}")
        pending = [j["metadata"]["name"] for j in items if condition(j, "Complete").get("status") != "True"]
        if pending:
            raise NotYet(f"not Complete: {', '.join(sorted(pending))}")
        return items

    return until(probe, what=f"every Job in {namespace} Complete", timeout=timeout)


def images(deployments: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {
        d["metadata"]["name"]: [c["image"] for c in d["spec"]["template"]["spec"]["containers"]] for d in deployments
    }


def pods_run_only(kubectl: Kubectl, namespace: str, tag: str) -> None:
    """Every pod owned by a Deployment runs images tagged ``tag`` (old ReplicaSets scaled away)."""

    def probe() -> bool:
        stale = []
        for pod in kubectl.get("pods", namespace=namespace)["items"]:
            owners = [o["kind"] for o in pod["metadata"].get("ownerReferences", [])]
            if "ReplicaSet" in owners:
                stale += [
                    f"{pod['metadata']['name']}={c['image']}"
                    for c in pod["spec"]["containers"]
                    if not c["image"].endswith(f":{tag}")
                ]
        if stale:
            raise NotYet(f"pods still on other images: {', '.join(sorted(stale))}")
        return True

    until(probe, what=f"every Deployment pod in {namespace} running tag {tag}", timeout=120)


def digest(value: bytes) -> str:
    return hashlib.sha256(value).hexdigest()[:16]


def secret_digests(secret: dict[str, Any]) -> dict[str, str]:
    """key -> digest of the value, from a Secret's data (base64) and stringData (plain)."""
    found = {k: digest(base64.b64decode(v)) for k, v in (secret.get("data") or {}).items()}
    found.update({k: digest(str(v).encode()) for k, v in (secret.get("stringData") or {}).items()})
    return found


def secrets_match(kubectl: Kubectl, namespace: str, expected: dict[str, dict[str, str]]) -> None:
    """The cluster's Secrets hold exactly the decrypted values (by digest); required keys are present."""
    for name, keys in REQUIRED_SECRET_KEYS.items():
        if name not in expected:
            raise E2EError(
                f"secrets.init wrote no Secret {name!r} (files give {sorted(expected)}); want keys {sorted(keys)}"
            )
        missing = keys - set(expected[name])
        if missing:
            raise E2EError(f"Secret {name} from secrets.init lacks {sorted(missing)}")
    for name, want in sorted(expected.items()):
        live = kubectl.get_optional("secret", name, namespace=namespace)
        if live is None:
            raise E2EError(f"Secret {namespace}/{name} was not applied (decrypted by Flux) although secrets/ holds it")
        got = secret_digests(live)
        differ = sorted(k for k in want if got.get(k) != want[k])
        if differ:
            raise E2EError(
                f"Secret {namespace}/{name}: keys {differ} differ from the decrypted SOPS file (values hidden)"
            )


@dataclass(frozen=True)
class ProviderIdentity:
    """Who the provider is (its ServiceAccount) and where it creates task pods (KUBERNETES_NAMESPACE)."""

    service_account: str
    namespace: str
    task_namespace: str

    @property
    def user(self) -> str:
        return f"system:serviceaccount:{self.namespace}:{self.service_account}"


def provider_identity(deployments: list[dict[str, Any]]) -> ProviderIdentity:
    for deploy in deployments:
        labels = deploy["metadata"].get("labels", {})
        if labels.get("app.kubernetes.io/component") == "provider" or deploy["metadata"]["name"].endswith("provider"):
            pod = deploy["spec"]["template"]["spec"]
            namespace = deploy["metadata"]["namespace"]
            env = {e["name"]: e.get("value") for c in pod["containers"] for e in c.get("env", [])}
            return ProviderIdentity(
                pod.get("serviceAccountName") or "default", namespace, env.get("KUBERNETES_NAMESPACE") or namespace
            )
    raise E2EError(f"no provider Deployment among {sorted(d['metadata']['name'] for d in deployments)}")


def provider_rbac_exact(kubectl: Kubectl, who: ProviderIdentity) -> None:
    """``kubectl auth can-i`` as the provider: every needed verb allowed in the task namespace, nothing beyond it.

    Probed: every verb on PROBED_RESOURCES in the task namespace and in the provider's own namespace,
    plus a few cluster-wide and other-namespace questions.
    """
    task_ns = who.task_namespace
    questions = [(verb, res, ns) for ns in {task_ns, who.namespace} for res in PROBED_RESOURCES for verb in VERBS]
    questions += [("list", "pods", "default"), ("create", "pods", "kube-system"), ("get", "secrets", "default")]
    questions += [("list", "nodes", task_ns), ("list", "namespaces", task_ns), ("*", "*", task_ns)]

    def needed(verb: str, res: str, ns: str) -> bool:
        return ns == task_ns and verb in PROVIDER_NEEDS.get(res, set())

    def ask(question: tuple[str, str, str]) -> tuple[tuple[str, str, str], bool]:
        verb, res, ns = question
        return question, kubectl.can_i(verb, res, as_user=who.user, namespace=ns)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = dict(pool.map(ask, questions))
    missing = sorted(f"{verb} {res}" for (verb, res, ns), ok in answers.items() if needed(verb, res, ns) and not ok)
    extra = sorted(
        f"{verb} {res} in {ns}" for (verb, res, ns), ok in answers.items() if ok and not needed(verb, res, ns)
    )
    account = f"ServiceAccount {who.namespace}/{who.service_account}"
    if missing:
        raise E2EError(
            f"{account} cannot {', '.join(missing)} in {task_ns} (kubectl auth can-i): "
            "the provider needs it; add it to the chart's provider Role"
        )
    if extra:
        raise E2EError(
            f"{account} may also {', '.join(extra)} (kubectl auth can-i): broader than the provider needs; "
            "narrow the chart's RBAC"
        )


def pod_security_restricted(kubectl: Kubectl, namespace: str) -> None:
    """The namespace enforces "restricted" and every existing pod passes it (the API server says so)."""
    ns = kubectl.get("namespace", namespace)
    level = ns["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce")
    if level != "restricted":
        raise E2EError(f"namespace {namespace}: pod-security.kubernetes.io/enforce is {level!r}, want 'restricted'")
    # A server-side dry run of (re)setting the level makes the API server check every existing pod against it.
    result = kubectl.run(
        "label",
        "--dry-run=server",
        "--overwrite",
        "namespace",
        namespace,
        "pod-security.kubernetes.io/enforce=restricted",
    )
    warnings = [line for line in result.stderr.splitlines() if "violate" in line or "Warning" in line]
    if warnings:
        raise E2EError(f"namespace {namespace}: pods violate Pod Security restricted: {' | '.join(warnings)}")
    denied = [
        e.get("message", "")
        for e in kubectl.get("events", namespace=namespace)["items"]
        if e.get("reason") == "FailedCreate" and "PodSecurity" in e.get("message", "")
    ]
    if denied:
        raise E2EError(f"namespace {namespace}: pods were refused admission: {denied[0]}")
